//! Loading `.mcl` text from disk or standard input, parsing it, and printing
//! syntax errors in the format the user asked for.

use crate::cli::{ErrorFormatArg, GlobalArgs};
use crate::toolbox::{read_program_file, too_large, FsLoader, Unreadable};
use crate::Failure;
use anyhow::Context;
use mcl_compiler::diagnostics::{self, syntax, Diagnostic};
use mcl_grammar::{parse_file, ParsedFile, SourceMap, Span};
use std::io::Read;
use std::path::Path;

/// Reads a file, or standard input for `-`: at most `global.max_source_bytes`
/// bytes of UTF-8, and from a regular file only (see `read_program_file`).
pub fn read_source(global: &GlobalArgs, path: &Path) -> Result<String, Failure> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .take(global.max_source_bytes.saturating_add(1))
            .read_to_string(&mut text)
            .context("cannot read standard input")?;
        if text.len() as u64 > global.max_source_bytes {
            return Err(Failure::Run(anyhow::anyhow!(
                "cannot read standard input: {}",
                too_large(global.max_source_bytes)
            )));
        }
        return Ok(text);
    }
    read_program_file(path, global.max_source_bytes)
        .map_err(|error| unreadable(global, path, error))
}

/// The entry file cannot be read: a plain error, or with `--error-format
/// json` an E0206 diagnostic (pointing at the first byte that is not UTF-8,
/// when that is the cause), so an editor sees it like any other. Exit 3.
fn unreadable(global: &GlobalArgs, path: &Path, error: Unreadable) -> Failure {
    if global.error_format != ErrorFormatArg::Json {
        return Failure::Run(anyhow::anyhow!(
            "cannot read {}: {}",
            path.display(),
            error.cause
        ));
    }
    let mut sources = SourceMap::new();
    let diagnostic = unreadable_diagnostic(&mut sources, path, error);
    report(global, &sources, &[diagnostic]);
    Failure::Reported
}

/// The E0206 diagnostic for an entry file that cannot be read, pointing at
/// its first byte that is not UTF-8 when that is the cause (the file's text
/// is added to `sources` for that).
pub fn unreadable_diagnostic(
    sources: &mut SourceMap,
    path: &Path,
    error: Unreadable,
) -> Diagnostic {
    let message = format!("cannot read {}: {}", path.display(), error.cause);
    match error.not_utf8 {
        Some((text, offset)) => {
            let file = sources.add(display_name(path), text);
            // The replacement character stands for the bad bytes (3 bytes).
            let span = Span::new(file, offset, offset + '\u{fffd}'.len_utf8());
            Diagnostic::error("E0206", message, span, "not UTF-8 from here")
        }
        None => Diagnostic::error("E0206", message, Span::default(), ""),
    }
}

/// The loader for a program's imports, with the same limit.
pub fn loader(global: &GlobalArgs) -> FsLoader {
    FsLoader {
        max_bytes: global.max_source_bytes,
    }
}

/// The name a file has in diagnostics.
pub fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Parses one file; on syntax errors prints them and returns [`Failure::Program`].
pub fn parse_or_report(
    global: &GlobalArgs,
    sources: &mut SourceMap,
    path: &Path,
    text: &str,
) -> Result<ParsedFile, Failure> {
    let file = sources.add(display_name(path), text);
    parse_file(file, text).map_err(|errors| {
        let diagnostics: Vec<Diagnostic> = errors
            .iter()
            .map(|error| syntax::to_diagnostic(sources, error))
            .collect();
        report(global, sources, &diagnostics);
        Failure::Program
    })
}

/// Prints diagnostics to standard error in the chosen format.
pub fn report(global: &GlobalArgs, sources: &SourceMap, diagnostics: &[Diagnostic]) {
    match global.error_format {
        ErrorFormatArg::Human => diagnostics::render_human_to_stderr(sources, diagnostics),
        ErrorFormatArg::Json => {
            for diagnostic in diagnostics {
                eprintln!("{}", diagnostics::to_json_line(sources, diagnostic));
            }
        }
    }
}
