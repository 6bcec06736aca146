//! `--error-format json`: one JSON object per diagnostic per line, in a schema
//! we own and version (documented in `docs/diagnostics.md`). Lines and
//! columns are 1-based; columns count characters.

use super::model::Diagnostic;
use mcl_grammar::{SourceMap, Span};
use serde::Serialize;

/// Bumped whenever a field changes meaning or disappears.
pub const JSON_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct Range {
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    range: Range,
    message: &'a str,
    primary: bool,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    version: u32,
    code: &'a str,
    severity: &'a str,
    message: &'a str,
    file: Option<&'a str>,
    range: Option<Range>,
    labels: Vec<JsonLabel<'a>>,
    notes: &'a [String],
    help: Option<&'a str>,
}

fn locate(sources: &SourceMap, span: Span) -> Option<(&str, Range)> {
    let file = sources.get(span.file)?;
    let (start_line, start_column) = file.line_column(span.start as usize);
    let (end_line, end_column) = file.line_column(span.end as usize);
    Some((
        file.name(),
        Range {
            start: Position {
                line: start_line,
                column: start_column,
            },
            end: Position {
                line: end_line,
                column: end_column,
            },
        },
    ))
}

/// One diagnostic as one line of JSON (no trailing newline).
pub fn to_json_line(sources: &SourceMap, diagnostic: &Diagnostic) -> String {
    let primary = diagnostic
        .primary_span()
        .and_then(|span| locate(sources, span));
    let (file, range) = match primary {
        Some((file, range)) => (Some(file), Some(range)),
        None => (None, None),
    };
    let labels = diagnostic
        .labels
        .iter()
        .filter_map(|label| {
            let (file, range) = locate(sources, label.span)?;
            Some(JsonLabel {
                file,
                range,
                message: &label.message,
                primary: label.primary,
            })
        })
        .collect();
    let json = JsonDiagnostic {
        version: JSON_SCHEMA_VERSION,
        code: diagnostic.code,
        severity: diagnostic.severity.as_str(),
        message: &diagnostic.message,
        file,
        range,
        labels,
        notes: &diagnostic.notes,
        help: diagnostic.help.as_deref(),
    };
    serde_json::to_string(&json).unwrap_or_else(|error| {
        format!("{{\"version\":{JSON_SCHEMA_VERSION},\"code\":\"E0000\",\"severity\":\"error\",\"message\":\"cannot encode diagnostic: {error}\"}}")
    })
}
