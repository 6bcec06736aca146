//! Every resource kind the engine can run, by kind name.

pub mod file;
pub mod noop;

use crate::resource::{Constructor, Resource, ResourceError};
use crate::spec::ResourceSpec;

/// The constructor of each kind the engine runs.
fn constructor(kind: &str) -> Option<Constructor> {
    Some(match kind {
        "file" => file::File::build,
        "noop" => noop::Noop::build,
        _ => return None,
    })
}

/// Builds and validates a resource from its spec.
pub fn build(spec: &ResourceSpec) -> Result<Box<dyn Resource>, ResourceError> {
    let constructor = constructor(&spec.kind).ok_or_else(|| {
        ResourceError::invalid(format!("the engine cannot run `{}` resources on this host yet", spec.kind))
    })?;
    let resource = constructor(spec)?;
    resource.validate()?;
    Ok(resource)
}
