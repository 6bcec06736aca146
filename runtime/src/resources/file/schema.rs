//! `file`: a file, directory (path ending in `/`) or symlink.
//!
//! Autoedges: a file provides its path, and depends on the nearest managed
//! directory above it, on the files that manage its `fragments`, and on every
//! managed file inside a fragment directory.

use crate::schemas::{account, basic_schema, boolean, one_of, param_str, string, strings};
use mcl_compiler::graph::Resource;
use mcl_compiler::schema::{Autoedges, Need, ResourceSchema};
use mcl_compiler::value::Value;

/// `$const.res.file.state.*`.
pub const STATES: &[&str] = &["exists", "absent"];

pub fn schema() -> ResourceSchema {
    let mut schema = basic_schema(
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
            account("owner"),
            account("group"),
            // Octal (`"0644"`) or symbolic (`"u=rw,go=r"`), checked at compile time.
            string("mode").with_format(|text| {
                super::mode::Mode::parse(text)
                    .map(drop)
                    .map_err(|error| error.to_string())
            }),
            boolean("recurse"),
            boolean("force"),
            boolean("purge"),
            boolean("symlink"),
        ],
    );
    schema.name_field = Some("path");
    schema.autoedges = Some(autoedges);
    schema.check = Some(check_file);
    schema
}

/// The path a file manages must be absolute, and a file built from
/// fragments must not read itself: not as a fragment, nor through a
/// fragment directory that holds it.
fn check_file<'p>(
    name: &str,
    param: &dyn Fn(&str) -> Option<&'p Value>,
) -> Option<(&'static str, String)> {
    let text = |field: &str| param(field).and_then(Value::as_str);
    let path = text("path").unwrap_or(name);
    let (directory, base) = split_last(path);
    let target = format!(
        "{}{}",
        text("dirname").unwrap_or(directory),
        text("basename").unwrap_or(base)
    );
    if !target.starts_with('/') {
        let field = if text("dirname").is_some_and(|dirname| !dirname.starts_with('/')) {
            "dirname"
        } else {
            "path"
        };
        return Some((
            field,
            format!("makes the path `{target}`, which is not absolute: it must start with `/`"),
        ));
    }
    let fragments = param("fragments")?.as_list()?;
    fragments
        .iter()
        .filter_map(Value::as_str)
        .find_map(|fragment| {
            if fragment == target {
                Some((
                    "fragments",
                    format!("include the file itself, `{fragment}`"),
                ))
            } else if fragment.ends_with('/') && target.starts_with(fragment) {
                Some((
                    "fragments",
                    format!("include `{fragment}`, a directory that holds the file itself"),
                ))
            } else {
                None
            }
        })
}

fn autoedges(resource: &Resource) -> Autoedges {
    let Some(path) = file_path(resource) else {
        return Autoedges::default();
    };
    let mut needs = vec![Need::Parent(path.clone())];
    if let Some(fragments) = resource.params.get("fragments").and_then(Value::as_list) {
        for fragment in fragments.iter().filter_map(Value::as_str) {
            needs.push(Need::Path(fragment.to_owned()));
            // A directory's files are read when the composite is written:
            // every managed file in it must be written first.
            if fragment.ends_with('/') {
                needs.push(Need::Inside(fragment.to_owned()));
            }
        }
    }
    if let Some(owner) = param_str(resource, "owner") {
        needs.push(crate::schemas::user::user_need(owner));
    }
    if let Some(group) = param_str(resource, "group") {
        needs.push(crate::schemas::user::group_need(group));
    }
    Autoedges {
        provides: vec![path],
        needs,
    }
}

/// The absolute path a `file` resource manages, as the file resource
/// computes it: `path` (default: the name), with its directory part
/// replaced by `dirname` and its last part by `basename` when they are given.
fn file_path(resource: &Resource) -> Option<String> {
    let path = param_str(resource, "path").unwrap_or(&resource.name);
    let (directory, base) = split_last(path);
    let directory = param_str(resource, "dirname").unwrap_or(directory);
    let base = param_str(resource, "basename").unwrap_or(base);
    let path = format!("{directory}{base}");
    path.starts_with('/').then_some(path)
}

/// `/a/b/c` → (`/a/b/`, `c`); `/a/b/` → (`/a/`, `b/`).
fn split_last(path: &str) -> (&str, &str) {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(index) => path.split_at(index + 1),
        None => ("", path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split() {
        assert_eq!(split_last("/a/b/c"), ("/a/b/", "c"));
        assert_eq!(split_last("/a/b/"), ("/a/", "b/"));
        assert_eq!(split_last("/"), ("", "/"));
    }
}
