//! The file resource's fields, read from a [`ResourceSpec`].
//!
//! Reading turns JSON into typed fields (a wrong JSON type is an error);
//! `validate.rs` then rejects combinations that make no sense. Nothing
//! here touches the file system.

use super::mode::Mode;
use super::EXCLUDES_PARAM;
use crate::resource::ResourceError;
use crate::spec::ResourceSpec;
use serde_json::Value as Json;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Exists,
    Absent,
}

#[derive(Clone, Debug, Default)]
pub struct Params {
    /// The path as written (after `dirname`/`basename`), a trailing `/`
    /// meaning a directory.
    pub path: String,
    pub state: Option<State>,
    pub content: Option<String>,
    pub source: Option<String>,
    pub fragments: Option<Vec<String>>,
    pub owner: Option<String>,
    pub group: Option<String>,
    /// The text, kept for messages, and its parsed form.
    pub mode: Option<(String, Mode)>,
    pub recurse: bool,
    pub force: bool,
    pub purge: bool,
    pub symlink: bool,
    /// Paths of other file resources inside this directory, which `purge`
    /// keeps (see [`super::annotate_purge_excludes`]).
    pub excludes: Vec<PathBuf>,
    /// `Meta:sensitive`: noop diffs never show the content.
    pub sensitive: bool,
}

impl Params {
    pub fn from_spec(spec: &ResourceSpec) -> Result<Params, ResourceError> {
        let mut params = Params {
            sensitive: spec.meta.sensitive,
            ..Params::default()
        };
        let mut path = spec.name.clone();
        let mut dirname = None;
        let mut basename = None;
        for (field, value) in &spec.params {
            match field.as_str() {
                "path" => path = string(field, value)?,
                "dirname" => dirname = Some(string(field, value)?),
                "basename" => basename = Some(string(field, value)?),
                "state" => params.state = parse_state(&string(field, value)?)?,
                "content" | "source" | "owner" | "group" | "mode" => {
                    params.set_str(field, value)?
                }
                "fragments" => params.fragments = Some(strings(field, value)?),
                "recurse" => params.recurse = boolean(field, value)?,
                "force" => params.force = boolean(field, value)?,
                "purge" => params.purge = boolean(field, value)?,
                "symlink" => params.symlink = boolean(field, value)?,
                EXCLUDES_PARAM => {
                    params.excludes = strings(field, value)?
                        .into_iter()
                        .map(PathBuf::from)
                        .collect()
                }
                other => {
                    return Err(ResourceError::invalid(format!(
                        "file has no field `{other}`"
                    )))
                }
            }
        }
        params.path = join_path(&path, dirname.as_deref(), basename.as_deref())?;
        Ok(params)
    }

    /// Sets one of the string fields that can also be received.
    pub fn set_str(&mut self, field: &str, value: &Json) -> Result<(), ResourceError> {
        let text = if value.is_null() {
            None
        } else {
            Some(string(field, value)?)
        };
        match field {
            "content" => self.content = text,
            "source" => self.source = text,
            "owner" => self.owner = text,
            "group" => self.group = text,
            "mode" => {
                self.mode = match text {
                    None => None,
                    Some(text) => {
                        let mode = Mode::parse(&text).map_err(|error| {
                            ResourceError::invalid(format!("mode `{text}`: {error}"))
                        })?;
                        Some((text, mode))
                    }
                }
            }
            other => {
                return Err(ResourceError::invalid(format!(
                    "cannot receive into `{other}`"
                )))
            }
        }
        Ok(())
    }

    /// The path without its trailing `/`.
    pub fn target(&self) -> PathBuf {
        PathBuf::from(self.path.trim_end_matches('/'))
    }

    pub fn is_dir(&self) -> bool {
        self.path.ends_with('/')
    }

    pub fn source_is_dir(&self) -> bool {
        self.source
            .as_deref()
            .is_some_and(|source| source.ends_with('/'))
    }
}

/// Upstream `getPath`: `dirname` replaces the directory part (ending in
/// `/`), `basename` the last part.
fn join_path(
    path: &str,
    dirname: Option<&str>,
    basename: Option<&str>,
) -> Result<String, ResourceError> {
    if let Some(dirname) = dirname {
        if !dirname.ends_with('/') {
            return Err(ResourceError::invalid(format!(
                "dirname `{dirname}` must end with `/`"
            )));
        }
    }
    if let Some(basename) = basename {
        if basename.starts_with('/') || basename.is_empty() {
            return Err(ResourceError::invalid(format!(
                "basename `{basename}` must be a non-empty name without a leading `/`"
            )));
        }
    }
    if dirname.is_none() && basename.is_none() {
        return Ok(path.to_owned());
    }
    // Split like upstream: the directory part keeps its slash, and a
    // directory path's base name keeps its own.
    let trimmed = path.trim_end_matches('/');
    let split = trimmed.rfind('/').map_or(0, |index| index + 1);
    let (own_dir, own_base) = path.split_at(split);
    Ok(format!(
        "{}{}",
        dirname.unwrap_or(own_dir),
        basename.unwrap_or(own_base)
    ))
}

fn parse_state(text: &str) -> Result<Option<State>, ResourceError> {
    match text {
        "exists" => Ok(Some(State::Exists)),
        "absent" => Ok(Some(State::Absent)),
        "" => Ok(None),
        other => Err(ResourceError::invalid(format!(
            "state `{other}` is not `exists` or `absent`"
        ))),
    }
}

fn string(field: &str, value: &Json) -> Result<String, ResourceError> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| ResourceError::invalid(format!("`{field}` must be a string, not {value}")))
}

fn boolean(field: &str, value: &Json) -> Result<bool, ResourceError> {
    value
        .as_bool()
        .ok_or_else(|| ResourceError::invalid(format!("`{field}` must be a bool, not {value}")))
}

fn strings(field: &str, value: &Json) -> Result<Vec<String>, ResourceError> {
    let items = value.as_array().ok_or_else(|| {
        ResourceError::invalid(format!("`{field}` must be a list of strings, not {value}"))
    })?;
    items.iter().map(|item| string(field, item)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dirname_and_basename_replace_parts_of_the_path() {
        assert_eq!(join_path("/a/b", None, None).unwrap(), "/a/b");
        assert_eq!(join_path("/a/b", Some("/c/"), None).unwrap(), "/c/b");
        assert_eq!(join_path("/a/b", None, Some("d")).unwrap(), "/a/d");
        assert_eq!(join_path("/a/b/", Some("/c/"), None).unwrap(), "/c/b/");
        assert_eq!(join_path("/a/b", Some("/c/"), Some("e/")).unwrap(), "/c/e/");
        assert!(join_path("/a/b", Some("/c"), None).is_err());
        assert!(join_path("/a/b", None, Some("/e")).is_err());
    }

    #[test]
    fn receive_checks_the_mode() {
        let mut params = Params {
            path: "/f".into(),
            ..Params::default()
        };
        assert!(params.set_str("mode", &Json::from("u=rw")).is_ok());
        assert!(matches!(
            params.set_str("mode", &Json::from("u=rq")),
            Err(ResourceError::Invalid(_))
        ));
        assert!(params.set_str("content", &Json::from(3)).is_err());
        assert!(params.set_str("content", &Json::Null).is_ok());
        assert!(params.set_str("path", &Json::from("/x")).is_err());
    }
}
