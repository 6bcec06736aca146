//! A real etcd server (Debian's `etcd-server`) for the cluster tests: one
//! member on free loopback ports with its data in the test's temp dir,
//! stopped on drop. It can be stopped and started again on the same ports
//! and data, as an etcd restart. [`EtcdCluster`] is three members, one of
//! which a test can take away (the leader, say).

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Etcd {
    pub client_url: String,
    peer_url: String,
    data: tempfile::TempDir,
    child: Option<Child>,
    /// Server certificate, key and the CA clients must be signed by.
    tls: Option<[String; 3]>,
    /// Another client URL it listens on (an address of a test's network).
    also: Option<String>,
}

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

/// Whether this machine has etcd; a test without it says so and passes
/// (CI installs it: `make test` puts etcd-server on the machine).
pub fn available() -> bool {
    let found = Command::new("etcd")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !found {
        eprintln!("skipped: etcd is not installed (apt-get install etcd-server)");
    }
    found
}

impl Etcd {
    pub fn start() -> Etcd {
        let mut etcd = Etcd {
            client_url: format!("http://127.0.0.1:{}", free_port()),
            peer_url: format!("http://127.0.0.1:{}", free_port()),
            data: tempfile::tempdir().expect("temp dir"),
            child: None,
            tls: None,
            also: None,
        };
        etcd.resume();
        etcd
    }

    /// A member that also serves clients at `address` (same port).
    pub fn start_also_on(address: &str) -> Etcd {
        let port = free_port();
        let mut etcd = Etcd {
            client_url: format!("http://127.0.0.1:{port}"),
            peer_url: format!("http://127.0.0.1:{}", free_port()),
            data: tempfile::tempdir().expect("temp dir"),
            child: None,
            tls: None,
            also: Some(format!("http://{address}:{port}")),
        };
        etcd.resume();
        etcd
    }

    /// The client URL at the other address, if any.
    pub fn also_url(&self) -> Option<&str> {
        self.also.as_deref()
    }

    /// A member that serves clients over TLS only and requires a client
    /// certificate signed by `ca`.
    pub fn start_tls(cert: &str, key: &str, ca: &str) -> Etcd {
        let mut etcd = Etcd {
            client_url: format!("https://127.0.0.1:{}", free_port()),
            peer_url: format!("http://127.0.0.1:{}", free_port()),
            data: tempfile::tempdir().expect("temp dir"),
            child: None,
            tls: Some([cert.to_owned(), key.to_owned(), ca.to_owned()]),
            also: None,
        };
        etcd.resume();
        etcd
    }

