//! Autoedges from what an installed package ships, read from the package
//! database when the engine takes a graph: the compile-time rule (a package
//! named like its daemon, see `schemas/pkg.rs`) covers a first install,
//! when nothing is known of the package yet; once it is installed, its file
//! list says exactly which managed files and units it ships, and those
//! resources come after it too (`pkg "openssh-server"` before
//! `svc "ssh"` and `file "/etc/ssh/sshd_config"`).
//!
//! Only dpkg's lists (`/var/lib/dpkg/info/NAME.list`, or `NAME:ARCH.list`)
//! are read, and only files are matched: every package lists `/etc` and
//! `/usr/bin` among its directories, so a managed directory is left to the
//! compile-time rule. An edge is never added where one already joins the
//! two, nor where it would close a cycle, nor for a resource with
//! `Meta:autoedge => false`.

use crate::resources::file;
use crate::schemas::svc;
use crate::spec::{EdgeSpec, GraphSpec, ResourceKey, ResourceSpec};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;
use tracing::debug;

pub const DPKG_INFO: &str = "/var/lib/dpkg/info";

/// Adds the edges from each pkg vertex to the resources managing what its
/// packages ship, as `info` (dpkg's info directory) lists it.
pub fn add_edges(graph: &mut GraphSpec, info: &Path) {
    let mut shipped: Vec<(ResourceKey, BTreeSet<String>)> = Vec::new();
    for spec in &graph.resources {
        if spec.kind != "pkg" || !spec.meta.autoedge {
            continue;
        }
        let mut paths = BTreeSet::new();
        for member in std::iter::once(spec).chain(&spec.group) {
            paths.extend(shipped_by(info, &member.name));
        }
        if !paths.is_empty() {
            shipped.push((spec.key(), paths));
        }
    }
    if shipped.is_empty() {
        return;
    }
    let mut added = Vec::new();
    for (package, paths) in &shipped {
        for spec in &graph.resources {
            if !spec.meta.autoedge {
                continue;
            }
            let Some(path) = managed_paths(spec)
                .into_iter()
                .find(|path| paths.contains(path))
            else {
                continue;
            };
            let dependant = spec.key();
            let joined = graph.edges.iter().chain(&added).any(|edge: &EdgeSpec| {
                (edge.from == *package && edge.to == dependant)
                    || (edge.from == dependant && edge.to == *package)
            });
            if joined || reaches(&graph.edges, &added, &dependant, package) {
                continue;
            }
            debug!(
                "pkg[{}] ships {path}: {}[{}] comes after it",
                package.1, dependant.0, dependant.1
            );
            added.push(EdgeSpec {
                from: package.clone(),
                to: dependant,
                notify: false,
                send_recv: Vec::new(),
            });
        }
    }
    graph.edges.extend(added);
}

/// The paths package `name` ships (its directories among them, without a
/// trailing `/`, so no managed directory matches one).
fn shipped_by(info: &Path, name: &str) -> Vec<String> {
    let mut lists = vec![info.join(format!("{name}.list"))];
    if let Ok(entries) = std::fs::read_dir(info) {
        let prefix = format!("{name}:");
        lists.extend(entries.flatten().map(|entry| entry.path()).filter(|path| {
            path.file_name()
                .and_then(|file| file.to_str())
                .is_some_and(|file| file.starts_with(&prefix) && file.ends_with(".list"))
        }));
    }
    let mut paths = Vec::new();
    for list in lists {
        let Ok(text) = std::fs::read_to_string(&list) else {
            continue;
        };
        paths.extend(
            text.lines()
                .filter(|line| line.starts_with('/'))
                .map(str::to_owned),
        );
    }
    paths
}

/// What a resource manages that a package may ship: a file's path, a
/// service's unit files.
fn managed_paths(spec: &ResourceSpec) -> Vec<String> {
    match spec.kind.as_str() {
        "file" => file::managed_path(spec)
            .filter(|path| !path.ends_with('/'))
            .into_iter()
            .collect(),
        "svc" => {
            let session = spec
                .params
                .get("session")
                .and_then(serde_json::Value::as_bool)
                == Some(true);
            svc::unit_file_paths(&svc::unit_name(&spec.name), session)
        }
        _ => Vec::new(),
    }
}

/// Whether `to` can be reached from `from` along the edges.
fn reaches(edges: &[EdgeSpec], added: &[EdgeSpec], from: &ResourceKey, to: &ResourceKey) -> bool {
    let mut outgoing: BTreeMap<&ResourceKey, Vec<&ResourceKey>> = BTreeMap::new();
    for edge in edges.iter().chain(added) {
        outgoing.entry(&edge.from).or_default().push(&edge.to);
    }
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([from]);
    while let Some(key) = queue.pop_front() {
        if key == to {
            return true;
        }
        if seen.insert(key) {
            queue.extend(outgoing.get(key).into_iter().flatten());
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: &str, name: &str) -> ResourceSpec {
        ResourceSpec::new(kind, name, Default::default(), "")
    }

    fn edge(from: &ResourceSpec, to: &ResourceSpec) -> EdgeSpec {
        EdgeSpec {
            from: from.key(),
            to: to.key(),
            notify: false,
            send_recv: Vec::new(),
        }
    }

    #[test]
    fn what_an_installed_package_ships_comes_after_it() {
        let info = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            info.path().join("openssh-server.list"),
            "/.\n/etc\n/etc/ssh\n/etc/ssh/moduli\n/etc/ssh/sshd_config\n\
             /lib/systemd/system/ssh.service\n",
        )
        .expect("list written");
        std::fs::write(
            info.path().join("openssh-server:amd64.list"),
            "/usr/sbin/sshd\n",
        )
        .expect("list written");
        let package = spec("pkg", "openssh-server");
        let config = spec("file", "/etc/ssh/sshd_config");
        let resources = vec![
            package.clone(),
            spec("svc", "ssh"),
            config.clone(),
            spec("file", "/etc/ssh/moduli"),
            spec("file", "/usr/sbin/sshd"),
            // A directory every package lists, and a file none ships.
            spec("file", "/etc/"),
            spec("file", "/etc/motd"),
        ];
        // An edge the other way: no autoedge may close a cycle.
        let mut graph = GraphSpec {
            resources,
            edges: vec![edge(&config, &package)],
        };
        add_edges(&mut graph, info.path());
        let edges: Vec<String> = graph
            .edges
            .iter()
            .map(|edge| {
                format!(
                    "{}[{}] -> {}[{}]",
                    edge.from.0, edge.from.1, edge.to.0, edge.to.1
                )
            })
            .collect();
        assert_eq!(
            edges,
            [
                "file[/etc/ssh/sshd_config] -> pkg[openssh-server]",
                "pkg[openssh-server] -> svc[ssh]",
                "pkg[openssh-server] -> file[/etc/ssh/moduli]",
                "pkg[openssh-server] -> file[/usr/sbin/sshd]",
            ]
        );
    }

    #[test]
    fn a_package_not_installed_adds_nothing() {
        let info = tempfile::tempdir().expect("temp dir");
        let mut graph = GraphSpec {
            resources: vec![spec("pkg", "nosuch"), spec("file", "/etc/nosuch.conf")],
            edges: Vec::new(),
        };
        add_edges(&mut graph, info.path());
        assert!(graph.edges.is_empty());
    }
}
