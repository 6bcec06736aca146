//! Several agents, one real etcd: exported resources reach the hosts they
//! are exported to, changes and withdrawals follow, and an etcd restart
//! loses nothing.

use super::etcd::{self, Etcd};
use super::support::*;

/// Each of three hosts manages two files in its own directory and exports
/// one file to each peer, whose content comes from a file of the test (so
/// the test can change an export while the agents run).
pub const PROGRAM: &str = r#"import "os"
import "world/collect"

$hosts = ["a", "b", "c"]
file "@/${hostname}/" {
	state => "exists",
}
file "@/${hostname}/own" {
	content => "own of ${hostname}\n",
}
for $i, $peer in $hosts {
	if $peer != $hostname {
		file "@/${peer}/from-${hostname}" {
			content => os.readfile("@/input-${hostname}"),
			Meta:export => [$peer],
			Meta:hidden => true,
		}
	}
}
collect file collect.res("file") {}
"#;

fn start_agents(case: &Case, etcd: &Etcd) -> Vec<Agent> {
    ["a", "b", "c"]
        .iter()
        .map(|host| {
            std::fs::write(
                case.path(&format!("input-{host}")),
                format!("v1 of {host}\n"),
            )
            .expect("input written");
            case.agent(&["-v", "--hostname", host, "--seeds", &etcd.client_url])
        })
        .collect()
}

fn holds(case: &Case, host: &str, from: &str, content: &str) -> bool {
    case.read(&format!("{host}/from-{from}")) == content
}

#[test]
fn three_hosts_exchange_exports_and_follow_changes() {
    if !etcd::available() {
        return;
    }
    let etcd = Etcd::start();
    let case = Case::new(PROGRAM);
    let agents = start_agents(&case, &etcd);
    for (host, from) in [
        ("a", "b"),
        ("a", "c"),
        ("b", "a"),
        ("b", "c"),
        ("c", "a"),
        ("c", "b"),
    ] {
        eventually(&format!("{host} holds the export of {from}"), || {
            holds(&case, host, from, &format!("v1 of {from}\n"))
        });
    }
    // Nothing is written where it was not exported to.
    assert!(!case.path("a/from-a").exists());
    assert_eq!(case.read("b/own"), "own of b\n");
    // A changed export reaches both peers while everything runs.
    std::fs::write(case.path("input-a"), "v2 of a\n").expect("input changed");
    eventually("b and c hold a's new export", || {
        holds(&case, "b", "a", "v2 of a\n") && holds(&case, "c", "a", "v2 of a\n")
    });
    let stored = etcd.get("/_mgmt/exports/a/").expect("etcd answers");
    assert!(stored.contains("v2 of a"), "{stored}");
    stop_all(agents);
}

#[test]
fn exports_that_leave_the_program_are_withdrawn() {
    if !etcd::available() {
        return;
    }
    let etcd = Etcd::start();
    let case = Case::new(EXPORTS_X);
    let agent = case.agent(&["--hostname", "a", "--seeds", &etcd.client_url]);
    eventually("the export is stored", || {
        etcd.get("/_mgmt/exports/a/file/")
            .is_some_and(|keys| keys.contains("/x"))
    });
    // The program no longer exports it: a reload withdraws it.
    let program = format!(
        "file \"{}\" {{\n\tcontent => \"y\\n\",\n}}\n",
        case.path("y").display()
    );
    std::fs::write(&case.program, program).expect("program changed");
    eventually("the export is withdrawn", || {
        etcd.get("/_mgmt/exports/a/")
            .is_some_and(|keys| keys.trim().is_empty())
    });
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
}

#[test]
fn an_etcd_restart_loses_no_change() {
    if !etcd::available() {
        return;
    }
    let mut etcd = Etcd::start();
    let case = Case::new(PROGRAM);
    let agents = start_agents(&case, &etcd);
    eventually("b holds a's export", || holds(&case, "b", "a", "v1 of a\n"));
    etcd.pause();
    // Made while etcd is down: published once it is back.
    std::fs::write(case.path("input-a"), "while down\n").expect("input changed");
    std::thread::sleep(std::time::Duration::from_millis(500));
    etcd.resume();
    eventually("b and c hold the change made while etcd was down", || {
        holds(&case, "b", "a", "while down\n") && holds(&case, "c", "a", "while down\n")
    });
    let log = agents[0].log();
    assert!(log.contains("retrying"), "{log}");
    stop_all(agents);
}

#[test]
fn a_signal_while_waiting_for_the_cluster_stops_the_agent_cleanly() {
    let case = Case::new("file \"@/local\" {\n\tcontent => \"here\\n\",\n}\n");
    let agent = case.agent(&["--hostname", "a", "--seeds", "http://127.0.0.1:1"]);
    eventually("the endpoint is named", || {
        agent.log().contains("etcd at http://127.0.0.1:1")
    });
    // Within the first five seconds: the agent still waits for the data.
    let stopped = std::time::Instant::now();
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("stopping before the first run"), "{log}");
    assert!(
        stopped.elapsed() < std::time::Duration::from_secs(3),
        "{log}"
    );
    assert!(!case.path("local").exists(), "nothing was applied: {log}");
}

