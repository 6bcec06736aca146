//! systemd's manager (`org.freedesktop.systemd1`): units' states, jobs whose
//! results are awaited, unit files enabled and disabled, daemon reloads.

use super::{failed, signals};
use crate::resource::ResourceError;
use std::collections::HashMap;
use std::time::Duration;
use zbus::wire::{OwnedObjectPath, OwnedVariant};
use zbus::Connection;

const SERVICE: &str = "org.freedesktop.systemd1";
const PATH: &str = "/org/freedesktop/systemd1";
pub const MANAGER: &str = "org.freedesktop.systemd1.Manager";
const UNIT: &str = "org.freedesktop.systemd1.Unit";
const SERVICE_UNIT: &str = "org.freedesktop.systemd1.Service";
pub const PROPERTIES: &str = "org.freedesktop.DBus.Properties";

/// systemd cancels a start that takes longer than its own timeout (90 s by
/// default); this is only the agent's last resort.
const JOB_DEADLINE: Duration = Duration::from_secs(600);

/// A connection to systemd on one bus.
#[derive(Clone)]
pub struct Systemd {
    connection: Connection,
}

/// What a check needs to know of a unit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnitState {
    /// `loaded`, `not-found`, `masked`, `error`...
    pub load_state: String,
    /// `active`, `inactive`, `failed`, `activating`...
    pub active_state: String,
    pub sub_state: String,
    /// `enabled`, `disabled`, `static`, `masked`... (empty when unknown)
    pub unit_file_state: String,
    /// Its unit file changed on disk since systemd last read it.
    pub need_daemon_reload: bool,
}

impl UnitState {
    /// Running, or on its way there.
    pub fn is_active(&self) -> bool {
        matches!(
            self.active_state.as_str(),
            "active" | "activating" | "reloading"
        )
    }
}

