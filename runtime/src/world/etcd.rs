//! The etcd store: one client task per agent keeps the [`Mirror`] equal to
//! everything below the prefix (a full read, then one watch from the next
//! revision), and writes this host's keys in transactions. When the
//! connection is lost (etcd restarted, a member gone, the network cut, the
//! watch compacted) it reconnects through the next endpoint, reads
//! everything again, and puts back what this host wants (its exports, kv
//! values and volunteers) while deleting what it no longer does; until then
//! the last mirror stays, so the running graph keeps its collected resources.

use super::failover::Failover;
use super::keys::{self, Parsed};
use super::leases::{self, Leases};
use super::{Entry, Mirror, Store};
use etcd_client::{
    Certificate, Client, ConnectOptions, EventType, GetOptions, Identity, PutOptions, TlsOptions,
    Txn, TxnOp, WatchOptions,
};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, info, warn};

/// etcd refuses transactions of more than 128 operations by default.
const TXN_OPS: usize = 100;

/// How long one request may take. A write that reaches a member while the
/// cluster elects a new leader is held by etcd until its own timeout (5 s
/// and more); giving up sooner and writing again in a new session is safe,
/// since a session puts what this host wants whatever was stored.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);

/// How to reach the cluster.
#[derive(Clone, Debug)]
pub struct EtcdOptions {
    pub endpoints: Vec<String>,
    /// Every key lives below it (`/_mgmt/`).
    pub prefix: String,
    pub hostname: String,
    /// Bind this host's exports (and its schedule volunteers that have no
    /// `ttl` of their own) to a lease of this many seconds.
    pub export_ttl: Option<u64>,
    pub user: Option<(String, String)>,
    pub tls: Option<TlsFiles>,
}

/// Client TLS: the CA that signed the servers, and this client's pair.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub ca: PathBuf,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
}

type Changes = Vec<(String, Option<String>)>;

pub struct EtcdStore {
    commands: mpsc::UnboundedSender<Changes>,
}

impl Store for EtcdStore {
    fn write(&self, changes: Changes) {
        // Fails only once the task has ended, as the agent stops.
        let _ = self.commands.send(changes);
    }
}

impl EtcdStore {
    /// Starts the client task on the current tokio runtime. The receiver
    /// fires once the mirror holds the cluster's data (or never, while etcd
    /// cannot be reached).
    pub fn start(
        options: EtcdOptions,
        mirror: Arc<Mirror>,
    ) -> Result<(EtcdStore, oneshot::Receiver<()>), String> {
        let connect = connect_options(&options)?;
        let (commands, receiver) = mpsc::unbounded_channel();
        let (ready, first_sync) = oneshot::channel();
        let client = ClientTask {
            options,
            connect,
            mirror,
            commands: receiver,
            own: None,
            shared: Vec::new(),
            ready: Some(ready),
            synced: false,
        };
        tokio::spawn(client.run());
        Ok((EtcdStore { commands }, first_sync))
    }
}

fn connect_options(options: &EtcdOptions) -> Result<ConnectOptions, String> {
    let mut connect = ConnectOptions::new()
        .with_connect_timeout(Duration::from_secs(2))
        .with_timeout(REQUEST_TIMEOUT)
        .with_keep_alive(Duration::from_secs(2), Duration::from_secs(2));
    if let Some((user, password)) = &options.user {
        connect = connect.with_user(user.clone(), password.clone());
    }
    if let Some(files) = &options.tls {
        let read = |path: &PathBuf, what: &str| {
            std::fs::read(path).map_err(|problem| {
                format!("cannot read the etcd {what} {}: {problem}", path.display())
            })
        };
        let mut tls =
            TlsOptions::new().ca_certificate(Certificate::from_pem(read(&files.ca, "CA")?));
        match (&files.cert, &files.key) {
            (Some(cert), Some(key)) => {
                tls = tls.identity(Identity::from_pem(
                    read(cert, "certificate")?,
                    read(key, "key")?,
                ));
            }
            (None, None) => {}
            _ => return Err("--etcd-cert and --etcd-key go together".to_owned()),
        }
        connect = connect.with_tls(tls);
    }
    Ok(connect)
}

