//! Human rendering through codespan-reporting: `FILE:LINE:COL`, the source
//! line, carets under the span, colour when writing to a terminal.

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

/// Adapts our [`SourceMap`] to codespan's view of files.
struct SourceFiles<'a>(&'a SourceMap);

impl<'a> Files<'a> for SourceFiles<'a> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(self.0.get(id).ok_or(FilesError::FileMissing)?.name())
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(self.0.get(id).ok_or(FilesError::FileMissing)?.text())
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        Ok(self
            .0
            .get(id)
            .ok_or(FilesError::FileMissing)?
            .line_index(byte_index))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let file = self.0.get(id).ok_or(FilesError::FileMissing)?;
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

/// Renders diagnostics without colour, as tests and pipes see them.
pub fn render_human(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let sources = printable(sources);
    let config = Config::default();
    let files = SourceFiles(&sources);
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
    let files = SourceFiles(&sources);
    for diagnostic in diagnostics {
        if term::emit_to_write_style(&mut writer, &config, &files, &to_codespan(diagnostic))
            .is_err()
        {
            eprintln!("error[{}]: {}", diagnostic.code, diagnostic.message);
        }
    }
}
