//! The `file` resource against real files in temporary directories:
//! creating, correcting drift, removing, directories, recursive copies and
//! purges, fragments, symlinks, noop diffs, failures, atomic replacement,
//! send/recv, and the inotify watch.

use mgmt_runtime::resource::{
    ApplyContext, Outcome, Resource, ResourceError, ShowDiff, WatchEvents,
};
use mgmt_runtime::resources::file;
use mgmt_runtime::services::Services;
use mgmt_runtime::spec::{GraphSpec, ResourceSpec};
use serde_json::{json, Value as Json};
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::sync::LazyLock;
use std::thread;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const APPLY: ApplyContext = ApplyContext {
    apply: true,
    refresh: false,
    show_diff: ShowDiff::Auto,
};
const NOOP: ApplyContext = ApplyContext {
    apply: false,
    refresh: false,
    show_diff: ShowDiff::Auto,
};

/// The tests' resources share one engine's services, as an engine's file
/// resources do: one inotify watcher for all of them.
static SERVICES: LazyLock<Services> = LazyLock::new(Services::new);

fn spec(name: &str, params: Json) -> ResourceSpec {
    let params = params.as_object().expect("params are an object").clone();
    ResourceSpec::new("file", name, params.into_iter().collect(), "test.mcl:1:1")
}

fn try_file(path: impl AsRef<Path>, params: Json) -> Result<Box<dyn Resource>, ResourceError> {
    SERVICES.build(&spec(&path.as_ref().display().to_string(), params))
}

fn file(path: impl AsRef<Path>, params: Json) -> Box<dyn Resource> {
    try_file(path, params).expect("a valid file resource")
}

/// A directory path with its trailing `/`, as a directory resource names it.
fn dir_name(path: &Path) -> String {
    format!("{}/", path.display())
}

fn changed(resource: &mut Box<dyn Resource>) -> String {
    match resource.check_apply(APPLY).expect("check/apply works") {
        Outcome::Changed(what) => what,
        other => panic!("expected a change, got {other:?}"),
    }
}

fn correct(resource: &mut Box<dyn Resource>) {
    assert_eq!(
        resource.check_apply(APPLY).expect("check/apply works"),
        Outcome::Correct
    );
}

fn would_change(resource: &mut Box<dyn Resource>) -> String {
    would_change_in(resource, NOOP)
}

fn would_change_in(resource: &mut Box<dyn Resource>, context: ApplyContext) -> String {
    match resource.check_apply(context).expect("check works") {
        Outcome::WouldChange(what) => what,
        other => panic!("expected WouldChange, got {other:?}"),
    }
}

fn failure(resource: &mut Box<dyn Resource>) -> String {
    match resource.check_apply(APPLY) {
        Err(ResourceError::Failed(message)) => message,
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn mode_of(path: &Path) -> u32 {
    fs::symlink_metadata(path).expect("stat").mode() & 0o7777
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

fn leftover_temporaries(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .expect("list")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.starts_with(file::TEMP_PREFIX))
        .collect()
}

#[test]
fn creates_a_file_with_content_and_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("motd");
    let mut resource = file(
        &path,
        json!({"state": "exists", "content": "hello\n", "mode": "0640"}),
    );
    assert_eq!(changed(&mut resource), "created (6 bytes, mode 0640)");
    assert_eq!(fs::read_to_string(&path).unwrap(), "hello\n");
    assert_eq!(mode_of(&path), 0o640);
    assert!(leftover_temporaries(dir.path()).is_empty());
}

#[test]
fn content_implies_existence_and_symbolic_modes_resolve() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let mut resource = file(&path, json!({"content": "x", "mode": "u=rw,go=r"}));
    changed(&mut resource);
    assert_eq!(mode_of(&path), 0o644);
    let mut executable = file(&path, json!({"mode": "u+x"}));
    assert_eq!(changed(&mut executable), "mode 0644 -> 0744");
    correct(&mut executable);
}

#[test]
fn an_already_right_file_is_correct_and_not_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let mut resource = file(&path, json!({"content": "same\n", "mode": "0644"}));
    changed(&mut resource);
    let before = fs::metadata(&path).unwrap();
    thread::sleep(Duration::from_millis(20));
    correct(&mut resource);
    let after = fs::metadata(&path).unwrap();
    assert_eq!(before.ino(), after.ino());
    assert_eq!(before.modified().unwrap(), after.modified().unwrap());
    assert_eq!(before.ctime_nsec(), after.ctime_nsec());
}

