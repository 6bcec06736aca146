//! Automatic edges: the ordering a program implies without writing it.
//!
//! - a `file` depends on the nearest managed parent directory (a `file` whose
//!   path ends in `/`), and on the `file`s that manage its `fragments`;
//! - a `svc` depends on the `file` that manages its unit file
//!   (`/etc/systemd/system/<name>.service`, `/usr/lib/systemd/system/...`,
//!   `/lib/systemd/system/...`; the `user` directories for `session` units);
//! - an `exec` depends on the `file`s of the programs it runs (the first word of
//!   each of `cmd`, `ifcmd`, `nifcmd`, `watchcmd`, `donecmd` when absolute, and
//!   their shells) and on the directories they run in (`cwd`, `ifcwd`...).
//!
//! A resource with `Meta:autoedge => false` takes part in none of them, neither
//! as the dependant nor as the dependency. An automatic edge is never added
//! where any edge already joins the two resources in that direction, nor where
//! it would close a cycle; candidates are tried in `(kind, name)` order so the
//! result does not depend on the order the program produced resources in.
//!
//! Only the graph is consulted: whether a path exists on the host is the
//! engine's business.

use super::ir::{Edge, Resource, ResourceGraph, ResourceId};
use crate::value::Value;
use petgraph::algo::has_path_connecting;
use std::collections::{BTreeSet, HashMap};

/// Adds every automatic edge to `graph`; returns how many were added.
pub fn add_autoedges(graph: &mut ResourceGraph) -> usize {
    let files = FileIndex::new(graph);
    let mut candidates = Vec::new();
    for (id, resource) in graph.resources() {
        if !resource.meta.autoedge {
            continue;
        }
        let dependencies = match resource.kind.as_str() {
            "file" => file_dependencies(&files, resource),
            "svc" => svc_dependencies(&files, resource),
            "exec" => exec_dependencies(&files, resource),
            _ => Vec::new(),
        };
        candidates.extend(dependencies.into_iter().map(|dependency| (dependency, id)));
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

/// The `file` resources that take part in autoedges, by normalised path.
struct FileIndex {
    by_path: HashMap<String, ResourceId>,
    /// Whether any of them is a directory (a path ending in `/`): without
    /// one, no file has a managed parent and the ancestor walk is skipped.
    has_directories: bool,
}

impl FileIndex {
    fn new(graph: &ResourceGraph) -> FileIndex {
        let mut by_path = HashMap::new();
        for (id, resource) in graph.resources() {
            if resource.kind == "file" && resource.meta.autoedge {
                if let Some(path) = file_path(resource) {
                    // Two files with one path are a conflict the engine reports;
                    // the first in (kind, name) order stands for both here.
                    by_path.entry(path).or_insert(id);
                }
            }
        }
        let has_directories = by_path.keys().any(|path: &String| path.ends_with('/'));
        FileIndex {
            by_path,
            has_directories,
        }
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
}

fn file_dependencies(files: &FileIndex, resource: &Resource) -> Vec<ResourceId> {
    let Some(path) = file_path(resource) else {
        return Vec::new();
    };
    let mut dependencies: Vec<ResourceId> = Vec::new();
    if files.has_directories {
        dependencies.extend(ancestors(&path).find_map(|directory| files.get(&directory)));
    }
    if let Some(fragments) = param(resource, "fragments").and_then(Value::as_list) {
        dependencies.extend(
            fragments
                .iter()
                .filter_map(Value::as_str)
                .filter_map(|fragment| files.get(fragment)),
        );
    }
    dependencies
}

fn svc_dependencies(files: &FileIndex, resource: &Resource) -> Vec<ResourceId> {
    let unit = if resource.name.ends_with(".service") {
        resource.name.clone()
    } else {
        format!("{}.service", resource.name)
    };
    let session = param(resource, "session")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let directories: &[&str] = if session {
        &["/etc/systemd/user/", "/usr/lib/systemd/user/"]
    } else {
        &[
            "/etc/systemd/system/",
            "/usr/lib/systemd/system/",
            "/lib/systemd/system/",
        ]
    };
    directories
        .iter()
        .filter_map(|directory| files.get(&format!("{directory}{unit}")))
        .collect()
}

/// Each command an exec runs, with the fields naming its shell and directory.
const EXEC_COMMANDS: [(&str, &str, &str); 5] = [
    ("cmd", "shell", "cwd"),
    ("ifcmd", "ifshell", "ifcwd"),
    ("nifcmd", "nifshell", "nifcwd"),
    ("watchcmd", "watchshell", "watchcwd"),
    ("donecmd", "doneshell", "donecwd"),
];

fn exec_dependencies(files: &FileIndex, resource: &Resource) -> Vec<ResourceId> {
    let mut dependencies = Vec::new();
    for (command_field, shell_field, directory_field) in EXEC_COMMANDS {
        let command = match param_str(resource, command_field) {
            Some(command) => command,
            None if command_field == "cmd" => resource.name.as_str(),
            None => continue,
        };
        if let Some(program) = command.split_whitespace().next() {
            dependencies.extend(files.get(program));
        }
        if let Some(shell) = param_str(resource, shell_field) {
            dependencies.extend(files.get(shell.trim()));
        }
        if let Some(directory) = param_str(resource, directory_field) {
            dependencies.extend(files.directory(directory));
        }
    }
    dependencies
}

fn param<'a>(resource: &'a Resource, name: &str) -> Option<&'a Value> {
    resource.params.get(name)
}

fn param_str<'a>(resource: &'a Resource, name: &str) -> Option<&'a str> {
    param(resource, name).and_then(Value::as_str)
}

