//! The engine's D-Bus connections, shared by every resource that talks to a
//! system service (svc, hostname, pkg): one connection per bus, opened on
//! first use, so a program without such resources never touches D-Bus.
//!
//! Resources check and apply on blocking threads and watch from plain
//! callbacks, while zbus is async; the connections therefore live on a
//! small runtime of their own, and [`Buses::run`] hands a future to it and
//! waits for its result. Dropping the last handle stops that runtime.

pub mod hostnamed;
pub mod packagekit;
pub mod signals;
pub mod systemd;

use crate::resource::ResourceError;
use std::future::Future;
use std::sync::{Arc, OnceLock};
use tokio::sync::Mutex;
use zbus::Connection;

/// Which bus a resource talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bus {
    System,
    /// The user's session bus (`svc { session => true }`).
    Session,
}

impl Bus {
    fn index(self) -> usize {
        match self {
            Bus::System => 0,
            Bus::Session => 1,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Bus::System => "system",
            Bus::Session => "session",
        }
    }
}

/// The connections of one engine. Cloning shares them.
#[derive(Clone, Default)]
pub struct Buses(Arc<Shared>);

#[derive(Default)]
struct Shared {
    runtime: OnceLock<Result<Runtime, String>>,
    /// Each bus's connection while it is open; a closed one is replaced on
    /// the next use.
    connections: [Mutex<Option<Open>>; 2],
}

struct Open {
    connection: Connection,
    /// Whether systemd was asked, on this connection, to send the signals
    /// of its units (it sends them only to subscribers).
    subscribed: bool,
}

impl std::fmt::Debug for Buses {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let open: Vec<&str> = [Bus::System, Bus::Session]
            .into_iter()
            .filter(|bus| {
                self.0.connections[bus.index()]
                    .try_lock()
                    .is_ok_and(|open| open.is_some())
            })
            .map(Bus::name)
            .collect();
        formatter
            .debug_struct("Buses")
            .field("open", &open)
            .finish()
    }
}

/// The runtime the connections live on; stopped without waiting when
/// dropped, which is allowed even inside another runtime.
struct Runtime(Option<tokio::runtime::Runtime>);

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

impl Buses {
    fn handle(&self) -> Result<tokio::runtime::Handle, ResourceError> {
        let runtime = self.0.runtime.get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("mgmt-dbus")
                .enable_all()
                .build()
                .map(|runtime| Runtime(Some(runtime)))
                .map_err(|problem| format!("cannot start the D-Bus runtime: {problem}"))
        });
        match runtime {
            Ok(Runtime(Some(runtime))) => Ok(runtime.handle().clone()),
            Ok(Runtime(None)) => Err(ResourceError::failed("the D-Bus runtime has stopped")),
            Err(problem) => Err(ResourceError::failed(problem.clone())),
        }
    }

    /// Runs `work` on the connections' runtime and waits for its result.
    /// Blocking: call it from a check/apply, never from async code.
    pub fn run<T, F>(&self, work: F) -> Result<T, ResourceError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, ResourceError>> + Send + 'static,
    {
        let (sender, receiver) = std::sync::mpsc::channel();
        self.handle()?.spawn(async move {
            let _ = sender.send(work.await);
        });
        receiver
            .recv()
            .unwrap_or_else(|_| Err(ResourceError::failed("the D-Bus runtime stopped")))
    }

    /// Runs `work` in the background until the returned guard is dropped.
    pub fn spawn<F>(&self, work: F) -> Result<Background, ResourceError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        Ok(Background(self.handle()?.spawn(work)))
    }

    /// The connection to `bus`, opened on first use and again after it
    /// closed.
    pub async fn connection(&self, bus: Bus) -> Result<Connection, ResourceError> {
        let mut open = self.0.connections[bus.index()].lock().await;
        Ok(Self::open(&mut open, bus).await?.connection.clone())
    }

    async fn open(open: &mut Option<Open>, bus: Bus) -> Result<&mut Open, ResourceError> {
        if open
            .as_ref()
            .is_some_and(|open| open.connection.is_closed())
        {
            *open = None;
        }
        if open.is_none() {
            let connection = match bus {
                Bus::System => Connection::system().await,
                Bus::Session => Connection::session().await,
            }
            .map_err(|problem| {
                ResourceError::failed(format!(
                    "cannot connect to the D-Bus {} bus: {}",
                    bus.name(),
                    describe(&problem)
                ))
            })?;
            *open = Some(Open {
                connection,
                subscribed: false,
            });
        }
        open.as_mut()
            .ok_or_else(|| ResourceError::failed("no D-Bus connection"))
    }

    /// PackageKit on the system bus.
    pub async fn packagekit(&self) -> Result<packagekit::PackageKit, ResourceError> {
        Ok(packagekit::PackageKit::new(
            self.connection(Bus::System).await?,
        ))
    }

    /// The connection to `bus`, subscribed to systemd's unit signals.
    pub async fn systemd(&self, bus: Bus) -> Result<systemd::Systemd, ResourceError> {
        let mut open = self.0.connections[bus.index()].lock().await;
        let open = Self::open(&mut open, bus).await?;
        let systemd = systemd::Systemd::new(open.connection.clone());
        if !open.subscribed {
            systemd.subscribe().await?;
            open.subscribed = true;
        }
        Ok(systemd)
    }
}

/// Stops a background task when dropped.
pub struct Background(tokio::task::JoinHandle<()>);

impl Drop for Background {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A D-Bus failure as a resource error, saying what was being done.
pub(crate) fn failed(doing: impl std::fmt::Display, problem: zbus::Error) -> ResourceError {
    ResourceError::failed(format!("{doing}: {}", describe(&problem)))
}

/// The readable part of a D-Bus error: the remote's own message when it
/// sent one.
pub(crate) fn describe(problem: &zbus::Error) -> String {
    match problem {
        zbus::Error::MethodError(name, Some(message), _) => format!("{message} ({name})"),
        zbus::Error::FDO(error) => error.to_string(),
        other => other.to_string(),
    }
}
