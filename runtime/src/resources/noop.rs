//! `noop`: a resource that is always right. Useful as a join point for
//! edges, and to test the engine's ordering.

use crate::kind::ResourceKind;
use crate::resource::{ApplyContext, Outcome, Resource, ResourceError};
use crate::schemas::{basic_schema, string};
use crate::services::Services;
use crate::spec::ResourceSpec;
use mcl_compiler::schema::ResourceSchema;

/// The `noop` kind: groupable, so that many anchors cost one vertex.
pub struct Kind;

impl ResourceKind for Kind {
    fn schema(&self) -> ResourceSchema {
        let mut schema = basic_schema("noop", vec![string("comment")]);
        schema.groupable = true;
        // Always right, it has nothing to do with a value.
        schema.receives = false;
        schema
    }

    fn build(
        &self,
        _spec: &ResourceSpec,
        _services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        Ok(Box::new(Noop))
    }
}

pub struct Noop;

impl Resource for Noop {
    fn check_apply(&mut self, _context: ApplyContext) -> Result<Outcome, ResourceError> {
        Ok(Outcome::Correct)
    }
}
