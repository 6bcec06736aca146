//! What the engine tells about a run as it goes and at its end: a tally per
//! resource (kept on its vertex and carried across a replacement; a removed
//! resource's is kept here, so it still counts), a "converged" line each
//! time the graph converges, a progress line every few seconds while a
//! first convergence takes long, and the [`RunReport`] the run ends with.

use super::Engine;
use crate::report::{ResourceReport, RunReport, Status};
use crate::spec::{Fields, ResourceKey, ResourceSpec};
use serde_json::Value as Json;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tracing::{debug, info};

/// How often a first convergence that takes long says how far it got.
const PROGRESS_EVERY: Duration = Duration::from_secs(2);

/// One resource's check/applies so far (counters of 32 bits: a vertex is
/// kept for every resource, and a resource checked four billion times has
/// other problems).
#[derive(Clone, Debug, Default)]
pub(super) struct Tally {
    checks: u32,
    changes: u32,
    would_changes: u32,
    failures: u32,
    last_change: Option<String>,
    /// The error of its last check/apply, if that failed.
    last_error: Option<String>,
}

/// What a finished check/apply did, for its tally.
pub(super) enum Did<'a> {
    Nothing,
    Changed(&'a str),
    WouldChange(&'a str),
    Failed(&'a str),
}

pub(super) struct Record {
    started: Instant,
    /// The tallies of resources removed from the graph during the run.
    removed: Vec<(ResourceKey, Tally)>,
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
            removed: Vec::new(),
            stretch_began: now,
            stretch_changes: 0,
            stretch_failures: 0,
            converged_once: false,
            last_progress: now,
        }
    }

    /// Counts a finished check/apply in the resource's `tally` and in the
    /// current stretch.
    pub fn finished(&mut self, tally: &mut Tally, did: Did<'_>) {
        tally.checks = tally.checks.saturating_add(1);
        tally.last_error = None;
        match did {
            Did::Nothing => {}
            Did::Changed(what) => {
                tally.changes = tally.changes.saturating_add(1);
                tally.last_change = Some(what.to_owned());
                self.stretch_changes += 1;
            }
            Did::WouldChange(what) => {
                tally.would_changes = tally.would_changes.saturating_add(1);
                tally.last_change = Some(what.to_owned());
                self.stretch_changes += 1;
            }
            Did::Failed(error) => {
                tally.failures = tally.failures.saturating_add(1);
                tally.last_error = Some(error.to_owned());
                self.stretch_failures += 1;
            }
        }
    }

    /// A resource that could not be built counts as a failure of the
    /// current stretch (it never reaches a check to be counted there).
    pub fn invalid(&mut self, tally: &mut Tally, error: &str) {
        tally.failures = tally.failures.saturating_add(1);
        tally.last_error = Some(error.to_owned());
        self.stretch_failures += 1;
    }

    /// A resource left the graph; what it did still counts.
    pub fn removed(&mut self, key: ResourceKey, tally: Tally) {
        if tally.checks > 0 {
            self.removed.push((key, tally));
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

    /// The run, resource by resource. It moves each resource's names and
    /// params out of its vertex rather than copying them (at thousands of
    /// resources a copy would be most of the graph again): the engine ends
    /// right after.
    pub(super) fn run_report(&mut self) -> RunReport {
        let mut blocked = HashMap::new();
        let statuses: Vec<(Status, Option<String>)> = self
            .vertices
            .iter()
            .map(|(key, vertex)| {
                let tally = &vertex.tally;
                // One stopped while waiting for a retry failed last too.
                let error = vertex.phase.failure().map(str::to_owned).or_else(|| {
                    vertex
                        .phase
                        .is_waiting_retry()
                        .then(|| tally.last_error.clone())
                        .flatten()
                });
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
                (status, error)
            })
            .collect();
        let mut resources = Vec::with_capacity(self.vertices.len());
        for (vertex, (status, error)) in self.vertices.values_mut().zip(statuses) {
            let tally = std::mem::take(&mut vertex.tally);
            let leader = vertex.spec.id();
            for mut member in std::mem::take(&mut vertex.spec.group) {
                let grouped_into = Some(leader.clone());
                resources.push(resource_report(
                    &mut member,
                    status,
                    &error,
                    &tally,
                    grouped_into,
                ));
            }
            resources.push(resource_report(
                &mut vertex.spec,
                status,
                &error,
                &tally,
                None,
            ));
        }
        for ((kind, name), tally) in std::mem::take(&mut self.record.removed) {
            resources.push(ResourceReport {
                kind,
                name,
                status: Status::Removed,
                location: String::new(),
                checks: tally.checks,
                changes: tally.changes,
                would_changes: tally.would_changes,
                failures: tally.failures,
                last_change: tally.last_change,
                error: None,
                params: Fields::default(),
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

/// A resource's entry, its names and params moved out of `spec`.
fn resource_report(
    spec: &mut ResourceSpec,
    status: Status,
    error: &Option<String>,
    tally: &Tally,
    grouped_into: Option<String>,
) -> ResourceReport {
    ResourceReport {
        kind: std::mem::take(&mut spec.kind),
        name: std::mem::take(&mut spec.name),
        status,
        location: std::mem::take(&mut spec.location),
        checks: tally.checks,
        changes: tally.changes,
        would_changes: tally.would_changes,
        failures: tally.failures,
        last_change: tally.last_change.clone(),
        error: error.clone(),
        params: shown_params(std::mem::take(&mut spec.params), spec.meta.sensitive),
        grouped_into,
    }
}

/// The params as the report shows them: a `Meta:sensitive` resource's
/// each as size and digest, as `mgmt compile --format json` shows them.
fn shown_params(params: Fields, sensitive: bool) -> Fields {
    if !sensitive {
        return params;
    }
    let mut shown = Fields::default();
    for (field, value) in params.iter() {
        let redacted = mcl_compiler::redact::redacted(value.to_string().as_bytes());
        shown.insert(field.clone(), Json::String(redacted));
    }
    shown
}
