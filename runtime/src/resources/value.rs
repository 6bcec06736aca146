//! `value`: holds one value of any type (`any`) and sends it as `any`, to
//! pass values along send/recv edges; a received `any` replaces it.
//!
//! A check reports `Changed` when the value differs from the one the last
//! check saw (the first check with a value counts), and `Correct` otherwise,
//! so a new value refreshes `Notify` edges. Upstream also keeps the value in
//! a local store for its `value.get` function; that store is not ours here.

use crate::kind::ResourceKind;
use crate::resource::{ApplyContext, Outcome, Resource, ResourceError};
use crate::schemas::{basic_schema, field};
use crate::services::Services;
use crate::spec::ResourceSpec;
use mcl_compiler::schema::ResourceSchema;
use mcl_compiler::types::Type;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// The `value` kind.
pub struct Kind;

impl ResourceKind for Kind {
    fn schema(&self) -> ResourceSchema {
        let mut schema = basic_schema("value", vec![field("any", Type::Variant)]);
        schema.sends = vec![("any", Type::Variant)];
        schema
    }

    fn build(
        &self,
        spec: &ResourceSpec,
        _services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        if let Some(field) = spec.params.keys().find(|field| *field != "any") {
            return Err(ResourceError::invalid(format!(
                "value has no field `{field}`"
            )));
        }
        Ok(Box::new(Value {
            any: spec.params.get("any").cloned(),
            checked: None,
        }))
    }
}

pub struct Value {
    any: Option<Json>,
    /// The value the last applied check saw.
    checked: Option<Json>,
}

impl Resource for Value {
    fn check_apply(&mut self, context: ApplyContext) -> Result<Outcome, ResourceError> {
        if self.any == self.checked {
            return Ok(Outcome::Correct);
        }
        let what = match &self.any {
            Some(value) => format!("value {value}"),
            None => "no value".to_owned(),
        };
        if !context.apply {
            return Ok(Outcome::WouldChange(what));
        }
        self.checked = self.any.clone();
        Ok(Outcome::Changed(what))
    }

    fn sent(&self) -> BTreeMap<String, Json> {
        self.any
            .iter()
            .map(|value| ("any".to_owned(), value.clone()))
            .collect()
    }

    fn receive(&mut self, field: &str, value: Json) -> Result<(), ResourceError> {
        if field != "any" {
            return Err(ResourceError::invalid(format!(
                "value has no field `{field}`"
            )));
        }
        self.any = Some(value);
        Ok(())
    }
}
