//! Resource kinds as the compiler sees them: field names and types, integer
//! ranges, enumerated values, what a kind sends, and its autoedge rule.
//!
//! `runtime` declares every kind (it owns the implementations) and hands them
//! over through [`ResourceKinds`]; the compiler checks resource bodies, builds
//! `$const.res.<kind>.<field>.<value>`, range-checks integers and adds
//! automatic edges with them, and never names a kind itself.

use crate::graph::Resource;
use crate::types::Type;
use crate::value::Value;

/// Checks that a `str` field's value is well formed; `Err` says why not.
pub type FormatCheck = fn(&str) -> Result<(), String>;

#[derive(Clone, Debug)]
pub struct FieldSchema {
    pub name: &'static str,
    pub ty: Type,
    /// Inclusive bounds for integer fields narrower than int64 (`uint8`...).
    pub int_range: Option<(i128, i128)>,
    /// The allowed values of an enumerated `str` field (empty: any string).
    pub values: &'static [&'static str],
    /// `values` names choices but other strings are allowed too (a package
    /// version in `pkg.state`).
    pub open_values: bool,
    /// Checks a `str` value's format (a file's `mode`); the error says why.
    pub format: Option<FormatCheck>,
}

impl FieldSchema {
    pub fn new(name: &'static str, ty: Type) -> FieldSchema {
        FieldSchema {
            name,
            ty,
            int_range: None,
            values: &[],
            open_values: false,
            format: None,
        }
    }

    pub fn with_range(mut self, low: i128, high: i128) -> FieldSchema {
        self.int_range = Some((low, high));
        self
    }

    /// Values beyond the named ones are allowed too.
    pub fn open(mut self) -> FieldSchema {
        self.open_values = true;
        self
    }

    /// A `str` field whose values `format` checks.
    pub fn with_format(mut self, format: FormatCheck) -> FieldSchema {
        self.format = Some(format);
        self
    }

    pub fn with_values(mut self, values: &'static [&'static str]) -> FieldSchema {
        self.values = values;
        self
    }
}

/// What one resource offers to, and asks of, automatic edges: the paths (and
/// the other named things) it manages and those it depends on (see
/// `graph/autoedges.rs`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Autoedges {
    /// Absolute paths this resource manages (a directory's ends in `/`), and
    /// names of the other things it manages, such as `user:alice` or
    /// `gid:1234` (anything not starting with `/` is a name).
    pub provides: Vec<String>,
    /// What it depends on: each need is met by at most one resource
    /// providing it, except `Inside`, met by all of them.
    pub needs: Vec<Need>,
}

/// One dependency of a resource on whatever manages a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Need {
    /// The resource managing exactly this path.
    Path(String),
    /// The resource managing this path as a directory (with or without its `/`).
    Directory(String),
    /// The nearest managed directory above this path.
    Parent(String),
    /// Every resource managing a path inside this directory, at any depth
    /// (what a composite built from the directory's files must wait for).
    Inside(String),
    /// The resource providing exactly this name (not a path): an account
    /// such as `user:alice`, `uid:1000`, `group:staff` or `gid:50`.
    Name(String),
}

/// A kind's autoedge rule: what one of its resources provides and needs.
pub type AutoedgeRule = fn(&Resource) -> Autoedges;

#[derive(Clone, Debug)]
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
    /// Its autoedge rule; `None`: it takes no part in automatic edges.
    pub autoedges: Option<AutoedgeRule>,
    /// A check across fields that `mgmt compile` runs on each resource (a
    /// file's fragments must not include the file).
    pub check: Option<ResourceCheck>,
    /// Whether its fields take values sent along send/recv edges.
    pub receives: bool,
}

/// Checks one resource's fields together, given its name and a lookup of
/// its params; `Some((field, why))` names the field at fault.
pub type ResourceCheck = for<'p> fn(
    name: &str,
    param: &dyn Fn(&str) -> Option<&'p Value>,
) -> Option<(&'static str, String)>;

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