#[test]
fn an_unreachable_etcd_is_named_and_the_local_graph_still_runs() {
    let case = Case::new("file \"@/local\" {\n\tcontent => \"here\\n\",\n}\n");
    let agent = case.agent(&["--hostname", "a", "--seeds", "http://127.0.0.1:1"]);
    eventually("the local file is written", || {
        case.read("local") == "here\n"
    });
    eventually("the endpoint is named", || {
        agent.log().contains("etcd at http://127.0.0.1:1")
    });
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
}

#[test]
fn with_an_export_ttl_a_killed_hosts_exports_vanish() {
    if !etcd::available() {
        return;
    }
    let etcd = Etcd::start();
    let case = Case::new(EXPORTS_X);
    let agent = case.agent(&[
        "--hostname",
        "a",
        "--seeds",
        &etcd.client_url,
        "--export-ttl",
        "2",
    ]);
    eventually("the export is stored", || {
        etcd.get("/_mgmt/exports/a/")
            .is_some_and(|keys| keys.contains("/x"))
    });
    // Renewed while the agent lives: still there after more than the TTL.
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert!(etcd
        .get("/_mgmt/exports/a/")
        .is_some_and(|keys| keys.contains("/x")));
    agent.signal("KILL");
    eventually("the dead host's export vanishes", || {
        etcd.get("/_mgmt/exports/a/")
            .is_some_and(|keys| keys.trim().is_empty())
    });
}

#[test]
fn kv_values_reach_every_host() {
    if !etcd::available() {
        return;
    }
    let etcd = Etcd::start();
    let case = Case::new(
        r#"import "fmt"
import "world"

kv "color" {
	# Every host wants the same value: two that want different ones would
	# take turns forever.
	value => "blue",
}
kv "seen" {
	value => "${hostname} was here",
	mapped => true,
}
$shared = world.getval("color")
$each = world.kvlookup("seen")
file "@/${hostname}-view" {
	content => fmt.printf("%s %t %d\n", $shared->value, $shared->exists, len($each)),
}
"#,
    );
    let first = case.agent(&["--hostname", "a", "--seeds", &etcd.client_url]);
    eventually("a sees its own values", || {
        case.read("a-view") == "blue true 1\n"
    });
    let second = case.agent(&["--hostname", "b", "--seeds", &etcd.client_url]);
    eventually("both hosts see both mapped values", || {
        case.read("a-view").ends_with(" true 2\n") && case.read("b-view").ends_with(" true 2\n")
    });
    let stored = etcd.get("/_mgmt/kvmap/").expect("etcd answers");
    assert!(
        stored.contains("a was here") && stored.contains("b was here"),
        "{stored}"
    );
    stop_all([first, second]);
}

#[test]
fn an_agent_serves_etcd_and_a_second_joins_it() {
    if !etcd::available() {
        return;
    }
    let case = Case::new(PROGRAM);
    for host in ["a", "b"] {
        std::fs::write(
            case.path(&format!("input-{host}")),
            format!("v1 of {host}\n"),
        )
        .expect("input written");
    }
    let client = format!("http://127.0.0.1:{}", etcd::free_port());
    let peer = format!("http://127.0.0.1:{}", etcd::free_port());
    let state = case.path("state");
    let state = state.to_str().expect("utf-8 path");
    let server = case.agent(&[
        "--hostname",
        "a",
        "--etcd-serve",
        "--etcd-client-urls",
        &client,
        "--etcd-peer-urls",
        &peer,
        "--prefix",
        state,
    ]);
    eventually("the served etcd answers", || {
        server.log().contains("serving etcd at")
    });
    let joined = case.agent(&["--hostname", "b", "--seeds", &client]);
    eventually("a and b exchange exports", || {
        holds(&case, "a", "b", "v1 of b\n") && holds(&case, "b", "a", "v1 of a\n")
    });
    assert!(case.path("state/etcd/member").is_dir());
    let (code, log) = joined.stop();
    assert_eq!(code, Some(0), "{log}");
    let (code, log) = server.stop();
    assert_eq!(code, Some(0), "{log}");
    // The served etcd stopped with its agent.
    let left = std::process::Command::new("pgrep")
        .args(["-f", &format!("data-dir {state}/etcd")])
        .output()
        .expect("pgrep runs");
    assert!(
        left.stdout.is_empty(),
        "etcd still runs: {}",
        text(&left.stdout)
    );
}

