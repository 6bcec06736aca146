//! `exec`: runs a command, guarded by other commands, and sends its output.
//!
//! When it runs:
//! - `mtimes`: when one of these files is newer than the last successful run
//!   (or there was none), the command runs whatever the guards say.
//! - With guards (`ifcmd`, `nifcmd`, `creates`) every check asks them: run
//!   only if `ifcmd` exits 0 (and did not print exactly `ifequals`), `nifcmd`
//!   exits non-zero, and the `creates` path does not exist.
//! - Without guards it runs at start, again on each refresh and on each watch
//!   event (`watchcmd` line, change to `watchfiles`), and again after a failed
//!   run until one succeeds.
//!
//! A run is the command, then `donecmd`; a non-zero exit of either fails the
//! check (the message ends with the last lines of stderr). After a run the
//! resource sends `output` (stdout and stderr in reading order), `stdout` and
//! `stderr`, each the last `outputlimit` bytes (default 1 MiB; 0 keeps all),
//! cut at the start of a line; the engine warns, naming both resources, when
//! it delivers a cut value.
//!
//! Noop mode never runs the command nor `donecmd`; the guard commands *do*
//! run, as upstream, because they are meant to be read-only checks.
//!
//! Every command has exactly the `env` map as its environment (as upstream:
//! empty when not given; a bare program name is looked up in that map's PATH,
//! or else in the agent's), stdin on `/dev/null`, a process group of its own
//! that `timeout` (applied to the guards and `donecmd` as well) kills whole,
//! and runs as `user`/`group` when given. Its groups are registered in the
//! engine's [`RunningCommands`], which kills those still running at the
//! agent's shutdown. With `mtimes`, the time of the last successful run is
//! saved in the agent's state directory ([`StateDir`], under `--prefix`), so
//! a restarted agent runs the command only if a file changed meanwhile.
//!
//! Received values replace params; a watch field received after the watch
//! started takes effect when the watch restarts.

mod config;
mod process;
mod reaper;
pub(crate) use process::dies_with_agent;
mod schema;
mod watch_command;
mod watch_files;

pub use process::RunningCommands;

use crate::kind::ResourceKind;
use crate::resource::{ApplyContext, Outcome, Resource, ResourceError, WatchEvents, WatchGuard};
use crate::services::Services;
use crate::spec::{Fields, ResourceSpec};
use crate::state::StateDir;
use config::Config;
use mcl_compiler::schema::ResourceSchema;
use process::{Finished, RunContext};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, SystemTime};
use tracing::{debug, info, warn};

/// The `exec` kind.
pub struct Kind;

impl ResourceKind for Kind {
    fn schema(&self) -> ResourceSchema {
        schema::schema()
    }

    fn build(
        &self,
        spec: &ResourceSpec,
        services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        let config = {
            let mut config = Config::parse(&spec.name, &spec.params)?;
            if spec.meta.sensitive {
                config.redact();
            }
            config
        };
        let last_run = if config.mtimes.is_empty() {
            None
        } else {
            services
                .state
                .load::<LastRun>(LAST_RUN, &spec.id())
                .map(LastRun::time)
        };
        Ok(Box::new(Exec {
            running: services.commands.owned_by(&spec.id()),
            state: services.state.clone(),
            id: spec.id(),
            name: spec.name.clone(),
            params: spec.params.clone(),
            config,
            sensitive: spec.meta.sensitive,
            events: Arc::new(AtomicU64::new(0)),
            seen_events: 0,
            // With `mtimes` and a saved last run, it ran before a restart.
            pending: last_run.is_none().then_some("first run"),
            last_run,
            sent: BTreeMap::new(),
            cut: BTreeMap::new(),
        }))
    }
}

pub struct Exec {
    id: String,
    name: String,
    params: Fields,
    config: Config,
    /// `Meta:sensitive`: command lines and output stay out of messages.
    sensitive: bool,
    /// Watch events so far (shared with the watch threads).
    events: Arc<AtomicU64>,
    seen_events: u64,
    /// Why the command must run even without guards, until a run succeeds.
    pending: Option<&'static str>,
    last_run: Option<SystemTime>,
    sent: BTreeMap<String, Json>,
    /// Sent values cut to `outputlimit`, with the bytes dropped from each.
    cut: BTreeMap<String, u64>,
    /// The engine's register of running children.
    running: RunningCommands,
    /// Where `last_run` is saved when `mtimes` is given.
    state: StateDir,
}

