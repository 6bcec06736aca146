//! Secrets stay out of the log: noop diffs of files others may not read
//! show size and digest only (unless `--show-diff always`), and a
//! `Meta:sensitive` resource's content, command lines and output never
//! appear, in the log or in `mgmt compile --format json`.

use super::support::*;
use std::os::unix::fs::PermissionsExt;

fn private_file(case: &Case, name: &str, content: &str) {
    let path = case.path(name);
    std::fs::write(&path, content).expect("written");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
}

const PRIVATE: &str =
    "file \"@/private\" {\n\tcontent => \"-password=newsecret\\n\",\n\tmode => \"0600\",\n}\n";

#[test]
fn a_noop_diff_of_a_private_file_shows_size_and_digest_only() {
    let case = Case::new(PRIVATE);
    private_file(&case, "private", "-password=oldsecret\n");
    let output = case.once(&["--noop"]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(
        !log.contains("oldsecret") && !log.contains("newsecret"),
        "{log}"
    );
    assert!(
        log.contains("content [redacted: 20 bytes, sha256 ")
            && log.contains("] -> [redacted: 20 bytes, sha256 "),
        "{log}"
    );
    assert_eq!(case.read("private"), "-password=oldsecret\n");

    // Asked for, the diff is shown.
    let output = case.once(&["--noop", "--show-diff", "always"]);
    let log = text(&output.stderr);
    assert!(
        log.contains("--password=oldsecret") && log.contains("+-password=newsecret"),
        "{log}"
    );
}

#[test]
fn a_public_file_s_diff_is_shown_unless_never() {
    let case = Case::new("file \"@/public\" {\n\tcontent => \"new text\\n\",\n}\n");
    std::fs::write(case.path("public"), "old text\n").expect("written");
    std::fs::set_permissions(case.path("public"), std::fs::Permissions::from_mode(0o644))
        .expect("chmod");
    let log = text(&case.once(&["--noop"]).stderr);
    assert!(
        log.contains("-old text") && log.contains("+new text"),
        "{log}"
    );
    let log = text(&case.once(&["--noop", "--show-diff", "never"]).stderr);
    assert!(
        !log.contains("old text") && log.contains("[redacted: 9 bytes"),
        "{log}"
    );
}

#[test]
fn a_sensitive_resource_never_shows_its_secrets() {
    let case = Case::new(
        "file \"@/token\" {\n\tcontent => \"token-abc123\\n\",\n\tMeta:sensitive => true,\n}\n\
         exec \"login\" {\n\tcmd => \"echo login --token=abc123; exit 1\",\n\tshell => \"/bin/sh\",\n\tMeta:sensitive => true,\n}\n",
    );
    std::fs::write(case.path("token"), "token-old999\n").expect("written");
    std::fs::set_permissions(case.path("token"), std::fs::Permissions::from_mode(0o644))
        .expect("chmod");
    let output = case.once(&["--noop", "--show-diff", "always", "-v"]);
    let log = text(&output.stderr);
    assert!(!log.contains("abc123") && !log.contains("old999"), "{log}");
    assert!(log.contains("[redacted: 13 bytes, sha256 "), "{log}");
    assert!(log.contains("would run `[redacted cmd]`"), "{log}");

    // Applied: the command fails, and its message names no secret.
    let output = case.once(&["-v"]);
    let log = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{log}");
    assert!(!log.contains("abc123"), "{log}");
    assert!(
        log.contains("`[redacted cmd]` exited with status 1"),
        "{log}"
    );

    // The compiled graph shows the params as size and digest.
    let output = mgmt()
        .args(["compile", "--format", "json"])
        .arg(case.path("main.mcl"))
        .output()
        .expect("mgmt compile runs");
    let graph = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(!graph.contains("abc123"), "{graph}");
    assert!(graph.contains("[redacted: "), "{graph}");
}
