//! Shutdown with a command that does not finish: after the grace period
//! the agent kills its process group, names the resource and exits 3.

use super::support::*;
use std::path::Path;

#[test]
fn a_stuck_command_is_killed_after_the_shutdown_grace_and_named() {
    let case = Case::new(
        "exec \"stuck\" {\n\tcmd => \"trap '' TERM; echo $$ > @/pid; exec sleep 300\",\n\tshell => \"/bin/sh\",\n}\n",
    );
    let agent = case.agent(&["--shutdown-grace", "1"]);
    eventually("the command runs", || !case.read("pid").trim().is_empty());
    let group: i32 = case.read("pid").trim().parse().expect("a pid");
    let (code, log) = agent.stop();
    assert_eq!(code, Some(3), "{log}");
    assert!(
        log.contains("waiting for 1 running resource(s) to finish: exec[stuck]"),
        "{log}"
    );
    assert!(
        log.contains("shutdown grace of 1 s is over: killed the commands of exec[stuck]"),
        "{log}"
    );
    assert!(
        log.contains("stopped after killing the commands of exec[stuck]"),
        "{log}"
    );
    eventually("the command is gone", || {
        !Path::new(&format!("/proc/{group}")).exists()
            || std::fs::read_to_string(format!("/proc/{group}/stat"))
                .is_ok_and(|stat| stat.contains(") Z "))
    });
}

#[test]
fn commands_die_with_an_agent_that_is_killed() {
    let case = Case::new(
        "exec \"long\" {\n\tcmd => \"echo $$ > @/pid; exec sleep 300\",\n\tshell => \"/bin/sh\",\n}\n\
         exec \"watched\" {\n\tcmd => \"true\",\n\twatchcmd => \"echo $$ > @/watch.pid; exec sleep 300\",\n\twatchshell => \"/bin/sh\",\n}\n",
    );
    let agent = case.agent(&[]);
    eventually("both commands run", || {
        !case.read("pid").trim().is_empty() && !case.read("watch.pid").trim().is_empty()
    });
    let pids: Vec<i32> = ["pid", "watch.pid"]
        .iter()
        .map(|name| case.read(name).trim().parse().expect("a pid"))
        .collect();
    agent.signal("KILL");
    eventually("the commands are gone with the agent", || {
        pids.iter().all(|pid| {
            !Path::new(&format!("/proc/{pid}")).exists()
                || std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .is_ok_and(|stat| stat.contains(") Z "))
        })
    });
}
