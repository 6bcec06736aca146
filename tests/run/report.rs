//! What a run says it did: the end-of-run summary, the `--report` JSON
//! file, `--detailed-exitcodes`, the "converged" line of a watching agent,
//! the progress line of a long first convergence, and `--log-format json`.

use super::support::*;

/// Two files to create, a secret one, an exec that fails and a file that
/// waits behind it.
const MIXED: &str = "file \"@/a\" {\n\tcontent => \"a\\n\",\n}\nfile \"@/b\" {\n\tcontent => \"b\\n\",\n}\nfile \"@/secret\" {\n\tcontent => \"hunter2\\n\",\n\tMeta:sensitive => true,\n}\nexec \"fails\" {\n\tcmd => \"/bin/false\",\n}\nfile \"@/after\" {\n\tcontent => \"after\\n\",\n}\nExec[\"fails\"] -> File[\"@/after\"]\n";

fn report(case: &Case) -> serde_json::Value {
    let text = case.read("report.json");
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{error}: {text}"))
}

fn resource<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["resources"]
        .as_array()
        .and_then(|resources| resources.iter().find(|resource| resource["id"] == id))
        .unwrap_or_else(|| panic!("{id} is not in the report: {report}"))
}

#[test]
fn a_run_ends_with_a_summary_a_json_report_and_puppets_exit_code() {
    let case = Case::new(MIXED);
    let report_path = case.path("report.json");
    let report_arg = report_path.to_str().expect("utf-8 path");
    let mut command = mgmt();
    command.args([
        "run",
        "--converged-timeout=1",
        "--detailed-exitcodes",
        "--report",
        report_arg,
    ]);
    command.arg(&case.program);
    let first = run_with_deadline(command, std::time::Duration::from_secs(60));
    let log = text(&first.stderr);
    assert_eq!(first.status.code(), Some(6), "changes and a failure: {log}");
    assert!(
        log.contains(
            "converged: 5 resources: 4 checked, 3 changed, 1 failed, 1 skipped behind failures, in "
        ),
        "{log}"
    );
    assert!(log.contains("error: converged, but these resources failed: exec[fails]"));

    let json = report(&case);
    assert_eq!(json["version"], 1);
    assert_eq!(json["outcome"], "converged");
    assert_eq!(json["noop"], false);
    assert!(json["duration_seconds"].as_f64().is_some_and(|s| s >= 1.0));
    let counts = &json["counts"];
    assert_eq!(
        (
            &counts["resources"],
            &counts["checked"],
            &counts["changed"],
            &counts["failed"],
            &counts["skipped"]
        ),
        (&5.into(), &4.into(), &3.into(), &1.into(), &1.into())
    );
    let root = case.dir.path().display().to_string();
    let created = resource(&json, &format!("file[{root}/a]"));
    assert_eq!(created["status"], "changed");
    assert_eq!(created["changes"], 1);
    assert_eq!(created["params"]["content"], "a\n");
    assert!(created["last_change"]
        .as_str()
        .is_some_and(|what| what.starts_with("created")));
    let failed = resource(&json, "exec[fails]");
    assert_eq!(failed["status"], "failed");
    assert!(failed["error"]
        .as_str()
        .is_some_and(|error| error.contains("exited with status 1")));
    assert!(failed["location"]
        .as_str()
        .is_some_and(|at| at.ends_with(":11:1")));
    assert_eq!(
        resource(&json, &format!("file[{root}/after]"))["status"],
        "skipped"
    );
    // A secret's params are shown as size and digest, never the value.
    let secret = resource(&json, &format!("file[{root}/secret]"));
    assert!(secret["params"]["content"]
        .as_str()
        .is_some_and(|shown| shown.starts_with("[redacted: ")));
    assert!(!case.read("report.json").contains("hunter2"));
    // Written atomically: no temporary file is left beside it.
    let leftovers: Vec<_> = std::fs::read_dir(case.dir.path())
        .expect("listed")
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Again: nothing left to change, the exec still fails.
    let second = case.once(&["--detailed-exitcodes", "--report", report_arg]);
    assert_eq!(second.status.code(), Some(4), "{}", text(&second.stderr));
    assert_eq!(report(&case)["counts"]["changed"], 0);
    // Without the flag, the exit codes stay as they were.
    assert_eq!(case.once(&[]).status.code(), Some(3));
}

