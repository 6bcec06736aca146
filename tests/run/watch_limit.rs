//! Past the inotify watch limit: said once with the fix, the files whose
//! paths could not be watched are polled and repaired, and the end of the
//! run counts them. The limit is lowered in a user namespace of the test's
//! own (`/proc/sys/user/max_inotify_watches`), never on the machine.

use super::support::*;

/// Runs the agent in a new user namespace allowing 20 inotify watches.
const LIMITED: &str = "exec unshare --user --map-root-user /bin/sh -c \
    'echo 20 > /proc/sys/user/max_inotify_watches && exec \"$@\"' sh \"$@\"";

#[test]
fn files_past_the_watch_limit_are_polled_and_repaired() {
    let program: String = (0..30)
        .map(|index| {
            format!(
                "file \"@/d{index}/\" {{\n\tstate => \"exists\",\n}}\n\
                 file \"@/d{index}/f\" {{\n\tcontent => \"wanted\\n\",\n}}\n"
            )
        })
        .collect();
    let case = Case::new(&program);
    let agent = case.agent_after(LIMITED, &["--watch-fallback-poll", "1"]);
    eventually("all files are written", || {
        (0..30).all(|index| case.read(&format!("d{index}/f")) == "wanted\n")
    });
    eventually("the limit is reported", || {
        agent.log().contains("watch limit")
    });
    // All of them: at least 10 are in directories that could not be watched.
    for index in 0..30 {
        std::fs::remove_file(case.path(&format!("d{index}/f"))).expect("removed");
    }
    eventually("every removed file is back", || {
        (0..30).all(|index| case.read(&format!("d{index}/f")) == "wanted\n")
    });
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
    assert_eq!(log.matches("cannot watch").count(), 1, "said once:\n{log}");
    assert!(
        log.contains("max_inotify_watches") && log.contains("--watch-fallback-poll"),
        "{log}"
    );
    assert!(log.contains("path(s) could not be watched"), "{log}");
}
