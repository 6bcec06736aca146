//! `file`: a regular file, a directory (path ending in `/`) or a symlink,
//! with its content, owner, group and mode.
//!
//! This module is the resource's face to the engine: building from the
//! spec, validation, watch, check/apply and send/recv. The work is in the
//! submodules: `params` and `validate` (fields and their rules), `check`
//! and `meta` (comparing and fixing each aspect), `tree` (`recurse` copies
//! and `purge`), `content` (bytes, comparison, diffs), `atomic` (temp file,
//! fsync, rename, no-follow opens), `temp` (temporary names, stale ones
//! removed), `entry` (what is at a path), `mode` (octal and symbolic modes),
//! `owner` (user and group names), `watch` and `hub` (inotify, one watcher
//! per engine) and `report` (the outcome text).
//!
//! Semantics follow upstream mgmt's `FileRes`, with these differences:
//! - `content`, `source` and `fragments` imply that the path exists (as a
//!   file, directory or symlink) when `state` is undefined (upstream fails
//!   on a missing file and leaves a symlink alone);
//! - a symlink in the way of a file or directory is replaced only with
//!   `force` (upstream writes through it);
//! - a recursive copy removes extra entries only with `purge` (upstream
//!   always does), and keeps paths other file resources manage;
//! - a copied `source` is mirrored with its permission bits (upstream sets
//!   them only when it rewrites the file);
//! - symbolic modes may use `+` and `-`, resolved against the current
//!   mode, or the creation mode (0666/0777 minus the umask) for a new path;
//! - `mode` with `symlink`, and `..` in a path, are rejected.
//!
//! As upstream, a missing parent directory is an error, except that a
//! directory with `recurse` is created with its parents (`mkdir -p`).

mod atomic;
mod check;
mod content;
mod dir_handle;
mod entry;
mod hub;
mod meta;
mod mode;
mod owner;
mod params;
mod report;
mod reverse;
mod schema;
#[cfg(test)]
mod symlink_tests;
mod temp;
mod tree;
mod validate;
mod watch;

pub use atomic::TEMP_PREFIX;
pub(crate) use atomic::{remove, write_file, NewMeta};
pub use hub::FileWatcher;
pub use watch::{Scope, SharedTargets, Target};

use crate::kind::ResourceKind;
use crate::resource::{
    ApplyContext, Outcome, Resource, ResourceError, ShowDiff, WatchEvents, WatchGuard,
};
use crate::services::Services;
use crate::spec::{GraphSpec, ResourceSpec};
use crate::state::{reversal, StateDir};
use mcl_compiler::schema::ResourceSchema;
use params::Params;
use report::Report;
use serde_json::Value as Json;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The param that [`annotate_purge_excludes`] adds: paths of other file
/// resources inside a purged directory, which `purge` keeps. Programs
/// cannot set it (it is not a schema field).
pub const EXCLUDES_PARAM: &str = "mgmt:purge-excludes";

/// The `file` kind.
pub struct Kind;

impl ResourceKind for Kind {
    fn schema(&self) -> ResourceSchema {
        schema::schema()
    }

    fn build(
        &self,
        spec: &ResourceSpec,
        services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        let mut file = File::new(spec)?;
        file.watcher = services.files.clone();
        if let Some(reverse) = &mut file.reverse {
            // What a run before a restart found, if one did.
            reverse.original = reversal::load(&services.state, &reverse.id);
            reverse.state = services.state.clone();
        }
        Ok(Box::new(file))
    }

    fn prepare(&self, graph: &mut GraphSpec) {
        annotate_purge_excludes(graph);
    }
}

/// The path a file resource's spec manages (a directory's ends in `/`),
/// when its params are well formed.
pub fn managed_path(spec: &ResourceSpec) -> Option<String> {
    Params::from_spec(spec).ok().map(|params| params.path)
}

pub struct File {
    params: Params,
    /// `Meta:reverse`: what the path was before this resource first changed
    /// it. Boxed: few files have it, and inline it would double every file.
    reverse: Option<Box<Reverse>>,
    /// What the watch follows, shared with it so a received `source` is
    /// watched from then on.
    targets: watch::SharedTargets,
    /// The engine's file watcher, which the watch subscribes to.
    watcher: FileWatcher,
}

impl File {
    pub fn new(spec: &ResourceSpec) -> Result<File, ResourceError> {
        let params = Params::from_spec(spec)?;
        let targets = Arc::new(Mutex::new(watch::targets(&params)));
        let reverse = spec.meta.reverse.then(|| {
            Box::new(Reverse {
                id: spec.id(),
                location: spec.location.clone(),
                original: None,
                state: StateDir::in_memory(),
            })
        });
        Ok(File {
            params,
            reverse,
            targets,
            watcher: FileWatcher::default(),
        })
    }
}

impl Resource for File {
    fn validate(&self) -> Result<(), ResourceError> {
        self.params.validate()
    }

    fn watch(&self, events: WatchEvents) -> Result<Option<WatchGuard>, ResourceError> {
        watch::start(&self.watcher, self.targets.clone(), events).map(Some)
    }

