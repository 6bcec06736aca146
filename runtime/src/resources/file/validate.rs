//! The rules that reject a file resource's params before it runs (as
//! `ResourceError::Invalid`): conflicting fields, relative paths, a
//! directory with content, a symlink without a target... Mostly upstream's
//! `Validate`, plus `..` in paths and `mode` on a symlink.

use super::params::{Params, State};
use crate::resource::ResourceError;
use std::path::{Component, Path};

impl Params {
    pub fn validate(&self) -> Result<(), ResourceError> {
        let invalid = |message: String| {
            Err(ResourceError::invalid(format!(
                "file `{}`: {message}",
                self.path
            )))
        };
        if !self.path.starts_with('/') {
            return invalid("the path must be absolute".into());
        }
        if self.path.trim_end_matches('/').is_empty() {
            return invalid("refusing to manage the root directory `/`".into());
        }
        if Path::new(&self.path)
            .components()
            .any(|part| part == Component::ParentDir)
        {
            return invalid("the path must not contain `..`".into());
        }
        let given: Vec<&str> = [
            self.content.as_ref().map(|_| "content"),
            self.source.as_ref().map(|_| "source"),
            self.fragments.as_ref().map(|_| "fragments"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if given.len() > 1 {
            return invalid(format!(
                "set only one of content, source and fragments (got {})",
                given.join(" and ")
            ));
        }
        if self.state == Some(State::Absent) {
            if let Some(field) = given.first() {
                return invalid(format!("`{field}` makes no sense with state `absent`"));
            }
        }
        if self.source.as_deref() == Some("") {
            return invalid("`source` is empty".into());
        }
        if self.symlink {
            return self.validate_symlink();
        }
        if let Some(source) = &self.source {
            if !source.starts_with('/') {
                return invalid(format!("source `{source}` must be an absolute path"));
            }
            if self.is_dir() != self.source_is_dir() {
                return invalid(
                    "the path and `source` must both be directories (ending in `/`) or both files"
                        .into(),
                );
            }
            if self.is_dir() && !self.recurse {
                return invalid("set `recurse` to copy a source directory".into());
            }
            if !self.is_dir() && self.recurse {
                return invalid("`recurse` makes no sense when copying a single file".into());
            }
            let source_path = Path::new(source.trim_end_matches('/'));
            if source_path.starts_with(self.target()) || self.target().starts_with(source_path) {
                return invalid(format!(
                    "the path and source `{source}` must not contain each other"
                ));
            }
        }
        if self.is_dir() && (self.content.is_some() || self.fragments.is_some()) {
            return invalid(
                "a directory (path ending in `/`) cannot have content or fragments".into(),
            );
        }
        if self.purge && !self.recurse {
            return invalid("set `recurse` with `purge`".into());
        }
        if self.purge && !self.is_dir() {
            return invalid("`purge` needs a directory (a path ending in `/`)".into());
        }
        for fragment in self.fragments.iter().flatten() {
            if !fragment.starts_with('/') {
                return invalid(format!("fragment `{fragment}` must be an absolute path"));
            }
            let fragment_path = Path::new(fragment.trim_end_matches('/'));
            if self.target().starts_with(fragment_path) {
                return invalid(format!("the file is inside its own fragment `{fragment}`"));
            }
        }
        for (field, value) in [("owner", &self.owner), ("group", &self.group)] {
            if value
                .as_deref()
                .is_some_and(|value| value.trim().is_empty())
            {
                return invalid(format!("`{field}` is empty"));
            }
        }
        Ok(())
    }

    /// Upstream: `path` is a link to `source` (which may be relative and
    /// need not exist); a file or directory is only replaced with `force`.
    fn validate_symlink(&self) -> Result<(), ResourceError> {
        let invalid = |message: &str| {
            Err(ResourceError::invalid(format!(
                "file `{}`: {message}",
                self.path
            )))
        };
        if self.source.is_none() && self.state != Some(State::Absent) {
            return invalid("`symlink` needs `source`, the link target");
        }
        if self.content.is_some() || self.fragments.is_some() {
            return invalid("a symlink cannot have content or fragments");
        }
        if self.recurse || self.purge {
            return invalid("`recurse` and `purge` make no sense with `symlink`");
        }
        if self.is_dir() {
            return invalid("a symlink path must not end in `/`");
        }
        if self.mode.is_some() {
            return invalid(
                "a symlink has no mode of its own on Linux; set the mode on its target",
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(path: &str) -> Params {
        Params {
            path: path.into(),
            ..Params::default()
        }
    }

    fn rejects(params: Params, needle: &str) {
        match params.validate() {
            Err(ResourceError::Invalid(message)) => assert!(message.contains(needle), "{message}"),
            other => panic!("expected Invalid containing {needle:?}, got {other:?}"),
        }
    }

    #[test]
    fn validation_rules() {
        rejects(
            Params {
                source: Some("/a/".into()),
                recurse: true,
                ..params("/a/b/")
            },
            "contain each other",
        );
        rejects(
            Params {
                source: Some("/a/b/".into()),
                recurse: true,
                ..params("/a/")
            },
            "contain each other",
        );
        rejects(params("relative/x"), "absolute");
        rejects(params("/"), "root");
        rejects(params("/a/../b"), "..");
        rejects(
            Params {
                content: Some("x".into()),
                source: Some("/s".into()),
                ..params("/f")
            },
            "only one",
        );
        rejects(
            Params {
                content: Some("x".into()),
                state: Some(State::Absent),
                ..params("/f")
            },
            "absent",
        );
        rejects(
            Params {
                source: Some("/s/".into()),
                ..params("/f")
            },
            "both",
        );
        rejects(
            Params {
                source: Some("/s/".into()),
                ..params("/d/")
            },
            "recurse",
        );
        rejects(
            Params {
                source: Some("s".into()),
                ..params("/f")
            },
            "absolute",
        );
        rejects(
            Params {
                purge: true,
                ..params("/d/")
            },
            "recurse",
        );
        rejects(
            Params {
                content: Some("x".into()),
                ..params("/d/")
            },
            "directory",
        );
        rejects(
            Params {
                fragments: Some(vec!["/frags/".into()]),
                ..params("/frags/f")
            },
            "inside",
        );
        rejects(
            Params {
                fragments: Some(vec!["frag".into()]),
                ..params("/f")
            },
            "absolute",
        );
        rejects(
            Params {
                symlink: true,
                ..params("/l")
            },
            "source",
        );
        rejects(
            Params {
                symlink: true,
                source: Some("t".into()),
                recurse: true,
                ..params("/l")
            },
            "recurse",
        );
        rejects(
            Params {
                owner: Some(" ".into()),
                ..params("/f")
            },
            "owner",
        );
        assert!(Params {
            symlink: true,
            source: Some("relative/target".into()),
            ..params("/l")
        }
        .validate()
        .is_ok());
        assert!(Params {
            source: Some("/s/".into()),
            recurse: true,
            purge: true,
            ..params("/d/")
        }
        .validate()
        .is_ok());
    }
}
