//! Automatic edges: the ordering a program implies without writing it.
//!
//! Each kind says, through its schema's autoedge rule, which paths one of
//! its resources manages and which paths it depends on (a file: its parent
//! directory, its fragments and every managed file inside a fragment
//! directory; a service: its unit file; a command: its
//! programs and directories; a user: its groups; see `docs/resources.md`).
//! Besides paths, a resource may provide and need *names* of things that
//! are not files (`user:alice`, `gid:50`). This pass only matches the two:
//! it never names a kind.
//!
//! A resource with `Meta:autoedge => false` takes part in none of them, neither
//! as the dependant nor as the dependency. An automatic edge is never added
//! where any edge already joins the two resources in that direction, nor where
//! it would close a cycle; candidates are tried in `(kind, name)` order so the
//! result does not depend on the order the program produced resources in.
//!
//! Only the graph is consulted: whether a path exists on the host is the
//! engine's business.

use super::ir::{Edge, ResourceGraph, ResourceId};
use crate::schema::{Autoedges, Need, ResourceKinds};
use petgraph::algo::has_path_connecting;
use std::collections::{BTreeSet, HashMap};

/// Adds every automatic edge to `graph`, by the rules of `kinds`; returns
/// how many were added.
pub fn add_autoedges(graph: &mut ResourceGraph, kinds: &dyn ResourceKinds) -> usize {
    let rules: Vec<(ResourceId, Autoedges)> = graph
        .resources()
        .filter(|(_, resource)| resource.meta.autoedge)
        .filter_map(|(id, resource)| {
            let rule = kinds.schema(&resource.kind)?.autoedges?;
            Some((id, rule(resource)))
        })
        .collect();
    let paths = PathIndex::new(&rules);
    let mut candidates = Vec::new();
    for (id, autoedges) in &rules {
        for need in &autoedges.needs {
            let dependency = match need {
                Need::Path(path) => paths.get(path),
                Need::Directory(path) => paths.directory(path),
                Need::Parent(path) => paths.parent(path),
                Need::Name(name) => paths.name(name),
                Need::Inside(directory) => {
                    candidates.extend(
                        paths
                            .inside(directory)
                            .into_iter()
                            .map(|inner| (inner, *id)),
                    );
                    continue;
                }
            };
            candidates.extend(dependency.map(|dependency| (dependency, *id)));
        }
    }

    let mut seen = BTreeSet::new();
    let mut added = 0;
    for (from, to) in candidates {
        if seen.insert((from, to)) && connect_if_acyclic(graph, from, to) {
            added += 1;
        }
    }
    added
}

fn connect_if_acyclic(graph: &mut ResourceGraph, from: ResourceId, to: ResourceId) -> bool {
    if from == to || graph.has_edge(from, to) {
        return false;
    }
    // Most autoedges end at a leaf (a file in a directory): no path can lead
    // back from a resource with no outgoing edge, so the search is skipped.
    let leaf = graph.inner().edges(to).next().is_none();
    if !leaf && has_path_connecting(graph.inner(), to, from, None) {
        return false;
    }
    let edge = Edge {
        automatic: true,
        ..Edge::default()
    };
    graph.connect(from, to, edge);
    true
}

/// The managed paths, normalised, and the managed names, with the resource
/// managing each.
struct PathIndex {
    by_path: HashMap<String, ResourceId>,
    by_name: HashMap<String, ResourceId>,
    /// Whether any of them is a directory (a path ending in `/`): without
    /// one, no path has a managed parent and the ancestor walk is skipped.
    has_directories: bool,
}

impl PathIndex {
    fn new(rules: &[(ResourceId, Autoedges)]) -> PathIndex {
        let mut by_path = HashMap::new();
        let mut by_name = HashMap::new();
        for (id, autoedges) in rules {
            for provided in &autoedges.provides {
                // Two resources managing one path are a conflict the engine
                // reports; the first in (kind, name) order stands for both here.
                if provided.starts_with('/') {
                    by_path.entry(normalise(provided)).or_insert(*id);
                } else if !provided.is_empty() {
                    by_name.entry(provided.clone()).or_insert(*id);
                }
            }
        }
        let has_directories = by_path.keys().any(|path: &String| path.ends_with('/'));
        PathIndex {
            by_path,
            by_name,
            has_directories,
        }
    }

