//! A resource that gave up recovers in a watching agent once its obstacle
//! is gone; the resources waiting behind it are named; an agent stopped
//! with something still failed says so in its exit status.

use super::support::*;
use std::os::unix::fs::symlink;

/// A file whose path holds a planted symlink (refused without `force`),
/// and a file that depends on it.
const PROGRAM: &str = "file \"@/managed\" {\n\tcontent => \"wanted\\n\",\n}\n\
file \"@/after\" {\n\tcontent => \"after\\n\",\n\tDepend => File[\"@/managed\"],\n}\n";

fn planted() -> Case {
    let case = Case::new(PROGRAM);
    std::fs::write(case.path("victim"), "victim\n").expect("victim written");
    symlink(case.path("victim"), case.path("managed")).expect("symlink planted");
    case
}

#[test]
fn a_failed_resource_is_tried_again_when_its_watch_sees_the_obstacle_go() {
    let case = planted();
    let agent = case.agent(&[]);
    let managed = case.path("managed").display().to_string();
    eventually("it gives up and names who waits", || {
        agent.log().contains(&format!(
            "file[{}]: waiting for file[{managed}], which failed",
            case.path("after").display()
        ))
    });
    assert!(agent
        .log()
        .contains("giving up until its watch sees a change"));
    assert!(!case.path("after").exists());

    std::fs::remove_file(case.path("managed")).expect("symlink removed");
    eventually("the file is written once the symlink is gone", || {
        case.read("managed") == "wanted\n"
    });
    eventually("what waited for it runs", || {
        case.read("after") == "after\n"
    });
    assert_eq!(case.read("victim"), "victim\n");
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
}

#[test]
fn stopping_with_a_resource_still_failed_exits_3_and_names_it() {
    let case = planted();
    let agent = case.agent(&[]);
    eventually("it gives up", || agent.log().contains("giving up"));
    let (code, log) = agent.stop();
    assert_eq!(code, Some(3), "{log}");
    assert!(
        log.contains(&format!(
            "stopped with these resources left failed: file[{}]",
            case.path("managed").display()
        )),
        "{log}"
    );
    assert_eq!(case.read("victim"), "victim\n");
}

#[test]
fn a_failed_resource_without_a_watch_is_tried_again_on_its_backoff_timer() {
    let case = Case::new(
        "exec \"gated\" {\n\tcmd => \"test -e @/ready && touch @/done\",\n\tshell => \"/bin/sh\",\n}\n",
    );
    let agent = case.agent(&[]);
    eventually("it gives up", || agent.log().contains("recheck in 10 s"));
    std::fs::write(case.path("ready"), "").expect("the gate opens");
    // The first recheck is 10 s after giving up: wait for it, with room.
    let started = std::time::Instant::now();
    while !case.path("done").exists() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(40),
            "not tried again: {}",
            agent.log()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("ran `test -e"), "{log}");
}
