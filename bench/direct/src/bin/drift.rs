//! `drift`: how fast a watching `mgmt run` repairs drift, and how much memory
//! it holds while it watches.
//!
//! It writes a program of N `file` resources (the same text the shared
//! harness writes for W1, `DIR/files/fK`, content `i am fK\n`, mode 0644),
//! starts `mgmt run PROGRAM` without a converged timeout, and waits for the
//! engine's `converged` debug line (`MGMT_LOG=info,mgmt_runtime::engine=debug`).
//! It then reads VmHWM/VmRSS from /proc/PID/status, and ITERATIONS times drifts
//! one managed file (in turn: delete it, overwrite its content, chmod it 0600;
//! the file index is pseudo-random with a fixed seed) and measures the time from
//! just before the drifting syscall until the file is correct again. The wait
//! is event-driven: an inotify watch on the directory wakes it (poll(2) with a
//! 1 ms timeout as a fallback), and after each wake-up the file is lstat-ed and
//! read. Between two drifts it pauses GAP ms so the agent is idle again.
//! Then it sends SIGTERM and waits for the agent to exit (SIGKILL after
//! --stop-timeout-s, default 10 s, which is reported), so nothing is left
//! running. Last, with the agent gone, it makes the same drifts again and
//! repairs each itself with the syscalls mgmt's atomic write makes (temporary
//! file, write, fchmod, fsync, rename, fsync of the directory; chmod for a
//! mode drift): the floor under any repair latency on this disk.
//!
//! Prints a human summary on standard error and one JSON object on standard
//! output.
//!
//! Usage: drift --mgmt BIN [--dir DIR] [--n N] [--iterations I] [--gap-ms G]

use inotify::{Inotify, WatchMask};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::fs::{self, Permissions};
use std::io::{BufRead, BufReader, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Options {
    mgmt: PathBuf,
    dir: PathBuf,
    count: u64,
    iterations: usize,
    gap: Duration,
    repair_timeout: Duration,
    converge_timeout: Duration,
    stop_timeout: Duration,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        mgmt: std::env::var_os("MGMT_BIN")
            .map(PathBuf::from)
            .unwrap_or_default(),
        dir: PathBuf::new(),
        count: 100,
        iterations: 100,
        gap: Duration::from_millis(50),
        repair_timeout: Duration::from_secs(5),
        converge_timeout: Duration::from_secs(600),
        stop_timeout: Duration::from_secs(10),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        let number = |text: String| {
            text.parse::<u64>()
                .map_err(|_| format!("{flag}: not a number: {text}"))
        };
        match flag.as_str() {
            "--mgmt" => options.mgmt = PathBuf::from(value()?),
            "--dir" => options.dir = PathBuf::from(value()?),
            "--n" => options.count = number(value()?)?,
            "--iterations" => options.iterations = number(value()?)? as usize,
            "--gap-ms" => options.gap = Duration::from_millis(number(value()?)?),
            "--repair-timeout-ms" => {
                options.repair_timeout = Duration::from_millis(number(value()?)?)
            }
            "--converge-timeout-s" => {
                options.converge_timeout = Duration::from_secs(number(value()?)?)
            }
            "--stop-timeout-s" => options.stop_timeout = Duration::from_secs(number(value()?)?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown option {other}")),
        }
    }
    if options.mgmt.as_os_str().is_empty() {
        return Err("give --mgmt BIN (or set MGMT_BIN)".into());
    }
    if options.dir.as_os_str().is_empty() {
        options.dir = PathBuf::from(format!("/tmp/mgmt-bench/drift-n{}", options.count));
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(options) => options,
        Err(problem) => {
            if !problem.is_empty() {
                eprintln!("drift: {problem}");
            }
            eprintln!("usage: drift --mgmt BIN [--dir DIR] [--n N] [--iterations I] [--gap-ms G] [--repair-timeout-ms T] [--converge-timeout-s S] [--stop-timeout-s S]");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("drift: {problem}");
            ExitCode::from(1)
        }
    }
}

fn content(k: u64) -> String {
    format!("i am f{k}\n")
}

/// The harness's `gen_mgmt_files`: one written-out resource per file.
fn write_program(path: &Path, files: &Path, count: u64) -> std::io::Result<()> {
    let quote = |text: &str| {
        let escaped = text
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('$', "\\$")
            .replace('\n', "\\n");
        format!("\"{escaped}\"")
    };
    let mut text = String::new();
    for k in 1..=count {
        let target = files.join(format!("f{k}"));
        text.push_str(&format!(
            "file {} {{\n\tstate => \"exists\",\n\tcontent => {},\n\tmode => \"0644\",\n}}\n",
            quote(&target.to_string_lossy()),
            quote(&content(k))
        ));
    }
    fs::write(path, text)
}

fn is_correct(path: &Path, k: u64) -> bool {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return false;
    };
    meta.file_type().is_file()
        && meta.permissions().mode() & 0o7777 == 0o644
        && fs::read(path).is_ok_and(|have| have == content(k).as_bytes())
}

