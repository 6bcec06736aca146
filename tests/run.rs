//! `mgmt run` end to end: the real binary on real files and processes.
//! Timing is never asserted (the machines are noisy); order, content and
//! the absence of leftover processes are.

use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn mgmt() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mgmt"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A program in a fresh temp dir; `@` in the text stands for that dir.
struct Case {
    dir: tempfile::TempDir,
    program: PathBuf,
}

impl Case {
    fn new(program: &str) -> Case {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("main.mcl");
        let root = dir.path().to_str().expect("utf-8 temp dir");
        std::fs::write(&path, program.replace('@', root)).expect("program written");
        Case { dir, program: path }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    /// `mgmt run --converged-timeout 0` plus `args`, to completion.
    fn once(&self, args: &[&str]) -> Output {
        let mut command = mgmt();
        command
            .arg("run")
            .arg("--converged-timeout")
            .arg("0")
            .args(args)
            .arg(&self.program);
        run_with_deadline(command, Duration::from_secs(60))
    }

    /// `mgmt run` in the background, watching, until stopped.
    fn agent(&self, args: &[&str]) -> Agent {
        let child = mgmt()
            .arg("run")
            .args(args)
            .arg(&self.program)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("mgmt starts");
        Agent { child: Some(child) }
    }
}

fn run_with_deadline(mut command: Command, deadline: Duration) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mgmt starts");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait works").is_some() {
            return child.wait_with_output().expect("output");
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().expect("output");
            panic!(
                "mgmt did not exit within {deadline:?}:\n{}",
                text(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A running agent; stopped with SIGTERM when dropped.
struct Agent {
    child: Option<Child>,
}

impl Agent {
    fn signal(&self, signal: &str) {
        if let Some(child) = &self.child {
            let _ = Command::new("kill")
                .arg(format!("-{signal}"))
                .arg(child.id().to_string())
                .status();
        }
    }

    /// Sends SIGTERM and returns (exit code, stderr) once it exits.
    fn stop(mut self) -> (Option<i32>, String) {
        self.signal("TERM");
        let mut child = self.child.take().expect("running");
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().expect("wait works") {
                let mut stderr = String::new();
                if let Some(mut pipe) = child.stderr.take() {
                    let _ = pipe.read_to_string(&mut stderr);
                }
                return (status.code(), stderr);
            }
            if started.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                panic!("mgmt did not stop within 20 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or_default()
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Polls `check` until it holds or 10 s pass.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{what} did not happen within 10 s");
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .map(|meta| meta.permissions().mode() & 0o7777)
        .unwrap_or(0)
}

#[test]
fn a_one_shot_run_creates_files_and_a_second_changes_nothing() {
    let case = Case::new(
        "for $i, $n in [\"a\", \"b\", \"c\"] {\n\tfile \"@/${n}\" {\n\t\tcontent => \"file ${n}\\n\",\n\t\tmode => \"0640\",\n\t}\n}\n",
    );
    let first = case.once(&[]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    for name in ["a", "b", "c"] {
        assert_eq!(case.read(name), format!("file {name}\n"));
        assert_eq!(mode(&case.path(name)), 0o640);
    }
    let before = std::fs::metadata(case.path("a")).expect("stat");
    let second = case.once(&[]);
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert!(
        !text(&second.stderr).contains("replaced"),
        "{}",
        text(&second.stderr)
    );
    let after = std::fs::metadata(case.path("a")).expect("stat");
    assert_eq!(
        (before.ino(), before.mtime_nsec()),
        (after.ino(), after.mtime_nsec())
    );
}

#[test]
fn noop_reports_and_changes_nothing() {
    let case = Case::new("file \"@/x\" {\n\tcontent => \"new\\n\",\n}\n");
    std::fs::write(case.path("x"), "old\n").expect("write");
    let output = case.once(&["--noop"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let log = text(&output.stderr);
    assert!(log.contains("would change"), "{log}");
    assert!(log.contains("-old") && log.contains("+new"), "{log}");
    assert_eq!(case.read("x"), "old\n");
}

#[test]
fn drift_is_repaired_while_the_agent_runs() {
    let case = Case::new("file \"@/kept\" {\n\tcontent => \"kept\\n\",\n\tmode => \"0644\",\n}\nfile \"@/gone\" {\n\tstate => \"absent\",\n}\n");
    let agent = case.agent(&[]);
    eventually("the file is created", || case.read("kept") == "kept\n");
    std::fs::remove_file(case.path("kept")).expect("delete");
    eventually("a deleted file is recreated", || {
        case.read("kept") == "kept\n"
    });
    std::fs::write(case.path("kept"), "tampered\n").expect("overwrite");
    eventually("an overwritten file is restored", || {
        case.read("kept") == "kept\n"
    });
    std::fs::set_permissions(case.path("kept"), std::fs::Permissions::from_mode(0o600))
        .expect("chmod");
    eventually("a chmod is reverted", || mode(&case.path("kept")) == 0o644);
    std::fs::write(case.path("gone"), "unwanted").expect("create");
    eventually("an unwanted file is removed", || {
        !case.path("gone").exists()
    });
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
}

#[test]
fn a_failing_resource_names_its_location_and_blocks_only_its_dependants() {
    let case = Case::new(
        "file \"@/missing/dir/x\" {\n\tcontent => \"x\",\n}\nfile \"@/after\" {\n\tcontent => \"after\",\n\tDepend => File[\"@/missing/dir/x\"],\n}\nfile \"@/independent\" {\n\tcontent => \"independent\",\n}\n",
    );
    let output = case.once(&[]);
    assert_eq!(output.status.code(), Some(3));
    let log = text(&output.stderr);
    assert!(log.contains("main.mcl:1:1"), "{log}");
    assert!(log.contains("does not exist"), "{log}");
    assert_eq!(case.read("independent"), "independent");
    assert!(!case.path("after").exists());
}

#[test]
fn a_program_error_exits_1_before_anything_changes() {
    let case = Case::new("file \"@/x\" {\n\tcontent => 42,\n}\n");
    let output = case.once(&[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("E0301"));
    assert!(!case.path("x").exists());
}

#[test]
fn a_changed_input_swaps_only_the_changed_resource() {
    let case = Case::new(
        "import \"os\"\n$input = os.readfile(\"@/input\") <|> \"none\"\nfile \"@/copy\" {\n\tcontent => $input,\n}\nfile \"@/steady\" {\n\tcontent => \"steady\",\n}\n",
    );
    std::fs::write(case.path("input"), "one").expect("write");
    let agent = case.agent(&["-v"]);
    eventually("the copy is made", || case.read("copy") == "one");
    let steady = std::fs::metadata(case.path("steady")).expect("stat").ino();
    std::fs::write(case.path("input"), "two").expect("write");
    eventually("the copy follows its input", || case.read("copy") == "two");
    assert_eq!(
        std::fs::metadata(case.path("steady")).expect("stat").ino(),
        steady
    );
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(
        log.contains("file[") && log.contains("changed, replacing it"),
        "{log}"
    );
    assert!(!log.contains("steady]: changed"), "{log}");
}

#[test]
fn sigint_stops_the_agent_and_a_second_signal_is_not_needed() {
    let case = Case::new("file \"@/x\" {\n\tcontent => \"x\",\n}\n");
    let agent = case.agent(&[]);
    eventually("the file is created", || case.read("x") == "x");
    let pid = agent.pid();
    agent.signal("INT");
    let (code, log) = agent.stop();
    assert!(matches!(code, Some(0) | Some(130)), "{log}");
    assert!(!Path::new(&format!("/proc/{pid}")).exists());
}

/// Lines of a log file that commands append to.
fn lines(case: &Case, name: &str) -> Vec<String> {
    case.read(name).lines().map(str::to_owned).collect()
}

#[test]
fn dependencies_order_commands_and_independent_ones_overlap() {
    // Each step logs its start and end; the chain must be strictly ordered,
    // and the independent command must start before the chain has ended.
    let step = |name: &str| {
        format!("exec \"{name}\" {{\n\tcmd => \"echo start {name} >> @/log; sleep 0.3; echo end {name} >> @/log\",\n\tshell => \"/bin/sh\",\n")
    };
    let program = format!(
        "{}\tBefore => Exec[\"b\"],\n}}\n{}\tBefore => Exec[\"c\"],\n}}\n{}}}\n{}}}\n",
        step("a"),
        step("b"),
        step("c"),
        step("free")
    );
    let case = Case::new(&program);
    let output = case.once(&[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let log = lines(&case, "log");
    let position = |line: &str| {
        log.iter()
            .position(|entry| entry == line)
            .unwrap_or_else(|| panic!("{line} in {log:?}"))
    };
    assert!(position("end a") < position("start b"), "{log:?}");
    assert!(position("end b") < position("start c"), "{log:?}");
    assert!(position("start free") < position("end c"), "{log:?}");
}

#[test]
fn notify_refreshes_a_command_when_a_file_changes() {
    let case = Case::new(
        "file \"@/config\" {\n\tcontent => \"v1\\n\",\n\tNotify => Exec[\"reload\"],\n}\nexec \"reload\" {\n\tcmd => \"cat @/config >> @/reloads\",\n\tshell => \"/bin/sh\",\n}\n",
    );
    let agent = case.agent(&[]);
    eventually("the first run", || lines(&case, "reloads") == ["v1"]);
    std::fs::write(case.path("config"), "tampered\n").expect("overwrite");
    // The file is repaired, which is a change, which refreshes the command.
    eventually("a refresh after the repair", || {
        lines(&case, "reloads").len() == 2
    });
    assert_eq!(lines(&case, "reloads"), ["v1", "v1"]);
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
}

#[test]
fn send_recv_puts_command_output_into_a_file() {
    let case = Case::new(
        "exec \"producer\" {\n\tcmd => \"echo produced at run time\",\n\tshell => \"/bin/sh\",\n}\nfile \"@/received\" {\n\tstate => \"exists\",\n}\nExec[\"producer\"].stdout -> File[\"@/received\"].content\n",
    );
    let output = case.once(&[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(case.read("received"), "produced at run time\n");
}

#[test]
fn retries_with_a_delay_until_the_command_succeeds() {
    // Fails twice (counting in a file), then succeeds; three retries allowed.
    let case = Case::new(
        "exec \"flaky\" {\n\tcmd => \"echo x >> @/tries; test $(wc -l < @/tries) -ge 3\",\n\tshell => \"/bin/sh\",\n\tMeta:retry => 3,\n\tMeta:delay => 50,\n}\nfile \"@/after\" {\n\tcontent => \"ran after success\",\n\tDepend => Exec[\"flaky\"],\n}\n",
    );
    let output = case.once(&[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(lines(&case, "tries").len(), 3);
    assert_eq!(case.read("after"), "ran after success");
    assert!(
        text(&output.stderr).contains("retrying"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_command_that_keeps_failing_gives_up_and_exits_3() {
    let case = Case::new("exec \"broken\" {\n\tcmd => \"echo nope >&2; exit 4\",\n\tshell => \"/bin/sh\",\n\tMeta:retry => 1,\n}\n");
    let output = case.once(&[]);
    assert_eq!(output.status.code(), Some(3));
    let log = text(&output.stderr);
    assert!(log.contains("status 4") && log.contains("nope"), "{log}");
    assert!(log.contains("main.mcl:1:1"), "{log}");
}

#[test]
fn a_semaphore_keeps_commands_from_overlapping() {
    let mut program = String::new();
    for name in ["a", "b", "c", "d"] {
        program.push_str(&format!(
            "exec \"{name}\" {{\n\tcmd => \"echo start >> @/log; sleep 0.1; echo end >> @/log\",\n\tshell => \"/bin/sh\",\n\tMeta:sema => [\"lock:1\"],\n}}\n"
        ));
    }
    let case = Case::new(&program);
    let output = case.once(&[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let log = lines(&case, "log");
    assert_eq!(log.len(), 8, "{log:?}");
    for pair in log.chunks(2) {
        assert_eq!(pair, ["start", "end"], "{log:?}");
    }
}

#[test]
fn noop_runs_no_command() {
    let case = Case::new("exec \"touch\" {\n\tcmd => \"/usr/bin/touch @/touched\",\n}\n");
    let output = case.once(&["--noop"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("would run"));
    assert!(!case.path("touched").exists());
}

#[test]
fn no_process_outlives_the_agent() {
    let case = Case::new(
        "exec \"watcher\" {\n\tcmd => \"/bin/true\",\n\twatchcmd => \"while true; do sleep 0.2; done\",\n\twatchshell => \"/bin/sh\",\n}\nexec \"slow\" {\n\tcmd => \"sleep 0.5; echo done > @/slow\",\n\tshell => \"/bin/sh\",\n}\n",
    );
    let agent = case.agent(&[]);
    eventually("the slow command finishes", || {
        case.read("slow") == "done\n"
    });
    let pid = agent.pid();
    let children = descendants(pid);
    assert!(!children.is_empty(), "the watch command runs");
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
    eventually("every child is gone", || {
        children.iter().all(|child| !alive(*child))
    });
}

/// Every process whose parent chain leads to `pid`.
fn descendants(pid: u32) -> Vec<u32> {
    let mut found = vec![pid];
    let mut added = true;
    while added {
        added = false;
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            if found.contains(&child) {
                continue;
            }
            let stat = std::fs::read_to_string(format!("/proc/{child}/stat")).unwrap_or_default();
            let parent = stat
                .rsplit(')')
                .next()
                .and_then(|rest| rest.split_whitespace().nth(1))
                .and_then(|ppid| ppid.parse::<u32>().ok());
            if parent.is_some_and(|parent| found.contains(&parent)) {
                found.push(child);
                added = true;
            }
        }
    }
    found.remove(0);
    found
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            !stat
                .rsplit(')')
                .next()
                .unwrap_or_default()
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(false)
}

#[test]
fn rewatch_restarts_a_watch_command_that_exits() {
    // The watch command prints one line and exits; with rewatch it is started
    // again, so it runs more than once.
    let case = Case::new(
        "exec \"w\" {\n\tcmd => \"/bin/true\",\n\twatchcmd => \"echo tick >> @/watches; echo event; sleep 0.2\",\n\twatchshell => \"/bin/sh\",\n\tMeta:rewatch => true,\n}\n",
    );
    let agent = case.agent(&[]);
    eventually("the watch command is restarted", || {
        lines(&case, "watches").len() >= 3
    });
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("restarting it"), "{log}");
}

#[test]
fn reverse_undoes_a_file_when_it_leaves_the_graph() {
    // The program manages `@/reversed` only while `@/switch` exists.
    let case = Case::new(
        "import \"os\"\nif os.file_exists(\"@/switch\") {\n\tfile \"@/reversed\" {\n\tcontent => \"managed\\n\",\n\tMeta:reverse => true,\n\t}\n}\n",
    );
    std::fs::write(case.path("reversed"), "original\n").expect("write");
    std::fs::write(case.path("switch"), "").expect("write");
    let agent = case.agent(&[]);
    eventually("the file is managed", || {
        case.read("reversed") == "managed\n"
    });
    std::fs::remove_file(case.path("switch")).expect("remove");
    eventually("the file is put back", || {
        case.read("reversed") == "original\n"
    });
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
}