#[test]
fn content_drift_is_overwritten_keeping_an_unmanaged_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let mut resource = file(&path, json!({"content": "wanted\n"}));
    changed(&mut resource);
    fs::write(&path, "drifted, and longer\n").unwrap();
    chmod(&path, 0o600);
    assert_eq!(changed(&mut resource), "content replaced (7 bytes)");
    assert_eq!(fs::read_to_string(&path).unwrap(), "wanted\n");
    assert_eq!(mode_of(&path), 0o600);
    // Same size, different bytes.
    fs::write(&path, "WANTED\n").unwrap();
    assert_eq!(changed(&mut resource), "content replaced (7 bytes)");
    correct(&mut resource);
}

#[test]
fn chmod_drift_is_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let mut resource = file(&path, json!({"content": "x", "mode": "0644"}));
    changed(&mut resource);
    chmod(&path, 0o777);
    assert_eq!(changed(&mut resource), "mode 0777 -> 0644");
    assert_eq!(mode_of(&path), 0o644);
}

#[test]
fn content_and_mode_are_fixed_in_one_replacement() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    fs::write(&path, "old").unwrap();
    chmod(&path, 0o600);
    let mut resource = file(&path, json!({"content": "new content", "mode": "0644"}));
    assert_eq!(
        changed(&mut resource),
        "content replaced (11 bytes); mode 0600 -> 0644"
    );
    assert_eq!(mode_of(&path), 0o644);
    correct(&mut resource);
}

#[test]
fn a_deleted_file_is_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let mut resource = file(&path, json!({"state": "exists"}));
    assert!(changed(&mut resource).starts_with("created empty file"));
    fs::remove_file(&path).unwrap();
    changed(&mut resource);
    assert_eq!(fs::read(&path).unwrap(), b"");
    fs::write(&path, "data someone wrote").unwrap();
    correct(&mut resource);
}

#[test]
fn absent_removes_files_and_only_with_recurse_full_directories() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    fs::write(&path, "x").unwrap();
    let mut resource = file(&path, json!({"state": "absent"}));
    assert_eq!(changed(&mut resource), "removed file");
    assert!(!path.exists());
    correct(&mut resource);

    let full = dir.path().join("full");
    fs::create_dir_all(full.join("sub")).unwrap();
    let mut shallow = file(dir_name(&full), json!({"state": "absent"}));
    assert!(failure(&mut shallow).contains("not empty"));
    let mut deep = file(dir_name(&full), json!({"state": "absent", "recurse": true}));
    assert_eq!(changed(&mut deep), "removed directory");
    assert!(!full.exists());
}

#[test]
fn a_trailing_slash_manages_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d");
    let mut resource = file(dir_name(&path), json!({"state": "exists", "mode": "0750"}));
    assert_eq!(changed(&mut resource), "created directory (mode 0750)");
    assert!(path.is_dir());
    assert_eq!(mode_of(&path), 0o750);
    correct(&mut resource);
    chmod(&path, 0o700);
    assert_eq!(changed(&mut resource), "mode 0700 -> 0750");

    let occupied = dir.path().join("occupied");
    fs::write(&occupied, "a file").unwrap();
    let mut refused = file(dir_name(&occupied), json!({"state": "exists"}));
    assert!(failure(&mut refused).contains("set `force => true`"));
    let mut forced = file(
        dir_name(&occupied),
        json!({"state": "exists", "force": true}),
    );
    changed(&mut forced);
    assert!(occupied.is_dir());
}

#[test]
fn a_directory_with_recurse_creates_its_parents() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/c");
    let mut resource = file(dir_name(&path), json!({"state": "exists", "recurse": true}));
    changed(&mut resource);
    assert!(path.is_dir());
}

