//! What the engine tells about a run as it goes and at its end: a tally per
//! resource (kept across graph swaps, so a resource removed mid-run still
//! counts), a "converged" line each time the graph converges, a progress
//! line every few seconds while a first convergence takes long, and the
//! [`RunReport`] the run ends with.

use super::Engine;
use crate::report::{ResourceReport, RunReport, Status};
use crate::spec::{ResourceKey, ResourceSpec};
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};
use tracing::{debug, info};

/// How often a first convergence that takes long says how far it got.
const PROGRESS_EVERY: Duration = Duration::from_secs(2);

/// One resource's check/applies so far.
#[derive(Default)]
struct Tally {
    checks: u64,
    changes: u64,
    would_changes: u64,
    failures: u64,
    last_change: Option<String>,
}

/// What a finished check/apply did, for its tally.
pub(super) enum Did<'a> {
    Nothing,
    Changed(&'a str),
    WouldChange(&'a str),
    Failed,
}

pub(super) struct Record {
    started: Instant,
    tallies: BTreeMap<ResourceKey, Tally>,
    /// When the graph last stopped being converged (or the engine started).
    stretch_began: Instant,
    /// Check/applies that changed (or in noop would change) something, and
    /// that failed, since then.
    stretch_changes: u64,
    stretch_failures: u64,
    converged_once: bool,
    last_progress: Instant,
}

impl Record {
    pub fn new() -> Record {
        let now = Instant::now();
        Record {
            started: now,
            tallies: BTreeMap::new(),
            stretch_began: now,
            stretch_changes: 0,
            stretch_failures: 0,
            converged_once: false,
            last_progress: now,
        }
    }

    pub fn finished(&mut self, key: &ResourceKey, did: Did<'_>) {
        let tally = self.tallies.entry(key.clone()).or_default();
        tally.checks += 1;
        match did {
            Did::Nothing => {}
            Did::Changed(what) => {
                tally.changes += 1;
                tally.last_change = Some(what.to_owned());
                self.stretch_changes += 1;
            }
            Did::WouldChange(what) => {
                tally.would_changes += 1;
                tally.last_change = Some(what.to_owned());
                self.stretch_changes += 1;
            }
            Did::Failed => {
                tally.failures += 1;
                self.stretch_failures += 1;
            }
        }
    }

    /// The graph has just converged: said at `info` the first time and
    /// whenever something changed or failed on the way, else at `debug`
    /// (a poll that finds everything right is not news).
    pub fn converged(&mut self) {
        let took = self.stretch_began.elapsed().as_secs_f64();
        let (changes, failures) = (self.stretch_changes, self.stretch_failures);
        if !self.converged_once || changes + failures > 0 {
            info!(
                "converged in {took:.2} s ({}, {})",
                counted(changes, "change"),
                counted(failures, "failure")
            );
        } else {
            debug!("converged again in {took:.2} s, nothing changed");
        }
        self.converged_once = true;
    }

    /// The graph is no longer converged: a new stretch begins.
    pub fn unconverged(&mut self) {
        self.stretch_began = Instant::now();
        self.stretch_changes = 0;
        self.stretch_failures = 0;
    }
}

impl Engine {
    /// Every `PROGRESS_EVERY` until the graph first converges: how many
    /// resources are done, running and failed.
    pub(super) fn log_progress(&mut self) {
        let record = &mut self.record;
        if record.converged_once || record.last_progress.elapsed() < PROGRESS_EVERY {
            return;
        }
        record.last_progress = Instant::now();
        let (mut done, mut running, mut failed) = (0usize, 0usize, 0usize);
        for vertex in self.vertices.values() {
            done += usize::from(vertex.phase.is_converged());
            running += usize::from(vertex.phase.is_running());
            failed += usize::from(vertex.phase.failure().is_some());
        }
        info!(
            "converging: {done} of {} resources converged, {running} running, {failed} failed, after {} s",
            self.vertices.len(),
            record.started.elapsed().as_secs()
        );
    }

    /// The run so far, resource by resource.
    pub(super) fn run_report(&self) -> RunReport {
        let mut resources = Vec::with_capacity(self.vertices.len());
        let mut blocked = HashMap::new();
        let none = Tally::default();
        for (key, vertex) in &self.vertices {
            let tally = self.record.tallies.get(key).unwrap_or(&none);
            let error = vertex.phase.failure().map(str::to_owned);
            let status = if error.is_some() {
                Status::Failed
            } else if vertex.phase.is_pending() && self.behind_failure(key, &mut blocked) {
                Status::Skipped
            } else if tally.changes > 0 {
                Status::Changed
            } else if tally.would_changes > 0 {
                Status::WouldChange
            } else if tally.checks > 0 {
                Status::Unchanged
            } else {
                Status::Unchecked
            };
            let leader = vertex.spec.id();
            for (spec, grouped_into) in std::iter::once((&vertex.spec, None)).chain(
                vertex
                    .spec
                    .group
                    .iter()
                    .map(|member| (member, Some(&leader))),
            ) {
                resources.push(ResourceReport {
                    kind: spec.kind.clone(),
                    name: spec.name.clone(),
                    status,
                    location: spec.location.clone(),
                    checks: tally.checks,
                    changes: tally.changes,
                    would_changes: tally.would_changes,
                    failures: tally.failures,
                    last_change: tally.last_change.clone(),
                    error: error.clone(),
                    params: shown_params(spec),
                    grouped_into: grouped_into.cloned(),
                });
            }
        }
        for (key, tally) in &self.record.tallies {
            if self.vertices.contains_key(key) {
                continue;
            }
            resources.push(ResourceReport {
                kind: key.0.clone(),
                name: key.1.clone(),
                status: Status::Removed,
                location: String::new(),
                checks: tally.checks,
                changes: tally.changes,
                would_changes: tally.would_changes,
                failures: tally.failures,
                last_change: tally.last_change.clone(),
                error: None,
                params: Json::Object(Map::new()),
                grouped_into: None,
            });
        }
        resources.sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
        RunReport {
            noop: self.options.noop,
            duration: self.record.started.elapsed(),
            resources,
        }
    }
}

/// `1 change`, `3 changes`.
fn counted(count: u64, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// Its params as JSON; a `Meta:sensitive` resource's each as size and
/// digest, as `mgmt compile --format json` shows them.
fn shown_params(spec: &ResourceSpec) -> Json {
    let params = spec
        .params
        .iter()
        .map(|(field, value)| {
            let shown = if spec.meta.sensitive {
                Json::String(mcl_compiler::redact::redacted(value.to_string().as_bytes()))
            } else {
                value.clone()
            };
            (field.clone(), shown)
        })
        .collect();
    Json::Object(params)
}
