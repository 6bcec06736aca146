//! The file resource against hostile and crashed neighbours, with the real
//! binary: symlink swap races by an unprivileged user (at a managed path,
//! and inside a recursively copied and purged tree), and temporaries a dead
//! agent left behind.

use super::support::{text, Case};
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

fn is_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|metadata| metadata.uid() == 0)
}

/// The start time (field 22 of `/proc/<pid>/stat`) the agent names its
/// temporaries with.
fn start_time(pid: u32) -> u64 {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    let after_name = &stat[stat.rfind(')').expect("name") + 1..];
    after_name
        .split_whitespace()
        .nth(19)
        .and_then(|field| field.parse().ok())
        .expect("start time")
}

/// `@/d`, a sticky world-writable directory as `/tmp` is, and `@/victim`,
/// a 0600 file holding `secret` that only its owner may touch.
fn shared_dir_and_victim(case: &Case) -> (PathBuf, PathBuf) {
    let shared = case.path("d");
    fs::create_dir(&shared).expect("shared dir");
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).expect("chmod 1777");
    let victim = case.path("victim");
    fs::write(&victim, "secret").expect("victim written");
    fs::set_permissions(&victim, fs::Permissions::from_mode(0o600)).expect("chmod 0600");
    (shared, victim)
}

#[test]
fn a_dead_agents_temporaries_are_removed_and_a_live_ones_kept() {
    let case = Case::new("file \"@/f\" { content => \"x\", }\n");
    let mut other = Command::new("sleep").arg("60").spawn().expect("sleep");
    let live = case.path(&format!(
        ".mgmt-tmp.{}-{}.abc123",
        other.id(),
        start_time(other.id())
    ));
    // Above the largest pid_max, so no process can have it.
    let dead = case.path(".mgmt-tmp.4194305-1.abc123");
    fs::write(&live, "live").unwrap();
    fs::write(&dead, "dead").unwrap();
    let output = case.once(&[]);
    let _ = other.kill();
    let _ = other.wait();
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(case.read("f"), "x");
    assert!(!dead.exists(), "a dead agent's temporary is removed");
    assert!(live.exists(), "a live process's temporary is kept");
}

/// An unprivileged user swaps a file and a symlink to a root 0600 file in a
/// loop, in a sticky world-writable directory, against a watching agent
/// managing the mode there: the victim never changes.
#[test]
fn a_symlink_swap_race_never_reaches_the_victim() {
    if !is_root() {
        eprintln!(
            "skipped: needs root to run the swap loop as `nobody` against a root-owned victim"
        );
        return;
    }
    let case = Case::new("file \"@/d/f\" { mode => \"0666\", }\n");
    fs::set_permissions(case.dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let (shared, victim) = shared_dir_and_victim(&case);
    let script = format!(
        "cd {dir} && i=0; while [ $i -lt 20000 ]; do \
         echo x > f.new && mv -f f.new f; ln -sf {victim} f.link && mv -f f.link f; \
         i=$((i+1)); done",
        dir = shared.display(),
        victim = victim.display()
    );
    let agent = case.agent(&[]);
    let mut swapper = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "sh",
            "-c",
        ])
        .arg(&script)
        .spawn()
        .expect("setpriv starts");
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(4) {
        if swapper.try_wait().expect("wait").is_some() {
            break;
        }
        let metadata = fs::metadata(&victim).unwrap();
        assert_eq!(metadata.mode() & 0o7777, 0o600, "victim mode changed");
        assert_eq!(metadata.uid(), 0, "victim owner changed");
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = swapper.kill();
    let _ = swapper.wait();
    drop(agent);
    let metadata = fs::metadata(&victim).unwrap();
    assert_eq!(metadata.mode() & 0o7777, 0o600);
    assert_eq!((metadata.uid(), metadata.gid()), (0, 0));
    assert_eq!(fs::read(&victim).unwrap(), b"secret");
}

/// A hard link to a root-only file, found in a sticky world-writable
/// directory where only a mode is managed, is refused (changing the mode
/// in place would change the victim); content is written as a new inode,
/// so a hard-linked victim keeps its own. The links are made by the test
/// as root: with `fs.protected_hardlinks=1` another user could not.
#[test]
fn a_hard_link_in_a_shared_directory_never_hands_its_target_to_the_agent() {
    let case = Case::new(
        "file \"@/d/f\" {\n\tmode => \"0666\",\n}\nfile \"@/d/g\" {\n\tcontent => \"new\\n\",\n}\n",
    );
    let (shared, victim) = shared_dir_and_victim(&case);
    fs::hard_link(&victim, shared.join("f")).unwrap();
    let other = case.path("other");
    fs::write(&other, "other's own\n").unwrap();
    fs::hard_link(&other, shared.join("g")).unwrap();

    let output = case.once(&[]);
    let log = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{log}");
    assert!(
        log.contains("has 2 hard links and its directory can be written by others"),
        "{log}"
    );
    assert_eq!(
        fs::metadata(&victim).unwrap().mode() & 0o7777,
        0o600,
        "{log}"
    );
    assert_eq!(
        fs::read_to_string(shared.join("g")).unwrap(),
        "new\n",
        "{log}"
    );
    assert_eq!(
        fs::read_to_string(&other).unwrap(),
        "other's own\n",
        "{log}"
    );
}

