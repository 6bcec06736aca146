//! What a run did, as data: each resource's status and tallies, the counts
//! of the end-of-run summary, and the JSON form that `mgmt run --report`
//! writes (schema in `docs/report.md`). The engine fills it in
//! (`engine/record.rs`); printing and writing it is the binary's job.
//!
//! The JSON is streamed from these values, never built as a tree first: at
//! thousands of resources a `serde_json::Value` of the whole report would
//! cost more than the engine's graph.

use crate::spec::Fields;
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::time::Duration;

/// The version of the JSON report's schema; bumped when a field changes
/// meaning or goes away (new fields do not bump it).
pub const REPORT_VERSION: u32 = 1;

/// Where a resource stood when the run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Checked, and it was already right every time.
    Unchanged,
    /// Changed at least once, and not failed at the end.
    Changed,
    /// `--noop` (or `Meta:noop`): it would have changed.
    WouldChange,
    /// Left failed: it gave up after its retries, could not be built, or
    /// the run stopped while it waited for a retry.
    Failed,
    /// Never checked: something it depends on failed.
    Skipped,
    /// Not checked before the run ended (stopped early), or `Meta:hidden`.
    Unchecked,
    /// Removed from the graph during the run (after its tallies here).
    Removed,
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
    pub checks: u32,
    /// Check/applies that changed something.
    pub changes: u32,
    /// Check/applies that found something to change and, in noop, left it.
    pub would_changes: u32,
    /// Check/applies that failed (retries included).
    pub failures: u32,
    /// The last change made (or, in noop, that would be made).
    pub last_change: Option<String>,
    /// Why it failed, when it is left failed.
    pub error: Option<String>,
    /// Its params; a `Meta:sensitive` resource's are redacted already.
    pub params: Fields,
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
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

    /// Whether anything changed, or in noop would have (removed resources
    /// included): what `--detailed-exitcodes` calls changes.
    pub fn changed_anything(&self) -> bool {
        self.resources
            .iter()
            .any(|resource| resource.changes + resource.would_changes > 0)
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

    /// Writes the `--report` file's content (see `docs/report.md`) as
    /// indented JSON.
    pub fn write_json(
        &self,
        writer: impl std::io::Write,
        host: &str,
        outcome: &str,
    ) -> serde_json::Result<()> {
        let document = Document {
            version: REPORT_VERSION,
            host,
            noop: self.noop,
            outcome,
            duration_seconds: self.duration.as_secs_f64(),
            counts: self.counts(),
            resources: Resources(&self.resources),
        };
        serde_json::to_writer_pretty(writer, &document)
    }
}

/// The report file's top level, in its field order.
#[derive(serde::Serialize)]
struct Document<'a> {
    version: u32,
    host: &'a str,
    noop: bool,
    outcome: &'a str,
    duration_seconds: f64,
    counts: Counts,
    resources: Resources<'a>,
}

struct Resources<'a>(&'a [ResourceReport]);

impl Serialize for Resources<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(ResourceJson))
    }
}

/// One resource in the report file, `id` first.
struct ResourceJson<'a>(&'a ResourceReport);

impl Serialize for ResourceJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let resource = self.0;
        let mut map = serializer.serialize_map(Some(13))?;
        map.serialize_entry("id", &resource.id())?;
        map.serialize_entry("kind", &resource.kind)?;
        map.serialize_entry("name", &resource.name)?;
        map.serialize_entry("status", &resource.status)?;
        map.serialize_entry("location", &resource.location)?;
        map.serialize_entry("checks", &resource.checks)?;
        map.serialize_entry("changes", &resource.changes)?;
        map.serialize_entry("would_changes", &resource.would_changes)?;
        map.serialize_entry("failures", &resource.failures)?;
        map.serialize_entry("last_change", &resource.last_change)?;
        map.serialize_entry("error", &resource.error)?;
        map.serialize_entry("params", &Params(&resource.params))?;
        map.serialize_entry("grouped_into", &resource.grouped_into)?;
        map.end()
    }
}

struct Params<'a>(&'a Fields);

impl Serialize for Params<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value as Json;

    fn resource(name: &str, status: Status, checks: u32) -> ResourceReport {
        let mut params = Fields::default();
        params.insert("content".into(), Json::String(format!("{name}\n")));
        ResourceReport {
            kind: "file".into(),
            name: name.into(),
            status,
            location: "main.mcl:1:1".into(),
            checks,
            changes: u32::from(status == Status::Changed),
            would_changes: u32::from(status == Status::WouldChange),
            failures: u32::from(status == Status::Failed),
            last_change: None,
            error: None,
            params,
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
        assert!(report.changed_anything());
        let mut bytes = Vec::new();
        report
            .write_json(&mut bytes, "h1", "converged")
            .expect("written");
        let json: Json = serde_json::from_slice(&bytes).expect("JSON");
        assert_eq!(json["version"], REPORT_VERSION);
        assert_eq!(json["host"], "h1");
        assert_eq!(json["duration_seconds"], 0.42);
        assert_eq!(json["counts"]["failed"], 1);
        assert_eq!(json["resources"][0]["id"], "file[/a]");
        assert_eq!(json["resources"][0]["params"]["content"], "/a\n");
        assert_eq!(json["resources"][3]["status"], "skipped");
        assert_eq!(json["resources"][3]["last_change"], Json::Null);
    }

    #[test]
    fn a_noop_summary_says_what_would_change() {
        let report = RunReport {
            noop: true,
            duration: Duration::ZERO,
            resources: vec![resource("/a", Status::WouldChange, 1)],
        };
        assert!(report.summary().contains("1 would change"));
        let mut bytes = Vec::new();
        report
            .write_json(&mut bytes, "h1", "stopped")
            .expect("written");
        let json: Json = serde_json::from_slice(&bytes).expect("JSON");
        assert_eq!(json["resources"][0]["status"], "would-change");
    }
}
