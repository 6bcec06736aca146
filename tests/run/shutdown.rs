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

/// With the agent SIGKILLed, its running commands die, and so does what
/// they started in the background (`sleep 300 &`); what a command that
/// had finished left in the background (a daemon it started) lives on.
#[test]
fn commands_die_with_an_agent_that_is_killed() {
    let case = Case::new(
        "exec \"long\" {\n\tcmd => \"echo $$ > @/pid; exec sleep 300\",\n\tshell => \"/bin/sh\",\n}\n\
         exec \"watched\" {\n\tcmd => \"true\",\n\twatchcmd => \"echo $$ > @/watch.pid; exec sleep 300\",\n\twatchshell => \"/bin/sh\",\n}\n\
         exec \"helper\" {\n\tcmd => \"sleep 300 & echo $! > @/background.pid; wait\",\n\tshell => \"/bin/sh\",\n}\n\
         exec \"daemon\" {\n\tcmd => \"sleep 300 > /dev/null 2>&1 & echo $! > @/daemon.pid\",\n\tshell => \"/bin/sh\",\n}\n",
    );
    let agent = case.agent(&[]);
    eventually("the commands run", || {
        ["pid", "watch.pid", "background.pid", "daemon.pid"]
            .iter()
            .all(|name| !case.read(name).trim().is_empty())
    });
    let daemon: i32 = case.read("daemon.pid").trim().parse().expect("a pid");
    let pids: Vec<i32> = ["pid", "watch.pid", "background.pid"]
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
    let daemon_lives = Path::new(&format!("/proc/{daemon}")).exists();
    let _ = std::process::Command::new("kill")
        .arg(daemon.to_string())
        .status();
    assert!(
        daemon_lives,
        "a finished command's background process is left alone"
    );
}
