//! `mgmt run` end to end: the real binary on real files and processes.
//! Timing is never asserted (the machines are noisy); order, content and
//! the absence of leftover processes are.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

mod accounts;
mod cluster;
mod container;
mod cron;
mod etcd;
mod file_safety;
mod metaparams;
mod partition;
mod pkg;
mod recovery;
mod reload;
mod report;
mod secrets;
mod shutdown;
mod state;
mod support;
mod svc;
mod tls;
mod watch_limit;

use support::*;

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
fn more_ready_files_than_are_checked_at_once_all_converge() {
    // 1,500 files are ready at once; the engine hands the pool at most 1,024
    // brief checks and gives the rest their turn as places come free.
    let case = Case::new(
        "import \"iter\"\nimport \"fmt\"\nfor $i, $k in iter.range(0, 1500) {\n\tfile fmt.printf(\"@/f%d\", $k) {\n\t\tcontent => fmt.printf(\"%d\\n\", $k),\n\t}\n}\n",
    );
    let output = case.once(&[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    for index in [0, 1023, 1024, 1499] {
        assert_eq!(case.read(&format!("f{index}")), format!("{index}\n"));
    }
    let made = std::fs::read_dir(case.dir.path()).expect("dir").count();
    assert_eq!(made, 1501, "1,500 files and the program");
    let again = case.once(&[]);
    assert!(again.status.success(), "{}", text(&again.stderr));
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

/// Clears `chattr +i` when dropped, so the temp dir can be removed.
struct Immutable(std::path::PathBuf);

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
    }
}

/// Root ignores permission bits but not an immutable directory, so the
/// denial is made with `chattr +i`.
#[test]
fn permission_denied_names_the_path_and_the_cause() {
    let case = Case::new(
        "file \"@/locked/f\" {\n\tcontent => \"x\",\n}\nfile \"@/free\" {\n\tcontent => \"free\",\n}\n",
    );
    let locked = case.path("locked");
    std::fs::create_dir(&locked).expect("mkdir");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).expect("chmod");
    let flagged = std::process::Command::new("chattr")
        .arg("+i")
        .arg(&locked)
        .status()
        .is_ok_and(|status| status.success());
    let _guard = Immutable(locked.clone());
    // /proc/self belongs to the effective user.
    let root = std::fs::metadata("/proc/self").is_ok_and(|meta| meta.uid() == 0);
    if !flagged && root {
        eprintln!("skipped: `chattr +i` is unavailable here and root ignores mode 0500");
        return;
    }
    let output = case.once(&[]);
    assert_eq!(output.status.code(), Some(3));
    let log = text(&output.stderr);
    assert!(
        log.contains(&locked.join("f").display().to_string()),
        "{log}"
    );
    assert!(
        log.contains("not permitted") || log.contains("Permission denied"),
        "{log}"
    );
    assert!(log.contains("main.mcl:1:1"), "{log}");
    assert!(!log.contains("panicked"), "{log}");
    assert_eq!(case.read("free"), "free", "the other branch still ran");
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
    // The two files are independent, so either may be written first.
    eventually("the copy and the steady file are made", || {
        case.read("copy") == "one" && case.read("steady") == "steady"
    });
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
    // Reading the input is no change: one write, a few re-evaluations, not
    // a loop of them.
    let evaluations = log.matches("re-evaluated").count();
    assert!(
        (1..10).contains(&evaluations),
        "{evaluations} re-evaluations:\n{log}"
    );
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
fn many_independent_commands_all_run_at_once() {
    // More commands than the pool for brief work has threads: none waits for
    // another, so every one starts before the first one ends.
    let mut program = String::new();
    for index in 0..12 {
        program.push_str(&format!(
            "exec \"c{index}\" {{\n\tcmd => \"echo start >> @/log; sleep 1; echo end >> @/log\",\n\tshell => \"/bin/sh\",\n}}\n"
        ));
    }
    let case = Case::new(&program);
    let output = case.once(&[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let log = lines(&case, "log");
    assert_eq!(log.len(), 24, "{log:?}");
    assert!(log[..12].iter().all(|line| line == "start"), "{log:?}");
}

#[test]
fn a_refresh_only_command_runs_only_when_notified() {
    // The config exists and is right: nothing changes, so no refresh comes.
    let case = Case::new(
        "file \"@/config\" {\n\tcontent => \"v1\\n\",\n\tNotify => Exec[\"reload\"],\n}\n\
         exec \"reload\" {\n\tcmd => \"cat @/config >> @/reloads\",\n\tshell => \"/bin/sh\",\n\trefreshonly => true,\n}\n",
    );
    std::fs::write(case.path("config"), "v1\n").expect("written");
    let output = case.once(&[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        !case.path("reloads").exists(),
        "a handler does not run at start"
    );

    // A change of the config refreshes it: it runs once.
    std::fs::write(case.path("config"), "old\n").expect("written");
    let output = case.once(&[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(lines(&case, "reloads"), ["v1"]);

    // Watching, a repaired file refreshes it again; nothing else does.
    let agent = case.agent(&[]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(lines(&case, "reloads"), ["v1"], "no run at start");
    std::fs::write(case.path("config"), "tampered\n").expect("overwrite");
    eventually("a refresh after the repair", || {
        lines(&case, "reloads").len() == 2
    });
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
    assert_eq!(lines(&case, "reloads"), ["v1", "v1"]);
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
fn a_composite_file_is_written_after_the_managed_files_of_its_fragment_directory() {
    let program = "file \"@/frags/\" {\n\tstate => \"exists\",\n}\n\
        file \"@/frags/f1\" {\n\tcontent => \"fragment one\\n\",\n}\n\
        file \"@/frags/f2\" {\n\tcontent => \"fragment two\\n\",\n}\n\
        file \"@/frags/f3\" {\n\tcontent => \"fragment three\\n\",\n}\n\
        file \"@/extra\" {\n\tcontent => \"extra\\n\",\n}\n\
        file \"@/whole\" {\n\tfragments => [\"@/frags/\", \"@/extra\",],\n}\n";
    // From an empty state each time: the order must not be luck.
    for _ in 0..5 {
        let case = Case::new(program);
        let output = case.once(&[]);
        assert!(output.status.success(), "{}", text(&output.stderr));
        assert_eq!(
            case.read("whole"),
            "fragment one\nfragment two\nfragment three\nextra\n"
        );
    }
}

#[test]
fn output_over_the_limit_is_cut_at_a_line_start_and_the_cut_is_named() {
    let program = |limit: &str| {
        format!(
            "exec \"producer\" {{\n\tcmd => \"seq 1 300000\",\n\tshell => \"/bin/sh\",\n{limit}}}\nfile \"@/received\" {{\n\tstate => \"exists\",\n}}\nExec[\"producer\"].stdout -> File[\"@/received\"].content\n"
        )
    };
    let case = Case::new(&program("\toutputlimit => 1000,\n"));
    let output = case.once(&[]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    let received = case.read("received");
    assert!(received.len() <= 1000, "{} bytes", received.len());
    assert!(received.ends_with("\n299999\n300000\n"), "{received}");
    let first = received.lines().next().expect("lines");
    assert_eq!(first.parse::<u32>().expect("a whole number") + 1, {
        let second = received.lines().nth(1).expect("two lines");
        second.parse::<u32>().expect("a whole number")
    });
    let receiver = format!("file[{}]", case.path("received").display());
    assert!(
        log.contains(&format!(
            "{receiver}: `content` receives exec[producer]'s `stdout` cut to its last {} bytes",
            received.len()
        )),
        "{log}"
    );

    let whole = Case::new(&program("\toutputlimit => 0,\n"));
    let output = whole.once(&[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let expected: String = (1..=300_000).map(|line| format!("{line}\n")).collect();
    assert!(
        whole.read("received") == expected,
        "the whole output arrives"
    );
    assert!(!text(&output.stderr).contains("cut to"));
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