/// The agent, killed if still running when dropped (an early error, a panic).
struct Agent {
    child: Child,
    reaped: bool,
}

impl Agent {
    fn pid(&self) -> Pid {
        Pid::from_raw(self.child.id() as i32)
    }

    /// SIGTERM, then wait up to `patience`; SIGKILL after that. Returns how
    /// long the agent took to exit, whether it had to be killed, and its status.
    fn stop(&mut self, patience: Duration) -> (Duration, bool, String) {
        let started = Instant::now();
        let _ = kill(self.pid(), Signal::SIGTERM);
        let mut killed = false;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    self.reaped = true;
                    return (started.elapsed(), killed, status.to_string());
                }
                Ok(None) if started.elapsed() > patience && !killed => {
                    let _ = self.child.kill();
                    killed = true;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(1)),
                Err(error) => return (started.elapsed(), killed, format!("wait failed: {error}")),
            }
        }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if !self.reaped {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// VmHWM and VmRSS (KiB) and Threads of a process.
fn memory(pid: Pid) -> (u64, u64, u64) {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|number| number.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"), field("Threads:"))
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Delete,
    Overwrite,
    Chmod,
}

const KINDS: [Kind; 3] = [Kind::Delete, Kind::Overwrite, Kind::Chmod];

fn drift(path: &Path, kind: Kind) -> std::io::Result<()> {
    match kind {
        Kind::Delete => fs::remove_file(path),
        Kind::Overwrite => fs::write(path, b"drifted\n"),
        Kind::Chmod => fs::set_permissions(path, Permissions::from_mode(0o600)),
    }
}

/// The file and the kind of drift of each iteration: the same sequence for
/// the agent and for the floor.
struct Picker {
    seed: u64,
    count: u64,
}

impl Picker {
    fn new(count: u64) -> Picker {
        Picker {
            seed: 0x9E37_79B9_7F4A_7C15,
            count: count.max(1),
        }
    }

    fn next(&mut self, iteration: usize) -> (u64, Kind) {
        self.seed = self
            .seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (
            (self.seed >> 33) % self.count + 1,
            KINDS[iteration % KINDS.len()],
        )
    }
}

/// The floor of a repair: done here, with no detection and no scheduling,
/// by the syscalls mgmt's atomic write makes (temporary file in the same
/// directory, write, fchmod, fsync, rename, fsync of the directory), or a
/// chmod in place for a mode drift.
fn repair_directly(files: &Path, path: &Path, k: u64, kind: Kind) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Kind::Chmod = kind {
        return fs::set_permissions(path, Permissions::from_mode(0o644));
    }
    let temporary = files.join(format!(".floor-f{k}"));
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&temporary)?;
    file.write_all(content(k).as_bytes())?;
    file.set_permissions(Permissions::from_mode(0o644))?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temporary, path)?;
    fs::File::open(files)?.sync_all()
}

/// The same drifts as the agent saw, each repaired by `repair_directly`;
/// the time from just before the drift until the file checks correct.
fn floor(options: &Options, files: &Path) -> Result<Vec<(Kind, f64)>, String> {
    let mut picker = Picker::new(options.count);
    let mut latencies = Vec::new();
    nix::unistd::sync();
    std::thread::sleep(options.gap);
    for iteration in 0..options.iterations {
        let (k, kind) = picker.next(iteration);
        let path = files.join(format!("f{k}"));
        let t0 = Instant::now();
        drift(&path, kind).map_err(|e| format!("cannot drift {}: {e}", path.display()))?;
        repair_directly(files, &path, k, kind)
            .map_err(|e| format!("cannot repair {}: {e}", path.display()))?;
        if !is_correct(&path, k) {
            return Err(format!(
                "floor: {} is wrong after its repair",
                path.display()
            ));
        }
        latencies.push((kind, t0.elapsed().as_secs_f64() * 1000.0));
        std::thread::sleep(options.gap);
    }
    Ok(latencies)
}

