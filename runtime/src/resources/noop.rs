//! `noop`: a resource that is always right. Useful as a join point for
//! edges, and to test the engine's ordering.

use crate::resource::{ApplyContext, Outcome, Resource, ResourceError};
use crate::spec::ResourceSpec;

pub struct Noop;

impl Noop {
    pub fn build(_spec: &ResourceSpec) -> Result<Box<dyn Resource>, ResourceError> {
        Ok(Box::new(Noop))
    }
}

impl Resource for Noop {
    fn check_apply(&mut self, _context: ApplyContext) -> Result<Outcome, ResourceError> {
        Ok(Outcome::Correct)
    }
}