#[test]
fn detailed_exit_codes_say_changed_then_nothing_to_do_and_noop_pending() {
    let case = Case::new("file \"@/a\" {\n\tcontent => \"a\\n\",\n}\n");
    let noop = case.once(&["--noop", "--detailed-exitcodes"]);
    assert_eq!(noop.status.code(), Some(2), "{}", text(&noop.stderr));
    assert!(text(&noop.stderr).contains("1 resources: 1 checked, 1 would change, 0 failed"));
    assert!(!case.path("a").exists());
    let first = case.once(&["--detailed-exitcodes"]);
    assert_eq!(first.status.code(), Some(2), "{}", text(&first.stderr));
    let second = case.once(&["--detailed-exitcodes"]);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stderr));
    assert!(text(&second.stderr).contains("0 changed, 0 failed"));
}

#[test]
fn a_watching_agent_says_each_time_it_converges_and_its_summary_at_the_end() {
    let case = Case::new("file \"@/a\" {\n\tcontent => \"a\\n\",\n}\n");
    let agent = case.agent(&[]);
    eventually("the first convergence is logged", || {
        agent.log().contains("converged in ")
    });
    std::fs::remove_file(case.path("a")).expect("removed");
    eventually("the repair's convergence is logged", || {
        agent.log().matches("converged in ").count() >= 2
    });
    let log = agent.log();
    let repaired = log
        .lines()
        .filter(|line| line.contains("converged in "))
        .nth(1)
        .unwrap_or_default();
    assert!(repaired.contains("(1 change, 0 failures)"), "{log}");
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(
        log.contains("stopped: 1 resources: 1 checked, 1 changed, 0 failed"),
        "{log}"
    );
}

