//! The `path` module: `basename`, `dirname` and `join` of slash-separated
//! paths, with the semantics of Go's `path` package (`Base`, `Dir`, `Join`),
//! including its lexical cleaning (`a//b/../c` is `a/c`).

use crate::native::{arg_str, Native};
use mcl_compiler::function::{FunctionRegistry, Signature};
use mcl_compiler::types::Type;
use mcl_compiler::value::Value;

const MODULE: &str = "path";

pub(crate) fn register(registry: &mut FunctionRegistry) {
    registry.register(
        MODULE,
        "basename",
        Native::pure("path.basename", vec![Type::Str], Type::Str, |args| {
            Ok(Value::Str(basename(arg_str(&args, 0)?)))
        }),
    );

    registry.register(
        MODULE,
        "dirname",
        Native::pure("path.dirname", vec![Type::Str], Type::Str, |args| {
            Ok(Value::Str(dirname(arg_str(&args, 0)?)))
        }),
    );

    registry.register(
        MODULE,
        "join",
        Native::shaped(
            "path.join",
            |shape| {
                if shape.arg_count() == 0 {
                    return Err("`path.join` needs at least one path element".to_owned());
                }
                Ok(Signature::new(
                    vec![Type::Str; shape.arg_count()],
                    Type::Str,
                ))
            },
            |_, args| {
                let parts = (0..args.len())
                    .map(|index| arg_str(&args, index))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Value::Str(join(&parts)))
            },
        ),
    );
}

/// The last element; "." for "", "/" for a path of slashes.
fn basename(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_owned();
    }
    match trimmed.rfind('/') {
        Some(at) => trimmed[at + 1..].to_owned(),
        None => trimmed.to_owned(),
    }
}

/// Everything but the last element, cleaned; "." when there is nothing.
fn dirname(path: &str) -> String {
    let directory = match path.rfind('/') {
        Some(at) => &path[..=at],
        None => "",
    };
    clean(directory)
}

/// The non-empty elements joined with "/", cleaned; "" when all are empty.
fn join(parts: &[&str]) -> String {
    let nonempty: Vec<&str> = parts
        .iter()
        .copied()
        .filter(|part| !part.is_empty())
        .collect();
    if nonempty.is_empty() {
        String::new()
    } else {
        clean(&nonempty.join("/"))
    }
}

/// Go's `path.Clean`: the shortest equivalent path by lexical processing.
fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            part => parts.push(part),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::*;

    #[test]
    fn basename_is_gos_base() {
        assert_eq!(ok("path", "basename", vec![s("/etc/hosts")]), s("hosts"));
        assert_eq!(ok("path", "basename", vec![s("/etc/ssh/")]), s("ssh"));
        assert_eq!(ok("path", "basename", vec![s("///")]), s("/"));
        assert_eq!(ok("path", "basename", vec![s("")]), s("."));
    }

    #[test]
    fn dirname_is_gos_dir() {
        assert_eq!(ok("path", "dirname", vec![s("/etc/hosts")]), s("/etc"));
        assert_eq!(ok("path", "dirname", vec![s("/etc/ssh/")]), s("/etc/ssh"));
        assert_eq!(ok("path", "dirname", vec![s("hosts")]), s("."));
        assert_eq!(ok("path", "dirname", vec![s("/x")]), s("/"));
    }

    #[test]
    fn join_cleans_the_result() {
        assert_eq!(
            ok("path", "join", vec![s("/etc"), s("ssh/"), s("sshd_config")]),
            s("/etc/ssh/sshd_config")
        );
        assert_eq!(ok("path", "join", vec![s("a//b"), s("../c")]), s("a/c"));
        assert_eq!(ok("path", "join", vec![s("/.."), s("x")]), s("/x"));
        assert_eq!(ok("path", "join", vec![s("../a"), s("..")]), s(".."));
        assert_eq!(ok("path", "join", vec![s(""), s("")]), s(""));
        assert_eq!(ok("path", "join", vec![s("a")]), s("a"));
        assert!(signature("path", "join", 0).is_err());
        assert_eq!(signature("path", "join", 3).unwrap().params.len(), 3);
    }
}