/// The absolute path a `file` resource manages, normalised, as the file
/// resource computes it: `path` (default: the name), with its directory part
/// replaced by `dirname` and its last part by `basename` when they are given.
fn file_path(resource: &Resource) -> Option<String> {
    let path = param_str(resource, "path").unwrap_or(&resource.name);
    let (directory, base) = split_last(path);
    let directory = param_str(resource, "dirname").unwrap_or(directory);
    let base = param_str(resource, "basename").unwrap_or(base);
    let path = format!("{directory}{base}");
    path.starts_with('/').then(|| normalise(&path))
}

/// `/a/b/c` → (`/a/b/`, `c`); `/a/b/` → (`/a/`, `b/`).
fn split_last(path: &str) -> (&str, &str) {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(index) => path.split_at(index + 1),
        None => ("", path),
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
    use super::*;
    use crate::graph::MetaParams;
    use mcl_grammar::Span;

    fn resource(kind: &str, name: &str, params: &[(&str, Value)]) -> Resource {
        Resource {
            kind: kind.to_owned(),
            name: name.to_owned(),
            params: params
                .iter()
                .map(|(field, value)| ((*field).to_owned(), value.clone()))
                .collect(),
            meta: MetaParams::default(),
            span: Span::default(),
        }
    }

    fn graph_of(resources: Vec<Resource>) -> ResourceGraph {
        let mut graph = ResourceGraph::new();
        for resource in resources {
            graph.add(resource);
        }
        graph
    }

    fn file(name: &str) -> Resource {
        resource("file", name, &[])
    }

    /// The edges as `from -> to` lines, sorted, with `(auto)` on automatic ones.
    fn edges(graph: &ResourceGraph) -> Vec<String> {
        let mut lines: Vec<String> = graph
            .edges()
            .map(|(from, to, edge)| {
                format!(
                    "{} -> {}{}",
                    graph.resource(from).id(),
                    graph.resource(to).id(),
                    if edge.automatic { " (auto)" } else { "" }
                )
            })
            .collect();
        lines.sort();
        lines
    }

    fn id(graph: &ResourceGraph, kind: &str, name: &str) -> ResourceId {
        graph.find(kind, name).expect("resource in graph")
    }

    #[test]
    fn files_depend_on_the_nearest_managed_directory() {
        let mut graph = graph_of(vec![
            file("/a/"),
            file("/a/b/"),
            file("/a/b/c"),
            file("/a/x"),
            file("/a/b/d/e/f"),
            file("/other/file"),
        ]);
        assert_eq!(add_autoedges(&mut graph), 4);
        assert_eq!(
            edges(&graph),
            [
                "file[/a/] -> file[/a/b/] (auto)",
                "file[/a/] -> file[/a/x] (auto)",
                "file[/a/b/] -> file[/a/b/c] (auto)",
                "file[/a/b/] -> file[/a/b/d/e/f] (auto)",
            ]
        );
    }

    #[test]
    fn the_root_directory_and_path_params_count() {
        let mut graph = graph_of(vec![
            file("/"),
            resource("file", "etc", &[("path", Value::str("/etc/app/"))]),
            resource(
                "file",
                "config",
                &[("path", Value::str("/etc/app//app.conf"))],
            ),
            resource(
                "file",
                "moved",
                &[
                    ("dirname", Value::str("/etc/app/")),
                    ("basename", Value::str("x")),
                ],
            ),
        ]);
        add_autoedges(&mut graph);
        assert_eq!(
            edges(&graph),
            [
                "file[/] -> file[etc] (auto)",
                "file[etc] -> file[config] (auto)",
                "file[etc] -> file[moved] (auto)",
            ]
        );
    }

    #[test]
    fn a_file_without_managed_parent_or_absolute_path_gets_nothing() {
        let mut graph = graph_of(vec![file("/a/"), file("relative/x"), file("/b/c")]);
        assert_eq!(add_autoedges(&mut graph), 0);
        assert!(edges(&graph).is_empty());
    }

    #[test]
    fn files_depend_on_their_fragments() {
        let fragments = Value::List(vec![Value::str("/frag/one"), Value::str("/frag/dir/")]);
        let mut graph = graph_of(vec![
            file("/frag/one"),
            file("/frag/dir/"),
            resource("file", "/etc/whole", &[("fragments", fragments)]),
        ]);
        add_autoedges(&mut graph);
        assert_eq!(
            edges(&graph),
            [
                "file[/frag/dir/] -> file[/etc/whole] (auto)",
                "file[/frag/one] -> file[/etc/whole] (auto)",
            ]
        );
    }

    #[test]
    fn services_depend_on_their_unit_files() {
        let mut graph = graph_of(vec![
            file("/etc/systemd/system/nginx.service"),
            file("/lib/systemd/system/nginx.service"),
            file("/usr/lib/systemd/system/cron.service"),
            file("/etc/systemd/user/agent.service"),
            resource("svc", "nginx", &[]),
            resource("svc", "cron.service", &[]),
            resource("svc", "agent", &[("session", Value::Bool(true))]),
            resource("svc", "unmanaged", &[]),
        ]);
        add_autoedges(&mut graph);
        assert_eq!(
            edges(&graph),
            [
                "file[/etc/systemd/system/nginx.service] -> svc[nginx] (auto)",
                "file[/etc/systemd/user/agent.service] -> svc[agent] (auto)",
                "file[/lib/systemd/system/nginx.service] -> svc[nginx] (auto)",
                "file[/usr/lib/systemd/system/cron.service] -> svc[cron.service] (auto)",
            ]
        );
    }

    #[test]
    fn execs_depend_on_programs_shells_and_directories() {
        let mut graph = graph_of(vec![
            file("/usr/local/bin/tool"),
            file("/bin/bash"),
            file("/srv/app/"),
            file("/usr/bin/check"),
            resource("exec", "/usr/local/bin/tool --flag", &[]),
            resource(
                "exec",
                "scripted",
                &[
                    ("cmd", Value::str("echo hi")),
                    ("shell", Value::str("/bin/bash")),
                    ("cwd", Value::str("/srv/app")),
                    ("ifcmd", Value::str("/usr/bin/check -q")),
                ],
            ),
            resource("exec", "tool", &[]),
        ]);
        add_autoedges(&mut graph);
        assert_eq!(
            edges(&graph),
            [
                "file[/bin/bash] -> exec[scripted] (auto)",
                "file[/srv/app/] -> exec[scripted] (auto)",
                "file[/usr/bin/check] -> exec[scripted] (auto)",
                "file[/usr/local/bin/tool] -> exec[/usr/local/bin/tool --flag] (auto)",
            ]
        );
    }

    #[test]
    fn an_edge_that_would_close_a_cycle_is_skipped() {
        let mut graph = graph_of(vec![
            file("/usr/"),
            file("/usr/bin/tool"),
            file("/var/log/"),
            file("/var/log/tool.log"),
            resource("exec", "/usr/bin/tool", &[]),
        ]);
        let exec = id(&graph, "exec", "/usr/bin/tool");
        // The program installs the binary after running it (exec -> binary),
        // so binary -> exec would close a cycle; and it writes the log
        // before its directory (log -> directory), so directory -> log would.
        let binary = id(&graph, "file", "/usr/bin/tool");
        graph.connect(exec, binary, Edge::default());
        let log = id(&graph, "file", "/var/log/tool.log");
        let log_directory = id(&graph, "file", "/var/log/");
        graph.connect(log, log_directory, Edge::default());
        assert_eq!(add_autoedges(&mut graph), 1);
        assert_eq!(
            edges(&graph),
            [
                "exec[/usr/bin/tool] -> file[/usr/bin/tool]",
                "file[/usr/] -> file[/usr/bin/tool] (auto)",
                "file[/var/log/tool.log] -> file[/var/log/]",
            ]
        );
    }

    #[test]
    fn a_chain_of_automatic_edges_stays_acyclic() {
        // The exec runs in /usr/ but the program orders it before /usr/.
        // Candidates go in (kind, name) order: binary -> exec is taken first,
        // then /usr/ -> exec would close a cycle, and so would
        // /usr/ -> binary (binary -> exec -> /usr/).
        let mut graph = graph_of(vec![
            file("/usr/"),
            file("/usr/bin/tool"),
            resource("exec", "/usr/bin/tool", &[("cwd", Value::str("/usr/"))]),
        ]);
        let exec = id(&graph, "exec", "/usr/bin/tool");
        let directory = id(&graph, "file", "/usr/");
        graph.connect(exec, directory, Edge::default());
        add_autoedges(&mut graph);
        assert_eq!(
            edges(&graph),
            [
                "exec[/usr/bin/tool] -> file[/usr/]",
                "file[/usr/bin/tool] -> exec[/usr/bin/tool] (auto)",
            ]
        );
        assert!(petgraph::algo::toposort(graph.inner(), None).is_ok());
    }

    #[test]
    fn an_existing_edge_is_not_duplicated_nor_marked_automatic() {
        let mut graph = graph_of(vec![file("/a/"), file("/a/b")]);
        let from = id(&graph, "file", "/a/");
        let to = id(&graph, "file", "/a/b");
        graph.connect(
            from,
            to,
            Edge {
                notify: true,
                ..Edge::default()
            },
        );
        assert_eq!(add_autoedges(&mut graph), 0);
        assert_eq!(graph.edge_count(), 1);
        assert_eq!(edges(&graph), ["file[/a/] -> file[/a/b]"]);
    }

    #[test]
    fn autoedge_false_opts_a_resource_out_both_ways() {
        let mut quiet_dir = file("/a/b/");
        quiet_dir.meta.autoedge = false;
        let mut quiet_file = file("/a/q");
        quiet_file.meta.autoedge = false;
        let mut quiet_exec = resource("exec", "/a/b/run", &[]);
        quiet_exec.meta.autoedge = false;
        let mut graph = graph_of(vec![
            file("/a/"),
            quiet_dir,
            file("/a/b/c"),
            quiet_file,
            file("/a/b/run"),
            quiet_exec,
        ]);
        add_autoedges(&mut graph);
        // /a/b/c skips the opted-out /a/b/ and depends on /a/ instead.
        assert_eq!(
            edges(&graph),
            [
                "file[/a/] -> file[/a/b/c] (auto)",
                "file[/a/] -> file[/a/b/run] (auto)",
            ]
        );
    }

    #[test]
    fn the_result_does_not_depend_on_insertion_order() {
        let resources = vec![
            file("/a/"),
            file("/a/b"),
            resource("exec", "/a/b", &[]),
            resource("svc", "s", &[]),
            file("/etc/systemd/system/s.service"),
        ];
        let mut forward = graph_of(resources.clone());
        let mut backward = graph_of(resources.into_iter().rev().collect());
        add_autoedges(&mut forward);
        add_autoedges(&mut backward);
        assert_eq!(edges(&forward), edges(&backward));
    }

    #[test]
    fn paths_split_and_climb() {
        assert_eq!(split_last("/a/b/c"), ("/a/b/", "c"));
        assert_eq!(split_last("/a/b/"), ("/a/", "b/"));
        assert_eq!(split_last("/"), ("", "/"));
        assert_eq!(
            ancestors("/a/b/c").collect::<Vec<_>>(),
            ["/a/b/", "/a/", "/"]
        );
        assert_eq!(ancestors("/a/").collect::<Vec<_>>(), ["/"]);
        assert_eq!(ancestors("/").count(), 0);
        assert_eq!(normalise("//a///b/"), "/a/b/");
    }
}
