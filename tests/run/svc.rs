//! `svc` and `hostname` against the real systemd and hostnamed of a
//! throw-away container, with the agent running inside it.

use super::container::container_or_skip;
use super::support::{eventually, text};
use std::time::Instant;

/// A unit file managed by a file resource, and its service kept as asked.
fn program(state: &str, startup: &str, version: &str) -> String {
    format!(
        "file \"/etc/systemd/system/mgmt-demo.service\" {{\n\
         \tcontent => \"[Unit]\\nDescription=mgmt demo\\n[Service]\\n\
         ExecStart=/bin/sh -c 'echo {version} >> /run/test/starts; exec sleep infinity'\\n\
         [Install]\\nWantedBy=multi-user.target\\n\",\n\
         \tNotify => Svc[\"mgmt-demo\"],\n}}\n\
         svc \"mgmt-demo\" {{\n\tstate => \"{state}\",\n\tstartup => \"{startup}\",\n}}\n"
    )
}

#[test]
fn a_service_is_started_enabled_kept_running_and_restarted_when_its_unit_file_changes() {
    let container = container_or_skip!();
    let starts = container.shared().join("starts");
    let started = |version: &str| {
        std::fs::read_to_string(&starts)
            .unwrap_or_default()
            .lines()
            .filter(|line| *line == version)
            .count()
    };

    container.program(&program("running", "enabled", "v1"));
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert_eq!(container.systemctl(&["is-active", "mgmt-demo"]), "active");
    assert_eq!(container.systemctl(&["is-enabled", "mgmt-demo"]), "enabled");
    assert!(
        log.contains("svc[mgmt-demo]") && log.contains("started"),
        "{log}"
    );
    assert_eq!(started("v1"), 1, "a new unit is started, not restarted");

    // Nothing to do the second time.
    let output = container.once(&[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        !text(&output.stderr).contains("started"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(started("v1"), 1);

    // Watching: a unit stopped or disabled by hand is put back from the
    // signals systemd sends.
    let agent = container.agent(&[]);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let stopped = Instant::now();
    container.systemctl(&["stop", "mgmt-demo"]);
    eventually("the stopped unit runs again", || {
        container.systemctl(&["is-active", "mgmt-demo"]) == "active"
    });
    eprintln!(
        "stopped by hand, running again after {:?}",
        stopped.elapsed()
    );
    // Without the reload systemctl does after it, systemd's own view of
    // the unit still says enabled: the agent reads the files' state.
    container.systemctl(&["disable", "--no-reload", "mgmt-demo"]);
    eventually("the disabled unit is enabled again", || {
        container.systemctl(&["is-enabled", "mgmt-demo"]) == "enabled"
    });
    // The bus restarted: the agent listens again on a new connection.
    container.systemctl(&["restart", "dbus"]);
    eventually("the agent is connected again", || {
        agent.log().contains("listening again")
    });
    std::thread::sleep(std::time::Duration::from_millis(500));
    container.systemctl(&["stop", "mgmt-demo"]);
    eventually("a unit stopped after the bus restarted runs again", || {
        container.systemctl(&["is-active", "mgmt-demo"]) == "active"
    });
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");

    // A new unit file: systemd reads it again and the running service is
    // restarted along the Notify edge, once.
    container.program(&program("running", "enabled", "v2"));
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(log.contains("daemon-reload"), "{log}");
    assert_eq!(started("v2"), 1, "{log}");
    assert_eq!(
        container.systemctl(&["show", "-P", "NeedDaemonReload", "mgmt-demo"]),
        "no"
    );

    // And stopped and disabled.
    container.program(&program("stopped", "disabled", "v2"));
    let output = container.once(&[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(container.systemctl(&["is-active", "mgmt-demo"]), "inactive");
    assert_eq!(
        container.systemctl(&["is-enabled", "mgmt-demo"]),
        "disabled"
    );
}

#[test]
fn a_unit_that_fails_to_start_or_does_not_exist_is_a_located_error() {
    let container = container_or_skip!();
    container.program(
        "file \"/etc/systemd/system/mgmt-broken.service\" {\n\
         \tcontent => \"[Service]\\nType=oneshot\\nRemainAfterExit=yes\\n\
         ExecStart=/bin/sh -c 'echo the config is broken >&2; exit 3'\\n\",\n}\n\
         svc \"mgmt-broken\" {\n\tstate => \"running\",\n}\n\
         svc \"mgmt-nowhere\" {\n\tstate => \"running\",\n}\n\
         file \"/run/test/independent\" {\n\tcontent => \"still written\\n\",\n}\n",
    );
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{log}");
    assert!(log.contains("svc[mgmt-broken]"), "{log}");
    assert!(log.contains("main.mcl:4:1"), "{log}");
    assert!(log.contains("starting mgmt-broken.service"), "{log}");
    assert!(log.contains("exit status 3"), "{log}");
    assert!(
        log.contains("the config is broken"),
        "the journal's lines: {log}"
    );
    assert!(
        log.contains("there is no unit mgmt-nowhere.service"),
        "{log}"
    );
    assert!(log.contains("main.mcl:7:1"), "{log}");
    assert!(!log.contains("panicked"), "{log}");
    assert_eq!(
        std::fs::read_to_string(container.shared().join("independent")).unwrap_or_default(),
        "still written\n"
    );
}

#[test]
fn the_hostnames_are_set_through_hostnamed_and_kept() {
    let container = container_or_skip!();
    container.program(
        "hostname \"names\" {\n\thostname => \"web-1\",\n\tpretty_hostname => \"Web server 1\",\n}\n",
    );
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    let inside = |argv: &[&str]| text(&container.run(argv).stdout).trim().to_owned();
    assert_eq!(inside(&["hostname"]), "web-1");
    assert_eq!(
        std::fs::read_to_string(container.path("/etc/hostname")).unwrap_or_default(),
        "web-1\n"
    );
    assert_eq!(inside(&["hostnamectl", "--pretty"]), "Web server 1");

    let agent = container.agent(&[]);
    std::thread::sleep(std::time::Duration::from_millis(500));
    container.run(&["hostnamectl", "set-hostname", "--pretty", "changed by hand"]);
    eventually("the pretty name is put back", || {
        inside(&["hostnamectl", "--pretty"]) == "Web server 1"
    });
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
    let machine = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    assert_ne!(
        machine.trim(),
        "web-1",
        "the machine's own name is untouched"
    );
}

#[test]
fn the_service_example_keeps_its_service_and_restarts_it_when_its_config_changes() {
    let container = container_or_skip!();
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/service.mcl"))
            .expect("the example");
    container.program(&example);
    let greetings = || {
        std::fs::read_to_string(container.path("/run/greeter.log"))
            .unwrap_or_default()
            .lines()
            .count()
    };
    let agent = container.agent(&[]);
    eventually("the service runs", || {
        container.systemctl(&["is-active", "greeter"]) == "active"
    });
    assert_eq!(container.systemctl(&["is-enabled", "greeter"]), "enabled");
    eventually("it greeted once", || greetings() == 1);
    std::fs::write(container.path("/etc/greeter.conf"), "greeting=tampered\n")
        .expect("config changed by hand");
    eventually("the config is repaired and the service restarted", || {
        greetings() == 2
    });
    let log = std::fs::read_to_string(container.path("/run/greeter.log")).unwrap_or_default();
    assert!(
        !log.contains("tampered"),
        "restarted after the repair: {log}"
    );
    container.systemctl(&["stop", "greeter"]);
    eventually("a service stopped by hand runs again", || {
        container.systemctl(&["is-active", "greeter"]) == "active"
    });
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
}

#[test]
fn a_session_unit_is_started_through_the_users_own_manager() {
    let container = container_or_skip!();
    // root's user manager, with its session bus (dbus-user-session).
    container.systemctl(&["start", "user@0.service"]);
    let bus = container.path("/run/user/0/bus");
    eventually("root's session bus listens", || bus.exists());
    let session = |argv: &[&str]| {
        let mut command = vec![
            "env",
            "XDG_RUNTIME_DIR=/run/user/0",
            "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/0/bus",
        ];
        command.extend_from_slice(argv);
        container.run(&command)
    };
    std::fs::create_dir_all(container.path("/etc/systemd/user")).expect("user unit dir");
    std::fs::write(
        container.path("/etc/systemd/user/mgmt-session.service"),
        "[Service]\nExecStart=/bin/sleep infinity\n",
    )
    .expect("user unit written");
    container.program("svc \"mgmt-session\" {\n\tstate => \"running\",\n\tsession => true,\n}\n");
    let output = session(&[
        "/opt/mgmt/mgmt",
        "run",
        "--converged-timeout",
        "0",
        "/run/test/main.mcl",
    ]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(log.contains("started"), "{log}");
    let active = |argv: &[&str]| text(&session(argv).stdout).trim().to_owned();
    assert_eq!(
        active(&["systemctl", "--user", "is-active", "mgmt-session"]),
        "active",
        "{log}"
    );
    // The system manager has no such unit: the session bus was used.
    assert_ne!(
        container.systemctl(&["is-active", "mgmt-session"]),
        "active"
    );
}
