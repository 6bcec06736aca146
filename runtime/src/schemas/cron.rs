//! `cron`: a systemd timer `<name>.timer` that starts a service.

use super::{basic_schema, boolean, one_of, string};
use mcl_compiler::schema::ResourceSchema;

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
    basic_schema(
        "cron",
        vec![
            // The unit to start; defaults to `<name>.service`.
            string("unit"),
            one_of("state", STATES),
            boolean("session"),
            one_of("trigger", TRIGGERS),
            // A calendar event for OnCalendar, a time span otherwise.
            string("time"),
            string("accuracysec"),
            string("randomizeddelaysec"),
            boolean("persistent"),
            boolean("wakesystem"),
            boolean("remainafterelapse"),
        ],
    )
}
