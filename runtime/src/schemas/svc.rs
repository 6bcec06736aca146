//! `svc`: a systemd unit `<name>.service`, managed over D-Bus.

use super::{boolean, kind, one_of};
use mcl_compiler::schema::ResourceSchema;

/// `$const.res.svc.state.*`.
pub const STATES: &[&str] = &["running", "stopped"];
/// `$const.res.svc.startup.*`.
pub const STARTUPS: &[&str] = &["enabled", "disabled"];

pub fn schema() -> ResourceSchema {
    kind(
        "svc",
        vec![
            one_of("state", STATES),
            one_of("startup", STARTUPS),
            // The user's session bus instead of the system bus.
            boolean("session"),
        ],
    )
}
