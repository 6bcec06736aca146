//! `user` and `group`: local accounts.

use super::{boolean, integer, kind, one_of, string, strings, IntWidth};
use mcl_compiler::schema::ResourceSchema;

/// `$const.res.user.state.*` and `$const.res.group.state.*`.
pub const STATES: &[&str] = &["exists", "absent"];

pub fn user() -> ResourceSchema {
    kind(
        "user",
        vec![
            one_of("state", STATES),
            integer("uid", IntWidth::U32),
            // The primary group, by number or by name (not both).
            integer("gid", IntWidth::U32),
            string("group"),
            // Supplementary groups.
            strings("groups"),
            string("homedir"),
            string("shell"),
            boolean("allowduplicateuid"),
        ],
    )
}

pub fn group() -> ResourceSchema {
    kind(
        "group",
        vec![one_of("state", STATES), integer("gid", IntWidth::U32)],
    )
}
