//! PackageKit (`org.freedesktop.PackageKit`): packages resolved, installed,
//! removed and updated in transactions that are awaited to their end, their
//! progress (status, percentage, the package being worked on) logged as it
//! comes.
//!
//! The numbers on the bus are PackageKit's enums (`pk-enum.h`); only those
//! used here are named.

use super::{failed, signals, systemd::PROPERTIES};
use crate::resource::ResourceError;
use std::collections::HashMap;
use std::time::Duration;
use zbus::wire::{OwnedObjectPath, OwnedVariant};
use zbus::Connection;

const SERVICE: &str = "org.freedesktop.PackageKit";
pub const PATH: &str = "/org/freedesktop/PackageKit";
pub const INTERFACE: &str = "org.freedesktop.PackageKit";
const TRANSACTION: &str = "org.freedesktop.PackageKit.Transaction";

/// Downloads and installs take as long as the mirror takes; this is only
/// the agent's last resort against a transaction that never ends.
const DEADLINE: Duration = Duration::from_secs(3600);

/// Filters (a bitfield of `PkFilterEnum`).
pub mod filter {
    pub const INSTALLED: u64 = 1 << 2;
    pub const FREE: u64 = 1 << 8;
    pub const SUPPORTED: u64 = 1 << 12;
    pub const NEWEST: u64 = 1 << 16;
    /// Only the machine's own architecture (and `all`).
    pub const ARCH: u64 = 1 << 18;
    pub const NOT_SOURCE: u64 = 1 << 21;
}

/// Transaction flags (a bitfield of `PkTransactionFlagEnum`).
pub mod flag {
    pub const ONLY_TRUSTED: u64 = 1 << 1;
    pub const ALLOW_DOWNGRADE: u64 = 1 << 6;
}

/// `PkInfoEnum::INSTALLED`: a `Package` signal for a package on the system.
const INFO_INSTALLED: u32 = 1;
/// `PkExitEnum::SUCCESS`.
const EXIT_SUCCESS: u32 = 1;

/// A package as PackageKit names it: `name;version;arch;data`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    pub id: String,
    /// Reported as installed (rather than available from a repository).
    pub installed: bool,
}

impl Package {
    fn field(&self, index: usize) -> &str {
        self.id.split(';').nth(index).unwrap_or("")
    }

    pub fn name(&self) -> &str {
        self.field(0)
    }

    pub fn version(&self) -> &str {
        self.field(1)
    }

    pub fn arch(&self) -> &str {
        self.field(2)
    }
}

/// What a transaction is for, as the log says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Resolve,
    Install,
    Remove,
    Update,
}

impl Action {
    fn method(self) -> &'static str {
        match self {
            Action::Resolve => "Resolve",
            Action::Install => "InstallPackages",
            Action::Remove => "RemovePackages",
            Action::Update => "UpdatePackages",
        }
    }

    pub fn doing(self) -> &'static str {
        match self {
            Action::Resolve => "resolving",
            Action::Install => "installing",
            Action::Remove => "removing",
            Action::Update => "updating",
        }
    }
}

/// A connection to PackageKit.
pub struct PackageKit {
    connection: Connection,
}

impl PackageKit {
    pub fn new(connection: Connection) -> PackageKit {
        PackageKit { connection }
    }

    /// Every package PackageKit knows by one of `names`, installed or not,
    /// narrowed by `filters`.
    pub async fn resolve(
        &self,
        filters: u64,
        names: &[String],
        log: &str,
    ) -> Result<Vec<Package>, ResourceError> {
        let found = self
            .transaction(Action::Resolve, names, log, |proxy| async move {
                proxy.call("Resolve", &(filters, names)).await
            })
            .await?;
        Ok(found
            .into_iter()
            .map(|(info, id)| Package {
                id,
                installed: info == INFO_INSTALLED,
            })
            .collect())
    }

    /// Installs, removes or updates the packages `ids` in one transaction.
    /// Removal never takes packages that depend on them along.
    pub async fn change(
        &self,
        action: Action,
        flags: u64,
        ids: &[String],
        log: &str,
    ) -> Result<(), ResourceError> {
        self.transaction(action, ids, log, |proxy| async move {
            match action {
                Action::Remove => {
                    proxy
                        .call(action.method(), &(flags, ids, false, false))
                        .await
                }
                _ => proxy.call(action.method(), &(flags, ids)).await,
            }
        })
        .await
        .map(drop)
    }

