//! Source files and their line tables.
//!
//! The grammar never reads the file system: callers load text however they like
//! (disk, stdin, memory) and add it to a [`SourceMap`], which hands out
//! [`FileId`]s and turns byte offsets into 1-based lines and character columns.

use crate::span::FileId;

/// Files over this size are refused, because spans store `u32` offsets.
pub const MAX_SOURCE_BYTES: usize = u32::MAX as usize;

/// One loaded source file.
#[derive(Clone, Debug)]
pub struct SourceFile {
    name: String,
    text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(index, _)| index + 1))
            .collect();
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn line_starts(&self) -> &[usize] {
        &self.line_starts
    }

    /// 0-based line index of a byte offset (offsets past the end map to the last line).
    pub fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    /// 1-based line and 1-based column counted in characters.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = self.clamp_to_char_boundary(offset.min(self.text.len()));
        let line = self.line_index(offset);
        let line_start = self.line_starts[line];
        let column = self.text[line_start..offset].chars().count() + 1;
        (line + 1, column)
    }

    fn clamp_to_char_boundary(&self, mut offset: usize) -> usize {
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// All the files of one compilation, addressed by [`FileId`].
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFile::new(name, text));
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(index, file)| (FileId(index as u32), file))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let file = SourceFile::new("a.mcl", "$x = \"é\"\n$y = 1\n");
        assert_eq!(file.line_column(0), (1, 1));
        assert_eq!(file.line_column(9), (1, 9));
        assert_eq!(file.line_column(10), (2, 1));
        assert_eq!(file.line_column(14), (2, 5));
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let file = SourceFile::new("a.mcl", "ab");
        assert_eq!(file.line_column(99), (1, 3));
    }
}
