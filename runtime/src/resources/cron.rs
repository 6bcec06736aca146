//! `cron`: a systemd timer, `<name>.timer`, that starts a service
//! (`<name>.service` unless `unit` names another) on a calendar event or
//! after a time span.
//!
//! The resource writes the timer's unit file (atomically, only when its
//! content differs), has systemd read it again, and keeps the timer enabled
//! and started through the same D-Bus machinery as `svc`: jobs awaited to
//! their result, enabling through the manager. The service it starts is
//! not written here: a `file` resource manages its unit file (and the
//! autoedge orders it first), as upstream leaves it to the program.
//!
//! The watch hears the timer's signals (stopped or disabled by hand) and
//! changes of its unit file through the engine's file watcher.

use crate::dbus::systemd::UnitState;
use crate::dbus::{Bus, Buses};
use crate::kind::ResourceKind;
use crate::resource::{ApplyContext, Outcome, Resource, ResourceError, WatchEvents, WatchGuard};
use crate::resources::file::{self, FileWatcher, NewMeta, Scope, Target};
use crate::resources::svc::watch_unit;
use crate::schemas::cron;
use crate::services::Services;
use crate::spec::ResourceSpec;
use mcl_compiler::schema::ResourceSchema;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The `cron` kind.
pub struct Kind;

impl ResourceKind for Kind {
    fn schema(&self) -> ResourceSchema {
        cron::schema()
    }

    fn build(
        &self,
        spec: &ResourceSpec,
        services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        let text = |field: &str| match spec.params.get(field) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::String(value)) => Ok(Some(value.clone())),
            Some(other) => Err(ResourceError::invalid(format!(
                "`{field}` must be a string, not {other}"
            ))),
        };
        let flag = |field: &str| spec.params.get(field).and_then(Json::as_bool);
        let session = flag("session") == Some(true);
        let exists = match text("state")?.as_deref() {
            None | Some("exists") => true,
            Some("absent") => false,
            Some(other) => {
                return Err(ResourceError::invalid(format!(
                    "state `{other}`: expected `exists` or `absent`"
                )))
            }
        };
        let timer = Timer {
            name: cron::timer_name(&spec.name),
            unit: cron::started_unit(&spec.name, text("unit")?.as_deref()),
            trigger: text("trigger")?.unwrap_or_else(|| "OnCalendar".to_owned()),
            time: text("time")?,
            accuracy: text("accuracysec")?,
            randomized_delay: text("randomizeddelaysec")?,
            persistent: flag("persistent"),
            wake_system: flag("wakesystem"),
            remain_after_elapse: flag("remainafterelapse"),
        };
        let path = unit_directory(session)?.join(&timer.name);
        Ok(Box::new(Cron {
            timer,
            exists,
            path,
            bus: if session { Bus::Session } else { Bus::System },
            buses: services.buses.clone(),
            files: services.files.clone(),
        }))
    }
}

/// Where the timer's unit file goes: the system's directory for local
/// units, or the user manager's (`$XDG_CONFIG_HOME/systemd/user`, by
/// default `~/.config/systemd/user`) with `session`.
fn unit_directory(session: bool) -> Result<PathBuf, ResourceError> {
    if !session {
        return Ok(PathBuf::from("/etc/systemd/system"));
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|value| !value.is_empty())
                .map(|home| PathBuf::from(home).join(".config"))
        })
        .ok_or_else(|| {
            ResourceError::invalid(
                "a `session` timer goes in the user's ~/.config/systemd/user, \
                 but neither XDG_CONFIG_HOME nor HOME is set",
            )
        })?;
    Ok(config.join("systemd/user"))
}

/// The timer's settings, as its unit file says them.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Timer {
    /// `<name>.timer`.
    name: String,
    /// The unit it starts.
    unit: String,
    trigger: String,
    time: Option<String>,
    accuracy: Option<String>,
    randomized_delay: Option<String>,
    persistent: Option<bool>,
    wake_system: Option<bool>,
    remain_after_elapse: Option<bool>,
}

