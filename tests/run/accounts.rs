//! `user` and `group` with the real shadow tools of a throw-away container,
//! the agent running inside it: only the container's accounts change.

use super::container::{container_or_skip, Container};
use super::support::{eventually, text};
use std::os::unix::fs::MetadataExt;
use std::time::SystemTime;

/// A group, a user in it and in a supplementary group, and (with `home`)
/// its home directory, owned by it: the autoedges order the groups, the
/// user and the directory.
fn program(shell: &str, groups: &str, state: &str, home: bool) -> String {
    let home = if home {
        "file \"/home/alice/\" {\n\tstate => \"exists\",\n\towner => \"alice\",\n\
         \tgroup => \"staff\",\n\tmode => \"0750\",\n}\n"
    } else {
        ""
    };
    format!(
        "{home}group \"staff\" {{\n\tgid => 2000,\n}}\n\
         group \"admins\" {{\n\tstate => \"{state}\",\n}}\n\
         user \"alice\" {{\n\tstate => \"{state}\",\n\tuid => 2001,\n\tgroup => \"staff\",\n\
         \tgroups => [{groups}],\n\thomedir => \"/home/alice\",\n\tshell => \"{shell}\",\n}}\n"
    )
}

/// `getent DATABASE KEY` inside: the entry, or `None` when there is none.
fn getent(container: &Container, database: &str, key: &str) -> Option<String> {
    let output = container.run(&["getent", database, key]);
    output
        .status
        .success()
        .then(|| text(&output.stdout).trim().to_owned())
}

fn modified(container: &Container, path: &str) -> SystemTime {
    std::fs::metadata(container.path(path))
        .and_then(|meta| meta.modified())
        .expect("the account file's mtime")
}

#[test]
fn a_user_and_its_groups_are_created_changed_kept_and_removed() {
    let container = container_or_skip!();
    let alice = "alice:x:2001:2000::/home/alice:/bin/bash";

    // Noop says what it would do and does nothing.
    container.program(&program("/bin/bash", "\"admins\"", "exists", false));
    let output = container.once(&["--noop"]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(log.contains("useradd -u 2001 -g staff -G admins"), "{log}");
    assert_eq!(getent(&container, "passwd", "alice"), None, "{log}");

    container.program(&program("/bin/bash", "\"admins\"", "exists", true));
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(
        log.contains("user[alice]") && log.contains("created"),
        "{log}"
    );
    assert_eq!(
        getent(&container, "passwd", "alice").as_deref(),
        Some(alice)
    );
    assert_eq!(
        getent(&container, "group", "staff").as_deref(),
        Some("staff:x:2000:")
    );
    let admins = getent(&container, "group", "admins").unwrap_or_default();
    assert!(admins.ends_with(":alice"), "{admins}");
    let home = std::fs::metadata(container.path("/home/alice")).expect("the home directory");
    assert_eq!((home.uid(), home.gid()), (2001, 2000), "{log}");

    // Nothing to do the second time: the files are not even rewritten.
    let before = modified(&container, "/etc/passwd");
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(!log.contains("created"), "{log}");
    assert_eq!(modified(&container, "/etc/passwd"), before);

    // One field and the supplementary groups changed: one usermod.
    container.program(&program("/bin/sh", "", "exists", true));
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(log.contains("shell /bin/bash -> /bin/sh"), "{log}");
    assert!(log.contains("groups [admins] -> []"), "{log}");
    assert_eq!(
        getent(&container, "passwd", "alice").as_deref(),
        Some("alice:x:2001:2000::/home/alice:/bin/sh")
    );
    let admins = getent(&container, "group", "admins").unwrap_or_default();
    assert!(!admins.contains("alice"), "{admins}");

    // Watching: a user removed or changed by hand is put back.
    container.program(&program("/bin/bash", "\"admins\"", "exists", true));
    let agent = container.agent(&[]);
    eventually("the agent puts the shell back", || {
        getent(&container, "passwd", "alice").as_deref() == Some(alice)
    });
    let removed = container.run(&["userdel", "alice"]);
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    eventually("the removed user is created again", || {
        getent(&container, "passwd", "alice").as_deref() == Some(alice)
    });
    container.run(&["usermod", "-s", "/bin/false", "alice"]);
    eventually("the shell changed by hand is put back", || {
        getent(&container, "passwd", "alice").as_deref() == Some(alice)
    });
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");

    // Absent: the user and the group go; staff stays, as asked.
    container.program(&program("/bin/bash", "", "absent", false));
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert_eq!(getent(&container, "passwd", "alice"), None, "{log}");
    assert_eq!(getent(&container, "group", "admins"), None, "{log}");
    assert!(getent(&container, "group", "staff").is_some(), "{log}");
}

#[test]
fn a_refused_account_is_a_located_error_and_the_rest_runs() {
    let container = container_or_skip!();
    container.program(
        "user \"taken\" {\n\tuid => 0,\n}\n\
         user \"lost\" {\n\tgroup => \"nowhere\",\n}\n\
         user \"toor\" {\n\tuid => 0,\n\tallowduplicateuid => true,\n}\n\
         file \"/run/test/independent\" {\n\tcontent => \"still written\\n\",\n}\n",
    );
    let output = container.once(&[]);
    let log = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{log}");
    assert!(log.contains("user[taken]"), "{log}");
    assert!(log.contains("main.mcl:1:1"), "{log}");
    assert!(log.contains("useradd -u 0 taken"), "{log}");
    assert!(log.contains("not unique"), "the tool's message: {log}");
    assert!(log.contains("user[lost]"), "{log}");
    assert!(log.contains("main.mcl:4:1"), "{log}");
    assert!(log.contains("nowhere"), "{log}");
    assert!(!log.contains("panicked"), "{log}");
    assert_eq!(getent(&container, "passwd", "taken"), None);
    let toor = getent(&container, "passwd", "toor").unwrap_or_default();
    assert!(toor.starts_with("toor:x:0:"), "{toor}\n{log}");
    assert_eq!(
        std::fs::read_to_string(container.shared().join("independent")).unwrap_or_default(),
        "still written\n"
    );
}
