//! `print`: logs `print[name]: msg` through `tracing` at info level.
//!
//! It prints when first checked, when its message changed (a received
//! `msg`), and on each refresh; with `refresh_only` it prints only on a
//! refresh. A check that printed reports `Changed`, so `Notify` edges pass
//! the refresh on; any other check is `Correct`. Upstream prints on every
//! check and always reports "correct"; printing on changes keeps the log
//! readable when a watch fires often. In noop mode nothing is printed: the
//! outcome says what would be.

use crate::kind::ResourceKind;
use crate::resource::{ApplyContext, Outcome, Resource, ResourceError};
use crate::schemas::{basic_schema, boolean, string};
use crate::services::Services;
use crate::spec::ResourceSpec;
use mcl_compiler::schema::ResourceSchema;
use serde_json::Value as Json;
use tracing::info;

/// The `print` kind; prints group (as upstream's do), except refresh-only ones.
pub struct Kind;

impl ResourceKind for Kind {
    fn schema(&self) -> ResourceSchema {
        let mut schema = basic_schema(
            "print",
            vec![
                string("msg"),
                // Print only when refreshed, not on every check.
                boolean("refresh_only"),
            ],
        );
        schema.groupable = true;
        schema
    }

    fn build(
        &self,
        spec: &ResourceSpec,
        _services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        let mut print = Print {
            id: spec.id(),
            msg: String::new(),
            refresh_only: false,
            printed: None,
        };
        for (field, value) in &spec.params {
            print.set(field, value.clone())?;
        }
        Ok(Box::new(print))
    }

    /// A refresh-only print waits for its own notifier, so it stays alone.
    fn joins_group(&self, spec: &ResourceSpec) -> bool {
        spec.bool_param("refresh_only") != Some(true)
    }
}

pub struct Print {
    id: String,
    msg: String,
    refresh_only: bool,
    /// The message printed last.
    printed: Option<String>,
}

impl Print {
    fn set(&mut self, field: &str, value: Json) -> Result<(), ResourceError> {
        match (field, value) {
            ("msg", Json::String(msg)) => self.msg = msg,
            ("refresh_only", Json::Bool(refresh_only)) => self.refresh_only = refresh_only,
            ("msg", _) => return Err(ResourceError::invalid("`msg` must be a str")),
            ("refresh_only", _) => {
                return Err(ResourceError::invalid("`refresh_only` must be a bool"))
            }
            (other, _) => {
                return Err(ResourceError::invalid(format!(
                    "print has no field `{other}`"
                )))
            }
        }
        Ok(())
    }
}

impl Resource for Print {
    fn check_apply(&mut self, context: ApplyContext) -> Result<Outcome, ResourceError> {
        let due =
            context.refresh || (!self.refresh_only && self.printed.as_ref() != Some(&self.msg));
        if !due {
            return Ok(Outcome::Correct);
        }
        if !context.apply {
            return Ok(Outcome::WouldChange(format!("would print {:?}", self.msg)));
        }
        info!("{}: {}", self.id, self.msg);
        self.printed = Some(self.msg.clone());
        // The message itself is on the line above.
        Ok(Outcome::Changed("printed".to_owned()))
    }

    fn receive(&mut self, field: &str, value: Json) -> Result<(), ResourceError> {
        self.set(field, value)
    }
}