#[test]
fn recurse_and_purge_remove_what_nothing_manages() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("d");
    fs::create_dir_all(root.join("sub/deeper")).unwrap();
    for name in ["a", "keep", "sub/other", "sub/keep2", "sub/deeper/x"] {
        fs::write(root.join(name), name).unwrap();
    }
    let mut graph = GraphSpec {
        resources: vec![
            spec(&dir_name(&root), json!({"recurse": true, "purge": true})),
            spec(
                &root.join("keep").display().to_string(),
                json!({"content": "keep"}),
            ),
            spec(&root.join("sub/keep2").display().to_string(), json!({})),
        ],
        edges: Vec::new(),
    };
    file::annotate_purge_excludes(&mut graph);
    let mut resource = SERVICES.build(&graph.resources[0]).unwrap();
    let noop = would_change(&mut resource);
    assert!(
        noop.contains(&format!("would remove file {}", root.join("a").display())),
        "{noop}"
    );
    assert!(root.join("a").exists());
    let done = changed(&mut resource);
    assert!(
        done.contains(&format!(
            "removed directory {}",
            root.join("sub/deeper").display()
        )),
        "{done}"
    );
    let mut left: Vec<_> = walk(&root);
    left.sort();
    assert_eq!(left, ["keep", "sub", "sub/keep2"]);
    correct(&mut resource);
}

fn walk(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("list") {
            let path = entry.expect("entry").path();
            found.push(
                path.strip_prefix(root)
                    .expect("inside")
                    .display()
                    .to_string(),
            );
            if fs::symlink_metadata(&path).expect("stat").is_dir() {
                pending.push(path);
            }
        }
    }
    found
}

#[test]
fn source_copies_a_file_with_its_mode() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.sh");
    fs::write(&source, "#!/bin/sh\necho hi\n").unwrap();
    chmod(&source, 0o755);
    let path = dir.path().join("copy.sh");
    let mut resource = file(&path, json!({"source": source.display().to_string()}));
    assert_eq!(changed(&mut resource), "created (18 bytes, mode 0755)");
    assert_eq!(fs::read(&path).unwrap(), fs::read(&source).unwrap());
    assert_eq!(mode_of(&path), 0o755);
    correct(&mut resource);
    fs::write(&source, "#!/bin/sh\necho changed\n").unwrap();
    assert_eq!(changed(&mut resource), "content replaced (23 bytes)");
}

#[test]
fn a_source_directory_is_mirrored_with_recurse() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("src");
    fs::create_dir_all(source.join("sub")).unwrap();
    fs::write(source.join("a"), "a").unwrap();
    fs::write(source.join("sub/b"), "b").unwrap();
    chmod(&source.join("sub/b"), 0o600);
    std::os::unix::fs::symlink("a", source.join("link")).unwrap();
    let target = dir.path().join("dst");
    let params = json!({"source": dir_name(&source), "recurse": true});
    let mut resource = file(dir_name(&target), params);
    changed(&mut resource);
    assert_eq!(fs::read_to_string(target.join("sub/b")).unwrap(), "b");
    assert_eq!(mode_of(&target.join("sub/b")), 0o600);
    assert_eq!(
        fs::read_link(target.join("link")).unwrap(),
        PathBuf::from("a")
    );
    correct(&mut resource);

    fs::write(source.join("sub/b"), "changed").unwrap();
    fs::write(target.join("extra"), "not in the source").unwrap();
    let what = changed(&mut resource);
    assert_eq!(
        what,
        format!("updated {} (7 bytes)", target.join("sub/b").display())
    );
    assert!(target.join("extra").exists(), "without purge, extras stay");

    let purge = json!({"source": dir_name(&source), "recurse": true, "purge": true});
    let mut purging = file(dir_name(&target), purge);
    assert_eq!(
        changed(&mut purging),
        format!("removed file {}", target.join("extra").display())
    );
    assert!(leftover_temporaries(&target.join("sub")).is_empty());
}

#[test]
fn a_source_directory_reached_through_a_symlink_is_mirrored() {
    // A deploy's `current -> releases/2` link: the source is the program's
    // to choose, so a symlink there is followed (only entries inside the
    // trees are never followed).
    let dir = tempfile::tempdir().unwrap();
    let release = dir.path().join("releases/2");
    fs::create_dir_all(release.join("sub")).unwrap();
    fs::write(release.join("sub/a"), "a").unwrap();
    let current = dir.path().join("current");
    std::os::unix::fs::symlink(&release, &current).unwrap();
    let target = dir.path().join("dst");
    let params = json!({"source": dir_name(&current), "recurse": true});
    let mut resource = file(dir_name(&target), params);
    changed(&mut resource);
    assert_eq!(fs::read_to_string(target.join("sub/a")).unwrap(), "a");
    correct(&mut resource);
}

