//! Every resource kind the engine can run, by kind name.

pub mod exec;
pub mod file;
pub mod msg;
pub mod noop;
pub mod print;
pub mod test;
pub mod timer;
pub mod value;

use crate::resource::{Constructor, Resource, ResourceError};
use crate::spec::ResourceSpec;

/// The constructor of each kind the engine runs.
fn constructor(kind: &str) -> Option<Constructor> {
    Some(match kind {
        "exec" => exec::Exec::build,
        "file" => file::File::build,
        "msg" => msg::Msg::build,
        "noop" => noop::Noop::build,
        "print" => print::Print::build,
        "test" => test::Test::build,
        "timer" => timer::Timer::build,
        "value" => value::Value::build,
        _ => return None,
    })
}

/// Builds and validates a resource from its spec.
pub fn build(spec: &ResourceSpec) -> Result<Box<dyn Resource>, ResourceError> {
    let constructor = constructor(&spec.kind).ok_or_else(|| {
        ResourceError::invalid(format!(
            "the engine cannot run `{}` resources on this host yet",
            spec.kind
        ))
    })?;
    let resource = constructor(spec)?;
    resource.validate()?;
    Ok(resource)
}
