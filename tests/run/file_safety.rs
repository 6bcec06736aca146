//! The file resource against hostile and crashed neighbours, with the real
//! binary: a symlink swap race by an unprivileged user, and temporaries a
//! dead agent left behind.

use super::support::{text, Case};
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
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
    let shared = case.path("d");
    fs::create_dir(&shared).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
    let victim = case.path("victim");
    fs::write(&victim, "secret").unwrap();
    fs::set_permissions(&victim, fs::Permissions::from_mode(0o600)).unwrap();
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
