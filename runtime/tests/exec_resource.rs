//! The `exec` resource against real processes: when it runs, what it sends,
//! its guards, timeouts, watch commands and file watches, credentials, and
//! that no child outlives it.

use mgmt_runtime::resource::{
    ApplyContext, Outcome, Resource, ResourceError, ShowDiff, WatchEvents,
};
use mgmt_runtime::services::Services;
use mgmt_runtime::spec::ResourceSpec;
use serde_json::{json, Value as Json};
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::mpsc;

const APPLY: ApplyContext = context(true, false);
const REFRESH: ApplyContext = context(true, true);
const NOOP: ApplyContext = context(false, false);

const fn context(apply: bool, refresh: bool) -> ApplyContext {
    ApplyContext {
        apply,
        refresh,
        show_diff: ShowDiff::Auto,
    }
}

/// The message of a failed check/apply.
fn failure(outcome: Result<Outcome, ResourceError>) -> String {
    match outcome {
        Err(ResourceError::Failed(message)) => message,
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn exec(name: &str, params: Json) -> Box<dyn Resource> {
    try_exec(name, params).expect("a valid exec")
}

/// Each resource gets services of its own, as if it ran in an engine of its
/// own: no test's children are registered where another test kills them.
fn try_exec(name: &str, params: Json) -> Result<Box<dyn Resource>, ResourceError> {
    try_exec_in(name, params, &Services::new())
}

fn try_exec_in(
    name: &str,
    params: Json,
    services: &Services,
) -> Result<Box<dyn Resource>, ResourceError> {
    let params = params.as_object().expect("params are an object").clone();
    services.build(&ResourceSpec::new(
        "exec",
        name,
        params.into_iter().collect(),
        "test.mcl:1:1",
    ))
}

/// What a fresh exec prints when it runs.
fn stdout_of(name: &str, params: Json) -> String {
    let mut resource = exec(name, params);
    assert!(changed(resource.check_apply(APPLY)));
    sent(&*resource, "stdout")
}

fn sent(resource: &dyn Resource, name: &str) -> String {
    resource.sent()[name].as_str().expect("a str").to_owned()
}

fn changed(outcome: Result<Outcome, ResourceError>) -> bool {
    match outcome.expect("check/apply works") {
        Outcome::Changed(_) => true,
        Outcome::Correct => false,
        Outcome::WouldChange(what) => panic!("unexpected noop outcome: {what}"),
    }
}

/// Lines in `path`: how many times a command appended to it.
fn runs(path: &Path) -> usize {
    fs::read_to_string(path).map_or(0, |text| text.lines().count())
}

/// The processes of group `group` that are alive (not zombies).
fn live_members(group: i32) -> Vec<i32> {
    let mut members = Vec::new();
    for entry in fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp ...; comm may contain spaces.
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        if fields.get(2) == Some(&group.to_string().as_str()) && fields.first() != Some(&"Z") {
            members.push(pid);
        }
    }
    members
}

/// Asks `probe` until it answers, for at most 5 s.
fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(answer) = probe() {
            return answer;
        }
        assert!(Instant::now() < deadline, "{what}: not in time");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Waits until no process of `group` is alive.
fn assert_gone(group: i32) {
    eventually(&format!("group {group} gone"), || {
        live_members(group).is_empty().then_some(())
    });
}

fn read_pid(path: &Path) -> i32 {
    eventually("a pid", || {
        fs::read_to_string(path).ok()?.trim().parse().ok()
    })
}

#[test]
fn runs_once_then_on_each_refresh_and_sends_its_output() {
    let directory = tempfile::tempdir().unwrap();
    let log = directory.path().join("log");
    let mut resource = exec(
        "greet",
        json!({
            // Pauses make the reading order the writing order.
            "cmd": format!(
                "echo out; sleep 0.05; echo err >&2; sleep 0.05; echo again; echo run >> {}",
                log.display()
            ),
            "shell": "/bin/sh",
        }),
    );
    assert!(resource.sent().is_empty());
    assert!(changed(resource.check_apply(APPLY)));
    assert_eq!(sent(&*resource, "stdout"), "out\nagain\n");
    assert_eq!(sent(&*resource, "stderr"), "err\n");
    assert_eq!(sent(&*resource, "output"), "out\nerr\nagain\n");

    assert!(!changed(resource.check_apply(APPLY)), "already ran");
    assert_eq!(runs(&log), 1);
    assert!(changed(resource.check_apply(REFRESH)));
    assert!(!changed(resource.check_apply(APPLY)));
    assert_eq!(runs(&log), 2);
}

#[test]
fn without_a_shell_the_command_is_split_and_args_are_passed_verbatim() {
    assert_eq!(stdout_of("echo  one   two", json!({})), "one two\n");
    let args = json!({"args": ["[%s]", "a b", "$HOME", "'quoted'"]});
    assert_eq!(stdout_of("printf", args), "[a b][$HOME]['quoted']");
    let shell = json!({"cmd": "echo $((6 * 7)) | tr 4 X", "shell": "/bin/sh"});
    assert_eq!(stdout_of("arithmetic", shell), "X2\n");

    let invalid = try_exec(
        "x",
        json!({"cmd": "printf", "args": ["a"], "shell": "/bin/sh"}),
    );
    assert!(matches!(invalid, Err(ResourceError::Invalid(_))));
}

#[test]
fn cwd_and_env_shape_the_child() {
    let directory = tempfile::tempdir().unwrap();
    let cwd = json!({"cwd": directory.path().display().to_string()});
    let canonical = directory.path().canonicalize().unwrap();
    assert_eq!(stdout_of("pwd", cwd), format!("{}\n", canonical.display()));

    // Exactly the map, as upstream: nothing is inherited from the agent.
    let show = json!({
        "cmd": "echo \"$GREETING:${HOME-unset}\"",
        "shell": "/bin/sh",
        "env": {"GREETING": "hi there"},
    });
    assert_eq!(stdout_of("show", show), "hi there:unset\n");
    assert_eq!(stdout_of("env", json!({})), "");
}

#[test]
fn ifcmd_nifcmd_ifequals_and_creates_decide_each_time() {
    let directory = tempfile::tempdir().unwrap();
    let log = directory.path().join("log");
    let append = format!("echo run >> {}", log.display());
    let guarded = |guards: Json| {
        let mut params = json!({"cmd": append, "shell": "/bin/sh"});
        for (key, value) in guards.as_object().unwrap() {
            params[key] = value.clone();
        }
        exec("guarded", params)
    };

    let once = |guards: Json| changed(guarded(guards).check_apply(APPLY));
    assert!(!once(json!({"ifcmd": "false"})));
    assert!(!once(json!({"nifcmd": "true"})));
    assert!(!once(json!({"ifcmd": "echo yes", "ifequals": "yes\n"})));
    assert_eq!(runs(&log), 0);

    let mut allowed = guarded(json!({"ifcmd": "true", "nifcmd": "false"}));
    assert!(changed(allowed.check_apply(APPLY)));
    assert!(changed(allowed.check_apply(APPLY)), "asked every time");
    assert!(once(json!({"ifcmd": "echo yes", "ifequals": "no"})));
    assert_eq!(runs(&log), 3);

    let marker = directory.path().join("made");
    let mut creates = exec(
        "make",
        json!({
            "cmd": format!("touch {}", marker.display()),
            "creates": marker.display().to_string(),
        }),
    );
    assert!(changed(creates.check_apply(APPLY)));
    assert!(marker.exists());
    assert!(!changed(creates.check_apply(REFRESH)), "even on refresh");

    // Guards run in noop mode; the command does not.
    let mut noop = guarded(json!({"ifcmd": "true"}));
    assert!(matches!(
        noop.check_apply(NOOP),
        Ok(Outcome::WouldChange(_))
    ));
    let mut blocked = guarded(json!({"ifcmd": "false"}));
    assert_eq!(blocked.check_apply(NOOP), Ok(Outcome::Correct));
    assert_eq!(runs(&log), 3);
}

#[test]
fn noop_mode_does_not_run_the_command() {
    let directory = tempfile::tempdir().unwrap();
    let marker = directory.path().join("marker");
    let mut resource = exec(&format!("touch {}", marker.display()), json!({}));
    let outcome = resource.check_apply(NOOP).unwrap();
    assert_eq!(
        outcome,
        Outcome::WouldChange(format!("would run `touch {}`", marker.display()))
    );
    assert!(!marker.exists());
    assert!(resource.sent().is_empty());
    let again = resource.check_apply(NOOP);
    assert!(matches!(again, Ok(Outcome::WouldChange(_))));
}

#[test]
fn a_non_zero_exit_fails_with_the_end_of_stderr_and_runs_again() {
    let directory = tempfile::tempdir().unwrap();
    let log = directory.path().join("log");
    let command = format!(
        "echo run >> {}; echo noise; echo doomed >&2; exit 3",
        log.display()
    );
    let mut resource = exec("fail", json!({"cmd": command, "shell": "/bin/sh"}));
    let message = failure(resource.check_apply(APPLY));
    assert_eq!(message, format!("`{command}` exited with status 3: doomed"));
    // A failed run is retried until one succeeds.
    assert!(resource.check_apply(APPLY).is_err());
    assert_eq!(runs(&log), 2);

    let mut missing = exec("no-such-program-anywhere", json!({}));
    let message = failure(missing.check_apply(APPLY));
    assert!(message.contains("not in PATH"), "{message}");
}

#[test]
fn donecmd_runs_only_after_success() {
    let directory = tempfile::tempdir().unwrap();
    let done = directory.path().join("done");
    let with = |cmd: &str| {
        exec(
            "with-done",
            json!({"cmd": cmd, "donecmd": format!("touch {}", done.display())}),
        )
    };
    assert!(with("false").check_apply(APPLY).is_err());
    assert!(!done.exists());
    assert!(changed(with("true").check_apply(APPLY)));
    assert!(done.exists());

    let mut failing_done = exec("true", json!({"donecmd": "false"}));
    let message = failure(failing_done.check_apply(APPLY));
    assert_eq!(message, "`false` exited with status 1");
}

#[test]
fn a_timeout_kills_the_whole_process_group() {
    let directory = tempfile::tempdir().unwrap();
    let pid_file = directory.path().join("pid");
    let command = format!(
        "echo $$ > {}; sleep 30 & sleep 30; wait",
        pid_file.display()
    );
    let mut resource = exec(
        "slow",
        json!({"cmd": command, "shell": "/bin/sh", "timeout": 1}),
    );
    let started = Instant::now();
    let message = failure(resource.check_apply(APPLY));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        message,
        format!("`{command}` timed out after 1 s; its process group was killed")
    );
    let group = read_pid(&pid_file);
    assert_gone(group);
}