/// Why a session with etcd ended.
enum Ended {
    /// The agent is stopping.
    Closed,
    Lost(String),
}

struct ClientTask {
    options: EtcdOptions,
    connect: ConnectOptions,
    mirror: Arc<Mirror>,
    commands: mpsc::UnboundedReceiver<Changes>,
    /// This host's keys as it wants them; `None` until its first write, so
    /// that connecting before the first evaluation withdraws nothing.
    own: Option<BTreeMap<String, String>>,
    /// Writes of cluster-wide keys not yet made.
    shared: Changes,
    ready: Option<oneshot::Sender<()>>,
    /// Whether the current session has read everything and written.
    synced: bool,
}

impl ClientTask {
    async fn run(mut self) {
        let mut failover = Failover::new(self.options.endpoints.clone());
        let mut lost_before = false;
        loop {
            let endpoint = failover.endpoint().to_owned();
            self.synced = false;
            match self.session(&endpoint, &mut lost_before).await {
                Ended::Closed => return,
                Ended::Lost(why) => {
                    let wait = failover.lost(self.synced);
                    warn!(
                        "etcd at {endpoint}: {why}; retrying at {} in {} ms (the running graph keeps its last data)",
                        failover.endpoint(),
                        wait.as_millis()
                    );
                    tokio::time::sleep(wait).await;
                }
            }
            lost_before = true;
            // Writes that came meanwhile are made once connected.
            if self.commands.is_closed() && self.commands.is_empty() {
                return;
            }
        }
    }

    fn is_own(&self, key: &str) -> bool {
        let host = match keys::parse(key) {
            Some(Parsed::Export { host, .. })
            | Some(Parsed::KvMapped { host, .. })
            | Some(Parsed::Volunteer { host, .. }) => host,
            _ => return false,
        };
        host == self.options.hostname
    }

    /// Folds one batch of writes into what this host wants.
    fn take(&mut self, changes: Changes) -> Changes {
        let mut own = self.own.take().unwrap_or_default();
        for (key, value) in &changes {
            if self.is_own(key) {
                match value {
                    Some(value) => own.insert(key.clone(), value.clone()),
                    None => own.remove(key),
                };
            }
        }
        self.own = Some(own);
        changes
    }