    /// The resource providing the name `name` (never a path).
    fn name(&self, name: &str) -> Option<ResourceId> {
        if name.starts_with('/') {
            return None;
        }
        self.by_name.get(name).copied()
    }

    /// The resource managing exactly `path` (a directory if it ends in `/`).
    fn get(&self, path: &str) -> Option<ResourceId> {
        if !path.starts_with('/') {
            return None;
        }
        self.by_path.get(&normalise(path)).copied()
    }

    /// The resource managing `path` as a directory, with or without its `/`.
    fn directory(&self, path: &str) -> Option<ResourceId> {
        if path.ends_with('/') {
            self.get(path)
        } else {
            self.get(&format!("{path}/"))
        }
    }

    /// The resources managing a path strictly inside `directory`, in path
    /// order (so the edges added do not depend on hashing).
    fn inside(&self, directory: &str) -> Vec<ResourceId> {
        let mut prefix = normalise(directory);
        if !prefix.ends_with('/') {
            prefix.push('/');
        }
        let mut inner: Vec<(&String, ResourceId)> = if prefix.starts_with('/') {
            self.by_path
                .iter()
                .filter(|(path, _)| path.len() > prefix.len() && path.starts_with(&prefix))
                .map(|(path, id)| (path, *id))
                .collect()
        } else {
            Vec::new()
        };
        inner.sort();
        inner.into_iter().map(|(_, id)| id).collect()
    }

    /// The resource managing the nearest directory above `path`.
    fn parent(&self, path: &str) -> Option<ResourceId> {
        if !self.has_directories || !path.starts_with('/') {
            return None;
        }
        ancestors(&normalise(path)).find_map(|directory| self.get(&directory))
    }
}

/// Collapses repeated slashes, so `/a//b` and `/a/b` are one path.
fn normalise(path: &str) -> String {
    if !path.contains("//") {
        return path.to_owned();
    }
    let mut normalised = String::with_capacity(path.len());
    for character in path.chars() {
        if !(character == '/' && normalised.ends_with('/')) {
            normalised.push(character);
        }
    }
    normalised
}

/// The directories above `path`, nearest first, each ending in `/`:
/// `/a/b/c` → `/a/b/`, `/a/`, `/`.
fn ancestors(path: &str) -> impl Iterator<Item = String> + '_ {
    let mut rest = path.trim_end_matches('/');
    std::iter::from_fn(move || {
        let index = rest.rfind('/')?;
        let parent = &rest[..=index];
        rest = &rest[..index];
        Some(parent.to_owned())
    })
}

#[cfg(test)]
mod tests {
    // The rules of each kind, and the edges they give, are tested with the
    // kinds in `runtime` (`runtime/tests/autoedges.rs`).
    use super::*;

    #[test]
    fn paths_climb_and_normalise() {
        assert_eq!(
            ancestors("/a/b/c").collect::<Vec<_>>(),
            ["/a/b/", "/a/", "/"]
        );
        assert_eq!(ancestors("/a/").collect::<Vec<_>>(), ["/"]);
        assert_eq!(ancestors("/").count(), 0);
        assert_eq!(normalise("//a///b/"), "/a/b/");
    }

    #[test]
    fn names_match_exactly_and_never_as_paths() {
        let group = ResourceId::new(0);
        let directory = ResourceId::new(1);
        let rules = vec![
            (
                group,
                Autoedges {
                    provides: vec!["group:staff".to_owned(), "gid:50".to_owned()],
                    needs: Vec::new(),
                },
            ),
            (
                directory,
                Autoedges {
                    provides: vec!["/home/".to_owned()],
                    needs: Vec::new(),
                },
            ),
        ];
        let index = PathIndex::new(&rules);
        assert_eq!(index.name("group:staff"), Some(group));
        assert_eq!(index.name("gid:50"), Some(group));
        assert_eq!(index.name("group:staf"), None);
        assert_eq!(index.name("/home/"), None, "a path is not a name");
        assert_eq!(index.get("group:staff"), None, "a name is not a path");
        assert_eq!(index.directory("/home"), Some(directory));
    }
}
