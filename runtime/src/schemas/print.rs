//! `print` and `msg`: log a message.

use super::{boolean, field, kind, one_of, string};
use mcl_compiler::schema::ResourceSchema;
use mcl_compiler::types::Type;

/// The syslog priorities `msg` accepts (Go spelling, as upstream).
pub const PRIORITIES: &[&str] = &[
    "Emerg", "Alert", "Crit", "Err", "Warning", "Notice", "Info", "Debug",
];

pub fn print() -> ResourceSchema {
    let mut schema = kind(
        "print",
        vec![
            string("msg"),
            // Print only when refreshed, not on every check.
            boolean("refresh_only"),
        ],
    );
    schema.groupable = true;
    schema
}

pub fn msg() -> ResourceSchema {
    kind(
        "msg",
        vec![
            string("body"),
            one_of("priority", PRIORITIES),
            // Extra structured journal fields (upper case, no leading `_`).
            field("fields", Type::map(Type::Str, Type::Str)),
            boolean("journal"),
            boolean("syslog"),
        ],
    )
}
