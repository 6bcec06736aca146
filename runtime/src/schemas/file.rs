//! `file`: a file, directory (path ending in `/`) or symlink.

use super::{boolean, kind, one_of, string, strings};
use mcl_compiler::schema::ResourceSchema;

/// `$const.res.file.state.*`.
pub const STATES: &[&str] = &["exists", "absent"];

pub fn schema() -> ResourceSchema {
    let mut schema = kind(
        "file",
        vec![
            // Absolute; defaults to the name; a trailing `/` makes a directory.
            string("path"),
            // Replace the directory part (ends in `/`) or the file part of the path.
            string("dirname"),
            string("basename"),
            one_of("state", STATES),
            // At most one of content, source and fragments.
            string("content"),
            string("source"),
            strings("fragments"),
            string("owner"),
            string("group"),
            // Octal (`"0644"`) or symbolic (`"u=rw,go=r"`).
            string("mode"),
            boolean("recurse"),
            boolean("force"),
            boolean("purge"),
            boolean("symlink"),
        ],
    );
    schema.name_field = Some("path");
    schema
}
