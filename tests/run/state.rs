//! State that outlives the agent, under its state directory (`--prefix`,
//! here `MGMT_PREFIX`): an exec with `mtimes` does not run again after a
//! restart unless a file changed, and `Meta:reverse` undoes a resource
//! that left the program while the agent was stopped.

use super::support::*;

fn lines(case: &Case, name: &str) -> usize {
    case.read(name).lines().count()
}

#[test]
fn exec_mtimes_do_not_run_again_after_a_restart_unless_a_file_changed() {
    let case = Case::new(
        "exec \"build\" {\n\tcmd => \"echo ran >> @/log\",\n\tshell => \"/bin/sh\",\n\tmtimes => [\"@/input\",],\n}\n",
    );
    std::fs::write(case.path("input"), "1\n").expect("write");
    let first = case.once(&[]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert_eq!(lines(&case, "log"), 1, "the first run runs it");

    let second = case.once(&[]);
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert_eq!(
        lines(&case, "log"),
        1,
        "nothing changed: {}",
        text(&second.stderr)
    );

    // The file system's clock is coarse: make the change clearly later.
    std::thread::sleep(std::time::Duration::from_millis(50));
    std::fs::write(case.path("input"), "2\n").expect("write");
    let third = case.once(&[]);
    assert!(third.status.success(), "{}", text(&third.stderr));
    assert_eq!(
        lines(&case, "log"),
        2,
        "input changed: {}",
        text(&third.stderr)
    );
    assert!(
        text(&third.stderr).contains("is newer than the last run"),
        "{}",
        text(&third.stderr)
    );

    // Another state directory knows nothing of those runs.
    let elsewhere = case.path("other-prefix");
    let fresh = case.once(&["--prefix", elsewhere.to_str().expect("utf-8")]);
    assert!(fresh.status.success(), "{}", text(&fresh.stderr));
    assert_eq!(lines(&case, "log"), 3);

    // One entry, owner-only, no temporary left beside it.
    let saved: Vec<_> = std::fs::read_dir(case.prefix().join("state/exec-last-run"))
        .expect("state directory")
        .flatten()
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    use std::os::unix::fs::PermissionsExt;
    let mode = saved[0].metadata().expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn reverse_undoes_a_resource_the_program_dropped_while_the_agent_was_stopped() {
    let case =
        Case::new("file \"@/motd\" {\n\tcontent => \"managed\\n\",\n\tMeta:reverse => true,\n}\n");
    std::fs::write(case.path("motd"), "original\n").expect("write");
    let managed = case.once(&[]);
    assert!(managed.status.success(), "{}", text(&managed.stderr));
    assert_eq!(case.read("motd"), "managed\n");
    // A second run must not take the managed content for the original.
    let again = case.once(&[]);
    assert!(again.status.success(), "{}", text(&again.stderr));

    // The resource leaves the program between two runs of the agent.
    std::fs::write(&case.program, "print \"other\" {\n\tmsg => \"x\",\n}\n").expect("write");
    let noop = case.once(&["--noop"]);
    assert!(noop.status.success(), "{}", text(&noop.stderr));
    assert_eq!(case.read("motd"), "managed\n", "noop changes nothing");
    let undone = case.once(&[]);
    let log = text(&undone.stderr);
    assert!(undone.status.success(), "{log}");
    assert!(log.contains("no longer in the program"), "{log}");
    assert_eq!(case.read("motd"), "original\n", "{log}");

    // Applied once: the undo is forgotten, and a later run leaves the
    // file alone when it changes again.
    std::fs::write(case.path("motd"), "edited by hand\n").expect("write");
    let later = case.once(&[]);
    assert!(later.status.success(), "{}", text(&later.stderr));
    assert_eq!(case.read("motd"), "edited by hand\n");
}
