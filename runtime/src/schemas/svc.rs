//! `svc`: a systemd unit `<name>.service`, managed over D-Bus.
//!
//! Autoedges: a service depends on the file that manages its unit file
//! (`/etc/systemd/system/<name>.service`, `/usr/lib/systemd/system/...`,
//! `/lib/systemd/system/...`; the `user` directories for `session` units).

use super::{basic_schema, boolean, one_of};
use mcl_compiler::graph::Resource;
use mcl_compiler::schema::{Autoedges, Need, ResourceSchema};
use mcl_compiler::value::Value;

/// `$const.res.svc.state.*`.
pub const STATES: &[&str] = &["running", "stopped"];
/// `$const.res.svc.startup.*`.
pub const STARTUPS: &[&str] = &["enabled", "disabled"];

pub fn schema() -> ResourceSchema {
    let mut schema = basic_schema(
        "svc",
        vec![
            one_of("state", STATES),
            one_of("startup", STARTUPS),
            // The user's session bus instead of the system bus.
            boolean("session"),
        ],
    );
    schema.autoedges = Some(autoedges);
    schema
}

/// The unit a resource named `name` manages: `<name>.service`.
pub fn unit_name(name: &str) -> String {
    if name.ends_with(".service") {
        name.to_owned()
    } else {
        format!("{name}.service")
    }
}

fn autoedges(resource: &Resource) -> Autoedges {
    let unit = unit_name(&resource.name);
    let session = resource
        .params
        .get("session")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Autoedges {
        provides: Vec::new(),
        needs: unit_file_needs(&unit, session),
    }
}

/// The files that may hold `unit`'s unit file, on the system or (with
/// `session`) the user manager's search path.
pub(crate) fn unit_file_needs(unit: &str, session: bool) -> Vec<Need> {
    unit_file_paths(unit, session)
        .into_iter()
        .map(Need::Path)
        .collect()
}

/// The paths `unit`'s unit file may have.
pub(crate) fn unit_file_paths(unit: &str, session: bool) -> Vec<String> {
    let directories: &[&str] = if session {
        &["/etc/systemd/user/", "/usr/lib/systemd/user/"]
    } else {
        &[
            "/etc/systemd/system/",
            "/usr/lib/systemd/system/",
            "/lib/systemd/system/",
        ]
    };
    directories
        .iter()
        .map(|directory| format!("{directory}{unit}"))
        .collect()
}
