//! `exec`: run a command, guarded by other commands, and send its output.

use crate::schemas::{
    account, basic_schema, boolean, field, integer, param_str, string, strings, IntWidth,
};
use mcl_compiler::graph::Resource;
use mcl_compiler::schema::{Autoedges, Need, ResourceSchema};
use mcl_compiler::types::Type;

pub fn schema() -> ResourceSchema {
    let mut schema = basic_schema(
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
            // Bytes of each output stream kept and sent (the last ones, from
            // a line start); default 1 MiB, 0 keeps all. Not upstream's.
            integer("outputlimit", IntWidth::U64),
            // Run only on a refresh along a Notify edge, never at start or on
            // watch events (Puppet's refreshonly). Not upstream's.
            boolean("refreshonly"),
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
            account("user"),
            account("group"),
        ],
    );
    schema.name_field = Some("cmd");
    schema.autoedges = Some(autoedges);
    schema.sends = vec![
        ("output", Type::Str),
        ("stdout", Type::Str),
        ("stderr", Type::Str),
    ];
    schema
}

/// Each command an exec runs, with the fields naming its shell and directory.
const COMMANDS: [(&str, &str, &str); 5] = [
    ("cmd", "shell", "cwd"),
    ("ifcmd", "ifshell", "ifcwd"),
    ("nifcmd", "nifshell", "nifcwd"),
    ("watchcmd", "watchshell", "watchcwd"),
    ("donecmd", "doneshell", "donecwd"),
];

/// Autoedges: an exec depends on the files of the programs it runs (the
/// first word of each command when absolute, and their shells) and on the
/// directories they run in, and on the `user` and `group` resources of the
/// account it runs as.
fn autoedges(resource: &Resource) -> Autoedges {
    let mut needs = Vec::new();
    if let Some(user) = param_str(resource, "user") {
        needs.push(crate::schemas::user::user_need(user));
    }
    if let Some(group) = param_str(resource, "group") {
        needs.push(crate::schemas::user::group_need(group));
    }
    for (command_field, shell_field, directory_field) in COMMANDS {
        let command = match param_str(resource, command_field) {
            Some(command) => command,
            None if command_field == "cmd" => resource.name.as_str(),
            None => continue,
        };
        if let Some(program) = command.split_whitespace().next() {
            needs.push(Need::Path(program.to_owned()));
        }
        if let Some(shell) = param_str(resource, shell_field) {
            needs.push(Need::Path(shell.trim().to_owned()));
        }
        if let Some(directory) = param_str(resource, directory_field) {
            needs.push(Need::Directory(directory.to_owned()));
        }
    }
    Autoedges {
        provides: Vec::new(),
        needs,
    }
}
