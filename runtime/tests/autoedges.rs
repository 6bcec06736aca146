//! The autoedge rules of the file, svc, exec, user, group and cron kinds,
//! and the edges the compiler's autoedge pass draws from them.
//!
//! - a `file` depends on the nearest managed parent directory (a `file` whose
//!   path ends in `/`), and on the `file`s that manage its `fragments`;
//! - a `svc` depends on the `file` that manages its unit file;
//! - an `exec` depends on the `file`s of the programs it runs and on the
//!   directories they run in;
//! - a `user` depends on the `group`s of its primary group and `groups`, and
//!   files and commands depend on the `user` and `group` they name;
//! - a `cron` depends on the `file` of the service unit it starts;
//! - a `file` in `/etc/X/` or `/etc/X.d/`, and a `svc "X"`, depend on the
//!   `pkg "X"` (the convention of a package named like its daemon).

use mcl_compiler::graph::{add_autoedges, Edge, MetaParams, Resource, ResourceGraph, ResourceId};
use mcl_compiler::value::Value;
use mcl_grammar::Span;

/// The pass with every kind's rules, as the compiler runs it.
fn add_autoedges_of(graph: &mut ResourceGraph) -> usize {
    add_autoedges(graph, &mgmt_runtime::kinds())
}

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
    assert_eq!(add_autoedges_of(&mut graph), 4);
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
    add_autoedges_of(&mut graph);
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
    assert_eq!(add_autoedges_of(&mut graph), 0);
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
    add_autoedges_of(&mut graph);
    assert_eq!(
        edges(&graph),
        [
            "file[/frag/dir/] -> file[/etc/whole] (auto)",
            "file[/frag/one] -> file[/etc/whole] (auto)",
        ]
    );
}

#[test]
fn a_composite_waits_for_every_managed_file_inside_a_fragment_directory() {
    // The directory itself is not managed; its files are, at two depths.
    let fragments = Value::List(vec![Value::str("/frags/"), Value::str("/extra")]);
    let mut graph = graph_of(vec![
        file("/frags/f1"),
        file("/frags/f2"),
        file("/frags/deeper/f3"),
        file("/fragsnot/f4"),
        file("/extra"),
        resource("file", "/etc/whole", &[("fragments", fragments)]),
    ]);
    add_autoedges_of(&mut graph);
    assert_eq!(
        edges(&graph),
        [
            "file[/extra] -> file[/etc/whole] (auto)",
            "file[/frags/deeper/f3] -> file[/etc/whole] (auto)",
            "file[/frags/f1] -> file[/etc/whole] (auto)",
            "file[/frags/f2] -> file[/etc/whole] (auto)",
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
    add_autoedges_of(&mut graph);
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
    add_autoedges_of(&mut graph);
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
    assert_eq!(add_autoedges_of(&mut graph), 1);
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
    add_autoedges_of(&mut graph);
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
    assert_eq!(add_autoedges_of(&mut graph), 0);
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
    add_autoedges_of(&mut graph);
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
    add_autoedges_of(&mut forward);
    add_autoedges_of(&mut backward);
    assert_eq!(edges(&forward), edges(&backward));
}

#[test]
fn users_depend_on_their_groups_and_files_on_their_owners() {
    let text = |value: &str| Value::Str(value.to_owned());
    let mut graph = graph_of(vec![
        resource("group", "staff", &[("gid", Value::Int(50))]),
        resource("group", "admins", &[]),
        resource("group", "unrelated", &[]),
        resource(
            "user",
            "alice",
            &[
                ("uid", Value::Int(1234)),
                ("group", text("staff")),
                (
                    "groups",
                    Value::List(vec![text("admins"), text("unmanaged")]),
                ),
            ],
        ),
        resource("user", "bob", &[("gid", Value::Int(50))]),
        resource(
            "file",
            "/home/alice/",
            &[("owner", text("alice")), ("group", text("staff"))],
        ),
        resource("file", "/srv/data", &[("owner", text("1234"))]),
        resource("file", "/srv/other", &[("owner", text("nobody"))]),
        resource("exec", "/bin/true", &[("user", text("bob"))]),
    ]);
    add_autoedges_of(&mut graph);
    assert_eq!(
        edges(&graph),
        [
            "group[admins] -> user[alice] (auto)",
            "group[staff] -> file[/home/alice/] (auto)",
            "group[staff] -> user[alice] (auto)",
            "group[staff] -> user[bob] (auto)",
            "user[alice] -> file[/home/alice/] (auto)",
            "user[alice] -> file[/srv/data] (auto)",
            "user[bob] -> exec[/bin/true] (auto)",
        ]
    );
}

#[test]
fn timers_depend_on_the_unit_files_of_the_services_they_start() {
    let mut graph = graph_of(vec![
        file("/etc/systemd/system/backup.service"),
        file("/etc/systemd/system/other.service"),
        resource("cron", "backup", &[]),
        resource(
            "cron",
            "nightly",
            &[("unit", Value::Str("other.service".to_owned()))],
        ),
    ]);
    add_autoedges_of(&mut graph);
    assert_eq!(
        edges(&graph),
        [
            "file[/etc/systemd/system/backup.service] -> cron[backup] (auto)",
            "file[/etc/systemd/system/other.service] -> cron[nightly] (auto)",
        ]
    );
}

#[test]
fn a_package_comes_before_its_configuration_and_its_service() {
    let mut graph = graph_of(vec![
        resource("pkg", "cron", &[]),
        file("/etc/cron.d/mgmt-demo"),
        file("/etc/cron/other"),
        file("/etc/crontab"),
        resource("svc", "cron", &[]),
        resource("svc", "ssh", &[]),
    ]);
    assert_eq!(add_autoedges_of(&mut graph), 3);
    assert_eq!(
        edges(&graph),
        [
            "pkg[cron] -> file[/etc/cron.d/mgmt-demo] (auto)",
            "pkg[cron] -> file[/etc/cron/other] (auto)",
            "pkg[cron] -> svc[cron] (auto)",
        ]
    );
}