#[test]
fn fragments_are_concatenated_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let parts = dir.path().join("parts");
    fs::create_dir(&parts).unwrap();
    fs::write(parts.join("20-second"), "second\n").unwrap();
    fs::write(parts.join("10-first"), "first\n").unwrap();
    let head = dir.path().join("head");
    fs::write(&head, "# head\n").unwrap();
    let path = dir.path().join("joined");
    let fragments = json!([head.display().to_string(), dir_name(&parts)]);
    let mut resource = file(&path, json!({"fragments": fragments}));
    changed(&mut resource);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "# head\nfirst\nsecond\n"
    );
    correct(&mut resource);
    fs::write(parts.join("15-middle"), "middle\n").unwrap();
    changed(&mut resource);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "# head\nfirst\nmiddle\nsecond\n"
    );
}

#[test]
fn symlink_points_the_path_at_source() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("link");
    let mut resource = file(
        &path,
        json!({"symlink": true, "source": "target/that/need/not/exist"}),
    );
    assert_eq!(
        changed(&mut resource),
        "created symlink -> target/that/need/not/exist"
    );
    assert_eq!(
        fs::read_link(&path).unwrap(),
        PathBuf::from("target/that/need/not/exist")
    );
    correct(&mut resource);

    let mut other = file(
        &path,
        json!({"symlink": true, "source": "/etc/hostname", "state": "exists"}),
    );
    assert_eq!(
        changed(&mut other),
        "symlink target/that/need/not/exist -> /etc/hostname"
    );

    let regular = dir.path().join("regular");
    fs::write(&regular, "x").unwrap();
    let mut refused = file(
        &regular,
        json!({"symlink": true, "source": "/etc/hostname"}),
    );
    assert!(failure(&mut refused).contains("is a file, not a symlink; set `force => true`"));
    let mut forced = file(
        &regular,
        json!({"symlink": true, "source": "/etc/hostname", "force": true}),
    );
    changed(&mut forced);
    assert!(fs::symlink_metadata(&regular)
        .unwrap()
        .file_type()
        .is_symlink());

    let mut gone = file(&path, json!({"symlink": true, "state": "absent"}));
    assert_eq!(changed(&mut gone), "removed symlink");
    assert!(fs::symlink_metadata(&path).is_err());
}

#[test]
fn a_symlink_in_the_way_of_a_file_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    fs::write(&elsewhere, "untouched").unwrap();
    let path = dir.path().join("f");
    std::os::unix::fs::symlink(&elsewhere, &path).unwrap();
    let mut refused = file(&path, json!({"content": "mine"}));
    assert!(failure(&mut refused).contains("is a symlink, not a file"));
    let mut forced = file(&path, json!({"content": "mine", "force": true}));
    changed(&mut forced);
    assert!(fs::symlink_metadata(&path).unwrap().is_file());
    assert_eq!(fs::read_to_string(&elsewhere).unwrap(), "untouched");
}

#[test]
fn noop_describes_a_unified_diff_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    fs::write(&path, "one\ntwo\nthree\n").unwrap();
    chmod(&path, 0o600);
    let before = fs::metadata(&path).unwrap();
    let mut resource = file(&path, json!({"content": "one\n2\nthree\n", "mode": "0644"}));
    // A 0600 file's content is not shown by default...
    let hidden = would_change(&mut resource);
    assert!(
        hidden.contains("content [redacted: 14 bytes, sha256 "),
        "{hidden}"
    );
    assert!(!hidden.contains("two"), "{hidden}");
    // ...and is with `--show-diff always`.
    let showing = ApplyContext {
        show_diff: ShowDiff::Always,
        ..NOOP
    };
    let what = would_change_in(&mut resource, showing);
    let shown = path.display();
    assert!(
        what.starts_with(
            "would replace content (14 -> 12 bytes); would change mode 0600 -> 0644\n"
        ),
        "{what}"
    );
    assert!(
        what.contains(&format!("--- {shown}\n+++ {shown} (wanted)\n@@")),
        "{what}"
    );
    assert!(what.contains("\n-two\n+2\n"), "{what}");
    let after = fs::metadata(&path).unwrap();
    assert_eq!(
        (before.ino(), before.mtime_nsec(), mode_of(&path)),
        (after.ino(), after.mtime_nsec(), 0o600)
    );

    let missing = dir.path().join("missing");
    let mut create = file(&missing, json!({"content": "new\n"}));
    let what = would_change(&mut create);
    assert!(
        what.contains("would create (4 bytes") && what.contains("+new"),
        "{what}"
    );
    assert!(!missing.exists());
    assert!(leftover_temporaries(dir.path()).is_empty());
}

