//! `cron`: a systemd timer `<name>.timer` that starts a service.
//!
//! Autoedges: a timer depends on the file that manages the unit file of the
//! service it starts (as `svc` does), so the service exists before the
//! timer can fire.

use super::{basic_schema, boolean, formats, one_of, param_str, string, timespan};
use mcl_compiler::graph::Resource;
use mcl_compiler::schema::{Autoedges, ResourceSchema};
use mcl_compiler::value::Value;

/// `$const.res.cron.state.*`.
pub const STATES: &[&str] = &["exists", "absent"];
/// The timer settings of systemd.timer(5) that `trigger` may name.
pub const TRIGGERS: &[&str] = &[
    "OnCalendar",
    "OnActiveSec",
    "OnBootSec",
    "OnStartupSec",
    "OnUnitActiveSec",
    "OnUnitInactiveSec",
];

pub fn schema() -> ResourceSchema {
    let mut schema = basic_schema(
        "cron",
        vec![
            // The unit to start; defaults to `<name>.service`.
            string("unit"),
            one_of("state", STATES),
            boolean("session"),
            one_of("trigger", TRIGGERS),
            // A calendar event for OnCalendar, a time span otherwise.
            string("time"),
            timespan("accuracysec"),
            timespan("randomizeddelaysec"),
            boolean("persistent"),
            boolean("wakesystem"),
            boolean("remainafterelapse"),
        ],
    );
    schema.autoedges = Some(autoedges);
    schema.check = Some(check_time);
    schema
}

/// `time` is a time span for every trigger but `OnCalendar` (the default),
/// whose calendar events are left to systemd (their grammar is large). An
/// empty `time` is unset, as for every field.
fn check_time<'p>(
    _name: &str,
    param: &dyn Fn(&str) -> Option<&'p Value>,
) -> Option<(&'static str, String)> {
    let trigger = param("trigger")
        .and_then(Value::as_str)
        .unwrap_or("OnCalendar");
    let time = param("time").and_then(Value::as_str)?;
    if trigger == "OnCalendar" || time.trim().is_empty() {
        return None;
    }
    formats::timespan(time).err().map(|problem| {
        (
            "time",
            format!("must be a time span for {trigger}: {problem}"),
        )
    })
}

/// The timer unit a resource named `name` manages: `<name>.timer`.
pub fn timer_name(name: &str) -> String {
    if name.ends_with(".timer") {
        name.to_owned()
    } else {
        format!("{name}.timer")
    }
}

/// The unit the timer starts: `unit`, or `<name>.service`.
pub fn started_unit(name: &str, unit: Option<&str>) -> String {
    match unit {
        Some(unit) => unit.to_owned(),
        None => format!("{}.service", name.trim_end_matches(".timer")),
    }
}

fn autoedges(resource: &Resource) -> Autoedges {
    let unit = started_unit(&resource.name, param_str(resource, "unit"));
    let session = resource
        .params
        .get("session")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Autoedges {
        provides: Vec::new(),
        needs: super::svc::unit_file_needs(&unit, session),
    }
}
