//! `timer`: an event every `interval` seconds, to drive refreshes.
//!
//! The watch is a thread that ticks; each tick bumps a counter shared with
//! the resource and sends an event. A check that sees a new tick reports
//! `Changed("tick")`, so `Notify` edges refresh what follows (upstream's
//! engine pokes the downstream resources instead); any other check is
//! `Correct`, including the first one at start. A refresh restarts the
//! interval, as upstream does, and is reported as a change too.

use crate::kind::ResourceKind;
use crate::resource::{ApplyContext, Outcome, Resource, ResourceError, WatchEvents, WatchGuard};
use crate::schemas::{basic_schema, integer, IntWidth};
use crate::services::Services;
use crate::spec::ResourceSpec;
use mcl_compiler::schema::ResourceSchema;
use serde_json::Value as Json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};
use tracing::debug;

/// The `timer` kind.
pub struct Kind;

impl ResourceKind for Kind {
    fn schema(&self) -> ResourceSchema {
        basic_schema("timer", vec![integer("interval", IntWidth::U32)])
    }

    fn build(
        &self,
        spec: &ResourceSpec,
        _services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        let interval = interval(spec.params.get("interval"))?;
        Ok(Box::new(Timer {
            id: spec.id(),
            shared: Arc::new(Shared {
                interval: AtomicU64::new(interval),
                ticks: AtomicU64::new(0),
                control: Mutex::new(Control::default()),
                wake: Condvar::new(),
            }),
            seen_ticks: 0,
        }))
    }
}

pub struct Timer {
    id: String,
    shared: Arc<Shared>,
    seen_ticks: u64,
}

/// What the resource and its ticking threads share.
struct Shared {
    /// Seconds between ticks.
    interval: AtomicU64,
    ticks: AtomicU64,
    control: Mutex<Control>,
    wake: Condvar,
}

#[derive(Default)]
struct Control {
    /// Bumped to make every ticking thread start its interval again.
    restarts: u64,
    /// Ids of the ticking threads whose guard was dropped.
    stopped: Vec<u64>,
    next_watch: u64,
}

/// Stops its ticking thread when dropped.
struct Ticking {
    shared: Arc<Shared>,
    watch: u64,
}

impl Drop for Ticking {
    fn drop(&mut self) {
        let mut control = self.shared.lock();
        control.stopped.push(self.watch);
        self.shared.wake.notify_all();
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Control> {
        self.control.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn restart(&self) {
        self.lock().restarts += 1;
        self.wake.notify_all();
    }

    /// Ticks until watch `watch` is stopped or nobody listens.
    fn tick(&self, id: &str, watch: u64, events: &WatchEvents) {
        let mut control = self.lock();
        loop {
            let interval = Duration::from_secs(self.interval.load(Ordering::SeqCst));
            let deadline = Instant::now() + interval;
            let restarts = control.restarts;
            loop {
                if control.stopped.contains(&watch) {
                    control.stopped.retain(|stopped| *stopped != watch);
                    return;
                }
                if control.restarts != restarts {
                    break;
                }
                let now = Instant::now();
                if now >= deadline {
                    self.ticks.fetch_add(1, Ordering::SeqCst);
                    debug!("{id}: tick");
                    if events.changed().is_err() {
                        return;
                    }
                    break;
                }
                control = self
                    .wake
                    .wait_timeout(control, deadline - now)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
        }
    }
}

/// Reads and checks `interval`: a whole number of seconds, at least one.
fn interval(value: Option<&Json>) -> Result<u64, ResourceError> {
    let Some(value) = value else {
        return Err(ResourceError::invalid("`interval` is required"));
    };
    match value.as_u64() {
        Some(seconds) if seconds >= 1 => Ok(seconds),
        _ => Err(ResourceError::invalid(format!(
            "`interval` must be at least 1 second, not {value}"
        ))),
    }
}

impl Resource for Timer {
    fn watch(&self, events: WatchEvents) -> Result<Option<WatchGuard>, ResourceError> {
        let watch = {
            let mut control = self.shared.lock();
            control.next_watch += 1;
            control.next_watch
        };
        let shared = Arc::clone(&self.shared);
        let id = self.id.clone();
        thread::Builder::new()
            .name("timer".into())
            .spawn(move || shared.tick(&id, watch, &events))
            .map_err(|error| ResourceError::failed(format!("cannot start the timer: {error}")))?;
        Ok(Some(Box::new(Ticking {
            shared: Arc::clone(&self.shared),
            watch,
        })))
    }

    fn check_apply(&mut self, context: ApplyContext) -> Result<Outcome, ResourceError> {
        let ticks = self.shared.ticks.load(Ordering::SeqCst);
        let ticked = ticks != self.seen_ticks;
        self.seen_ticks = ticks;
        let what = match (ticked, context.refresh) {
            (false, false) => return Ok(Outcome::Correct),
            (true, false) => "tick",
            (false, true) => "interval restarted",
            (true, true) => "tick; interval restarted",
        };
        if !context.apply {
            return Ok(Outcome::WouldChange(what.to_owned()));
        }
        if context.refresh {
            self.shared.restart();
        }
        Ok(Outcome::Changed(what.to_owned()))
    }

    fn receive(&mut self, field: &str, value: Json) -> Result<(), ResourceError> {
        if field != "interval" {
            return Err(ResourceError::invalid(format!(
                "timer has no field `{field}`"
            )));
        }
        let seconds = interval(Some(&value))?;
        if self.shared.interval.swap(seconds, Ordering::SeqCst) != seconds {
            self.shared.restart();
        }
        Ok(())
    }
}
