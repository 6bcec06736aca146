//! `cron` as a real systemd timer in a throw-away container: it fires, its
//! service writes a file, and a timer stopped or disabled by hand is put
//! back.

use super::container::{container_or_skip, Container};
use super::support::{eventually, text};
use std::time::SystemTime;

/// A service that appends a line to `/run/test/<name>`, and a timer for it.
fn program(name: &str, timer: &str) -> String {
    format!(
        "file \"/etc/systemd/system/{name}.service\" {{\n\
         \tcontent => \"[Service]\\nType=oneshot\\n\
         ExecStart=/bin/sh -c 'echo tick >> /run/test/{name}'\\n\",\n}}\n\
         cron \"{name}\" {{\n{timer}}}\n"
    )
}

fn ticks(container: &Container, name: &str) -> usize {
    std::fs::read_to_string(container.shared().join(name))
        .unwrap_or_default()
        .lines()
        .count()
}

fn modified(container: &Container, path: &str) -> Option<SystemTime> {
    std::fs::metadata(container.path(path))
        .and_then(|meta| meta.modified())
        .ok()
}

#[test]
fn a_calendar_timer_fires_is_kept_started_and_enabled_and_is_removed() {
    let container = container_or_skip!();
    let every_second =
        "\ttrigger => \"OnCalendar\",\n\ttime => \"*:*:0/1\",\n\taccuracysec => \"1ms\",\n";
    container.program(&program("mgmt-tick", every_second));
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(log.contains("cron[mgmt-tick]"), "{log}");
    assert_eq!(
        container.systemctl(&["is-active", "mgmt-tick.timer"]),
        "active"
    );
    assert_eq!(
        container.systemctl(&["is-enabled", "mgmt-tick.timer"]),
        "enabled"
    );
    let timer_file = "/etc/systemd/system/mgmt-tick.timer";
    let written = std::fs::read_to_string(container.path(timer_file)).unwrap_or_default();
    assert!(written.contains("OnCalendar=*:*:0/1\n"), "{written}");
    assert!(written.contains("Unit=mgmt-tick.service\n"), "{written}");
    eventually("the timer fires twice", || {
        ticks(&container, "mgmt-tick") >= 2
    });

    // Nothing to do the second time: the unit file is not rewritten.
    let before = modified(&container, timer_file);
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(!log.contains("started"), "{log}");
    assert_eq!(modified(&container, timer_file), before);

    // Watching: a timer stopped or disabled by hand is put back.
    let agent = container.agent(&[]);
    std::thread::sleep(std::time::Duration::from_millis(500));
    container.systemctl(&["stop", "mgmt-tick.timer"]);
    eventually("the stopped timer runs again", || {
        container.systemctl(&["is-active", "mgmt-tick.timer"]) == "active"
    });
    container.systemctl(&["disable", "mgmt-tick.timer"]);
    eventually("the disabled timer is enabled again", || {
        container.systemctl(&["is-enabled", "mgmt-tick.timer"]) == "enabled"
    });
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");

    // Absent: stopped, disabled, its unit file gone.
    container.program(&program("mgmt-tick", "\tstate => \"absent\",\n"));
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(!container.path(timer_file).exists(), "{log}");
    assert_ne!(
        container.systemctl(&["is-active", "mgmt-tick.timer"]),
        "active"
    );
    let after = ticks(&container, "mgmt-tick");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(ticks(&container, "mgmt-tick"), after, "the timer is gone");
}

#[test]
fn a_monotonic_timer_fires_after_its_span() {
    let container = container_or_skip!();
    container.program(&program(
        "mgmt-once",
        "\ttrigger => \"OnActiveSec\",\n\ttime => \"1s\",\n\taccuracysec => \"1ms\",\n",
    ));
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    let written = std::fs::read_to_string(container.path("/etc/systemd/system/mgmt-once.timer"))
        .unwrap_or_default();
    assert!(written.contains("OnActiveSec=1s\n"), "{written}");
    eventually("the timer fires a second after it started", || {
        ticks(&container, "mgmt-once") == 1
    });
}

#[test]
fn a_timer_without_its_service_is_a_located_error_and_the_rest_runs() {
    let container = container_or_skip!();
    container.program(
        "cron \"mgmt-orphan\" {\n\ttime => \"daily\",\n}\n\
         file \"/run/test/independent\" {\n\tcontent => \"still written\\n\",\n}\n",
    );
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{log}");
    assert!(log.contains("cron[mgmt-orphan]"), "{log}");
    assert!(log.contains("main.mcl:1:1"), "{log}");
    assert!(
        log.contains("mgmt-orphan.timer starts mgmt-orphan.service, and there is no such unit"),
        "{log}"
    );
    assert!(!container
        .path("/etc/systemd/system/mgmt-orphan.timer")
        .exists());
    assert_eq!(
        std::fs::read_to_string(container.shared().join("independent")).unwrap_or_default(),
        "still written\n"
    );
}

#[test]
fn the_accounts_example_runs_and_its_timer_is_enabled() {
    let container = container_or_skip!();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/accounts.mcl");
    container.program(&std::fs::read_to_string(example).expect("the example"));
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    let passwd = text(&container.run(&["getent", "passwd", "jobs"]).stdout);
    assert!(
        passwd.starts_with("jobs:x:2100:2100::/var/lib/jobs:/usr/sbin/nologin"),
        "{passwd}\n{log}"
    );
    let home = std::fs::metadata(container.path("/var/lib/jobs")).expect("the home");
    assert_eq!(
        (
            std::os::unix::fs::MetadataExt::uid(&home),
            std::os::unix::fs::MetadataExt::gid(&home)
        ),
        (2100, 2100)
    );
    assert_eq!(
        container.systemctl(&["is-enabled", "nightly-job.timer"]),
        "enabled"
    );
    assert_eq!(
        container.systemctl(&["is-active", "nightly-job.timer"]),
        "active"
    );
    // The job runs as the new user and writes in its home.
    container.systemctl(&["start", "nightly-job.service"]);
    let runs = std::fs::metadata(container.path("/var/lib/jobs/runs")).expect("the job ran");
    assert_eq!(std::os::unix::fs::MetadataExt::uid(&runs), 2100);
}