#[test]
fn a_three_member_etcd_losing_its_leader_keeps_the_hosts_converging() {
    if !etcd::available() {
        return;
    }
    let mut etcd = etcd::EtcdCluster::start();
    let case = Case::new(PROGRAM);
    let seeds = etcd.client_urls.join(",");
    let agents: Vec<Agent> = ["a", "b"]
        .iter()
        .map(|host| {
            std::fs::write(
                case.path(&format!("input-{host}")),
                format!("v1 of {host}\n"),
            )
            .expect("input written");
            case.agent(&["--hostname", host, "--seeds", &seeds])
        })
        .collect();
    eventually("a and b exchange exports", || {
        holds(&case, "a", "b", "v1 of b\n") && holds(&case, "b", "a", "v1 of a\n")
    });
    let leader = etcd.leader().expect("a leader");
    etcd.kill(leader);
    std::fs::write(case.path("input-a"), "after the leader left\n").expect("input changed");
    eventually("b holds the change made after the leader was lost", || {
        holds(&case, "b", "a", "after the leader left\n")
    });
    let stored = etcd
        .get("/_mgmt/exports/a/")
        .expect("the rest of the cluster answers");
    assert!(stored.contains("after the leader left"), "{stored}");
    stop_all(agents);
}

#[test]
fn a_schedule_chooses_the_first_volunteer_and_the_next_when_it_dies() {
    if !etcd::available() {
        return;
    }
    let etcd = Etcd::start();
    let case = Case::new(
        r#"import "fmt"
import "world"

schedule "db" {
	max => 1,
}
$chosen = world.schedule("db")
$mine = len($chosen) == 1 and $chosen[0] == $hostname
file "@/${hostname}-sees" {
	content => fmt.printf("%d\n", len($chosen)),
}
file "@/${hostname}-chosen" {
	state => if $mine { "exists" } else { "absent" },
}
"#,
    );
    let args = |host: &'static str| {
        [
            "--hostname",
            host,
            "--seeds",
            &etcd.client_url,
            "--export-ttl",
            "2",
        ]
        .map(str::to_owned)
    };
    let first_args = args("a");
    let first = case.agent(&first_args.iter().map(String::as_str).collect::<Vec<_>>());
    eventually("a is chosen", || case.path("a-chosen").exists());
    let second_args = args("b");
    let second = case.agent(&second_args.iter().map(String::as_str).collect::<Vec<_>>());
    eventually("b sees the one chosen host", || {
        case.read("b-sees") == "1\n"
    });
    assert!(!case.path("b-chosen").exists());
    first.signal("KILL");
    eventually("b is chosen once a's lease ran out", || {
        case.path("b-chosen").exists()
    });
    let (code, log) = second.stop();
    assert_eq!(code, Some(0), "{log}");
}

#[test]
fn a_schedule_ttl_drops_a_dead_volunteer_without_an_export_ttl() {
    if !etcd::available() {
        return;
    }
    let etcd = Etcd::start();
    let case = Case::new(
        r#"import "world"

schedule "db" {
	strategy => "rr",
	max => 1,
	ttl => 2,
}
$chosen = world.schedule("db")
file "@/${hostname}-chosen" {
	state => if len($chosen) == 1 and $chosen[0] == $hostname { "exists" } else { "absent" },
}
"#,
    );
    let first = case.agent(&["--hostname", "a", "--seeds", &etcd.client_url]);
    eventually("a is chosen", || case.path("a-chosen").exists());
    let second = case.agent(&["--hostname", "b", "--seeds", &etcd.client_url]);
    // b waits behind a: renewed, a's place outlives the TTL.
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert!(case.path("a-chosen").exists() && !case.path("b-chosen").exists());
    first.signal("KILL");
    eventually("b is chosen once a's volunteer lease ran out", || {
        case.path("b-chosen").exists()
    });
    let (code, log) = second.stop();
    assert_eq!(code, Some(0), "{log}");
}

#[test]
fn an_export_that_does_not_fit_its_kind_is_skipped_with_a_warning_naming_its_host() {
    if !etcd::available() {
        return;
    }
    let etcd = Etcd::start();
    let case = Case::new("import \"world/collect\"\n\ncollect file collect.res(\"file\") {}\n");
    let good = case.path("good");
    let bad = case.path("bad");
    // Host z runs another program: one of its exports has a number where
    // `content` takes a string.
    etcd.put(
        &format!("/_mgmt/exports/z/file/{}", good.display()),
        r#"{"to":["*"],"params":{"content":"good\n"}}"#,
    );
    etcd.put(
        &format!("/_mgmt/exports/z/file/{}", bad.display()),
        r#"{"to":["*"],"params":{"content":5}}"#,
    );
    let agent = case.agent(&["--hostname", "a", "--seeds", &etcd.client_url]);
    eventually("the export that fits is written", || {
        case.read("good") == "good\n"
    });
    eventually("the other is skipped, naming its host and field", || {
        let log = agent.log();
        log.contains("W0401") && log.contains("exported by host `z`") && log.contains("`content`")
    });
    assert!(!bad.exists());
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
}
