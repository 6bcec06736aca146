//! Every resource kind the engine can run, by kind name.

pub mod exec;
pub mod file;
mod group;
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

/// Builds and validates a resource from its spec (with the resources
/// grouped into it, if any).
pub fn build(spec: &ResourceSpec) -> Result<Box<dyn Resource>, ResourceError> {
    if spec.group.is_empty() {
        return build_one(spec);
    }
    let mut members = vec![(spec.id(), build_one(spec)?)];
    for member in &spec.group {
        members.push((member.id(), build_one(member)?));
    }
    Ok(Box::new(group::Grouped::new(members)))
}

fn build_one(spec: &ResourceSpec) -> Result<Box<dyn Resource>, ResourceError> {
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