#[test]
fn mtimes_force_a_run_when_a_file_is_newer() {
    let directory = tempfile::tempdir().unwrap();
    let source = directory.path().join("source");
    fs::write(&source, "v1").unwrap();
    let log = directory.path().join("log");
    let mut resource = exec(
        "build",
        json!({
            "cmd": format!("echo run >> {}", log.display()),
            "shell": "/bin/sh",
            "ifcmd": "false",
            "mtimes": [source.display().to_string()],
        }),
    );
    assert!(changed(resource.check_apply(APPLY)), "never ran: forced");
    assert!(!changed(resource.check_apply(APPLY)), "ifcmd blocks again");
    let file = fs::File::options().write(true).open(&source).unwrap();
    file.set_modified(SystemTime::now() + Duration::from_secs(60))
        .unwrap();
    assert!(changed(resource.check_apply(APPLY)), "a newer file");
    assert_eq!(runs(&log), 2);
}

#[test]
fn a_received_command_runs() {
    let mut resource = exec("echo first", json!({}));
    assert!(changed(resource.check_apply(APPLY)));
    resource.receive("cmd", json!("echo second")).unwrap();
    assert!(changed(resource.check_apply(APPLY)));
    assert_eq!(sent(&*resource, "stdout"), "second\n");
    resource.receive("cmd", json!("echo second")).unwrap();
    assert!(!changed(resource.check_apply(APPLY)), "the same value");
    assert!(resource.receive("nosuchfield", json!("x")).is_err());
}

