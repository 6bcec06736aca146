//! Resource kinds as the compiler sees them: field names and types, integer
//! ranges, enumerated values, and what a kind sends.
//!
//! `runtime` declares every kind (it owns the implementations) and hands them
//! over through [`ResourceKinds`]; the compiler checks resource bodies, builds
//! `$const.res.<kind>.<field>.<value>` and range-checks integers with them.

use crate::types::Type;

#[derive(Clone, Debug, PartialEq)]
pub struct FieldSchema {
    pub name: &'static str,
    pub ty: Type,
    /// Inclusive bounds for integer fields narrower than int64 (`uint8`...).
    pub int_range: Option<(i128, i128)>,
    /// The allowed values of an enumerated `str` field (empty: any string).
    pub values: &'static [&'static str],
}

impl FieldSchema {
    pub fn new(name: &'static str, ty: Type) -> FieldSchema {
        FieldSchema {
            name,
            ty,
            int_range: None,
            values: &[],
        }
    }

    pub fn with_range(mut self, low: i128, high: i128) -> FieldSchema {
        self.int_range = Some((low, high));
        self
    }

    pub fn with_values(mut self, values: &'static [&'static str]) -> FieldSchema {
        self.values = values;
        self
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ResourceSchema {
    pub kind: &'static str,
    pub fields: Vec<FieldSchema>,
    /// The field that defaults to the resource's name (`path` for file,
    /// `cmd` for exec), if any.
    pub name_field: Option<&'static str>,
    /// Values the kind sends after it applies (`exec` sends `output`...).
    pub sends: Vec<(&'static str, Type)>,
    /// Whether resources of this kind may be grouped into one (`Meta:autogroup`).
    pub groupable: bool,
}

impl ResourceSchema {
    pub fn field(&self, name: &str) -> Option<&FieldSchema> {
        self.fields.iter().find(|field| field.name == name)
    }

    pub fn send(&self, name: &str) -> Option<&Type> {
        self.sends
            .iter()
            .find(|(send, _)| *send == name)
            .map(|(_, ty)| ty)
    }
}

/// The catalogue of resource kinds.
pub trait ResourceKinds: Send + Sync {
    fn schema(&self, kind: &str) -> Option<&ResourceSchema>;
    /// Every kind, sorted.
    fn kinds(&self) -> Vec<&'static str>;
}