    /// Starts the member (again) and waits until it answers.
    pub fn resume(&mut self) {
        let data: PathBuf = self.data.path().join("member");
        let mut command = Command::new("etcd");
        if let Some([cert, key, ca]) = &self.tls {
            command
                .args(["--cert-file", cert, "--key-file", key])
                .args(["--trusted-ca-file", ca, "--client-cert-auth"]);
        }
        let child = command
            .args(["--name", "test"])
            .arg("--data-dir")
            .arg(&data)
            .args([
                "--listen-client-urls",
                &match &self.also {
                    Some(also) => format!("{},{also}", self.client_url),
                    None => self.client_url.clone(),
                },
            ])
            .args(["--advertise-client-urls", &self.client_url])
            .args(["--listen-peer-urls", &self.peer_url])
            .args(["--initial-advertise-peer-urls", &self.peer_url])
            .args(["--initial-cluster", &format!("test={}", self.peer_url)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("etcd starts");
        self.child = Some(child);
        let address = self
            .client_url
            .split("://")
            .last()
            .unwrap_or_default()
            .to_owned();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if TcpStream::connect(&address).is_ok() && self.get("health-check").is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("etcd did not answer at {} within 20 s", self.client_url);
    }

    /// Stops the member (its data stays).
    pub fn pause(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// `etcdctl get --prefix KEY`: the keys and values, one per line; `None`
    /// when etcd does not answer.
    pub fn get(&self, prefix: &str) -> Option<String> {
        etcdctl_get(&self.client_url, self.tls.as_ref(), prefix)
    }

    /// `etcdctl put KEY VALUE`, as another host (or a stranger) would.
    pub fn put(&self, key: &str, value: &str) {
        let status = Command::new("etcdctl")
            .env("ETCDCTL_API", "3")
            .args(["--endpoints", &self.client_url, "put", key, value])
            .stdout(std::process::Stdio::null())
            .status()
            .expect("etcdctl runs");
        assert!(status.success(), "etcdctl put {key}");
    }
}

/// `etcdctl get --prefix PREFIX` at an etcd this test did not start (one an
/// agent serves), with the client's `[ca, cert, key]`.
pub fn get_tls(endpoint: &str, [ca, cert, key]: [&str; 3], prefix: &str) -> Option<String> {
    let tls = [cert.to_owned(), key.to_owned(), ca.to_owned()];
    etcdctl_get(endpoint, Some(&tls), prefix)
}

/// `etcdctl get --prefix PREFIX` at `endpoints` (comma separated), with the
/// TLS files when the server wants them: the keys and values, one per line;
/// `None` when etcd does not answer.
fn etcdctl_get(endpoints: &str, tls: Option<&[String; 3]>, prefix: &str) -> Option<String> {
    let mut command = Command::new("etcdctl");
    if let Some([cert, key, ca]) = tls {
        // The server's own pair serves as a client certificate too.
        command.args(["--cert", cert, "--key", key, "--cacert", ca]);
    }
    let output = command
        .env("ETCDCTL_API", "3")
        .args(["--endpoints", endpoints, "--dial-timeout", "2s"])
        .args(["get", "--prefix", prefix])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

impl Drop for Etcd {
    fn drop(&mut self) {
        self.pause();
    }
}

/// A three-member etcd cluster on loopback, each member stopped on drop.
pub struct EtcdCluster {
    pub client_urls: Vec<String>,
    members: Vec<Child>,
    _data: tempfile::TempDir,
}

impl EtcdCluster {
    pub fn start() -> EtcdCluster {
        let data = tempfile::tempdir().expect("temp dir");
        let names = ["m0", "m1", "m2"];
        let clients: Vec<String> = names
            .iter()
            .map(|_| format!("http://127.0.0.1:{}", free_port()))
            .collect();
        let peers: Vec<String> = names
            .iter()
            .map(|_| format!("http://127.0.0.1:{}", free_port()))
            .collect();
        let initial = names
            .iter()
            .zip(&peers)
            .map(|(name, peer)| format!("{name}={peer}"))
            .collect::<Vec<_>>()
            .join(",");
        let members = names
            .iter()
            .enumerate()
            .map(|(index, name)| {
                Command::new("etcd")
                    .args(["--name", name])
                    .arg("--data-dir")
                    .arg(data.path().join(name))
                    .args(["--listen-client-urls", &clients[index]])
                    .args(["--advertise-client-urls", &clients[index]])
                    .args(["--listen-peer-urls", &peers[index]])
                    .args(["--initial-advertise-peer-urls", &peers[index]])
                    .args(["--initial-cluster", &initial])
                    .args(["--initial-cluster-state", "new"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("etcd starts")
            })
            .collect();
        let cluster = EtcdCluster {
            client_urls: clients,
            members,
            _data: data,
        };
        let started = Instant::now();
        while cluster.leader().is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the etcd cluster elected no leader within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        cluster
    }

    /// The index of the member that leads, as `etcdctl endpoint status` says.
    pub fn leader(&self) -> Option<usize> {
        let output = Command::new("etcdctl")
            .env("ETCDCTL_API", "3")
            .args([
                "--endpoints",
                &self.client_urls.join(","),
                "--dial-timeout",
                "1s",
            ])
            .args(["endpoint", "status", "-w", "json"])
            .output()
            .ok()?;
        let statuses: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
        statuses.as_array()?.iter().find_map(|endpoint| {
            let status = endpoint.get("Status")?;
            let member = status.get("header")?.get("member_id")?.as_u64()?;
            let leader = status.get("leader")?.as_u64()?;
            let url = endpoint.get("Endpoint")?.as_str()?;
            (member == leader)
                .then(|| self.client_urls.iter().position(|known| known == url))
                .flatten()
        })
    }

    /// Stops member `index` for good.
    pub fn kill(&mut self, index: usize) {
        let _ = self.members[index].kill();
        let _ = self.members[index].wait();
    }

    /// `etcdctl get --prefix` through the members still up.
    pub fn get(&self, prefix: &str) -> Option<String> {
        etcdctl_get(&self.client_urls.join(","), None, prefix)
    }
}

impl Drop for EtcdCluster {
    fn drop(&mut self) {
        for index in 0..self.members.len() {
            self.kill(index);
        }
    }
}
