//! `exec`: run a command, guarded by other commands, and send its output.

use super::{field, integer, kind, string, strings, IntWidth};
use mcl_compiler::schema::ResourceSchema;
use mcl_compiler::types::Type;

pub fn schema() -> ResourceSchema {
    let mut schema = kind(
        "exec",
        vec![
            // The command; defaults to the name. Without a shell it is split
            // on whitespace and run directly.
            string("cmd"),
            // Arguments for a one-word cmd (not with a shell).
            strings("args"),
            string("cwd"),
            string("shell"),
            // The whole environment of every command this resource runs.
            field("env", Type::map(Type::Str, Type::Str)),
            // Seconds before the command is killed; 0 means no limit (Go uint64).
            integer("timeout", IntWidth::U64),
            // Each output line of the watch command is an event.
            string("watchcmd"),
            string("watchcwd"),
            string("watchshell"),
            strings("watchfiles"),
            // Run cmd only if ifcmd succeeds (and, with ifequals, prints that).
            string("ifcmd"),
            string("ifcwd"),
            string("ifshell"),
            string("ifequals"),
            // Run cmd only if nifcmd fails.
            string("nifcmd"),
            string("nifcwd"),
            string("nifshell"),
            // Skip cmd when this path exists.
            string("creates"),
            // Run cmd again when any of these files is newer than the last run.
            strings("mtimes"),
            // Runs after cmd succeeded.
            string("donecmd"),
            string("donecwd"),
            string("doneshell"),
            string("user"),
            string("group"),
        ],
    );
    schema.name_field = Some("cmd");
    schema.sends = vec![
        ("output", Type::Str),
        ("stdout", Type::Str),
        ("stderr", Type::Str),
    ];
    schema
}