#[test]
fn noop_summarises_binary_content() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blob");
    fs::write(&path, [0xff, 0x00, 0xfe]).unwrap();
    let mut resource = file(&path, json!({"content": "text\n"}));
    let what = would_change(&mut resource);
    assert!(
        what.ends_with("\nbinary content differs (3 bytes -> 5 bytes)"),
        "{what}"
    );
}

#[test]
fn a_missing_parent_directory_is_a_clear_failure() {
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().join("missing");
    let path = parent.join("f");
    let mut resource = file(&path, json!({"content": "x"}));
    let message = failure(&mut resource);
    assert!(
        message.contains(&format!(
            "parent directory {} does not exist",
            parent.display()
        )),
        "{message}"
    );
    assert!(
        !parent.exists(),
        "the file resource does not create parents"
    );
}

#[test]
fn a_parent_that_is_a_file_is_a_clear_failure() {
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().join("plain");
    fs::write(&parent, "x").unwrap();
    let mut resource = file(parent.join("f"), json!({"content": "x"}));
    let message = failure(&mut resource);
    assert!(
        message.contains(&format!("parent {} is not a directory", parent.display())),
        "{message}"
    );
    let mut deeper = file(parent.join("sub/f"), json!({"content": "x"}));
    let message = failure(&mut deeper);
    assert!(message.contains("Not a directory"), "{message}");
}

/// Clears the immutable flag again, even when the test fails.
struct Immutable(PathBuf);

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
    }
}

/// Root bypasses permission bits, but not an immutable directory
/// (`chattr +i`): writing into it fails with EPERM even for root.
#[test]
fn permission_denied_is_a_failure_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    fs::create_dir(&locked).unwrap();
    chmod(&locked, 0o500);
    let flagged = Command::new("chattr")
        .arg("+i")
        .arg(&locked)
        .status()
        .is_ok_and(|status| status.success());
    let _guard = Immutable(locked.clone());
    if !flagged && nix::unistd::geteuid().is_root() {
        eprintln!("skipped: `chattr +i` is unavailable here and root ignores mode 0500");
        return;
    }
    let path = locked.join("f");
    let mut resource = file(&path, json!({"content": "x"}));
    let message = failure(&mut resource);
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(
        message.contains("not permitted") || message.contains("Permission denied"),
        "{message}"
    );
}

#[test]
fn a_reader_never_sees_a_half_written_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big");
    let size = 256 * 1024;
    let mut first = file(&path, json!({"content": "a".repeat(size)}));
    let mut second = file(&path, json!({"content": "b".repeat(size)}));
    changed(&mut first);
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (path, stop) = (path.clone(), stop.clone());
        thread::spawn(move || {
            let mut reads = 0;
            while !stop.load(Ordering::Relaxed) {
                let bytes = fs::read(&path).expect("the target always exists");
                assert_eq!(bytes.len(), size, "a short read means a half-written file");
                assert!(
                    bytes.iter().all(|byte| *byte == bytes[0]),
                    "mixed old and new content"
                );
                reads += 1;
            }
            reads
        })
    };
    for _ in 0..25 {
        changed(&mut second);
        changed(&mut first);
    }
    stop.store(true, Ordering::Relaxed);
    assert!(reader.join().expect("the reader saw only whole files") > 0);
    assert!(leftover_temporaries(dir.path()).is_empty());
}