    /// Creates a transaction, listens to it, lets `start` call its method,
    /// and waits for `Finished`: the packages it reported (info, id), or
    /// its error.
    async fn transaction<Start, Started>(
        &self,
        action: Action,
        packages: &[String],
        log: &str,
        start: Start,
    ) -> Result<Vec<(u32, String)>, ResourceError>
    where
        Start: FnOnce(Transaction) -> Started,
        Started: std::future::Future<Output = zbus::Result<()>>,
    {
        let doing = || format!("{} {}", action.doing(), packages.join(", "));
        let path = self
            .connection
            .call_method(
                Some(SERVICE),
                PATH,
                Some(INTERFACE),
                "CreateTransaction",
                &(),
            )
            .await
            .and_then(|reply| reply.body().deserialize::<OwnedObjectPath>())
            .map_err(|problem| failed(format!("{}: asking PackageKit", doing()), problem))?;
        // Listening before starting, so a quick transaction's end is heard.
        let mut streams = vec![
            signals::subscribe(&self.connection, path.as_str(), TRANSACTION, None).await?,
            signals::subscribe(&self.connection, path.as_str(), PROPERTIES, None).await?,
        ];
        let transaction = Transaction {
            connection: self.connection.clone(),
            path: path.clone(),
        };
        // Never wait for a password prompt nobody answers: polkit refuses
        // at once instead.
        transaction
            .call("SetHints", &(vec!["interactive=false"],))
            .await
            .map_err(|problem| failed(doing(), problem))?;
        start(transaction)
            .await
            .map_err(|problem| failed(doing(), problem))?;
        let mut progress = Progress::new(log, action);
        let mut reported = Vec::new();
        let mut error = None;
        let wait = async {
            while let Some(message) = signals::next_of(&mut streams).await {
                let header = message.header();
                let member = header.member().map(|member| member.as_str().to_owned());
                let body = message.body();
                match member.as_deref() {
                    Some("Package") => {
                        if let Ok((info, id, _)) = body.deserialize::<(u32, String, String)>() {
                            progress.package(info, &id);
                            reported.push((info, id));
                        }
                    }
                    Some("ItemProgress") => {
                        if let Ok((id, _, percentage)) = body.deserialize::<(String, u32, u32)>() {
                            progress.item(&id, percentage);
                        }
                    }
                    Some("PropertiesChanged") => {
                        if let Ok((_, changed, _)) = body.deserialize::<(
                            String,
                            HashMap<String, OwnedVariant>,
                            Vec<String>,
                        )>() {
                            progress.properties(&changed);
                        }
                    }
                    Some("ErrorCode") => {
                        if let Ok(found) = body.deserialize::<(u32, String)>() {
                            error = Some(found);
                        }
                    }
                    Some("Finished") => {
                        let exit = body.deserialize::<(u32, u32)>().map(|(exit, _)| exit);
                        return Ok(exit.unwrap_or(0));
                    }
                    Some("Destroy") => return Ok(0),
                    _ => {}
                }
            }
            Err(ResourceError::failed(format!(
                "{}: the connection to PackageKit closed before the transaction ended",
                doing()
            )))
        };
        let exit = tokio::time::timeout(DEADLINE, wait)
            .await
            .unwrap_or_else(|_| {
                Err(ResourceError::failed(format!(
                    "{}: PackageKit's transaction did not end within {} s",
                    doing(),
                    DEADLINE.as_secs()
                )))
            })?;
        match (exit, error) {
            (_, Some((code, details))) => Err(ResourceError::failed(format!(
                "{}: {}",
                doing(),
                explain(code, &details)
            ))),
            (EXIT_SUCCESS, None) => Ok(reported),
            (exit, None) => Err(ResourceError::failed(format!(
                "{}: PackageKit's transaction ended `{}`",
                doing(),
                exit_name(exit)
            ))),
        }
    }
}

/// One transaction's object, for calling its methods.
struct Transaction {
    connection: Connection,
    path: OwnedObjectPath,
}

impl Transaction {
    async fn call<B>(&self, method: &str, body: &B) -> zbus::Result<()>
    where
        B: zbus::export::serde::Serialize + zbus::wire::DynamicType,
    {
        self.connection
            .call_method(Some(SERVICE), &self.path, Some(TRANSACTION), method, body)
            .await
            .map(drop)
    }
}

/// PackageKit's error, with what a user can do about the common ones.
fn explain(code: u32, details: &str) -> String {
    let details = details.trim();
    match code {
        // PACKAGE_NOT_FOUND
        8 => format!("no such package ({details})"),
        // PACKAGE_NOT_INSTALLED
        7 => format!("the package is not installed ({details})"),
        // CANNOT_GET_LOCK, LOCK_REQUIRED
        26 | 67 => format!(
            "the package database is locked: another package manager (apt, dpkg) \
             is running ({details})"
        ),
        // NOT_AUTHORIZED
        48 => format!(
            "PackageKit refused: not authorized (polkit denied \
             org.freedesktop.packagekit.*; run the agent as root or grant it) ({details})"
        ),
        // DEP_RESOLUTION_FAILED
        13 => format!("its dependencies cannot be satisfied ({details})"),
        // NO_NETWORK, NO_MORE_MIRRORS_TO_TRY, PACKAGE_DOWNLOAD_FAILED
        2 | 43 | 10 => format!("the package could not be downloaded ({details})"),
        _ => format!("{details} (PackageKit error {code})"),
    }
}