    fn check_apply(&mut self, context: ApplyContext) -> Result<Outcome, ResourceError> {
        if let Some(reverse) = &mut self.reverse {
            if context.apply && reverse.original.is_none() {
                let undo = reverse::capture(&self.params.target(), &reverse.location);
                reversal::save(&reverse.state, &reverse.id, undo.as_ref());
                reverse.original = Some(undo);
            }
        }
        let mut report = Report::new(context.apply).showing_diffs(if self.params.sensitive {
            ShowDiff::Never
        } else {
            context.show_diff
        });
        check::check_apply(&self.params, &mut report)?;
        Ok(report.into_outcome())
    }

    fn reversal(&self) -> Option<ResourceSpec> {
        self.reverse.as_ref()?.original.clone()?
    }

    /// `content` (typically an exec's output), `source`, `mode`, `owner`
    /// and `group` can be received; `null` unsets the field.
    fn receive(&mut self, field: &str, value: Json) -> Result<(), ResourceError> {
        if !matches!(field, "content" | "source" | "mode" | "owner" | "group") {
            return Err(ResourceError::invalid(format!(
                "file cannot receive into `{field}`"
            )));
        }
        let mut params = self.params.clone();
        params.set_str(field, &value)?;
        params.validate()?;
        let source_changed = params.source != self.params.source;
        self.params = params;
        if source_changed {
            *self
                .targets
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = watch::targets(&self.params);
            // Running watches follow the changed targets.
            self.watcher.rearm_all();
        }
        Ok(())
    }
}

/// What `Meta:reverse` remembers.
struct Reverse {
    /// The resource's id, its key in the saved state.
    id: String,
    location: String,
    /// `Some(None)`: captured, but not restorable (a symlink, a large file).
    original: Option<Option<ResourceSpec>>,
    /// Where `original` is saved, so that it outlives a restart.
    state: StateDir,
}

/// Tells each purging file resource of `graph` which paths other file
/// resources manage inside it, so `purge` keeps them (upstream reads the
/// graph for this). The engine calls it once per graph, before building.
pub fn annotate_purge_excludes(graph: &mut GraphSpec) {
    let purging =
        |spec: &ResourceSpec| spec.kind == "file" && spec.bool_param("purge") == Some(true);
    if !graph.resources.iter().any(purging) {
        return;
    }
    let managed: Vec<(String, PathBuf)> = graph
        .resources
        .iter()
        .filter(|spec| spec.kind == "file")
        .filter_map(|spec| {
            Params::from_spec(spec)
                .ok()
                .map(|params| (spec.name.clone(), params.target()))
        })
        .collect();
    for spec in graph
        .resources
        .iter_mut()
        .filter(|spec| spec.kind == "file")
    {
        let Ok(params) = Params::from_spec(spec) else {
            continue;
        };
        if !params.purge {
            continue;
        }
        let own = params.target();
        let excludes = managed
            .iter()
            .filter(|(name, path)| *name != spec.name && *path != own && path.starts_with(&own))
            .map(|(_, path)| Json::from(path.display().to_string()))
            .collect();
        spec.params
            .insert(EXCLUDES_PARAM.to_owned(), Json::Array(excludes));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, params: &[(&str, Json)]) -> ResourceSpec {
        let params = params
            .iter()
            .map(|(key, value)| (key.to_string(), value.clone()))
            .collect();
        ResourceSpec::new("file", name, params, "")
    }

    #[test]
    fn purge_excludes_list_managed_paths_inside() {
        let mut graph = GraphSpec {
            resources: vec![
                spec(
                    "/d/",
                    &[("recurse", Json::from(true)), ("purge", Json::from(true))],
                ),
                spec("/d/keep", &[("content", Json::from("x"))]),
                spec("other", &[("path", Json::from("/d/sub/deep/"))]),
                spec("/elsewhere", &[]),
            ],
            edges: Vec::new(),
        };
        annotate_purge_excludes(&mut graph);
        assert_eq!(
            graph.resources[0].params[EXCLUDES_PARAM],
            serde_json::json!(["/d/keep", "/d/sub/deep"])
        );
        assert!(!graph.resources[1].params.contains_key(EXCLUDES_PARAM));
        let file = File::new(&graph.resources[0]).unwrap();
        assert_eq!(
            file.params.excludes,
            vec![PathBuf::from("/d/keep"), PathBuf::from("/d/sub/deep")]
        );
    }

    #[test]
    fn receive_validates_and_keeps_the_old_value_on_error() {
        let mut file = File::new(&spec("/tmp/f", &[("state", Json::from("absent"))])).unwrap();
        assert!(file.receive("content", Json::from("x")).is_err());
        assert!(file.params.content.is_none());
        assert!(file.receive("mode", Json::from("0644")).is_ok());
        assert!(matches!(
            file.receive("path", Json::from("/x")),
            Err(ResourceError::Invalid(_))
        ));
    }

    #[test]
    fn unknown_and_mistyped_fields_are_invalid() {
        assert!(File::new(&spec("/f", &[("colour", Json::from("red"))])).is_err());
        assert!(File::new(&spec("/f", &[("recurse", Json::from("yes"))])).is_err());
        assert!(File::new(&spec("/f", &[("state", Json::from("present"))])).is_err());
    }
}