impl Systemd {
    pub fn new(connection: Connection) -> Systemd {
        Systemd { connection }
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// Asks systemd to send unit and job signals to this connection.
    pub async fn subscribe(&self) -> Result<(), ResourceError> {
        self.manager("Subscribe", &())
            .await
            .map(drop)
            .map_err(|problem| failed("subscribing to systemd's signals", problem))
    }

    async fn manager<B>(&self, method: &'static str, body: &B) -> zbus::Result<zbus::Message>
    where
        B: zbus::export::serde::Serialize + zbus::wire::DynamicType,
    {
        self.connection
            .call_method(Some(SERVICE), PATH, Some(MANAGER), method, body)
            .await
    }

    /// The object path of `unit`, loading it if systemd had not.
    pub async fn unit_path(&self, unit: &str) -> Result<OwnedObjectPath, ResourceError> {
        self.manager("LoadUnit", &(unit,))
            .await
            .and_then(|reply| reply.body().deserialize::<OwnedObjectPath>())
            .map_err(|problem| failed(format!("loading {unit}"), problem))
    }

    async fn properties(
        &self,
        path: &OwnedObjectPath,
        interface: &str,
    ) -> zbus::Result<HashMap<String, OwnedVariant>> {
        self.connection
            .call_method(
                Some(SERVICE),
                path,
                Some(PROPERTIES),
                "GetAll",
                &(interface,),
            )
            .await?
            .body()
            .deserialize()
    }

    /// Whether `unit` is enabled, as its files on disk say now. The unit's
    /// `UnitFileState` property is what systemd read when it last loaded
    /// the unit: after `systemctl disable --no-reload`, or between a
    /// disable and the reload that follows it, it still says "enabled".
    /// `None` for a unit without a file (transient, not found).
    async fn unit_file_state(&self, unit: &str) -> Option<String> {
        self.manager("GetUnitFileState", &(unit,))
            .await
            .ok()?
            .body()
            .deserialize::<String>()
            .ok()
    }

    pub async fn unit_state(&self, unit: &str) -> Result<UnitState, ResourceError> {
        let path = self.unit_path(unit).await?;
        let properties = self
            .properties(&path, UNIT)
            .await
            .map_err(|problem| failed(format!("reading the state of {unit}"), problem))?;
        let text = |name: &str| {
            properties
                .get(name)
                .and_then(|value| String::try_from(value.clone()).ok())
                .unwrap_or_default()
        };
        Ok(UnitState {
            load_state: text("LoadState"),
            active_state: text("ActiveState"),
            sub_state: text("SubState"),
            unit_file_state: self
                .unit_file_state(unit)
                .await
                .unwrap_or_else(|| text("UnitFileState")),
            need_daemon_reload: properties
                .get("NeedDaemonReload")
                .and_then(|value| bool::try_from(value.clone()).ok())
                .unwrap_or(false),
        })
    }

    /// How a service's main process ended: its `Result` and exit status.
    pub async fn service_result(&self, unit: &str) -> Option<String> {
        let path = self.unit_path(unit).await.ok()?;
        let properties = self.properties(&path, SERVICE_UNIT).await.ok()?;
        let result = properties
            .get("Result")
            .and_then(|value| String::try_from(value.clone()).ok())?;
        let status = properties
            .get("ExecMainStatus")
            .and_then(|value| i32::try_from(value.clone()).ok());
        Some(match status {
            Some(status) if status != 0 => format!("result {result}, exit status {status}"),
            _ => format!("result {result}"),
        })
    }

    /// Runs a job on `unit` (`StartUnit`, `StopUnit`,
    /// `ReloadOrTryRestartUnit`) and waits for it to finish; its result is
    /// `done` when it worked (`failed`, `timeout`, `dependency`, ...
    /// otherwise).
    pub async fn job(&self, method: &'static str, unit: &str) -> Result<String, ResourceError> {
        let doing = || format!("{method} {unit}");
        // Listening before asking, so the end of a quick job is not missed.
        let mut ended =
            signals::subscribe(&self.connection, PATH, MANAGER, Some("JobRemoved")).await?;
        let reply = self
            .manager(method, &(unit, "replace"))
            .await
            .map_err(|problem| failed(doing(), problem))?;
        let job = reply
            .body()
            .deserialize::<OwnedObjectPath>()
            .map_err(|problem| failed(doing(), problem))?;
        // Only systemd itself (the name that answered) ends its jobs.
        let systemd = reply.header().sender().map(ToString::to_string);
        let wait = async {
            while let Some(message) = signals::next(&mut ended).await {
                if message.header().sender().map(ToString::to_string) != systemd {
                    continue;
                }
                let body = message.body();
                let Ok((_, path, _, result)) =
                    body.deserialize::<(u32, OwnedObjectPath, String, String)>()
                else {
                    continue;
                };
                if path == job {
                    return Ok(result);
                }
            }
            Err(ResourceError::failed(format!(
                "{}: the connection to systemd closed before the job ended",
                doing()
            )))
        };
        tokio::time::timeout(JOB_DEADLINE, wait)
            .await
            .unwrap_or_else(|_| {
                Err(ResourceError::failed(format!(
                    "{}: no result after {} s",
                    doing(),
                    JOB_DEADLINE.as_secs()
                )))
            })
    }

    /// Enables `unit`'s unit file, then reloads systemd.
    pub async fn enable(&self, unit: &str) -> Result<(), ResourceError> {
        self.manager("EnableUnitFiles", &(vec![unit], false, true))
            .await
            .map_err(|problem| failed(format!("enabling {unit}"), problem))?;
        self.reload().await
    }

    /// Disables `unit`'s unit file, then reloads systemd.
    pub async fn disable(&self, unit: &str) -> Result<(), ResourceError> {
        self.manager("DisableUnitFiles", &(vec![unit], false))
            .await
            .map_err(|problem| failed(format!("disabling {unit}"), problem))?;
        self.reload().await
    }

    /// `daemon-reload`: systemd reads every unit file again.
    pub async fn reload(&self) -> Result<(), ResourceError> {
        self.manager("Reload", &())
            .await
            .map(drop)
            .map_err(|problem| failed("reloading systemd", problem))
    }
}