#[test]
fn user_and_group_change_who_runs_the_commands() {
    if !nix::unistd::geteuid().is_root() {
        let invalid = try_exec("id -u", json!({"user": "nobody"}));
        assert!(matches!(invalid, Err(ResourceError::Invalid(_))));
        return;
    }
    let nobody = nix::unistd::User::from_name("nobody")
        .unwrap()
        .expect("a nobody user");
    let ids = json!({"cmd": "id -u; id -g; id -G", "shell": "/bin/sh", "user": "nobody"});
    let (uid, gid) = (nobody.uid.as_raw(), nobody.gid.as_raw());
    assert_eq!(stdout_of("ids", ids), format!("{uid}\n{gid}\n{gid}\n"));
    let group = json!({"group": "0", "user": "nobody"});
    assert_eq!(stdout_of("id -g", group), "0\n");

    let mut unknown = exec("id", json!({"user": "no-such-user-here"}));
    let message = failure(unknown.check_apply(APPLY));
    assert!(message.contains("no-such-user-here"), "{message}");
}

/// Whether the watch sent an event (`false`: it ended); fails after 5 s.
fn next_event(received: &mut mpsc::UnboundedReceiver<()>) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match received.try_recv() {
            Ok(()) => return true,
            Err(mpsc::error::TryRecvError::Disconnected) => return false,
            Err(mpsc::error::TryRecvError::Empty) => {
                assert!(Instant::now() < deadline, "no event in time");
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

#[test]
fn watchcmd_lines_are_events_and_the_command_dies_with_the_guard() {
    let directory = tempfile::tempdir().unwrap();
    let pid_file = directory.path().join("pid");
    let watch = "echo $$ > {}; while true; do echo tick; sleep 0.05; done";
    let mut resource = exec(
        "true",
        json!({
            "watchcmd": watch.replace("{}", &pid_file.display().to_string()),
            "watchshell": "/bin/sh",
        }),
    );
    assert!(changed(resource.check_apply(APPLY)), "the first run");
    let (events, mut received) = WatchEvents::channel();
    let guard = resource.watch(events).unwrap().expect("a watch");
    for _ in 0..3 {
        assert!(next_event(&mut received), "an event per line");
    }
    assert!(changed(resource.check_apply(APPLY)), "events make it run");
    let group = read_pid(&pid_file);
    assert!(!live_members(group).is_empty());
    drop(guard);
    assert_gone(group);
}

#[test]
fn a_watchcmd_that_exits_ends_the_watch() {
    let watch = json!({"watchcmd": "printf 'one\\n\\ntwo\\n'", "watchshell": "/bin/sh"});
    let resource = exec("true", watch);
    let (events, mut received) = WatchEvents::channel();
    let _guard = resource.watch(events).unwrap().expect("a watch");
    let mut count = 0;
    while next_event(&mut received) {
        count += 1;
    }
    assert_eq!(count, 2, "one event per non-empty line");
}

#[test]
fn creates_is_watched_even_below_missing_directories() {
    let directory = tempfile::tempdir().unwrap();
    let marker = directory.path().join("sub").join("done");
    let mut resource = exec("true", json!({"creates": marker.display().to_string()}));
    let (events, mut received) = WatchEvents::channel();
    let _guard = resource.watch(events).unwrap().expect("a watch");
    std::thread::sleep(Duration::from_millis(100));
    fs::create_dir(directory.path().join("sub")).unwrap();
    assert!(next_event(&mut received));
    // Let the watch move down into `sub`, then drop what is queued.
    std::thread::sleep(Duration::from_millis(200));
    while received.try_recv().is_ok() {}
    fs::write(&marker, "").unwrap();
    assert!(next_event(&mut received));
    assert_eq!(resource.check_apply(APPLY), Ok(Outcome::Correct));
}

#[test]
fn killing_an_engines_commands_ends_its_children_and_no_others() {
    let directory = tempfile::tempdir().unwrap();
    let long = |pid_file: &Path| {
        let command = format!("echo $$ > {}; sleep 30", pid_file.display());
        json!({"cmd": command, "shell": "/bin/sh"})
    };
    let (mine, theirs) = (Services::new(), Services::new());
    let (pid_file, other_pid_file) = (directory.path().join("pid"), directory.path().join("other"));
    let mut resource = try_exec_in("long", long(&pid_file), &mine).expect("a valid exec");
    let mut other = try_exec_in("other", long(&other_pid_file), &theirs).expect("a valid exec");
    let running = std::thread::spawn(move || resource.check_apply(APPLY));
    let other_running = std::thread::spawn(move || other.check_apply(APPLY));
    let group = read_pid(&pid_file);
    let other_group = read_pid(&other_pid_file);
    mine.commands.kill_all();
    let message = failure(running.join().unwrap());
    assert!(message.contains("signal 9 (SIGKILL)"), "{message}");
    assert_gone(group);
    // The other engine's command still runs, until its own engine kills it.
    assert_eq!(theirs.commands.count(), 1);
    assert!(Path::new(&format!("/proc/{other_group}")).exists());
    theirs.commands.kill_all();
    let message = failure(other_running.join().unwrap());
    assert!(message.contains("signal 9 (SIGKILL)"), "{message}");
    assert_gone(other_group);
}