#[test]
fn a_long_first_convergence_says_how_far_it_got() {
    let case = Case::new(
        "exec \"slow\" {\n\tcmd => \"/bin/sleep 3\",\n}\nfile \"@/a\" {\n\tcontent => \"a\\n\",\n}\n",
    );
    let output = case.once(&[]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(
        log.contains("converging: 1 of 2 resources converged, 1 running, 0 failed, after "),
        "{log}"
    );
}

#[test]
fn json_logs_are_one_object_per_line() {
    let case = Case::new("file \"@/a\" {\n\tcontent => \"a\\n\",\n}\n");
    let output = case.once(&["--log-format", "json"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let events: Vec<serde_json::Value> = text(&output.stderr)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}")))
        .collect();
    assert!(events
        .iter()
        .all(|event| event["level"].is_string() && event["message"].is_string()));
    let summary = events
        .iter()
        .find(|event| event["outcome"] == "converged")
        .expect("a summary event");
    assert_eq!(
        (&summary["resources"], &summary["changed"]),
        (&1.into(), &1.into())
    );
}

#[test]
fn a_report_that_could_not_be_written_is_refused_before_anything_changes() {
    let case = Case::new("file \"@/a\" {\n\tcontent => \"a\\n\",\n}\n");
    let missing = case.path("no/such/dir/report.json");
    let output = case.once(&["--report", missing.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        text(&output.stderr).contains("does not exist"),
        "{}",
        text(&output.stderr)
    );
    assert!(!case.path("a").exists(), "nothing ran");
    let directory = case.dir.path().to_str().expect("utf-8 path");
    let output = case.once(&["--report", directory]);
    assert_eq!(output.status.code(), Some(3));
    assert!(text(&output.stderr).contains("is a directory; name a file"));
}

#[test]
fn grouped_resources_are_reported_one_each_under_their_group() {
    let case = Case::new(
        "print \"a\" {\n\tmsg => \"one\",\n}\nprint \"b\" {\n\tmsg => \"two\",\n}\nprint \"alone\" {\n\tmsg => \"three\",\n\tMeta:autogroup => false,\n}\n",
    );
    let report_path = case.path("report.json");
    let output = case.once(&["--report", report_path.to_str().expect("utf-8 path")]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let json = report(&case);
    assert_eq!(json["counts"]["resources"], 3);
    let (a, b) = (resource(&json, "print[a]"), resource(&json, "print[b]"));
    let grouped = if a["grouped_into"].is_null() { b } else { a };
    let leader = if a["grouped_into"].is_null() { a } else { b };
    assert_eq!(grouped["grouped_into"], leader["id"]);
    assert_eq!(grouped["status"], leader["status"]);
    assert!(resource(&json, "print[alone]")["grouped_into"].is_null());
}

#[test]
fn a_resource_removed_during_the_run_still_counts() {
    let case = Case::new(
        "file \"@/a\" {\n\tcontent => \"a\\n\",\n}\nfile \"@/b\" {\n\tcontent => \"b\\n\",\n}\n",
    );
    let report_path = case.path("report.json");
    let agent = case.agent(&["--report", report_path.to_str().expect("utf-8 path")]);
    eventually("both files are written", || case.read("b") == "b\n");
    let root = case.dir.path().display().to_string();
    std::fs::write(
        &case.program,
        format!("file \"{root}/a\" {{\n\tcontent => \"a\\n\",\n}}\n"),
    )
    .expect("program rewritten");
    eventually("b leaves the graph", || {
        agent.log().contains("removed from the graph")
    });
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(
        log.contains("stopped: 2 resources: 2 checked, 1 changed"),
        "{log}"
    );
    let json = report(&case);
    assert_eq!(json["outcome"], "stopped");
    let removed = resource(&json, &format!("file[{root}/b]"));
    assert_eq!(removed["status"], "removed");
    assert_eq!(removed["changes"], 1);
    assert_eq!(
        resource(&json, &format!("file[{root}/a]"))["status"],
        "changed"
    );
}

#[test]
fn a_resource_stopped_while_waiting_for_a_retry_is_reported_failed() {
    let case = Case::new(
        "exec \"flaky\" {\n\tcmd => \"/bin/false\",\n\tMeta:retry => 3,\n\tMeta:delay => 60000,\n}\n",
    );
    let report_path = case.path("report.json");
    let agent = case.agent(&[
        "--detailed-exitcodes",
        "--report",
        report_path.to_str().expect("utf-8 path"),
    ]);
    eventually("the first failure waits for its retry", || {
        agent.log().contains("retrying in 60000 ms")
    });
    let (code, log) = agent.stop();
    assert_eq!(code, Some(4), "{log}");
    assert!(
        log.contains("stopped: 1 resources: 1 checked, 0 changed, 1 failed"),
        "{log}"
    );
    let json = report(&case);
    let flaky = resource(&json, "exec[flaky]");
    assert_eq!(flaky["status"], "failed");
    assert!(flaky["error"]
        .as_str()
        .is_some_and(|error| error.contains("exited with status 1")));
}

#[test]
fn json_logs_stay_json_when_the_run_fails() {
    let case = Case::new(MIXED);
    for flags in [
        &["--log-format=json"][..],
        &["--log-format=json", "--detailed-exitcodes"],
    ] {
        let output = case.once(flags);
        let log = text(&output.stderr);
        assert!(!output.status.success(), "{log}");
        for line in log.lines() {
            let event: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}"));
            assert!(event["message"].is_string(), "{line}");
        }
        assert!(log.contains("\"level\":\"ERROR\",\"message\":\"converged, but these resources failed: exec[fails]\""), "{log}");
    }
}
