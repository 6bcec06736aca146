//! `pkg` against the real PackageKit (and apt, dpkg) of a throw-away
//! container, with the agent running inside it: packages installed and
//! removed from Debian's mirror, a package removed by hand put back, an
//! unknown package, grouped packages installed in one transaction, and a
//! package database that another package manager holds locked.

use super::container::{container_or_skip, Container};
use super::support::{eventually_within, text};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// How long a download and install from the mirror may take.
const INSTALL: Duration = Duration::from_secs(120);

fn installed(container: &Container, package: &str) -> bool {
    let output = container.run(&["dpkg-query", "-W", "-f", "${Status}", package]);
    text(&output.stdout) == "install ok installed"
}

/// The transactions apt recorded (its history log, one block per commit),
/// each as the lines between `Start-Date` and `End-Date`.
fn apt_transactions(container: &Container) -> Vec<String> {
    std::fs::read_to_string(container.path("/var/log/apt/history.log"))
        .unwrap_or_default()
        .split("Start-Date:")
        .skip(1)
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_package_is_installed_put_back_when_removed_by_hand_and_removed() {
    let container = container_or_skip!();
    assert!(!installed(&container, "hello"), "the root has no hello");

    container.program("pkg \"hello\" {\n\tstate => \"installed\",\n}\n");
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(installed(&container, "hello"), "{log}");
    assert!(
        log.contains("pkg[hello]") && log.contains("installed hello "),
        "{log}"
    );
    // Progress from PackageKit's signals.
    assert!(
        log.contains("downloading") || log.contains("installing"),
        "{log}"
    );

    // Nothing to do the second time.
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(!log.contains("installed hello"), "{log}");

    // The installed version, named exactly or as the newest, is right.
    let version = text(
        &container
            .run(&["dpkg-query", "-W", "-f", "${Version}", "hello"])
            .stdout,
    );
    for state in [version.as_str(), "newest"] {
        container.program(&format!("pkg \"hello\" {{\n\tstate => \"{state}\",\n}}\n"));
        let output = container.once(&[]);
        let log = text(&output.stderr);
        assert!(output.status.success(), "{state}: {log}");
        assert!(!log.contains("hello "), "{state}: {log}");
    }
    // Installed, its file list orders what manages a file it ships.
    container.program(
        "pkg \"hello\" {\n\tstate => \"installed\",\n}\n\
         file \"/usr/bin/hello\" {\n\tmode => \"0755\",\n}\n",
    );
    let output = container.once(&["-v"]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(
        log.contains("pkg[hello] ships /usr/bin/hello: file[/usr/bin/hello] comes after it"),
        "{log}"
    );
    container.program("pkg \"hello\" {\n\tstate => \"installed\",\n}\n");

    // Watching: removed by hand with dpkg, put back from the database's
    // change.
    let agent = container.agent(&[]);
    std::thread::sleep(Duration::from_millis(1000));
    let removed = Instant::now();
    let output = container.run(&["dpkg", "--remove", "hello"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    eventually_within("hello is installed again", INSTALL, || {
        installed(&container, "hello")
    });
    eprintln!(
        "removed by hand, installed again after {:?}",
        removed.elapsed()
    );
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");

    container.program("pkg \"hello\" {\n\tstate => \"uninstalled\",\n}\n");
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(!installed(&container, "hello"), "{log}");
    assert!(log.contains("removed hello "), "{log}");
}

#[test]
fn grouped_packages_share_one_transaction_and_an_unknown_one_fails_alone() {
    let container = container_or_skip!();
    let before = apt_transactions(&container).len();
    container.program(
        "pkg \"figlet\" {\n\tstate => \"installed\",\n}\n\
         pkg \"tree\" {\n\tstate => \"installed\",\n}\n\
         pkg \"pv\" {\n\tstate => \"installed\",\n}\n\
         pkg \"mgmt-no-such-package\" {\n\tstate => \"installed\",\n}\n",
    );
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{log}");
    assert!(
        log.contains("main.mcl:10:1") && log.contains("no package `mgmt-no-such-package`"),
        "{log}"
    );
    for package in ["figlet", "tree", "pv"] {
        assert!(installed(&container, package), "{package}: {log}");
    }
    let transactions = apt_transactions(&container);
    let new = &transactions[before..];
    assert_eq!(new.len(), 1, "one install for the three: {new:#?}");
    for package in ["figlet", "tree", "pv"] {
        assert!(
            new[0].contains(&format!("{package}:")),
            "{package}: {new:#?}"
        );
    }

    // An agent that polkit does not authorize is told so, never prompted.
    container.program("pkg \"hello\" {\n\tstate => \"installed\",\n}\n");
    let output = container.run(&[
        "runuser",
        "-u",
        "nobody",
        "--",
        "env",
        "HOME=/tmp",
        "/opt/mgmt/mgmt",
        "run",
        "--converged-timeout",
        "0",
        "--prefix",
        "/tmp/mgmt-nobody",
        "/run/test/main.mcl",
    ]);
    let log = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{log}");
    assert!(log.contains("not authorized"), "{log}");
    assert!(!installed(&container, "hello"), "{log}");

    // An exact version that the repositories do not have names the ones
    // they do.
    container.program("pkg \"tree\" {\n\tstate => \"0.0-mgmt\",\n}\n");
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{log}");
    assert!(
        log.contains("version 0.0-mgmt of `tree` is not available") && log.contains("(installed)"),
        "{log}"
    );
}

#[test]
fn the_package_example_installs_configures_and_keeps_its_service_running() {
    let container = container_or_skip!();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/package.mcl");
    container.program(&std::fs::read_to_string(example).expect("the example"));
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(installed(&container, "cron"), "{log}");
    assert_eq!(
        container.systemctl(&["is-active", "cron"]),
        "active",
        "{log}"
    );
    assert_eq!(container.systemctl(&["is-enabled", "cron"]), "enabled");
    assert_eq!(
        container.systemctl(&["show", "-P", "Environment", "cron"]),
        "MGMT_DEMO=mgmt-test"
    );
    assert!(container.path("/etc/cron.d/mgmt-demo").is_file());

    // Drift, repaired from events: the service stopped by hand, the
    // drop-in edited by hand (restored, read again, the service
    // restarted), the package removed by hand (installed again, and its
    // service started again).
    let agent = container.agent(&[]);
    std::thread::sleep(Duration::from_millis(1000));
    container.systemctl(&["stop", "cron"]);
    eventually_within("cron runs again", INSTALL, || {
        container.systemctl(&["is-active", "cron"]) == "active"
    });
    let drop_in = container.path("/etc/systemd/system/cron.service.d/mgmt.conf");
    std::fs::write(&drop_in, "[Service]\nEnvironment=MGMT_DEMO=edited\n").expect("edited");
    eventually_within("the drop-in is restored and read again", INSTALL, || {
        container.systemctl(&["show", "-P", "Environment", "cron"]) == "MGMT_DEMO=mgmt-test"
            && container.systemctl(&["is-active", "cron"]) == "active"
    });
    let output = container.run(&["dpkg", "--remove", "cron"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    eventually_within("cron is installed and running again", INSTALL, || {
        installed(&container, "cron") && container.systemctl(&["is-active", "cron"]) == "active"
    });
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
}

/// Holds dpkg's locks as apt and dpkg take them (fcntl write locks on
/// `lock-frontend` and `lock`), prints `locked`, and lets go once
/// `/run/test/release` exists (killing `nsenter` would not end it).
const HOLD_DPKG_LOCKS: &str = r#"
my @held;
for my $path ("/var/lib/dpkg/lock-frontend", "/var/lib/dpkg/lock") {
    open(my $file, ">>", $path) or die "$path: $!";
    my $lock = pack("s s x4 q q i x4", F_WRLCK, 0, 0, 0, 0);
    fcntl($file, F_SETLK, $lock) or die "lock $path: $!";
    push @held, $file;
}
$| = 1;
print "locked\n";
select(undef, undef, undef, 0.1) until -e "/run/test/release";
"#;

#[test]
fn a_locked_package_database_is_named_and_the_package_installed_once_free() {
    let container = container_or_skip!();
    assert!(!installed(&container, "sl"), "the root has no sl");
    // perl-base is essential: every Debian has it, and its Fcntl.
    let mut holder = container
        .command("perl")
        .args(["-MFcntl", "-e", HOLD_DPKG_LOCKS])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("perl runs");
    let mut first = String::new();
    BufReader::new(holder.stdout.take().expect("piped"))
        .read_line(&mut first)
        .expect("perl says when it holds the locks");
    assert_eq!(first, "locked\n");

    container.program("pkg \"sl\" {\n\tstate => \"installed\",\n}\n");
    let agent = container.agent(&[]);
    // PackageKit waits for the lock (its status is logged) or gives up
    // (a located error that names the cause); either way the user is told.
    eventually_within("the lock is named", INSTALL, || {
        let log = agent.log();
        log.contains("waiting for the package database lock")
            || log.contains("the package database is locked")
    });
    assert!(!installed(&container, "sl"), "{}", agent.log());

    std::fs::write(container.shared().join("release"), "").expect("release");
    assert!(holder.wait().expect("perl ends").success());
    eventually_within("sl is installed once the lock is free", INSTALL, || {
        installed(&container, "sl")
    });
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
    for line in log.lines().filter(|line| line.contains("lock")) {
        eprintln!("{line}");
    }
}
