//! `svc`: a systemd unit kept running or stopped, enabled or disabled, over
//! systemd's D-Bus API on the engine's shared connection.
//!
//! Jobs (start, stop, reload-or-restart) are awaited to their result; a
//! failed start is an error with the unit's state, its service result and
//! the last lines of its journal. A unit file changed on disk is read again
//! (daemon-reload) before anything else. The watch hears the unit's
//! `PropertiesChanged` signals and the manager's `UnitFilesChanged`, so a
//! unit stopped or disabled by hand is put back at once.

use crate::dbus::systemd::{Systemd, UnitState, MANAGER, PROPERTIES};
use crate::dbus::{signals, Bus, Buses};
use crate::kind::ResourceKind;
use crate::resource::{ApplyContext, Outcome, Resource, ResourceError, WatchEvents, WatchGuard};
use crate::schemas::svc;
use crate::services::Services;
use crate::spec::ResourceSpec;
use mcl_compiler::schema::ResourceSchema;
use serde_json::Value as Json;
use std::process::Command;

/// The `svc` kind.
pub struct Kind;

impl ResourceKind for Kind {
    fn schema(&self) -> ResourceSchema {
        svc::schema()
    }

    fn build(
        &self,
        spec: &ResourceSpec,
        services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        let text = |field: &str| {
            spec.params
                .get(field)
                .and_then(Json::as_str)
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
        };
        let session = spec.params.get("session").and_then(Json::as_bool) == Some(true);
        Ok(Box::new(Svc {
            unit: svc::unit_name(&spec.name),
            running: text("state").map(|state| state == "running"),
            enabled: text("startup").map(|startup| startup == "enabled"),
            bus: if session { Bus::Session } else { Bus::System },
            buses: services.buses.clone(),
        }))
    }
}

pub struct Svc {
    /// `<name>.service`.
    unit: String,
    /// `None`: whether it runs is not managed.
    running: Option<bool>,
    /// `None`: whether it starts at boot is not managed.
    enabled: Option<bool>,
    bus: Bus,
    buses: Buses,
}

impl Resource for Svc {
    fn validate(&self) -> Result<(), ResourceError> {
        if self.unit.contains('/') || self.unit == ".service" {
            return Err(ResourceError::invalid(format!(
                "`{}` is not a unit name",
                self.unit
            )));
        }
        Ok(())
    }

    fn brief(&self) -> bool {
        // Waits for jobs, which take as long as the service takes to start.
        false
    }

    fn watch(&self, events: WatchEvents) -> Result<Option<WatchGuard>, ResourceError> {
        watch_unit(&self.buses, self.bus, &self.unit, events).map(Some)
    }

    fn check_apply(&mut self, context: ApplyContext) -> Result<Outcome, ResourceError> {
        let (buses, bus, unit) = (self.buses.clone(), self.bus, self.unit.clone());
        let state = self.buses.run(async move {
            let systemd = buses.systemd(bus).await?;
            systemd.unit_state(&unit).await
        })?;
        if state.load_state == "not-found" {
            return Err(ResourceError::failed(format!(
                "there is no unit {} (systemd: not-found)",
                self.unit
            )));
        }
        let steps = self.steps(&state, context.refresh)?;
        if steps.is_empty() {
            return Ok(Outcome::Correct);
        }
        let said = steps.iter().map(Step::says).collect::<Vec<_>>().join(", ");
        if !context.apply {
            return Ok(Outcome::WouldChange(said));
        }
        for step in steps {
            self.take(step)?;
        }
        Ok(Outcome::Changed(said))
    }
}

/// Watches `unit` on `bus`: its `PropertiesChanged` signals (stopped,
/// started, failed) and the manager's `UnitFilesChanged` (enabled or
/// disabled by hand). The signals are heard once this returns; dropping the
/// guard ends the watch. Shared with `cron`, which watches its timer so.
pub(crate) fn watch_unit(
    buses: &Buses,
    bus: Bus,
    unit: &str,
    events: WatchEvents,
) -> Result<WatchGuard, ResourceError> {
    let unit = unit.to_owned();
    let task = signals::watch(buses, events, move |buses| {
        let unit = unit.clone();
        async move {
            let systemd = buses.systemd(bus).await?;
            let path = systemd.unit_path(&unit).await?;
            let connection = systemd.connection();
            Ok(vec![
                signals::subscribe(connection, path.as_str(), PROPERTIES, None).await?,
                signals::subscribe(
                    connection,
                    "/org/freedesktop/systemd1",
                    MANAGER,
                    Some("UnitFilesChanged"),
                )
                .await?,
            ])
        }
    })?;
    Ok(Box::new(task))
}

/// One change a check found needed, in the order they are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    DaemonReload,
    Enable,
    Disable,
    Start,
    Stop,
    /// A refresh of a running unit.
    ReloadOrRestart,
}

impl Step {
    fn says(&self) -> &'static str {
        match self {
            Step::DaemonReload => "unit files read again (daemon-reload)",
            Step::Enable => "enabled",
            Step::Disable => "disabled",
            Step::Start => "started",
            Step::Stop => "stopped",
            Step::ReloadOrRestart => "reloaded or restarted on refresh",
        }
    }
}