impl Timer {
    fn validate(&self, exists: bool) -> Result<(), ResourceError> {
        if self.name == ".timer" || self.name.contains(['/', '\n']) {
            return Err(ResourceError::invalid(format!(
                "`{}` is not a unit name",
                self.name
            )));
        }
        if self.unit.is_empty() || self.unit.contains(|c: char| c == '/' || c.is_whitespace()) {
            return Err(ResourceError::invalid(format!(
                "`unit` `{}` is not a unit name",
                self.unit
            )));
        }
        if !cron::TRIGGERS.contains(&self.trigger.as_str()) {
            return Err(ResourceError::invalid(format!(
                "`trigger` `{}`: expected one of {}",
                self.trigger,
                cron::TRIGGERS.join(", ")
            )));
        }
        if exists
            && self
                .time
                .as_deref()
                .is_none_or(|time| time.trim().is_empty())
        {
            return Err(ResourceError::invalid(format!(
                "a timer needs `time`: a calendar event for OnCalendar \
                 (\"*-*-* 03:00:00\"), a time span for {} (\"15min\")",
                self.trigger
            )));
        }
        let settings = [
            ("time", &self.time),
            ("accuracysec", &self.accuracy),
            ("randomizeddelaysec", &self.randomized_delay),
        ];
        for (field, value) in settings {
            if value
                .as_deref()
                .is_some_and(|value| value.contains(char::is_control))
            {
                return Err(ResourceError::invalid(format!(
                    "`{field}` holds a line break or another control character"
                )));
            }
        }
        Ok(())
    }

    /// The unit file: systemd.timer(5), with an `[Install]` section so that
    /// the timer can be enabled.
    fn unit_file(&self) -> String {
        let mut text = format!(
            "# Written by mgmt (cron[{}]); changes are overwritten.\n\
             [Unit]\nDescription=mgmt cron {}\n\n[Timer]\n",
            self.name.trim_end_matches(".timer"),
            self.name
        );
        let mut setting = |key: &str, value: &str| {
            text.push_str(&format!("{key}={}\n", value.trim()));
        };
        setting(&self.trigger, self.time.as_deref().unwrap_or_default());
        setting("Unit", &self.unit);
        if let Some(accuracy) = &self.accuracy {
            setting("AccuracySec", accuracy);
        }
        if let Some(delay) = &self.randomized_delay {
            setting("RandomizedDelaySec", delay);
        }
        let yes = |value: bool| if value { "true" } else { "false" };
        if let Some(persistent) = self.persistent {
            setting("Persistent", yes(persistent));
        }
        if let Some(wake) = self.wake_system {
            setting("WakeSystem", yes(wake));
        }
        if let Some(remain) = self.remain_after_elapse {
            setting("RemainAfterElapse", yes(remain));
        }
        text.push_str("\n[Install]\nWantedBy=timers.target\n");
        text
    }
}

pub struct Cron {
    timer: Timer,
    exists: bool,
    /// The timer's unit file.
    path: PathBuf,
    bus: Bus,
    buses: Buses,
    files: FileWatcher,
}

/// One change a check found needed, in the order they are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Write,
    Remove,
    DaemonReload,
    Enable,
    Disable,
    Start,
    Stop,
    /// A started timer whose unit file changed: restarted, so that it is
    /// scheduled by its new settings.
    Restart,
}

impl Step {
    fn says(self) -> &'static str {
        match self {
            Step::Write => "unit file written",
            Step::Remove => "unit file removed",
            Step::DaemonReload => "unit files read again (daemon-reload)",
            Step::Enable => "enabled",
            Step::Disable => "disabled",
            Step::Start => "started",
            Step::Stop => "stopped",
            Step::Restart => "restarted with its new settings",
        }
    }
}

fn is_enabled(state: &UnitState) -> bool {
    matches!(
        state.unit_file_state.as_str(),
        "enabled" | "enabled-runtime" | "linked" | "alias"
    )
}

