//! Long source lines cut around what a diagnostic points at, so that an
//! error on a 1 MB line prints a few hundred characters, not the megabyte.
//!
//! The cut lines live in a copy of the sources (`…` where text was left
//! out), the labels are moved onto the copy, and the positions printed
//! (`FILE:LINE:COL`) are still those of the real file: lines are never
//! removed, and columns are counted in the original line.

use super::model::Diagnostic;
use mcl_grammar::{FileId, SourceMap, Span};
use std::collections::BTreeMap;

/// A line longer than this (in bytes) is cut around its labels.
const LONGEST_LINE: usize = 400;
/// Characters of context kept on each side of the labels of a cut line.
const CONTEXT: usize = 80;
const ELLIPSIS: &str = "…";

/// How one line of the copy relates to the original line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cut {
    /// Where the line starts in the original text.
    original_start: usize,
    /// The first original byte kept.
    kept_from: usize,
    /// The last original byte kept, exclusive.
    kept_to: usize,
    /// Where the line starts in the copy.
    copy_start: usize,
}

impl Cut {
    fn prefix(&self) -> usize {
        if self.kept_from > self.original_start {
            ELLIPSIS.len()
        } else {
            0
        }
    }

    /// An original offset on this line, in the copy (clamped to what is kept).
    fn in_copy(&self, offset: usize) -> usize {
        let offset = offset.clamp(self.kept_from, self.kept_to);
        self.copy_start + self.prefix() + (offset - self.kept_from)
    }

    /// A copy offset on this line, in the original.
    fn in_original(&self, offset: usize) -> usize {
        let into = offset.saturating_sub(self.copy_start + self.prefix());
        (self.kept_from + into).min(self.kept_to)
    }
}

/// The sources with long labelled lines cut, the diagnostics moved onto
/// them, and per file the cut lines by line index.
pub struct Clipped {
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
    pub cuts: BTreeMap<FileId, BTreeMap<usize, Cut>>,
}

impl Clipped {
    /// The 1-based column of a copy offset, counted in the original line.
    pub fn column(
        &self,
        original: &SourceMap,
        file: FileId,
        line: usize,
        offset: usize,
    ) -> Option<usize> {
        let cut = self.cuts.get(&file)?.get(&line)?;
        let text = original.get(file)?.text();
        let end = floor_boundary(text, cut.in_original(offset));
        Some(text[cut.original_start..end].chars().count() + 1)
    }
}

/// The sources and diagnostics as they are shown, or `None` when no
/// labelled line is long enough to cut (they are shown as they are).
pub fn clip(sources: &SourceMap, diagnostics: &[Diagnostic]) -> Option<Clipped> {
    // The labelled span ends on each long line, by file and line.
    let mut windows: BTreeMap<FileId, BTreeMap<usize, (usize, usize)>> = BTreeMap::new();
    for label in diagnostics.iter().flat_map(|diagnostic| &diagnostic.labels) {
        let Some(file) = sources.get(label.span.file) else {
            continue;
        };
        let text = file.text();
        for offset in [label.span.start as usize, label.span.end as usize] {
            let offset = offset.min(text.len());
            let line = file.line_index(offset);
            let (start, end) = line_bounds(file.line_starts(), text, line);
            if end - start <= LONGEST_LINE {
                continue;
            }
            let window = windows
                .entry(label.span.file)
                .or_default()
                .entry(line)
                .or_insert((offset, offset));
            window.0 = window.0.min(offset);
            window.1 = window.1.max(offset);
        }
    }
    if windows.is_empty() {
        return None;
    }
    let mut copy = SourceMap::new();
    let mut cuts: BTreeMap<FileId, BTreeMap<usize, Cut>> = BTreeMap::new();
    for (id, file) in sources.files() {
        let text = file.text();
        let Some(lines) = windows.get(&id) else {
            copy.add(file.name(), text);
            continue;
        };
        let mut out = String::with_capacity(text.len().min(1 << 16));
        let mut file_cuts = BTreeMap::new();
        for line in 0..file.line_starts().len() {
            let (start, end) = line_bounds(file.line_starts(), text, line);
            let whole_end = file
                .line_starts()
                .get(line + 1)
                .copied()
                .unwrap_or(text.len());
            match lines.get(&line) {
                Some(&(first, last)) => {
                    let kept_from = back_chars(text, first, CONTEXT).max(start);
                    let kept_to = forward_chars(text, last, CONTEXT).min(end);
                    let cut = Cut {
                        original_start: start,
                        kept_from,
                        kept_to,
                        copy_start: out.len(),
                    };
                    if kept_from > start {
                        out.push_str(ELLIPSIS);
                    }
                    out.push_str(&text[kept_from..kept_to]);
                    if kept_to < end {
                        out.push_str(ELLIPSIS);
                    }
                    out.push_str(&text[end..whole_end]);
                    file_cuts.insert(line, cut);
                }
                None => out.push_str(&text[start..whole_end]),
            }
        }
        copy.add(file.name(), out);
        cuts.insert(id, file_cuts);
    }
    let moved = |span: Span| -> Span {
        let (Some(file), Some(file_cuts), Some(copied)) = (
            sources.get(span.file),
            cuts.get(&span.file),
            copy.get(span.file),
        ) else {
            return span;
        };
        let shift = |offset: usize| -> usize {
            let offset = offset.min(file.text().len());
            let line = file.line_index(offset);
            match file_cuts.get(&line) {
                Some(cut) => cut.in_copy(offset),
                // Lines are never removed: an uncut line keeps its offset
                // from the start of the same line in the copy.
                None => copied.line_starts()[line] + (offset - file.line_starts()[line]),
            }
        };
        Span::new(
            span.file,
            shift(span.start as usize),
            shift(span.end as usize),
        )
    };
    let diagnostics = diagnostics
        .iter()
        .map(|diagnostic| {
            let mut diagnostic = diagnostic.clone();
            for label in &mut diagnostic.labels {
                label.span = moved(label.span);
            }
            diagnostic
        })
        .collect();
    Some(Clipped {
        sources: copy,
        diagnostics,
        cuts,
    })
}