    async fn session(&mut self, endpoint: &str, lost_before: &mut bool) -> Ended {
        let prefix = self.options.prefix.clone();
        let mut client = match Client::connect([endpoint], Some(self.connect.clone())).await {
            Ok(client) => client,
            Err(problem) => return Ended::Lost(format!("cannot connect: {problem}")),
        };
        // Granted as keys need them: a new session's leases are new, so
        // every leased key is put again.
        let mut leases = Leases::default();
        let everything = match client
            .get(prefix.as_str(), Some(GetOptions::new().with_prefix()))
            .await
        {
            Ok(everything) => everything,
            Err(problem) => return Ended::Lost(format!("cannot read {prefix}: {problem}")),
        };
        let revision = everything.header().map_or(0, |header| header.revision());
        let stored: BTreeMap<String, Entry> = everything
            .kvs()
            .iter()
            .filter_map(|kv| {
                let key = kv.key_str().ok()?.strip_prefix(&prefix)?.to_owned();
                let value = kv.value_str().ok()?.to_owned();
                Some((
                    key,
                    Entry {
                        value,
                        created: kv.create_revision(),
                    },
                ))
            })
            .collect();
        // Writes that waited for the connection.
        while let Ok(changes) = self.commands.try_recv() {
            let changes = self.take(changes);
            let shared: Changes = changes
                .into_iter()
                .filter(|(key, _)| !self.is_own(key))
                .collect();
            self.shared.extend(shared);
        }
        let mut writes = self.reconcile(&stored);
        writes.append(&mut std::mem::take(&mut self.shared));
        self.mirror.replace_all(stored);
        if let Err(problem) = self.write(&mut client, writes, &mut leases).await {
            return Ended::Lost(problem);
        }
        self.synced = true;
        if *lost_before {
            info!("etcd at {endpoint}: connected again; data resynced");
            *lost_before = false;
        } else {
            debug!("etcd: connected at revision {revision}");
        }
        if let Some(ready) = self.ready.take() {
            let _ = ready.send(());
        }
        let watch = WatchOptions::new()
            .with_prefix()
            .with_start_revision(revision + 1);
        let mut stream = match client.watch(prefix.as_str(), Some(watch)).await {
            Ok(stream) => stream,
            Err(problem) => return Ended::Lost(format!("cannot watch {prefix}: {problem}")),
        };
        // Each lease is renewed when due.
        let mut tick = tokio::time::interval(leases::RENEWAL_CHECK);
        loop {
            tokio::select! {
                message = stream.message() => match message {
                    Ok(Some(response)) => {
                        if response.canceled() || response.compact_revision() > 0 {
                            return Ended::Lost("the watch was compacted; reading everything again".to_owned());
                        }
                        let changes = response
                            .events()
                            .iter()
                            .filter_map(|event| {
                                let kv = event.kv()?;
                                let key = kv.key_str().ok()?.strip_prefix(&prefix)?.to_owned();
                                let entry = match event.event_type() {
                                    EventType::Put => Some(Entry {
                                        value: kv.value_str().ok()?.to_owned(),
                                        created: kv.create_revision(),
                                    }),
                                    EventType::Delete => None,
                                };
                                Some((key, entry))
                            })
                            .collect();
                        self.mirror.apply(changes);
                    }
                    Ok(None) => return Ended::Lost("the watch ended".to_owned()),
                    Err(problem) => return Ended::Lost(format!("the watch failed: {problem}")),
                },
                changes = self.commands.recv() => {
                    let Some(changes) = changes else {
                        return Ended::Closed;
                    };
                    let changes = self.take(changes);
                    if let Err(problem) = self.write(&mut client, changes, &mut leases).await {
                        return Ended::Lost(problem);
                    }
                }
                _ = tick.tick(), if !leases.is_empty() => {
                    if let Err(problem) = leases.renew_due().await {
                        return Ended::Lost(problem);
                    }
                }
            }
        }
    }

    /// The writes that make the store hold this host's keys as it wants
    /// them: what differs is put, what it no longer wants deleted.
    fn reconcile(&self, stored: &BTreeMap<String, Entry>) -> Changes {
        let Some(own) = &self.own else {
            return Vec::new();
        };
        let mut writes: Changes = stored
            .keys()
            .filter(|key| self.is_own(key) && !own.contains_key(*key))
            .map(|key| (key.clone(), None))
            .collect();
        writes.extend(
            own.iter()
                // A new lease means new puts, even of unchanged keys.
                .filter(|(key, value)| {
                    leases::ttl_of(key, value, self.options.export_ttl).is_some()
                        || stored.get(*key).map(|entry| &entry.value) != Some(*value)
                })
                .map(|(key, value)| (key.clone(), Some(value.clone()))),
        );
        writes
    }

    /// Makes `changes` in transactions of at most [`TXN_OPS`] operations;
    /// exports and volunteers go on the lease of their TTL, if they have one.
    async fn write(
        &self,
        client: &mut Client,
        changes: Changes,
        leases: &mut Leases,
    ) -> Result<(), String> {
        let prefix = &self.options.prefix;
        for batch in changes.chunks(TXN_OPS) {
            let mut operations = Vec::with_capacity(batch.len());
            for (key, value) in batch {
                let full = format!("{prefix}{key}");
                operations.push(match value {
                    Some(value) => {
                        let options = match leases::ttl_of(key, value, self.options.export_ttl) {
                            Some(ttl) => {
                                Some(PutOptions::new().with_lease(leases.id(client, ttl).await?))
                            }
                            None => None,
                        };
                        TxnOp::put(full, value.as_str(), options)
                    }
                    None => TxnOp::delete(full, None),
                });
            }
            client
                .txn(Txn::new().and_then(operations))
                .await
                .map_err(|problem| format!("cannot write: {problem}"))?;
        }
        Ok(())
    }
}
