//! `user` and `group`: local accounts, changed through the shadow tools.
//!
//! A check reads `/etc/passwd` and `/etc/group` (`database`), compares them
//! with the wanted account, and runs only the one command that is needed
//! (`tools`): `useradd`/`usermod`/`userdel` (`user`) or
//! `groupadd`/`groupmod`/`groupdel` (`group`), with only the options for
//! what differs. The watch follows the account files through the engine's
//! shared file watcher: the tools replace them by rename, which the
//! watcher sees on `/etc`, so an account changed or removed by hand is put
//! back at once.

mod database;
pub mod group;
mod tools;
pub mod user;

use crate::resource::{ResourceError, WatchEvents, WatchGuard};
use crate::resources::file::{FileWatcher, Scope, Target};
use crate::spec::ResourceSpec;
use serde_json::Value as Json;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Whether the account should exist (`state`; `exists` when not given).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Exists,
    Absent,
}

/// Subscribes `events` to every change of the account files.
fn watch(files: &FileWatcher, events: WatchEvents) -> Result<Option<WatchGuard>, ResourceError> {
    let targets = [
        database::PASSWD,
        database::GROUP,
        database::SHADOW,
        database::GSHADOW,
    ]
    .into_iter()
    .map(|path| Target {
        path: PathBuf::from(path),
        scope: Scope::Exact,
    })
    .collect();
    let guard = files.subscribe(Arc::new(Mutex::new(targets)), events)?;
    Ok(Some(Box::new(guard)))
}

fn state(spec: &ResourceSpec) -> Result<State, ResourceError> {
    match text(spec, "state")?.as_deref() {
        None | Some("exists") => Ok(State::Exists),
        Some("absent") => Ok(State::Absent),
        Some(other) => Err(ResourceError::invalid(format!(
            "state `{other}`: expected `exists` or `absent`"
        ))),
    }
}

fn text(spec: &ResourceSpec, field: &str) -> Result<Option<String>, ResourceError> {
    match spec.params.get(field) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(value)) => Ok(Some(value.clone())),
        Some(other) => Err(ResourceError::invalid(format!(
            "`{field}` must be a string, not {other}"
        ))),
    }
}

fn id(spec: &ResourceSpec, field: &str) -> Result<Option<u32>, ResourceError> {
    match spec.params.get(field) {
        None | Some(Json::Null) => Ok(None),
        Some(value) => value
            .as_u64()
            .and_then(|number| u32::try_from(number).ok())
            .map(Some)
            .ok_or_else(|| {
                ResourceError::invalid(format!(
                    "`{field}` must be a number from 0 to {}, not {value}",
                    u32::MAX
                ))
            }),
    }
}

fn names(spec: &ResourceSpec, field: &str) -> Result<Option<Vec<String>>, ResourceError> {
    match spec.params.get(field) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Array(values)) => values
            .iter()
            .map(|value| {
                value.as_str().map(str::to_owned).ok_or_else(|| {
                    ResourceError::invalid(format!("`{field}` must list strings, not {value}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(ResourceError::invalid(format!(
            "`{field}` must be a list of strings, not {other}"
        ))),
    }
}

/// A user or group name the tools take as one argument and the databases
/// hold as one field: not empty, not an option (`-`), and without the
/// separators of `/etc/passwd` and `/etc/group`.
fn check_name(what: &str, name: &str) -> Result<(), ResourceError> {
    let problem = if name.is_empty() {
        Some("is empty")
    } else if name.starts_with('-') {
        Some("starts with `-`")
    } else if name.contains([':', ',', '/']) {
        Some("contains `:`, `,` or `/`")
    } else if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("contains white space or a control character")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(ResourceError::invalid(format!("{what} `{name}` {problem}"))),
        None => Ok(()),
    }
}

/// A path stored in a passwd field (`homedir`, `shell`).
fn check_path(field: &str, path: &str) -> Result<(), ResourceError> {
    if !path.starts_with('/') {
        return Err(ResourceError::invalid(format!(
            "`{field}` `{path}` is not an absolute path"
        )));
    }
    if path.contains(':') || path.chars().any(char::is_control) {
        return Err(ResourceError::invalid(format!(
            "`{field}` `{path}` contains `:` or a control character"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_the_tools_or_files_would_misread_are_refused() {
        assert!(check_name("user", "alice").is_ok());
        assert!(check_name("user", "svc-web_1.x$").is_ok());
        for bad in ["", "-o", "a:b", "a,b", "a b", "a/b", "a\nb"] {
            assert!(check_name("user", bad).is_err(), "{bad:?}");
        }
        assert!(check_path("homedir", "/home/alice").is_ok());
        assert!(check_path("homedir", "home/alice").is_err());
        assert!(check_path("shell", "/bin/sh:x").is_err());
    }
}