/// An unprivileged user who owns a directory inside a recursively copied
/// and purged tree swaps a subdirectory of it for a symlink to a root-only
/// directory, in a loop, against one-shot runs (each walks the whole tree):
/// nothing of the victim directory is purged, and nothing is copied into it.
#[test]
fn a_directory_swapped_for_a_symlink_inside_a_purged_tree_never_reaches_the_victim() {
    if !is_root() {
        eprintln!(
            "skipped: needs root to run the swap loop as `nobody` against a root-owned victim"
        );
        return;
    }
    let case = Case::new(
        "file \"@/site/\" {\n\tsource => \"@/src/\",\n\trecurse => true,\n\tpurge => true,\n\tforce => true,\n}\n",
    );
    fs::set_permissions(case.dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::create_dir_all(case.path("src/uploads/sub")).unwrap();
    fs::write(case.path("src/uploads/sub/keep"), "from the source").unwrap();
    fs::set_permissions(case.path("src/uploads"), fs::Permissions::from_mode(0o755)).unwrap();
    // The upload directory belongs to the attacker, as a web server's would.
    fs::create_dir_all(case.path("site/uploads/sub")).unwrap();
    std::os::unix::fs::chown(case.path("site/uploads"), Some(65534), Some(65534)).unwrap();
    let victim = case.path("victim");
    fs::create_dir(&victim).unwrap();
    fs::set_permissions(&victim, fs::Permissions::from_mode(0o700)).unwrap();
    fs::write(victim.join("important"), "secret").unwrap();
    // renameat2(RENAME_EXCHANGE) swaps the directory and a symlink to the
    // victim back and forth, hundreds of thousands of times a second (and
    // makes the symlink again when the purge removed it).
    let script = format!(
        "chdir '{uploads}' or die; my ($dir, $link) = ('sub', 'l'); my $end = time + 4; \
         while (time < $end) {{ syscall(316, -100, $dir, -100, $link, 2) == 0 \
         or symlink('{victim}', $link); }}",
        uploads = case.path("site/uploads").display(),
        victim = victim.display()
    );
    let mut swapper = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "perl",
            "-e",
        ])
        .arg(&script)
        .spawn()
        .expect("setpriv starts");
    let started = Instant::now();
    let mut runs = 0;
    while started.elapsed() < Duration::from_secs(3) && swapper.try_wait().expect("wait").is_none()
    {
        let output = case.once(&[]);
        runs += 1;
        let log = text(&output.stderr);
        assert!(
            victim.join("important").exists(),
            "run {runs} purged the victim: {log}"
        );
        assert!(
            !victim.join("keep").exists(),
            "run {runs} copied into the victim: {log}"
        );
    }
    let _ = swapper.kill();
    let _ = swapper.wait();
    assert!(runs > 1, "the runs raced the swaps");
    assert_eq!(fs::read(victim.join("important")).unwrap(), b"secret");
    assert_eq!(fs::read_dir(&victim).unwrap().count(), 1);
}

/// SIGKILL a one-shot run of 1,000 files at a few moments: every file is
/// either missing or whole, and a normal run afterwards leaves every file
/// right and no temporary behind.
#[test]
fn a_killed_run_leaves_no_partial_file_and_the_next_run_no_temporary() {
    const FILES: usize = 1000;
    let content = |index: usize| format!("file {index}\n").repeat(50);
    let mut program = String::new();
    for index in 0..FILES {
        program.push_str(&format!(
            "file \"@/out/f{index}\" {{ content => \"{}\", }}\n",
            content(index).replace('\n', "\\n")
        ));
    }
    let case = Case::new(&program);
    fs::create_dir(case.path("out")).unwrap();
    // Pseudo-random moments from the clock; bounded to five kills.
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(7, |elapsed| elapsed.subsec_nanos() as u64);
    for round in 0..5u64 {
        let delay = (seed.wrapping_mul(round + 1).wrapping_mul(2_654_435_761)) % 400;
        let mut child = super::support::mgmt()
            .args(["run", "--converged-timeout", "0"])
            .arg(&case.program)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("mgmt starts");
        std::thread::sleep(Duration::from_millis(20 + delay));
        let _ = child.kill();
        let _ = child.wait();
        for index in 0..FILES {
            if let Ok(found) = fs::read_to_string(case.path(&format!("out/f{index}"))) {
                assert_eq!(found, content(index), "f{index} is partial after a kill");
            }
        }
    }
    let output = case.once(&[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    for index in 0..FILES {
        assert_eq!(case.read(&format!("out/f{index}")), content(index));
    }
    let temporaries: Vec<_> = fs::read_dir(case.path("out"))
        .unwrap()
        .flatten()
        .map(|entry| entry.file_name())
        .filter(|name| name.to_string_lossy().starts_with(".mgmt-"))
        .collect();
    assert!(temporaries.is_empty(), "left behind: {temporaries:?}");
}