impl Svc {
    /// What must change for `state` to be the wanted one.
    fn steps(&self, state: &UnitState, refresh: bool) -> Result<Vec<Step>, ResourceError> {
        let mut steps = Vec::new();
        if state.need_daemon_reload {
            steps.push(Step::DaemonReload);
        }
        let file_state = state.unit_file_state.as_str();
        match (self.enabled, file_state) {
            (Some(true), "enabled" | "enabled-runtime" | "linked" | "alias") => {}
            (Some(true), "masked" | "masked-runtime") => {
                return Err(ResourceError::failed(format!(
                    "{} is masked: unmask it to enable it",
                    self.unit
                )))
            }
            (Some(true), "static" | "indirect" | "generated" | "transient") => {
                return Err(ResourceError::failed(format!(
                    "{} cannot be enabled: its unit file is {file_state} \
                     (it has no [Install] section of its own)",
                    self.unit
                )))
            }
            (Some(true), _) => steps.push(Step::Enable),
            (Some(false), "enabled" | "enabled-runtime" | "linked") => steps.push(Step::Disable),
            _ => {}
        }
        match (self.running, state.is_active()) {
            (Some(true), false) => steps.push(Step::Start),
            (Some(false), true) => steps.push(Step::Stop),
            (Some(true), true) | (None, true) if refresh => steps.push(Step::ReloadOrRestart),
            _ => {}
        }
        Ok(steps)
    }

    fn take(&self, step: Step) -> Result<(), ResourceError> {
        let (buses, bus, unit) = (self.buses.clone(), self.bus, self.unit.clone());
        let job = match step {
            Step::Start => "StartUnit",
            Step::Stop => "StopUnit",
            Step::ReloadOrRestart => "ReloadOrTryRestartUnit",
            Step::DaemonReload | Step::Enable | Step::Disable => {
                return self.buses.run(async move {
                    let systemd = buses.systemd(bus).await?;
                    match step {
                        Step::Enable => systemd.enable(&unit).await,
                        Step::Disable => systemd.disable(&unit).await,
                        _ => systemd.reload().await,
                    }
                });
            }
        };
        let (result, why) = self.buses.run(async move {
            let systemd = buses.systemd(bus).await?;
            let result = systemd.job(job, &unit).await?;
            let why = if result == "done" {
                None
            } else {
                Some(why_it_failed(&systemd, &unit).await)
            };
            Ok((result, why))
        })?;
        match why {
            None => Ok(()),
            Some(why) => Err(ResourceError::failed(format!(
                "{} {}: the job ended `{result}`; {why}{}",
                step_verb(step),
                self.unit,
                journal(&self.unit, self.bus)
            ))),
        }
    }
}

fn step_verb(step: Step) -> &'static str {
    match step {
        Step::Stop => "stopping",
        Step::ReloadOrRestart => "reloading or restarting",
        _ => "starting",
    }
}

/// The unit's state after a failed job, and how its process ended.
async fn why_it_failed(systemd: &Systemd, unit: &str) -> String {
    let state = match systemd.unit_state(unit).await {
        Ok(state) => format!("it is {} ({})", state.active_state, state.sub_state),
        Err(problem) => format!("its state is unknown ({problem})"),
    };
    match systemd.service_result(unit).await {
        Some(result) => format!("{state}, {result}"),
        None => state,
    }
}

/// The unit's last journal lines, where the journal is readable from here.
fn journal(unit: &str, bus: Bus) -> String {
    let mut command = Command::new("journalctl");
    if bus == Bus::Session {
        command.arg("--user");
    }
    let lines = command
        .args(["--no-pager", "--quiet", "-o", "cat", "-n", "10", "-u", unit])
        .stdin(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| {
            String::from_utf8_lossy(&output.stdout)
                .trim_end()
                .to_owned()
        })
        .unwrap_or_default();
    if lines.is_empty() {
        String::new()
    } else {
        format!("; its journal ends:\n{lines}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(running: Option<bool>, enabled: Option<bool>) -> Svc {
        Svc {
            unit: "x.service".to_owned(),
            running,
            enabled,
            bus: Bus::System,
            buses: Buses::default(),
        }
    }

    fn state(active: &str, file: &str) -> UnitState {
        UnitState {
            load_state: "loaded".to_owned(),
            active_state: active.to_owned(),
            unit_file_state: file.to_owned(),
            ..UnitState::default()
        }
    }

    #[test]
    fn only_what_differs_is_changed() {
        let wanted = svc(Some(true), Some(true));
        assert_eq!(wanted.steps(&state("active", "enabled"), false), Ok(vec![]));
        assert_eq!(
            wanted.steps(&state("inactive", "disabled"), false),
            Ok(vec![Step::Enable, Step::Start])
        );
        let unmanaged = svc(None, None);
        assert_eq!(
            unmanaged.steps(&state("failed", "disabled"), false),
            Ok(vec![])
        );
    }

    #[test]
    fn a_changed_unit_file_is_read_again_first() {
        let mut changed = state("active", "enabled");
        changed.need_daemon_reload = true;
        assert_eq!(
            svc(Some(false), None).steps(&changed, false),
            Ok(vec![Step::DaemonReload, Step::Stop])
        );
    }

    #[test]
    fn a_refresh_restarts_a_running_unit_but_not_one_just_started() {
        let wanted = svc(Some(true), None);
        assert_eq!(
            wanted.steps(&state("active", ""), true),
            Ok(vec![Step::ReloadOrRestart])
        );
        assert_eq!(
            wanted.steps(&state("inactive", ""), true),
            Ok(vec![Step::Start])
        );
        assert_eq!(
            svc(Some(false), None).steps(&state("inactive", ""), true),
            Ok(vec![])
        );
    }

    #[test]
    fn a_static_or_masked_unit_cannot_be_enabled() {
        let wanted = svc(None, Some(true));
        let problem = wanted.steps(&state("active", "static"), false).unwrap_err();
        assert!(
            problem.to_string().contains("no [Install] section"),
            "{problem}"
        );
        let problem = wanted.steps(&state("active", "masked"), false).unwrap_err();
        assert!(problem.to_string().contains("masked"), "{problem}");
        assert_eq!(
            svc(None, Some(false)).steps(&state("active", "static"), false),
            Ok(vec![])
        );
    }
}
