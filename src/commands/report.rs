//! What `mgmt run` says when it ends: the one-line summary in the log, the
//! `--report` JSON file (written atomically), and the exit code that
//! `--detailed-exitcodes` asks for.

use crate::cli::LogFormatArg;
use anyhow::Context;
use mgmt_runtime::report::RunReport;
use std::io::Write;
use std::path::Path;
use tracing::info;

/// Logs the run's recap; for `--log-format json` with its counts as
/// fields too (a human line says them once, in words).
pub fn log_summary(report: &RunReport, outcome: &str, format: LogFormatArg) {
    if format == LogFormatArg::Human {
        info!("{outcome}: {}", report.summary());
        return;
    }
    let counts = report.counts();
    info!(
        outcome,
        resources = counts.resources,
        checked = counts.checked,
        changed = counts.changed,
        would_change = counts.would_change,
        failed = counts.failed,
        skipped = counts.skipped,
        seconds = report.duration.as_secs_f64(),
        "{outcome}: {}",
        report.summary()
    );
}

/// Puppet's `--detailed-exitcodes`: 2 when something changed (or, in noop,
/// would have), 4 when something failed, both added; 0 otherwise.
pub fn detailed_exit_code(report: &RunReport, failed: bool) -> u8 {
    let changed = if report.changed_anything() { 2 } else { 0 };
    let failed = if failed { 4 } else { 0 };
    changed | failed
}

/// Refuses, before the run changes anything, a report path that cannot be
/// written at its end: a directory, or one in a directory that is missing.
pub fn check_report_path(path: &Path) -> anyhow::Result<()> {
    if path.is_dir() {
        anyhow::bail!("--report {} is a directory; name a file", path.display());
    }
    let directory = report_directory(path);
    if !directory.is_dir() {
        anyhow::bail!(
            "--report {}: the directory {} does not exist",
            path.display(),
            directory.display()
        );
    }
    Ok(())
}

/// The directory the report's temporary file is made in.
fn report_directory(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Writes `report` as pretty JSON to `path`: a temp file in the same
/// directory, fsync, rename, so a reader never sees half a report. An
/// existing file's permissions are kept; a new one is private (0600), as
/// params may hold what only root should read.
pub fn write_report(
    path: &Path,
    report: &RunReport,
    host: &str,
    outcome: &str,
) -> anyhow::Result<()> {
    let directory = report_directory(path);
    let mut temp = tempfile::NamedTempFile::new_in(directory).with_context(|| {
        format!(
            "cannot write the report: cannot create a temporary file in {}",
            directory.display()
        )
    })?;
    // Streamed through a buffer: the report is never held whole in memory.
    let mut writer = std::io::BufWriter::new(temp.as_file_mut());
    report
        .write_json(&mut writer, host, outcome)
        .map_err(std::io::Error::from)
        .and_then(|()| writer.write_all(b"\n"))
        .and_then(|()| writer.flush())
        .with_context(|| format!("cannot write the report {}", path.display()))?;
    drop(writer);
    temp.as_file()
        .sync_all()
        .with_context(|| format!("cannot write the report {}", path.display()))?;
    if let Ok(existing) = std::fs::metadata(path) {
        std::fs::set_permissions(temp.path(), existing.permissions())
            .with_context(|| format!("cannot set the permissions of {}", path.display()))?;
    }
    temp.persist(path)
        .with_context(|| format!("cannot write the report {}", path.display()))?;
    Ok(())
}