fn exit_name(exit: u32) -> &'static str {
    match exit {
        2 => "failed",
        3 => "cancelled",
        4 => "key-required",
        5 => "eula-required",
        6 => "killed",
        8 => {
            "need-untrusted: the package is not signed by a trusted key \
              (allowuntrusted => true permits it)"
        }
        11 => "repair-required: the package database needs repairing",
        _ => "unknown",
    }
}

/// `PkStatusEnum` as the log says it; `None` for the uninteresting ones.
fn status_name(status: u32) -> Option<&'static str> {
    Some(match status {
        1 => "waiting in PackageKit's queue",
        6 => "removing",
        7 => "refreshing the package lists",
        8 => "downloading",
        9 => "installing",
        10 => "updating",
        13 => "resolving dependencies",
        14 => "checking signatures",
        16 => "committing",
        30 => "waiting for the package database lock",
        31 => "waiting for authorization",
        _ => return None,
    })
}

/// `PkInfoEnum` values that say a package is being worked on.
fn working_on(info: u32) -> Option<&'static str> {
    Some(match info {
        10 => "downloading",
        11 => "updating",
        12 => "installing",
        13 => "removing",
        14 => "cleaning up",
        19 => "reinstalling",
        20 => "downgrading",
        21 => "preparing",
        22 => "unpacking",
        _ => return None,
    })
}

/// Logs a change transaction's progress: each new status, each package it
/// starts on, and the percentage in steps of 10. A resolve logs nothing.
struct Progress<'a> {
    log: &'a str,
    quiet: bool,
    status: u32,
    tenth: Option<u32>,
    last: String,
}

impl<'a> Progress<'a> {
    fn new(log: &'a str, action: Action) -> Progress<'a> {
        Progress {
            log,
            quiet: action == Action::Resolve,
            status: 0,
            tenth: None,
            last: String::new(),
        }
    }

    fn package(&mut self, info: u32, id: &str) {
        let Some(doing) = working_on(info) else {
            return;
        };
        let package = Package {
            id: id.to_owned(),
            installed: false,
        };
        let line = format!("{doing} {} {}", package.name(), package.version());
        if !self.quiet && line != self.last {
            tracing::info!("{}: {line}", self.log);
            self.last = line;
        }
    }

    fn item(&mut self, id: &str, percentage: u32) {
        if self.quiet || percentage > 100 || !percentage.is_multiple_of(50) {
            return;
        }
        let package = Package {
            id: id.to_owned(),
            installed: false,
        };
        tracing::debug!("{}: {} {percentage}%", self.log, package.name());
    }

    fn properties(&mut self, changed: &HashMap<String, OwnedVariant>) {
        if self.quiet {
            return;
        }
        let number = |name: &str| {
            changed
                .get(name)
                .and_then(|value| u32::try_from(value.clone()).ok())
        };
        if let Some(status) = number("Status") {
            if status != self.status {
                self.status = status;
                if let Some(name) = status_name(status) {
                    tracing::info!("{}: {name}", self.log);
                }
            }
        }
        // 101 means "not known".
        if let Some(percentage) = number("Percentage").filter(|value| *value <= 100) {
            let tenth = percentage / 10;
            if self.tenth != Some(tenth) {
                self.tenth = Some(tenth);
                tracing::info!("{}: {percentage}%", self.log);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_package_id_has_four_fields() {
        let package = Package {
            id: "hello;2.10-3;amd64;installed:debian-bookworm-main".to_owned(),
            installed: true,
        };
        assert_eq!(package.name(), "hello");
        assert_eq!(package.version(), "2.10-3");
        assert_eq!(package.arch(), "amd64");
        let short = Package {
            id: "broken".to_owned(),
            installed: false,
        };
        assert_eq!((short.name(), short.version()), ("broken", ""));
    }

    #[test]
    fn common_errors_say_what_to_do() {
        assert!(explain(26, "dpkg lock").contains("another package manager"));
        assert!(explain(48, "").contains("not authorized"));
        assert!(explain(8, "nosuch").contains("no such package"));
        assert!(explain(99, "odd").contains("PackageKit error 99"));
    }
}
