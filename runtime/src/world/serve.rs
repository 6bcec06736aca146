//! `--etcd-serve`: this agent starts a local etcd server (Debian's `etcd`
//! binary) and supervises it: readiness is waited for, a crash is logged
//! and the server started again with backoff, and it stops with the agent
//! (and dies with it: `setpriv --pdeathsig`). Its data lives under the
//! agent's state directory, so a restart keeps the cluster's data.

use crate::resources::exec::dies_with_agent;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tracing::{error, info, warn};

const RESTART_FIRST: Duration = Duration::from_secs(1);
const RESTART_MAX: Duration = Duration::from_secs(30);
/// A server that ran this long before it died is restarted without delay.
const HEALTHY_RUN: Duration = Duration::from_secs(60);
const READY_WITHIN: Duration = Duration::from_secs(20);
const MISSING: &str =
    "--etcd-serve needs the `etcd` binary: install Debian's etcd-server (apt-get install etcd-server)";

/// How to serve.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The member's name (this host's).
    pub name: String,
    pub data_dir: PathBuf,
    pub client_urls: Vec<String>,
    pub peer_urls: Vec<String>,
    pub advertise_client_urls: Vec<String>,
    pub advertise_peer_urls: Vec<String>,
    /// TLS on the client URLs (which are then `https://`).
    pub tls: Option<ServeTls>,
}

/// The served etcd's certificate, and the CA its clients' certificates
/// must be signed by (client-certificate auth) if given.
#[derive(Clone, Debug)]
pub struct ServeTls {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub client_ca: Option<PathBuf>,
}

/// The running server; stopping it (or dropping it) ends it.
pub struct EtcdServer {
    child: Arc<Mutex<Option<Child>>>,
    stopping: Arc<AtomicBool>,
}

impl EtcdServer {
    /// Starts etcd and waits until its first client URL answers.
    pub fn start(options: ServeOptions) -> Result<EtcdServer, String> {
        std::fs::create_dir_all(&options.data_dir).map_err(|problem| {
            format!(
                "cannot create etcd's data directory {}: {problem}",
                options.data_dir.display()
            )
        })?;
        let child = spawn(&options)?;
        let server = EtcdServer {
            child: Arc::new(Mutex::new(Some(child))),
            stopping: Arc::new(AtomicBool::new(false)),
        };
        wait_ready(&options, &server.child)?;
        info!(
            "serving etcd at {} (data in {})",
            options.advertise_client_urls.join(","),
            options.data_dir.display()
        );
        let child = Arc::clone(&server.child);
        let stopping = Arc::clone(&server.stopping);
        std::thread::Builder::new()
            .name("mgmt-etcd-serve".to_owned())
            .spawn(move || supervise(&options, &child, &stopping))
            .map_err(|problem| format!("cannot supervise etcd: {problem}"))?;
        Ok(server)
    }

    /// Stops the server and waits for it.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        let mut child = self.child.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(mut running) = child.take() {
            if let Ok(pid) = i32::try_from(running.id()) {
                // SIGTERM first: etcd then closes its data files cleanly.
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid),
                    nix::sys::signal::Signal::SIGTERM,
                );
            }
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(5) {
                if matches!(running.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = running.kill();
            let _ = running.wait();
        }
    }
}

impl Drop for EtcdServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn spawn(options: &ServeOptions) -> Result<Child, String> {
    let initial_cluster = options
        .advertise_peer_urls
        .iter()
        .map(|url| format!("{}={url}", options.name))
        .collect::<Vec<_>>()
        .join(",");
    let mut etcd = dies_with_agent("etcd");
    if let Some(tls) = &options.tls {
        etcd.arg("--cert-file")
            .arg(&tls.cert)
            .arg("--key-file")
            .arg(&tls.key);
        if let Some(ca) = &tls.client_ca {
            etcd.arg("--client-cert-auth")
                .arg("--trusted-ca-file")
                .arg(ca);
        }
    }
    etcd.args(["--name", &options.name])
        .arg("--data-dir")
        .arg(&options.data_dir)
        .args(["--listen-client-urls", &options.client_urls.join(",")])
        .args([
            "--advertise-client-urls",
            &options.advertise_client_urls.join(","),
        ])
        .args(["--listen-peer-urls", &options.peer_urls.join(",")])
        .args([
            "--initial-advertise-peer-urls",
            &options.advertise_peer_urls.join(","),
        ])
        .args(["--initial-cluster", &initial_cluster])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|problem| {
            if problem.kind() == std::io::ErrorKind::NotFound || !etcd_installed() {
                MISSING.to_owned()
            } else {
                format!("cannot start etcd: {problem}")
            }
        })
}

/// Whether `etcd` is on the PATH (setpriv starts even when it is not).
fn etcd_installed() -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("etcd").is_file()))
}

/// Waits until the first client URL accepts connections, or etcd exits.
fn wait_ready(options: &ServeOptions, child: &Mutex<Option<Child>>) -> Result<(), String> {
    if !etcd_installed() {
        return Err(MISSING.to_owned());
    }
    let url = options
        .advertise_client_urls
        .first()
        .cloned()
        .unwrap_or_default();
    let address = url
        .split("://")
        .last()
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_owned();
    let started = Instant::now();
    while started.elapsed() < READY_WITHIN {
        if let Some(running) = child
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
        {
            if let Ok(Some(status)) = running.try_wait() {
                return Err(format!(
                    "etcd exited at start ({status}): are {} and {} free, and is {} its own data directory?",
                    options.client_urls.join(","),
                    options.peer_urls.join(","),
                    options.data_dir.display()
                ));
            }
        }
        let answers = address
            .to_socket_addrs()
            .ok()
            .and_then(|mut addresses| addresses.next())
            .is_some_and(|socket| {
                TcpStream::connect_timeout(&socket, Duration::from_millis(200)).is_ok()
            });
        if answers {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!(
        "etcd did not answer at {url} within {} s",
        READY_WITHIN.as_secs()
    ))
}

/// Starts etcd again whenever it exits, until the agent stops.
fn supervise(options: &ServeOptions, child: &Mutex<Option<Child>>, stopping: &AtomicBool) {
    let mut delay = RESTART_FIRST;
    let mut running_since = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(100));
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        let mut guard = child.lock().unwrap_or_else(PoisonError::into_inner);
        let exited = match guard.as_mut() {
            Some(running) => match running.try_wait() {
                Ok(Some(status)) => Some(status.to_string()),
                Ok(None) => None,
                Err(problem) => Some(problem.to_string()),
            },
            None => Some("not running".to_owned()),
        };
        let Some(why) = exited else {
            continue;
        };
        if running_since.elapsed() > HEALTHY_RUN {
            delay = RESTART_FIRST;
        }
        warn!(
            "the etcd this agent serves exited ({why}); starting it again in {} s",
            delay.as_secs()
        );
        *guard = None;
        drop(guard);
        std::thread::sleep(delay);
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        match spawn(options) {
            Ok(restarted) => {
                *child.lock().unwrap_or_else(PoisonError::into_inner) = Some(restarted);
                running_since = Instant::now();
            }
            Err(problem) => error!("{problem}"),
        }
        delay = (delay * 2).min(RESTART_MAX);
    }
}