/// The state section of `mtimes`' last successful runs.
const LAST_RUN: &str = "exec-last-run";

/// When a command with `mtimes` last succeeded, as saved.
#[derive(serde::Serialize, serde::Deserialize)]
struct LastRun {
    unix_nanos: u64,
}

impl LastRun {
    fn of(time: SystemTime) -> LastRun {
        let since = time
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        LastRun {
            unix_nanos: u64::try_from(since.as_nanos()).unwrap_or(u64::MAX),
        }
    }

    fn time(self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_nanos(self.unix_nanos)
    }
}

impl Exec {
    /// Why `mtimes` forces a run, if it does.
    fn newer_mtime(&self) -> Result<Option<String>, ResourceError> {
        let mut newer = None;
        for path in &self.config.mtimes {
            let modified = std::fs::metadata(path)
                .and_then(|meta| meta.modified())
                .map_err(|error| ResourceError::failed(format!("`mtimes`: `{path}`: {error}")))?;
            if newer.is_none() && self.last_run.is_none_or(|last| modified > last) {
                newer = Some(format!("`{path}` is newer than the last run"));
            }
        }
        Ok(newer)
    }

    /// Why the guards say not to run, if they do.
    fn blocked(&self) -> Result<Option<String>, ResourceError> {
        let commands = self.config.if_cmd.is_some() || self.config.nif_cmd.is_some();
        let run = if commands {
            self.config.run_context(&self.running)?
        } else {
            RunContext {
                running: self.running.clone(),
                output_limit: self.config.output_limit,
                ..RunContext::default()
            }
        };
        if let Some(line) = &self.config.if_cmd {
            let finished = process::run(line, &run)?;
            debug!(
                "{}: ifcmd `{}`: {}",
                self.id,
                line.display(),
                finished.status
            );
            if !finished.status.success() {
                return Ok(Some(format!(
                    "ifcmd `{}` {}",
                    line.display(),
                    finished.status
                )));
            }
            if self.config.if_equals.as_ref() == Some(&finished.output) {
                return Ok(Some(format!(
                    "ifcmd `{}` printed the `ifequals` text",
                    line.display()
                )));
            }
        }
        if let Some(line) = &self.config.nif_cmd {
            let finished = process::run(line, &run)?;
            debug!(
                "{}: nifcmd `{}`: {}",
                self.id,
                line.display(),
                finished.status
            );
            if finished.status.success() {
                return Ok(Some(format!("nifcmd `{}` succeeded", line.display())));
            }
        }
        if let Some(path) = &self.config.creates {
            if std::fs::metadata(path).is_ok() {
                return Ok(Some(format!("`{path}` exists")));
            }
        }
        Ok(None)
    }

    /// What a command printed, as a message may show it.
    fn shown_output(&self, finished: &Finished) -> String {
        if self.sensitive {
            mcl_compiler::redact::redacted(finished.output.as_bytes())
        } else {
            finished.output.clone()
        }
    }

    fn record(&mut self, finished: &Finished) {
        let [stdout_dropped, stderr_dropped, output_dropped] = finished.dropped;
        let streams = [
            ("output", &finished.output, output_dropped),
            ("stdout", &finished.stdout, stdout_dropped),
            ("stderr", &finished.stderr, stderr_dropped),
        ];
        self.sent = streams
            .iter()
            .map(|(name, text, _)| ((*name).to_owned(), Json::String((*text).clone())))
            .collect();
        self.cut = streams
            .iter()
            .filter(|(_, _, dropped)| *dropped > 0)
            .map(|(name, _, dropped)| ((*name).to_owned(), *dropped))
            .collect();
    }