#[test]
fn owner_and_group_take_names_or_ids() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: changing owners needs root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    fs::write(&path, "x").unwrap();
    let mut resource = file(&path, json!({"owner": "4321", "group": "4322"}));
    assert_eq!(
        changed(&mut resource),
        "owner root -> 4321; group root -> 4322"
    );
    let metadata = fs::metadata(&path).unwrap();
    assert_eq!((metadata.uid(), metadata.gid()), (4321, 4322));
    correct(&mut resource);
    let mut named = file(
        &path,
        json!({"owner": "root", "group": "root", "content": "y"}),
    );
    assert_eq!(
        changed(&mut named),
        "content replaced (1 bytes); owner 4321 -> root; group 4322 -> root"
    );
    assert_eq!(fs::metadata(&path).unwrap().uid(), 0);
    let mut unknown = file(&path, json!({"owner": "no-such-user-here"}));
    assert!(failure(&mut unknown).contains("no such user"));
}

#[test]
fn metadata_alone_does_not_create_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let mut resource = file(&path, json!({"mode": "0600"}));
    assert!(failure(&mut resource).contains("does not exist"));
    assert!(!path.exists());
    let mut nothing = file(&path, json!({}));
    correct(&mut nothing);
}

#[test]
fn received_content_and_mode_are_applied() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let mut resource = file(&path, json!({"state": "exists"}));
    resource.receive("content", json!("from exec\n")).unwrap();
    resource.receive("mode", json!("0600")).unwrap();
    changed(&mut resource);
    assert_eq!(fs::read_to_string(&path).unwrap(), "from exec\n");
    assert_eq!(mode_of(&path), 0o600);
    assert!(matches!(
        resource.receive("mode", json!("rw-r")),
        Err(ResourceError::Invalid(_))
    ));
    assert!(matches!(
        resource.receive("purge", json!(true)),
        Err(ResourceError::Invalid(_))
    ));
}

#[test]
fn invalid_params_are_rejected_before_running() {
    let invalid = |name: &str, params: Json, needle: &str| match try_file(name, params) {
        Err(ResourceError::Invalid(message)) => assert!(message.contains(needle), "{message}"),
        other => panic!(
            "expected Invalid containing {needle:?}, got {:?}",
            other.map(|_| ())
        ),
    };
    invalid(
        "/tmp/f",
        json!({"content": "x", "source": "/etc/hostname"}),
        "only one",
    );
    invalid(
        "/tmp/f",
        json!({"state": "absent", "content": "x"}),
        "absent",
    );
    invalid("relative/f", json!({}), "absolute");
    invalid("/tmp/f", json!({"mode": "0999"}), "octal");
    invalid("/tmp/f", json!({"mode": "u=rwz"}), "unknown permission");
    invalid("/tmp/d/", json!({"purge": true}), "recurse");
    invalid("/tmp/l", json!({"symlink": true}), "source");
}

// ---------------------------------------------------------------- watch

fn events() -> (WatchEvents, mpsc::UnboundedReceiver<()>) {
    WatchEvents::channel()
}

/// Whether an event arrives within `limit`.
fn event_within(receiver: &mut mpsc::UnboundedReceiver<()>, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if receiver.try_recv().is_ok() {
            return true;
        }
        thread::sleep(Duration::from_millis(5));
    }
    false
}

/// Waits for quiet, then forgets what arrived.
fn settle(receiver: &mut mpsc::UnboundedReceiver<()>) {
    thread::sleep(Duration::from_millis(50));
    while receiver.try_recv().is_ok() {}
}

const SECOND: Duration = Duration::from_secs(1);

#[test]
fn watch_sees_writes_chmod_removal_and_creation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    fs::write(&path, "x").unwrap();
    let resource = file(&path, json!({"content": "x"}));
    let (sender, mut receiver) = events();
    let _guard = resource
        .watch(sender)
        .unwrap()
        .expect("the file resource watches");
    settle(&mut receiver);

    fs::write(dir.path().join("unrelated"), "y").unwrap();
    fs::write(dir.path().join(".mgmt-temporary"), "y").unwrap();
    assert!(
        !event_within(&mut receiver, Duration::from_millis(200)),
        "other files are not ours"
    );

    fs::write(&path, "changed").unwrap();
    assert!(event_within(&mut receiver, SECOND), "a write is seen");
    settle(&mut receiver);
    chmod(&path, 0o600);
    assert!(event_within(&mut receiver, SECOND), "a chmod is seen");
    settle(&mut receiver);
    fs::remove_file(&path).unwrap();
    assert!(event_within(&mut receiver, SECOND), "a removal is seen");
    settle(&mut receiver);
    fs::write(&path, "back").unwrap();
    assert!(event_within(&mut receiver, SECOND), "a creation is seen");
}

