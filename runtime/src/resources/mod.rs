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
use crate::services::Services;
use crate::spec::ResourceSpec;

/// The constructor of each kind the engine runs.
fn constructor(kind: &str) -> Option<Constructor> {
    Some(match kind {
        "exec" => exec::Exec::build,
        "file" => file::File::build,
        "msg" => |spec, _| msg::Msg::build(spec),
        "noop" => |spec, _| noop::Noop::build(spec),
        "print" => |spec, _| print::Print::build(spec),
        "test" => |spec, _| test::Test::build(spec),
        "timer" => |spec, _| timer::Timer::build(spec),
        "value" => |spec, _| value::Value::build(spec),
        _ => return None,
    })
}

/// Builds and validates a resource from its spec (with the resources
/// grouped into it, if any), sharing its engine's `services`.
pub fn build(spec: &ResourceSpec, services: &Services) -> Result<Box<dyn Resource>, ResourceError> {
    if spec.group.is_empty() {
        return build_one(spec, services);
    }
    let mut members = vec![(spec.id(), build_one(spec, services)?)];
    for member in &spec.group {
        members.push((member.id(), build_one(member, services)?));
    }
    Ok(Box::new(group::Grouped::new(members)))
}

fn build_one(spec: &ResourceSpec, services: &Services) -> Result<Box<dyn Resource>, ResourceError> {
    let constructor = constructor(&spec.kind).ok_or_else(|| {
        ResourceError::invalid(format!(
            "the engine cannot run `{}` resources on this host yet",
            spec.kind
        ))
    })?;
    let resource = constructor(spec, services)?;
    resource.validate()?;
    Ok(resource)
}
