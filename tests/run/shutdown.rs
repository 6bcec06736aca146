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