struct Summary {
    count: usize,
    p50: f64,
    p90: f64,
    max: f64,
}

/// Median (the mean of the two middle values for an even count), p90 by
/// nearest rank, and max, of latencies in ms.
fn summarize(values: &[f64]) -> Option<Summary> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let p50 = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    let p90 = sorted[((n as f64 * 0.9).ceil() as usize).clamp(1, n) - 1];
    Some(Summary {
        count: n,
        p50,
        p90,
        max: sorted[n - 1],
    })
}

fn summary_json(summary: &Option<Summary>) -> String {
    match summary {
        Some(s) => format!(
            "{{\"count\":{},\"p50_ms\":{:.3},\"p90_ms\":{:.3},\"max_ms\":{:.3}}}",
            s.count, s.p50, s.p90, s.max
        ),
        None => "null".into(),
    }
}

fn run(options: &Options) -> Result<String, String> {
    let files = options.dir.join("files");
    let _ = fs::remove_dir_all(&files);
    fs::create_dir_all(&files).map_err(|e| format!("{}: {e}", files.display()))?;
    let program = options.dir.join("drift.mcl");
    write_program(&program, &files, options.count)
        .map_err(|e| format!("{}: {e}", program.display()))?;
    let log_path = options.dir.join("mgmt.log");
    let mut log =
        fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;

    let started = Instant::now();
    let child = Command::new(&options.mgmt)
        .arg("run")
        .arg(&program)
        .env("MGMT_LOG", "info,mgmt_runtime::engine=debug")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", options.mgmt.display()))?;
    let mut agent = Agent {
        child,
        reaped: false,
    };
    let pid = agent.pid();

    // Drain the agent's log on a thread (a full pipe would stall it); say
    // when the engine reports itself converged.
    let stderr = agent.child.stderr.take().ok_or("no stderr pipe")?;
    let (converged_tx, converged_rx) = mpsc::channel::<Instant>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let _ = writeln!(log, "{line}");
            if line.contains("DEBUG") && line.trim_end().ends_with(" converged") {
                let _ = converged_tx.send(Instant::now());
            }
        }
    });

    let converged_at = loop {
        match converged_rx.recv_timeout(Duration::from_millis(100)) {
            Ok(at) => break at,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Ok(Some(status)) = agent.child.try_wait() {
                    agent.reaped = true;
                    return Err(format!(
                        "mgmt exited before converging ({status}); see {}",
                        log_path.display()
                    ));
                }
                if started.elapsed() > options.converge_timeout {
                    return Err(format!(
                        "mgmt did not converge within {:?}; see {}",
                        options.converge_timeout,
                        log_path.display()
                    ));
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(format!(
                    "mgmt closed its log before converging; see {}",
                    log_path.display()
                ))
            }
        }
    };
    let startup = converged_at - started;
    let wrong = (1..=options.count)
        .filter(|&k| !is_correct(&files.join(format!("f{k}")), k))
        .count();
    if wrong > 0 {
        return Err(format!(
            "mgmt said converged, but {wrong} files are wrong; see {}",
            log_path.display()
        ));
    }
    let (hwm_converged, rss_converged, threads) = memory(pid);
    eprintln!(
        "converged after {:.3} s: VmHWM {} KiB, VmRSS {} KiB, {} threads",
        startup.as_secs_f64(),
        hwm_converged,
        rss_converged,
        threads
    );

    let mut inotify = Inotify::init().map_err(|e| format!("inotify: {e}"))?;
    inotify
        .watches()
        .add(
            &files,
            WatchMask::CREATE
                | WatchMask::MOVED_TO
                | WatchMask::CLOSE_WRITE
                | WatchMask::MODIFY
                | WatchMask::ATTRIB
                | WatchMask::DELETE,
        )
        .map_err(|e| format!("inotify watch: {e}"))?;
    let mut buffer = vec![0u8; 64 * 1024];
    let mut drain = |inotify: &mut Inotify| {
        while let Ok(events) = inotify.read_events(&mut buffer) {
            if events.count() == 0 {
                break;
            }
        }
    };

    let mut latencies: Vec<(Kind, f64)> = Vec::new();
    let mut failures = Vec::new();
    let mut picker = Picker::new(options.count);
    // Repairs are fsync-bound: start both loops with nothing left to write back.
    nix::unistd::sync();
    std::thread::sleep(options.gap);
    for iteration in 0..options.iterations {
        let (k, kind) = picker.next(iteration);
        let path = files.join(format!("f{k}"));
        drain(&mut inotify);
        let t0 = Instant::now();
        drift(&path, kind).map_err(|e| format!("cannot drift {}: {e}", path.display()))?;
        let repaired = loop {
            if is_correct(&path, k) {
                break Some(t0.elapsed());
            }
            if t0.elapsed() > options.repair_timeout {
                break None;
            }
            let mut fds = [PollFd::new(inotify.as_fd(), PollFlags::POLLIN)];
            let _ = poll(&mut fds, PollTimeout::from(1u8));
            drain(&mut inotify);
        };
        match repaired {
            Some(latency) => latencies.push((kind, latency.as_secs_f64() * 1000.0)),
            None => {
                eprintln!(
                    "iteration {iteration}: {kind:?} of f{k} not repaired within {:?}",
                    options.repair_timeout
                );
                failures.push(format!("{kind:?} f{k}"));
            }
        }
        std::thread::sleep(options.gap);
    }
    let (hwm_end, rss_end, threads_end) = memory(pid);
    let (stop_time, killed, status) = agent.stop(options.stop_timeout);
    let _ = reader.join();
    let alive = fs::metadata(format!("/proc/{pid}")).is_ok();
    // With the agent gone, the same drifts repaired directly: the floor.
    let floor_latencies = floor(options, &files)?;

    let all: Vec<f64> = latencies.iter().map(|(_, ms)| *ms).collect();
    let of = |wanted: &str| -> Vec<f64> {
        latencies
            .iter()
            .filter(|(kind, _)| format!("{kind:?}") == wanted)
            .map(|(_, ms)| *ms)
            .collect()
    };
    let floor_of = |wanted: Option<&str>| -> Vec<f64> {
        floor_latencies
            .iter()
            .filter(|(kind, _)| wanted.is_none_or(|wanted| format!("{kind:?}") == wanted))
            .map(|(_, ms)| *ms)
            .collect()
    };
    let floor_all = summarize(&floor_of(None));
    let overall = summarize(&all);
    if let Some(s) = &overall {
        eprintln!(
            "{} repairs at N={}: p50 {:.3} ms, p90 {:.3} ms, max {:.3} ms; {} not repaired",
            s.count,
            options.count,
            s.p50,
            s.p90,
            s.max,
            failures.len()
        );
    }
    if let Some(s) = &floor_all {
        eprintln!(
            "floor (the same drifts repaired directly): p50 {:.3} ms, p90 {:.3} ms, max {:.3} ms",
            s.p50, s.p90, s.max
        );
    }
    eprintln!(
        "at the end: VmHWM {hwm_end} KiB, VmRSS {rss_end} KiB, {threads_end} threads; SIGTERM -> exit in {:.3} s ({status}){}",
        stop_time.as_secs_f64(),
        if killed { ", had to SIGKILL" } else { "" }
    );
    Ok(format!(
        "{{\"n\":{},\"iterations\":{},\"converged_s\":{:.3},\"vmhwm_kb_converged\":{},\"vmrss_kb_converged\":{},\"threads\":{},\
\"latency\":{},\"delete\":{},\"overwrite\":{},\"chmod\":{},\"not_repaired\":{},\"vmhwm_kb_end\":{},\"vmrss_kb_end\":{},\
\"floor\":{},\"floor_delete\":{},\"floor_overwrite\":{},\"floor_chmod\":{},\"stop_s\":{:.3},\"sigkilled\":{},\"exit\":\"{}\",\"still_running\":{},\"log\":\"{}\"}}",
        options.count,
        options.iterations,
        startup.as_secs_f64(),
        hwm_converged,
        rss_converged,
        threads,
        summary_json(&overall),
        summary_json(&summarize(&of("Delete"))),
        summary_json(&summarize(&of("Overwrite"))),
        summary_json(&summarize(&of("Chmod"))),
        failures.len(),
        hwm_end,
        rss_end,
        summary_json(&floor_all),
        summary_json(&summarize(&floor_of(Some("Delete")))),
        summary_json(&summarize(&floor_of(Some("Overwrite")))),
        summary_json(&summarize(&floor_of(Some("Chmod")))),
        stop_time.as_secs_f64(),
        killed,
        status,
        alive,
        log_path.display()
    ))
}