impl Cron {
    /// What must change, given the unit file's current content and the
    /// timer's state.
    fn steps(&self, current: Option<&str>, state: &UnitState) -> Result<Vec<Step>, ResourceError> {
        let mut steps = Vec::new();
        if !self.exists {
            if state.is_active() {
                steps.push(Step::Stop);
            }
            if is_enabled(state) {
                steps.push(Step::Disable);
            }
            if current.is_some() {
                steps.extend([Step::Remove, Step::DaemonReload]);
            }
            return Ok(steps);
        }
        let wanted = self.timer.unit_file();
        let rewritten = current != Some(wanted.as_str());
        if rewritten {
            steps.extend([Step::Write, Step::DaemonReload]);
        } else if state.need_daemon_reload {
            steps.push(Step::DaemonReload);
        }
        if state.unit_file_state.starts_with("masked") {
            return Err(ResourceError::failed(format!(
                "{} is masked: unmask it to enable it",
                self.timer.name
            )));
        }
        if !is_enabled(state) {
            steps.push(Step::Enable);
        }
        if !state.is_active() {
            steps.push(Step::Start);
        } else if rewritten {
            steps.push(Step::Restart);
        }
        Ok(steps)
    }

    fn read_current(&self) -> Result<Option<String>, ResourceError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
            Err(problem) if problem.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(problem) => Err(ResourceError::failed(format!(
                "cannot read {}: {problem}",
                self.path.display()
            ))),
        }
    }

    fn write(&self) -> Result<(), ResourceError> {
        if self.bus == Bus::Session {
            if let Some(directory) = self.path.parent() {
                std::fs::create_dir_all(directory).map_err(|problem| {
                    ResourceError::failed(format!(
                        "cannot create {}: {problem}",
                        directory.display()
                    ))
                })?;
            }
        }
        let meta = NewMeta {
            mode: 0o644,
            uid: None,
            gid: None,
            owner_best_effort: false,
        };
        file::write_file(&self.path, &mut self.timer.unit_file().as_bytes(), meta).map(drop)
    }

    fn take(&self, step: Step) -> Result<(), ResourceError> {
        let (buses, bus, timer) = (self.buses.clone(), self.bus, self.timer.name.clone());
        let job = match step {
            Step::Write => return self.write(),
            Step::Remove => return file::remove(&self.path, false, false),
            Step::DaemonReload | Step::Enable | Step::Disable => {
                return self.buses.run(async move {
                    let systemd = buses.systemd(bus).await?;
                    match step {
                        Step::Enable => systemd.enable(&timer).await,
                        Step::Disable => systemd.disable(&timer).await,
                        _ => systemd.reload().await,
                    }
                });
            }
            Step::Start => "StartUnit",
            Step::Stop => "StopUnit",
            Step::Restart => "RestartUnit",
        };
        let result = self.buses.run(async move {
            let systemd = buses.systemd(bus).await?;
            systemd.job(job, &timer).await
        })?;
        if result == "done" {
            Ok(())
        } else {
            Err(ResourceError::failed(format!(
                "{job} {}: the job ended `{result}`",
                self.timer.name
            )))
        }
    }
}

impl Resource for Cron {
    fn validate(&self) -> Result<(), ResourceError> {
        self.timer.validate(self.exists)
    }

    fn brief(&self) -> bool {
        // Waits for systemd's jobs.
        false
    }

    fn watch(&self, events: WatchEvents) -> Result<Option<WatchGuard>, ResourceError> {
        let targets = vec![Target {
            path: self.path.clone(),
            scope: Scope::Exact,
        }];
        let file = self
            .files
            .subscribe(Arc::new(Mutex::new(targets)), events.clone())?;
        let unit = watch_unit(&self.buses, self.bus, &self.timer.name, events)?;
        Ok(Some(Box::new((file, unit))))
    }

    fn check_apply(&mut self, context: ApplyContext) -> Result<Outcome, ResourceError> {
        let current = self.read_current()?;
        let (buses, bus) = (self.buses.clone(), self.bus);
        let (timer, started) = (self.timer.name.clone(), self.timer.unit.clone());
        let (state, target) = self.buses.run(async move {
            let systemd = buses.systemd(bus).await?;
            Ok((
                systemd.unit_state(&timer).await?,
                systemd.unit_state(&started).await?,
            ))
        })?;
        // systemd would refuse to start the timer ("unit to trigger not
        // loaded") and say why only in its journal.
        if self.exists && target.load_state == "not-found" {
            return Err(ResourceError::failed(format!(
                "{} starts {}, and there is no such unit (systemd: not-found): \
                 write its unit file with a file resource",
                self.timer.name, self.timer.unit
            )));
        }
        let steps = self.steps(current.as_deref(), &state)?;
        if steps.is_empty() {
            return Ok(Outcome::Correct);
        }
        let said = describe(&steps, &self.path);
        if !context.apply {
            return Ok(Outcome::WouldChange(said));
        }
        for step in steps {
            self.take(step)?;
        }
        Ok(Outcome::Changed(said))
    }
}