#[test]
fn watch_sees_our_own_rename_into_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let mut resource = file(&path, json!({"content": "x"}));
    let (sender, mut receiver) = events();
    let _guard = resource.watch(sender).unwrap();
    settle(&mut receiver);
    changed(&mut resource);
    assert!(event_within(&mut receiver, SECOND));
}

#[test]
fn watch_follows_a_parent_that_appears_later() {
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().join("later/deeper");
    let path = parent.join("f");
    let resource = file(&path, json!({"content": "x"}));
    let (sender, mut receiver) = events();
    let _guard = resource.watch(sender).unwrap();
    settle(&mut receiver);
    fs::create_dir_all(&parent).unwrap();
    assert!(
        event_within(&mut receiver, SECOND),
        "the parent's creation is seen"
    );
    settle(&mut receiver);
    fs::write(&path, "y").unwrap();
    assert!(
        event_within(&mut receiver, SECOND),
        "the file inside is seen once re-armed"
    );
}

#[test]
fn watch_covers_a_recursive_directory_tree() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    fs::create_dir_all(root.join("a/b")).unwrap();
    let resource = file(dir_name(&root), json!({"recurse": true, "purge": true}));
    let (sender, mut receiver) = events();
    let _guard = resource.watch(sender).unwrap();
    settle(&mut receiver);
    fs::write(root.join("a/b/deep"), "x").unwrap();
    assert!(
        event_within(&mut receiver, SECOND),
        "a change deep in the tree is seen"
    );
}

#[test]
fn watch_sees_changes_to_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source");
    fs::write(&source, "x").unwrap();
    let resource = file(
        dir.path().join("copy"),
        json!({"source": source.display().to_string()}),
    );
    let (sender, mut receiver) = events();
    let _guard = resource.watch(sender).unwrap();
    settle(&mut receiver);
    fs::write(&source, "changed").unwrap();
    assert!(event_within(&mut receiver, SECOND));
}

/// More watching resources than the default limit of 128 inotify
/// instances per user: they share one watcher.
#[test]
fn hundreds_of_watches_share_one_watcher() {
    let dir = tempfile::tempdir().unwrap();
    let mut watches = Vec::new();
    for index in 0..300 {
        let resource = file(
            dir.path().join(format!("f{index}")),
            json!({"content": "x"}),
        );
        let (sender, receiver) = events();
        let guard = resource.watch(sender).unwrap();
        watches.push((guard, receiver));
    }
    thread::sleep(Duration::from_millis(50));
    for (_, receiver) in &mut watches {
        while receiver.try_recv().is_ok() {}
    }
    fs::write(dir.path().join("f150"), "y").unwrap();
    assert!(event_within(&mut watches[150].1, SECOND));
    thread::sleep(Duration::from_millis(50));
    let others = watches
        .iter_mut()
        .enumerate()
        .filter(|(index, _)| *index != 150);
    let woken: Vec<usize> = others
        .filter_map(|(index, (_, receiver))| receiver.try_recv().ok().map(|()| index))
        .collect();
    assert!(woken.is_empty(), "only f150's watch fires, not {woken:?}");
}

#[test]
fn dropping_the_guard_stops_the_watch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let resource = file(&path, json!({"content": "x"}));
    let (sender, mut receiver) = events();
    let guard = resource.watch(sender).unwrap();
    drop(guard);
    let deadline = Instant::now() + SECOND;
    loop {
        match receiver.try_recv() {
            Err(mpsc::error::TryRecvError::Disconnected) => break,
            _ if Instant::now() > deadline => panic!("the watch thread still runs"),
            _ => thread::sleep(Duration::from_millis(5)),
        }
    }
}