    /// Runs the command (and `donecmd`) for `reason`, or says it would.
    fn run(&mut self, reason: &str, context: ApplyContext) -> Result<Outcome, ResourceError> {
        let shown = self.config.cmd.display();
        if !context.apply {
            return Ok(Outcome::WouldChange(format!("would run `{shown}`")));
        }

        info!("{}: running `{shown}` ({reason})", self.id);
        let run = self.config.run_context(&self.running)?;
        let finished = process::run(&self.config.cmd, &run)?;
        debug!(
            "{}: `{shown}` printed: {}",
            self.id,
            self.shown_output(&finished)
        );
        self.record(&finished);
        finished.check(&shown, !self.sensitive)?;
        if let Some(line) = &self.config.done_cmd {
            let done = process::run(line, &run)?;
            debug!(
                "{}: donecmd `{}` printed: {}",
                self.id,
                line.display(),
                self.shown_output(&done)
            );
            done.check(&line.display(), !self.sensitive)?;
        }
        self.pending = None;
        let now = SystemTime::now();
        self.last_run = Some(now);
        if !self.config.mtimes.is_empty() {
            if let Err(problem) = self.state.save(LAST_RUN, &self.id, &LastRun::of(now)) {
                warn!(
                    "{}: {problem}; after a restart `{shown}` will run again",
                    self.id
                );
            }
        }
        Ok(Outcome::Changed(format!("ran `{shown}`")))
    }
}

impl Resource for Exec {
    /// Commands take as long as they take: each gets a thread of its own.
    fn brief(&self) -> bool {
        false
    }

    fn validate(&self) -> Result<(), ResourceError> {
        // `build` parsed and checked every param already.
        Ok(())
    }

    fn watch(&self, events: WatchEvents) -> Result<Option<WatchGuard>, ResourceError> {
        let mut guards: Vec<WatchGuard> = Vec::new();
        if let Some(line) = &self.config.watch_cmd {
            let watch = watch_command::start(
                self.id.clone(),
                line.clone(),
                self.config.clone(),
                self.running.clone(),
                Arc::clone(&self.events),
                events.clone(),
            )?;
            guards.push(Box::new(watch));
        }
        let paths = self.config.watched_paths();
        if !paths.is_empty() {
            let watch =
                watch_files::start(self.id.clone(), &paths, Arc::clone(&self.events), events)?;
            guards.push(Box::new(watch));
        }
        Ok((!guards.is_empty()).then(|| Box::new(guards) as WatchGuard))
    }

    fn check_apply(&mut self, context: ApplyContext) -> Result<Outcome, ResourceError> {
        if self.config.refresh_only {
            // A handler: only a refresh along a Notify edge runs it.
            if !context.refresh {
                return Ok(Outcome::Correct);
            }
            return self.run("refresh", context);
        }
        let events = self.events.load(Ordering::SeqCst);
        if events != self.seen_events {
            self.seen_events = events;
            self.pending.get_or_insert("watch event");
        }
        if context.refresh {
            self.pending.get_or_insert("refresh");
        }
        let reason = match self.newer_mtime()? {
            Some(reason) => reason,
            None if self.config.has_guards() => match self.blocked()? {
                Some(why) => {
                    debug!("{}: not running: {why}", self.id);
                    return Ok(Outcome::Correct);
                }
                None => "the guards allow it".to_owned(),
            },
            None => match self.pending {
                Some(reason) => reason.to_owned(),
                None => return Ok(Outcome::Correct),
            },
        };
        self.run(&reason, context)
    }

    fn sent(&self) -> BTreeMap<String, Json> {
        self.sent.clone()
    }

    fn cut(&self) -> BTreeMap<String, u64> {
        self.cut.clone()
    }

    fn receive(&mut self, field: &str, value: Json) -> Result<(), ResourceError> {
        static SCHEMA: LazyLock<ResourceSchema> = LazyLock::new(schema::schema);
        if SCHEMA.field(field).is_none() {
            return Err(ResourceError::invalid(format!(
                "exec has no field `{field}`"
            )));
        }
        if self.params.get(field) == Some(&value) {
            return Ok(());
        }
        let mut params = self.params.clone();
        params.insert(field.to_owned(), value);
        self.config = Config::parse(&self.name, &params)?;
        self.params = params;
        self.pending.get_or_insert("a received value");
        Ok(())
    }
}