/// A line's start and end (before its line break).
fn line_bounds(starts: &[usize], text: &str, line: usize) -> (usize, usize) {
    let start = starts.get(line).copied().unwrap_or(text.len());
    let mut end = starts.get(line + 1).copied().unwrap_or(text.len());
    if text[start..end].ends_with('\n') {
        end -= 1;
    }
    (start, end)
}

/// `count` characters before `offset` (or the text's start).
fn back_chars(text: &str, offset: usize, count: usize) -> usize {
    let offset = floor_boundary(text, offset);
    text[..offset]
        .char_indices()
        .rev()
        .nth(count.saturating_sub(1))
        .map_or(0, |(index, _)| index)
}

/// `count` characters after `offset` (or the text's end).
fn forward_chars(text: &str, offset: usize, count: usize) -> usize {
    let offset = floor_boundary(text, offset);
    text[offset..]
        .char_indices()
        .nth(count)
        .map_or(text.len(), |(index, _)| offset + index)
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::render::render_human;

    fn long_program() -> (SourceMap, Diagnostic, usize) {
        let text = format!("$x = [\"{}\", 1,]\n$y = 2\n", "a".repeat(100_000));
        let at = text.find(", 1,").expect("the int") + 2;
        let mut sources = SourceMap::new();
        let file = sources.add("main.mcl", text);
        let diagnostic = Diagnostic::error(
            "E0301",
            "expected str, found int",
            Span::new(file, at, at + 1),
            "this is int",
        );
        (sources, diagnostic, at)
    }

    #[test]
    fn a_long_line_is_cut_around_its_label_and_keeps_its_column() {
        let (sources, diagnostic, at) = long_program();
        let shown = render_human(&sources, &[diagnostic]);
        assert!(shown.len() < 1_000, "{} bytes", shown.len());
        assert!(shown.contains(&format!("main.mcl:1:{}", at + 1)), "{shown}");
        assert!(shown.contains("…aaaa"), "{shown}");
        assert!(shown.contains("\", 1,]"), "{shown}");
        assert!(shown.contains("^ this is int"), "{shown}");
    }

    #[test]
    fn short_lines_are_left_alone() {
        let mut sources = SourceMap::new();
        let file = sources.add("main.mcl", "$x = 1\n");
        let diagnostic = Diagnostic::error("E0301", "m", Span::new(file, 5, 6), "here");
        assert!(clip(&sources, &[diagnostic]).is_none());
    }
}
