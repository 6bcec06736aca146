//! A host cut off from the network: agent b runs in a network namespace of
//! the test's own (a veth pair with addresses of that pair only), etcd
//! listens on the pair's host side too. Cutting the link partitions b; it
//! keeps its last good graph, and converges on what changed once the link
//! is back. Needs root (CI runs as root) and `ip`; skipped otherwise.

use super::etcd::{self, Etcd};
use super::support::*;
use std::process::Command;

/// A network namespace joined to this one by a veth pair; removed on drop
/// (the pair goes with it).
struct Namespace {
    name: String,
    host_side: String,
    /// This side's address (etcd listens there).
    host_address: String,
}

fn ip(args: &[&str]) -> bool {
    Command::new("ip")
        .args(args)
        .status()
        .is_ok_and(|status| status.success())
}

impl Namespace {
    fn create() -> Option<Namespace> {
        let id = std::process::id() % 250;
        let name = format!("mgmt-test-{}", std::process::id());
        let host_side = format!("mgh{id}");
        let inside = format!("mgn{id}");
        let host_address = format!("10.231.{id}.1");
        let inside_address = format!("10.231.{id}.2/30");
        if !ip(&["netns", "add", &name]) {
            return None;
        }
        let namespace = Namespace {
            name,
            host_side,
            host_address,
        };
        let ns = namespace.name.as_str();
        let made = ip(&[
            "link",
            "add",
            &namespace.host_side,
            "type",
            "veth",
            "peer",
            "name",
            &inside,
        ]) && ip(&["link", "set", &inside, "netns", ns])
            && ip(&[
                "addr",
                "add",
                &format!("{}/30", namespace.host_address),
                "dev",
                &namespace.host_side,
            ])
            && ip(&["link", "set", &namespace.host_side, "up"])
            && ip(&[
                "netns",
                "exec",
                ns,
                "ip",
                "addr",
                "add",
                &inside_address,
                "dev",
                &inside,
            ])
            && ip(&["netns", "exec", ns, "ip", "link", "set", &inside, "up"])
            && ip(&["netns", "exec", ns, "ip", "link", "set", "lo", "up"]);
        made.then_some(namespace)
    }

    fn link(&self, up: bool) {
        assert!(ip(&[
            "link",
            "set",
            &self.host_side,
            if up { "up" } else { "down" }
        ]));
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        ip(&["link", "del", &self.host_side]);
        ip(&["netns", "del", &self.name]);
    }
}

#[test]
fn a_partitioned_host_keeps_its_graph_and_converges_when_healed() {
    if !etcd::available() {
        return;
    }
    let Some(namespace) = Namespace::create() else {
        eprintln!("skipped: cannot make a network namespace (needs root and iproute2)");
        return;
    };
    let etcd = Etcd::start_also_on(&namespace.host_address);
    let case = Case::new(super::cluster::PROGRAM);
    for host in ["a", "b"] {
        std::fs::write(
            case.path(&format!("input-{host}")),
            format!("v1 of {host}\n"),
        )
        .expect("input written");
    }
    let a = case.agent(&["--hostname", "a", "--seeds", &etcd.client_url]);
    let seeds = etcd.also_url().expect("the other address").to_owned();
    let b = case.agent_after(
        &format!("exec ip netns exec {} \"$@\"", namespace.name),
        &["--hostname", "b", "--seeds", &seeds],
    );
    let holds = |host: &str, from: &str, content: &str| {
        case.read(&format!("{host}/from-{from}")) == content
    };
    eventually("a and b exchange exports", || {
        holds("a", "b", "v1 of b\n") && holds("b", "a", "v1 of a\n")
    });
    namespace.link(false);
    std::fs::write(case.path("input-a"), "while b was cut off\n").expect("input changed");
    eventually("etcd holds a's change", || {
        etcd.get("/_mgmt/exports/a/")
            .is_some_and(|keys| keys.contains("while b was cut off"))
    });
    // Cut off, b keeps what it had (its collected file is not removed).
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert!(holds("b", "a", "v1 of a\n"));
    assert_eq!(case.read("b/own"), "own of b\n");
    namespace.link(true);
    eventually("b converges on the change once healed", || {
        holds("b", "a", "while b was cut off\n")
    });
    stop_all([a, b]);
}
