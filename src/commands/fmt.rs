//! `mgmt fmt`: rewrite files in the canonical layout, check them (`--check`,
//! with a diff), or filter standard input to standard output (`-`).
//!
//! A file that does not parse is reported and left untouched; a rewrite is
//! atomic (temp file beside it, then rename), so a crash never half-writes it.

use crate::cli::{FmtArgs, GlobalArgs};
use crate::source::{display_name, parse_or_report, read_source};
use crate::Failure;
use anyhow::Context;
use mcl_grammar::format::format_source;
use mcl_grammar::SourceMap;
use std::io::Write;
use std::path::Path;

pub fn run(global: &GlobalArgs, args: &FmtArgs) -> Result<(), Failure> {
    let mut outcome = Ok(());
    for path in &args.files {
        let result = format_one(global, path, args.check);
        // Keep going so that every file is reported; the worst outcome wins.
        match (&outcome, result) {
            (_, Ok(())) => {}
            (Err(Failure::Run(_)), Err(_)) => {}
            (_, Err(failure)) => outcome = Err(failure),
        }
    }
    outcome
}

fn format_one(global: &GlobalArgs, path: &Path, check: bool) -> Result<(), Failure> {
    let text = read_source(global, path)?;
    let mut sources = SourceMap::new();
    let parsed = parse_or_report(global, &mut sources, path, &text)?;
    let formatted = format_source(&parsed, &text);
    if path == Path::new("-") && !check {
        std::io::stdout()
            .write_all(formatted.as_bytes())
            .context("cannot write standard output")?;
        return Ok(());
    }
    if formatted == text {
        return Ok(());
    }
    if check {
        print_diff(&display_name(path), &text, &formatted);
        return Err(Failure::Program);
    }
    write_atomically(path, &formatted)?;
    Ok(())
}

fn print_diff(name: &str, before: &str, after: &str) {
    let diff = similar::TextDiff::from_lines(before, after);
    let unified = diff
        .unified_diff()
        .context_radius(3)
        .header(name, &format!("{name} (formatted)"))
        .to_string();
    print!("{unified}");
}

/// Temp file in the same directory, fsync, rename: the file is either the old
/// text or the new, never half of each. The file's permissions are kept.
fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let permissions = std::fs::metadata(path)
        .with_context(|| format!("cannot stat {}", path.display()))?
        .permissions();
    let mut temp = tempfile::NamedTempFile::new_in(directory)
        .with_context(|| format!("cannot create a temporary file in {}", directory.display()))?;
    temp.write_all(text.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("cannot write a temporary file for {}", path.display()))?;
    std::fs::set_permissions(temp.path(), permissions)
        .with_context(|| format!("cannot set permissions for {}", path.display()))?;
    temp.persist(path)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}