fn describe(steps: &[Step], path: &Path) -> String {
    steps
        .iter()
        .map(|step| match step {
            Step::Write | Step::Remove => format!("{} ({})", step.says(), path.display()),
            _ => step.says().to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timer() -> Timer {
        Timer {
            name: "backup.timer".to_owned(),
            unit: "backup.service".to_owned(),
            trigger: "OnCalendar".to_owned(),
            time: Some("*-*-* 03:00:00".to_owned()),
            accuracy: Some("1s".to_owned()),
            randomized_delay: None,
            persistent: Some(true),
            wake_system: None,
            remain_after_elapse: Some(false),
        }
    }

    fn cron(exists: bool) -> Cron {
        Cron {
            timer: timer(),
            exists,
            path: PathBuf::from("/etc/systemd/system/backup.timer"),
            bus: Bus::System,
            buses: Buses::default(),
            files: FileWatcher::default(),
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
    fn the_unit_file_says_only_what_is_given() {
        assert_eq!(
            timer().unit_file(),
            "# Written by mgmt (cron[backup]); changes are overwritten.\n\
             [Unit]\nDescription=mgmt cron backup.timer\n\n[Timer]\n\
             OnCalendar=*-*-* 03:00:00\nUnit=backup.service\nAccuracySec=1s\n\
             Persistent=true\nRemainAfterElapse=false\n\n\
             [Install]\nWantedBy=timers.target\n"
        );
    }

    #[test]
    fn a_new_timer_is_written_read_enabled_and_started() {
        let missing = UnitState {
            load_state: "not-found".to_owned(),
            active_state: "inactive".to_owned(),
            ..UnitState::default()
        };
        assert_eq!(
            cron(true).steps(None, &missing),
            Ok(vec![
                Step::Write,
                Step::DaemonReload,
                Step::Enable,
                Step::Start
            ])
        );
    }

    #[test]
    fn only_what_differs_is_changed() {
        let wanted = timer().unit_file();
        let cron = cron(true);
        assert_eq!(
            cron.steps(Some(&wanted), &state("active", "enabled")),
            Ok(vec![])
        );
        assert_eq!(
            cron.steps(Some(&wanted), &state("inactive", "disabled")),
            Ok(vec![Step::Enable, Step::Start])
        );
        assert_eq!(
            cron.steps(
                Some("[Timer]\nOnCalendar=daily\n"),
                &state("active", "enabled")
            ),
            Ok(vec![Step::Write, Step::DaemonReload, Step::Restart])
        );
        assert!(cron
            .steps(Some(&wanted), &state("inactive", "masked"))
            .is_err());
    }

    #[test]
    fn an_absent_timer_is_stopped_disabled_and_removed() {
        let cron = cron(false);
        assert_eq!(
            cron.steps(Some("x"), &state("active", "enabled")),
            Ok(vec![
                Step::Stop,
                Step::Disable,
                Step::Remove,
                Step::DaemonReload
            ])
        );
        assert_eq!(cron.steps(None, &state("inactive", "")), Ok(vec![]));
    }

    #[test]
    fn bad_settings_are_refused() {
        let no_time = Timer {
            time: None,
            ..timer()
        };
        assert!(no_time.validate(true).is_err());
        assert!(no_time.validate(false).is_ok());
        let bad_trigger = Timer {
            trigger: "OnWhenever".to_owned(),
            ..timer()
        };
        assert!(bad_trigger.validate(true).is_err());
        let injected = Timer {
            time: Some("daily\nExecStart=/bin/evil".to_owned()),
            ..timer()
        };
        assert!(injected.validate(true).is_err());
    }
}
