//! `user` and `group`: local accounts.

use super::{basic_schema, boolean, integer, one_of, string, strings, IntWidth};
use mcl_compiler::schema::ResourceSchema;

/// `$const.res.user.state.*` and `$const.res.group.state.*`.
pub const STATES: &[&str] = &["exists", "absent"];

pub fn user() -> ResourceSchema {
    basic_schema(
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
    basic_schema(
        "group",
        vec![one_of("state", STATES), integer("gid", IntWidth::U32)],
    )
}
