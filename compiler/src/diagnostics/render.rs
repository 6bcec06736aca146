//! Human rendering through codespan-reporting: `FILE:LINE:COL`, the source
//! line, carets under the span, colour when writing to a terminal.

use super::clip::{clip, Clipped};
use super::model::{Diagnostic, Severity};
use codespan_reporting::diagnostic as codespan;
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, termcolor, Config};
use mcl_grammar::{FileId, SourceMap};
use std::borrow::Cow;
use std::io::IsTerminal;
use std::ops::Range;

/// How `--error-format` asks for diagnostics to be printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ErrorFormat {
    #[default]
    Human,
    Json,
}

/// Adapts our [`SourceMap`] to codespan's view of files: the sources as
/// shown (long lines cut, see `clip.rs`), with columns counted in the
/// original lines.
struct SourceFiles<'a> {
    shown: &'a SourceMap,
    original: &'a SourceMap,
    clipped: Option<&'a Clipped>,
}

impl<'a> Files<'a> for SourceFiles<'a> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(self.shown.get(id).ok_or(FilesError::FileMissing)?.name())
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(self.shown.get(id).ok_or(FilesError::FileMissing)?.text())
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        Ok(self
            .shown
            .get(id)
            .ok_or(FilesError::FileMissing)?
            .line_index(byte_index))
    }

    fn column_number(
        &'a self,
        id: FileId,
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, FilesError> {
        if let Some(column) = self
            .clipped
            .and_then(|clipped| clipped.column(self.original, id, line_index, byte_index))
        {
            return Ok(column);
        }
        let file = self.shown.get(id).ok_or(FilesError::FileMissing)?;
        let start = self.line_range(id, line_index)?.start;
        let end = byte_index.clamp(start, file.text().len());
        Ok(file
            .text()
            .get(start..end)
            .map_or(1, |text| text.chars().count() + 1))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let file = self.shown.get(id).ok_or(FilesError::FileMissing)?;
        let starts = file.line_starts();
        let start = *starts.get(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: starts.len().saturating_sub(1),
        })?;
        let end = starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(file.text().len());
        Ok(start..end)
    }
}

fn to_codespan(diagnostic: &Diagnostic) -> codespan::Diagnostic<FileId> {
    let severity = match diagnostic.severity {
        Severity::Error => codespan::Severity::Error,
        Severity::Warning => codespan::Severity::Warning,
    };
    let labels = diagnostic
        .labels
        .iter()
        .map(|label| {
            let style = if label.primary {
                codespan::LabelStyle::Primary
            } else {
                codespan::LabelStyle::Secondary
            };
            codespan::Label::new(style, label.span.file, label.span.range())
                .with_message(label.message.clone())
        })
        .collect();
    let mut notes = diagnostic.notes.clone();
    if let Some(help) = &diagnostic.help {
        notes.push(format!("help: {help}"));
    }
    codespan::Diagnostic::new(severity)
        .with_code(diagnostic.code)
        .with_message(diagnostic.message.clone())
        .with_labels(labels)
        .with_notes(notes)
}

/// The sources with control characters (a stray `\r`, a form feed...) shown
/// as spaces, so that quoting a line cannot garble the terminal. Each is one
/// byte, like the space, so every span stays valid.
fn printable(sources: &SourceMap) -> Cow<'_, SourceMap> {
    let is_control =
        |character: char| character.is_control() && character != '\n' && character != '\t';
    if !sources
        .files()
        .any(|(_, file)| file.text().contains(is_control))
    {
        return Cow::Borrowed(sources);
    }
    let mut printable = SourceMap::new();
    for (_, file) in sources.files() {
        let text: String = file
            .text()
            .chars()
            .map(|character| {
                if is_control(character) && character.is_ascii() {
                    ' '
                } else {
                    character
                }
            })
            .collect();
        printable.add(file.name(), text);
    }
    Cow::Owned(printable)
}

/// What to render: the clipped copy when long lines were cut.
fn shown<'a>(
    sources: &'a SourceMap,
    clipped: Option<&'a Clipped>,
    diagnostics: &'a [Diagnostic],
) -> (SourceFiles<'a>, &'a [Diagnostic]) {
    match clipped {
        Some(clipped) => (
            SourceFiles {
                shown: &clipped.sources,
                original: sources,
                clipped: Some(clipped),
            },
            &clipped.diagnostics,
        ),
        None => (
            SourceFiles {
                shown: sources,
                original: sources,
                clipped: None,
            },
            diagnostics,
        ),
    }
}

/// Renders diagnostics without colour, as tests and pipes see them.
pub fn render_human(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let sources = printable(sources);
    let config = Config::default();
    let clipped = clip(&sources, diagnostics);
    let (files, diagnostics) = shown(&sources, clipped.as_ref(), diagnostics);
    let mut out = String::new();
    for diagnostic in diagnostics {
        if term::emit_to_string(&mut out, &config, &files, &to_codespan(diagnostic)).is_err() {
            out.push_str(&format!(
                "error[{}]: {}\n",
                diagnostic.code, diagnostic.message
            ));
        }
    }
    out
}

/// Renders diagnostics to standard error, in colour when it is a terminal.
pub fn render_human_to_stderr(sources: &SourceMap, diagnostics: &[Diagnostic]) {
    let choice = if std::io::stderr().is_terminal() {
        termcolor::ColorChoice::Auto
    } else {
        termcolor::ColorChoice::Never
    };
    let stream = termcolor::StandardStream::stderr(choice);
    let mut writer = stream.lock();
    let config = Config::default();
    let sources = printable(sources);
    let clipped = clip(&sources, diagnostics);
    let (files, diagnostics) = shown(&sources, clipped.as_ref(), diagnostics);
    for diagnostic in diagnostics {
        if term::emit_to_write_style(&mut writer, &config, &files, &to_codespan(diagnostic))
            .is_err()
        {
            eprintln!("error[{}]: {}", diagnostic.code, diagnostic.message);
        }
    }
}
