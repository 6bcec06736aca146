//! The output side of the formatter: the text being built, the indentation,
//! and the queue of comments waiting to be put back.
//!
//! Comments are only ever written where the output breaks a line, because a
//! comment runs to the end of its line and a line break in the middle of an
//! expression could end a statement early. At each break the printer knows
//! where in the source the next line starts; every comment before that point
//! is written there, the first one trailing the current line if it trailed
//! code in the source, the rest on their own lines. A comment inside a
//! construct printed on one line therefore lands at the next break, still in
//! order. What to print and where to break is the caller's business
//! (`stmt.rs`, `expr.rs`).

use crate::lexer::Comment;
use crate::span::Span;

/// Where a line break sits in a list of lines, which decides whether the
/// source's blank lines may be kept there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Break {
    /// Before the first item after an opening brace or the start of the file:
    /// no blank line right after `{`.
    First,
    /// Between two items: a blank line in the source is kept.
    Between,
    /// Before a closing bracket or the end of the file: comments may still
    /// be separated by a blank line, the bracket itself is not.
    Close,
    /// Before the closing bracket of an empty list, which only holds
    /// comments: no blank line after `{` nor before `}`.
    CloseEmpty,
}

impl Break {
    /// `First` for the first item of a list, `Between` for the others.
    pub(super) fn before_item(position: usize) -> Break {
        if position == 0 {
            Break::First
        } else {
            Break::Between
        }
    }
}

pub(super) struct Printer<'a> {
    text: &'a str,
    comments: &'a [Comment],
    /// Index of the first comment not written yet; comments are sorted by
    /// position, so everything before it is done.
    next_comment: usize,
    out: String,
    indent: usize,
    /// Nothing (not even indentation) has been written on the current line.
    line_empty: bool,
    /// Source offset where the last written item ended, for blank lines.
    last_end: usize,
}

impl<'a> Printer<'a> {
    pub(super) fn new(text: &'a str, comments: &'a [Comment]) -> Printer<'a> {
        Printer {
            text,
            comments,
            next_comment: 0,
            out: String::with_capacity(text.len() + text.len() / 8),
            indent: 0,
            line_empty: true,
            last_end: 0,
        }
    }

    pub(super) fn write(&mut self, piece: &str) {
        if self.line_empty {
            for _ in 0..self.indent {
                self.out.push('\t');
            }
            self.line_empty = false;
        }
        self.out.push_str(piece);
    }

    pub(super) fn indent(&mut self) {
        self.indent += 1;
    }

    pub(super) fn dedent(&mut self) {
        self.indent = self.indent.saturating_sub(1);
    }

    /// Records that the source up to `end` has been printed.
    pub(super) fn mark_end(&mut self, end: u32) {
        self.last_end = self.last_end.max(end as usize);
    }

    /// Ends the current line and writes every comment that comes before
    /// source offset `next`, where the following line starts.
    pub(super) fn line_break(&mut self, next: usize, place: Break) {
        if !self.line_empty {
            if let Some(comment) = self.pending_before(next) {
                if self.trails_code(comment) {
                    self.out.push(' ');
                    self.out.push_str(comment.text.trim_end());
                    self.consume(comment);
                }
            }
            self.out.push('\n');
            self.line_empty = true;
        }
        let mut first = matches!(place, Break::First | Break::CloseEmpty);
        while let Some(comment) = self.pending_before(next) {
            if !first && self.blank_line_between(self.last_end, comment.start) {
                self.out.push('\n');
            }
            self.write(comment.text.trim_end());
            self.out.push('\n');
            self.line_empty = true;
            self.consume(comment);
            first = false;
        }
        let closing = matches!(place, Break::Close | Break::CloseEmpty);
        if !first && !closing && self.blank_line_between(self.last_end, next) {
            self.out.push('\n');
        }
    }

    /// Whether a comment not written yet starts inside `start..end`.
    pub(super) fn has_comment_in(&self, start: usize, end: usize) -> bool {
        self.comments[self.next_comment.min(self.comments.len())..]
            .iter()
            .take_while(|comment| comment.start < end)
            .any(|comment| comment.start >= start)
    }

    /// Whether the source between two offsets breaks a line.
    pub(super) fn newline_between(&self, start: usize, end: usize) -> bool {
        self.source(start, end).contains('\n')
    }

    /// Whether a node's own source text spans several lines.
    pub(super) fn spans_lines(&self, span: Span) -> bool {
        self.newline_between(span.start as usize, span.end as usize)
    }

    /// The offset of the first `wanted` at or after `from`, skipping
    /// comments (which may contain any character). Used for closing brackets
    /// the AST does not record; only whitespace, commas and comments can
    /// stand between `from` and the bracket, so the first match is it.
    pub(super) fn find_after(&self, from: usize, wanted: char) -> usize {
        let mut position = from;
        let bytes = self.text.as_bytes();
        while let Some(&byte) = bytes.get(position) {
            if byte == b'#' {
                match self
                    .comments
                    .iter()
                    .find(|comment| comment.start == position)
                {
                    Some(comment) => {
                        position = comment.end.max(position + 1);
                        continue;
                    }
                    None => return position,
                }
            }
            if char::from(byte) == wanted {
                return position;
            }
            position += 1;
        }
        self.text.len()
    }

    /// Writes what is still pending and returns the text, ending in exactly
    /// one newline unless it is empty.
    pub(super) fn finish(mut self) -> String {
        self.line_break(usize::MAX, Break::Close);
        while self.out.ends_with("\n\n") {
            self.out.pop();
        }
        self.out
    }

    /// The source text of a node.
    pub(super) fn slice(&self, span: Span) -> &'a str {
        self.source(span.start as usize, span.end as usize)
    }

    fn source(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end.min(self.text.len())).unwrap_or("")
    }

    /// Whether a whole line between two offsets is empty. Counting line
    /// breaks is not enough: `}` newline `else {` newline is no blank line.
    fn blank_line_between(&self, start: usize, end: usize) -> bool {
        let text = self.source(start, end);
        // The first piece ends the line `start` is on and the last one starts
        // the line of `end`; only the pieces between are whole lines.
        let whole_lines = text.matches('\n').count().saturating_sub(1);
        text.split('\n')
            .skip(1)
            .take(whole_lines)
            .any(|line| line.trim().is_empty())
    }

    fn pending_before(&self, next: usize) -> Option<&'a Comment> {
        self.comments
            .get(self.next_comment)
            .filter(|comment| comment.start < next)
    }

    fn consume(&mut self, comment: &Comment) {
        self.next_comment += 1;
        self.last_end = self.last_end.max(comment.end);
    }

    /// A comment with code before it on its source line stays at line end.
    fn trails_code(&self, comment: &Comment) -> bool {
        let before = self.source(0, comment.start);
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        !before[line_start..].trim().is_empty()
    }
}
