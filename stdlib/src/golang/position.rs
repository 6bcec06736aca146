//! Places in a template's text, for messages: a byte offset turned into a
//! 1-based line and character column, as mcl's own diagnostics count them.

use std::fmt;

/// A line and column of the template text, both counted from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Position {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Where each line of a text starts, so that every lookup is a binary
/// search rather than a scan from the top.
pub(crate) struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Lines<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Lines { text, starts }
    }

    /// The position of byte `offset` (clamped to the text's end).
    pub(crate) fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|start| *start <= offset);
        let start = self.starts[line.saturating_sub(1)];
        let column = self
            .text
            .get(start..offset)
            .map_or(1, |before| before.chars().count() + 1);
        Position { line, column }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_character_columns() {
        let lines = Lines::new("ab\nçd {{.x}}\n");
        assert_eq!(lines.position(0), Position { line: 1, column: 1 });
        assert_eq!(lines.position(1), Position { line: 1, column: 2 });
        assert_eq!(lines.position(3), Position { line: 2, column: 1 });
        // `ç` is two bytes and one character.
        assert_eq!(lines.position(9), Position { line: 2, column: 6 });
        assert_eq!(lines.position(99), Position { line: 3, column: 1 });
        assert_eq!(
            Position { line: 2, column: 6 }.to_string(),
            "line 2, column 6"
        );
    }
}
