//! What a run did, as data: each resource's status and tallies, the counts
//! of the end-of-run summary, and the JSON form that `mgmt run --report`
//! writes (schema in `docs/report.md`). The engine fills it in
//! (`engine/record.rs`); printing and writing it is the binary's job.

use serde_json::{json, Value as Json};
use std::time::Duration;

/// The version of the JSON report's schema; bumped when a field changes
/// meaning or goes away (new fields do not bump it).
pub const REPORT_VERSION: u32 = 1;

/// Where a resource stood when the run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Checked, and it was already right every time.
    Unchanged,
    /// Changed at least once, and right at the end.
    Changed,
    /// `--noop` (or `Meta:noop`): it would have changed.
    WouldChange,
    /// Left failed: it gave up after its retries, or could not be built.
    Failed,
    /// Never checked: something it depends on failed.
    Skipped,
    /// Not checked before the run ended (stopped early), or `Meta:hidden`.
    Unchecked,
    /// Removed from the graph during the run (after its tallies here).
    Removed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unchanged => "unchanged",
            Status::Changed => "changed",
            Status::WouldChange => "would-change",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Unchecked => "unchecked",
            Status::Removed => "removed",
        }
    }
}

/// One resource of the run.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceReport {
    pub kind: String,
    pub name: String,
    pub status: Status,
    /// Where the program declares it (`file:line:column`); empty when removed.
    pub location: String,
    /// Finished check/applies, failed ones included.
    pub checks: u64,
    /// Check/applies that changed something.
    pub changes: u64,
    /// Check/applies that found something to change and, in noop, left it.
    pub would_changes: u64,
    /// Check/applies that failed (retries included).
    pub failures: u64,
    /// The last change made (or, in noop, that would be made).
    pub last_change: Option<String>,
    /// Why it failed, when it is left failed.
    pub error: Option<String>,
    /// Its params; a `Meta:sensitive` resource's are redacted (size and digest).
    pub params: Json,
    /// The resource whose check/apply covers this one (`Meta:autogroup`).
    pub grouped_into: Option<String>,
}

impl ResourceReport {
    /// `kind[name]`.
    pub fn id(&self) -> String {
        format!("{}[{}]", self.kind, self.name)
    }
}

/// The whole run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunReport {
    pub noop: bool,
    /// From the engine's start to its end.
    pub duration: Duration,
    /// Sorted by kind, then name.
    pub resources: Vec<ResourceReport>,
}

/// The summary's numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub resources: usize,
    /// Checked at least once.
    pub checked: usize,
    pub changed: usize,
    pub would_change: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl RunReport {
    pub fn counts(&self) -> Counts {
        let mut counts = Counts {
            resources: self.resources.len(),
            ..Counts::default()
        };
        for resource in &self.resources {
            counts.checked += usize::from(resource.checks > 0);
            match resource.status {
                Status::Changed => counts.changed += 1,
                Status::WouldChange => counts.would_change += 1,
                Status::Failed => counts.failed += 1,
                Status::Skipped => counts.skipped += 1,
                Status::Unchanged | Status::Unchecked | Status::Removed => {}
            }
        }
        counts
    }

    /// The one-line recap: `4 resources: 4 checked, 2 changed, 1 failed,
    /// 1 skipped behind failures, in 0.42 s` (`would change` in noop).
    pub fn summary(&self) -> String {
        let counts = self.counts();
        let changed = if self.noop {
            format!("{} would change", counts.would_change)
        } else {
            format!("{} changed", counts.changed)
        };
        format!(
            "{} resources: {} checked, {changed}, {} failed, {} skipped behind failures, in {:.2} s",
            counts.resources,
            counts.checked,
            counts.failed,
            counts.skipped,
            self.duration.as_secs_f64()
        )
    }

    /// Whether anything changed, or in noop would have (removed resources
    /// included): what `--detailed-exitcodes` calls changes.
    pub fn changed_anything(&self) -> bool {
        self.resources
            .iter()
            .any(|resource| resource.changes + resource.would_changes > 0)
    }

    /// The `--report` file's content (see `docs/report.md`).
    pub fn to_json(&self, host: &str, outcome: &str) -> Json {
        let counts = self.counts();
        let resources: Vec<Json> = self
            .resources
            .iter()
            .map(|resource| {
                json!({
                    "id": resource.id(),
                    "kind": resource.kind,
                    "name": resource.name,
                    "status": resource.status.as_str(),
                    "location": resource.location,
                    "checks": resource.checks,
                    "changes": resource.changes,
                    "would_changes": resource.would_changes,
                    "failures": resource.failures,
                    "last_change": resource.last_change,
                    "error": resource.error,
                    "params": resource.params,
                    "grouped_into": resource.grouped_into,
                })
            })
            .collect();
        json!({
            "version": REPORT_VERSION,
            "host": host,
            "noop": self.noop,
            "outcome": outcome,
            "duration_seconds": self.duration.as_secs_f64(),
            "counts": {
                "resources": counts.resources,
                "checked": counts.checked,
                "changed": counts.changed,
                "would_change": counts.would_change,
                "failed": counts.failed,
                "skipped": counts.skipped,
            },
            "resources": resources,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(name: &str, status: Status, checks: u64) -> ResourceReport {
        ResourceReport {
            kind: "file".into(),
            name: name.into(),
            status,
            location: "main.mcl:1:1".into(),
            checks,
            changes: u64::from(status == Status::Changed),
            would_changes: u64::from(status == Status::WouldChange),
            failures: u64::from(status == Status::Failed),
            last_change: None,
            error: None,
            params: json!({}),
            grouped_into: None,
        }
    }

    #[test]
    fn the_summary_counts_each_status() {
        let report = RunReport {
            noop: false,
            duration: Duration::from_millis(420),
            resources: vec![
                resource("/a", Status::Changed, 1),
                resource("/b", Status::Unchanged, 2),
                resource("/c", Status::Failed, 1),
                resource("/d", Status::Skipped, 0),
            ],
        };
        assert_eq!(
            report.summary(),
            "4 resources: 3 checked, 1 changed, 1 failed, 1 skipped behind failures, in 0.42 s"
        );
        let json = report.to_json("h1", "converged");
        assert_eq!(json["version"], REPORT_VERSION);
        assert_eq!(json["counts"]["failed"], 1);
        assert_eq!(json["resources"][0]["id"], "file[/a]");
        assert_eq!(json["resources"][3]["status"], "skipped");
    }

    #[test]
    fn a_noop_summary_says_what_would_change() {
        let report = RunReport {
            noop: true,
            duration: Duration::ZERO,
            resources: vec![resource("/a", Status::WouldChange, 1)],
        };
        assert!(report.summary().contains("1 would change"));
    }
}
