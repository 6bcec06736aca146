//! A regular file's wanted bytes (from `content`, `fragments` or a `source`
//! file), how they are compared with the file on disk, and how a difference
//! is described in noop mode.
//!
//! Comparison checks the size first and then streams both sides in chunks,
//! so a large file is read once and never held in memory; only a noop diff
//! of small text reads it whole.

use super::atomic::{failed, open_nofollow, read_nofollow, TEMP_PREFIX};
use crate::resource::ResourceError;
use std::fs::{self, File};
use std::io::{self, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Larger files are not diffed in noop mode.
const DIFF_LIMIT: u64 = 1 << 20;
const CHUNK: usize = 64 * 1024;

pub enum Wanted {
    /// `content`, or the concatenated `fragments`.
    Bytes(Vec<u8>),
    /// A regular `source` file, with its size and permission bits.
    File { path: PathBuf, len: u64, mode: u32 },
}

impl Wanted {
    pub fn len(&self) -> u64 {
        match self {
            Wanted::Bytes(bytes) => bytes.len() as u64,
            Wanted::File { len, .. } => *len,
        }
    }

    pub fn reader(&self) -> Result<Box<dyn Read + '_>, ResourceError> {
        Ok(match self {
            Wanted::Bytes(bytes) => Box::new(bytes.as_slice()),
            Wanted::File { path, .. } => Box::new(
                File::open(path).map_err(|error| failed("cannot read source", path, error))?,
            ),
        })
    }
}

/// A source file to copy: it must be (or point to) a regular file.
pub fn source_file(path: &Path) -> Result<Wanted, ResourceError> {
    let metadata = fs::metadata(path).map_err(|error| failed("cannot read source", path, error))?;
    if !metadata.is_file() {
        return Err(ResourceError::failed(format!(
            "source {} is not a regular file",
            path.display()
        )));
    }
    Ok(Wanted::File {
        path: path.to_owned(),
        len: metadata.len(),
        mode: metadata.permissions().mode() & 0o7777,
    })
}

/// The concatenation of the fragments: files as listed, and the regular
/// files of each directory (ending in `/`) sorted by name, one level deep.
pub fn read_fragments(fragments: &[String]) -> Result<Vec<u8>, ResourceError> {
    let mut bytes = Vec::new();
    for fragment in fragments {
        let path = Path::new(fragment);
        if !fragment.ends_with('/') {
            append(&mut bytes, path)?;
            continue;
        }
        let entries = fs::read_dir(path)
            .map_err(|error| failed("cannot read fragment directory", path, error))?;
        let mut files = Vec::new();
        for entry in entries {
            let entry =
                entry.map_err(|error| failed("cannot read fragment directory", path, error))?;
            // Another resource may be writing a fragment atomically.
            if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                continue;
            }
            let file = entry.path();
            match fs::metadata(&file) {
                Ok(metadata) if metadata.is_file() => files.push(file),
                Ok(_) => {}
                // Removed while we list: it is no longer a fragment.
                Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                Err(error) => return Err(failed("cannot read fragment", &file, error)),
            }
        }
        files.sort();
        for file in files {
            append(&mut bytes, &file)?;
        }
    }
    Ok(bytes)
}

fn append(bytes: &mut Vec<u8>, path: &Path) -> Result<(), ResourceError> {
    File::open(path)
        .and_then(|mut file| file.read_to_end(bytes))
        .map(drop)
        .map_err(|error| failed("cannot read fragment", path, error))
}

/// Whether the regular file `target`, of `target_len` bytes, holds exactly
/// the wanted bytes.
pub fn same_content(
    target: &Path,
    target_len: u64,
    wanted: &Wanted,
) -> Result<bool, ResourceError> {
    if target_len != wanted.len() {
        return Ok(false);
    }
    // Not through a symlink swapped in since our lstat.
    let mut file = open_nofollow(target)?;
    let mut wanted_reader = wanted.reader()?;
    // Most managed files are small: buffers sized to the file (plus one byte
    // to see the end) instead of zeroing two full chunks per comparison.
    let chunk = usize::try_from(target_len).map_or(CHUNK, |len| CHUNK.min(len + 1));
    same_streams(&mut file, &mut wanted_reader, chunk)
        .map_err(|error| failed("cannot compare", target, error))
}

fn same_streams(left: &mut dyn Read, right: &mut dyn Read, chunk: usize) -> io::Result<bool> {
    let mut left_buffer = vec![0; chunk];
    let mut right_buffer = vec![0; chunk];
    loop {
        let left_len = read_full(left, &mut left_buffer)?;
        let right_len = read_full(right, &mut right_buffer)?;
        if left_buffer[..left_len] != right_buffer[..right_len] {
            return Ok(false);
        }
        if left_len < chunk {
            return Ok(true);
        }
    }
}

fn read_full(reader: &mut dyn Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

/// For noop mode: a unified diff from the current file (`None`: missing,
/// diffed as empty) to the wanted bytes, or a one-line summary when either
/// side is not UTF-8 or is too large to show.
pub fn describe_difference(
    target: &Path,
    current_len: Option<u64>,
    wanted: &Wanted,
) -> Result<String, ResourceError> {
    let old_len = current_len.unwrap_or(0);
    let new_len = wanted.len();
    if old_len > DIFF_LIMIT || new_len > DIFF_LIMIT {
        return Ok(format!(
            "large content differs ({old_len} bytes -> {new_len} bytes)"
        ));
    }
    let old = match current_len {
        Some(_) => read_nofollow(target)?,
        None => Vec::new(),
    };
    let mut new = Vec::new();
    wanted
        .reader()?
        .read_to_end(&mut new)
        .map_err(|error| failed("cannot read wanted content for", target, error))?;
    Ok(unified_diff(target, &old, &new))
}

/// For noop mode, when the content must not be shown: both sides as size
/// and digest (a side too large to read for a diff as its size only).
pub fn redacted_difference(
    target: &Path,
    current_len: Option<u64>,
    wanted: &Wanted,
) -> Result<String, ResourceError> {
    let old = match current_len {
        None => "nothing".to_owned(),
        Some(len) if len > DIFF_LIMIT => format!("[redacted: {len} bytes]"),
        Some(_) => mcl_compiler::redact::redacted(&read_nofollow(target)?),
    };
    let new = if wanted.len() > DIFF_LIMIT {
        format!("[redacted: {} bytes]", wanted.len())
    } else {
        let mut new = Vec::new();
        wanted
            .reader()?
            .read_to_end(&mut new)
            .map_err(|error| failed("cannot read wanted content for", target, error))?;
        mcl_compiler::redact::redacted(&new)
    };
    Ok(format!(
        "content {old} -> {new} (not shown: Meta:sensitive, or a file others may not read; --show-diff always shows the latter)"
    ))
}

/// `--- path` / `+++ path (wanted)` unified diff of two texts.
pub fn unified_diff(target: &Path, old: &[u8], new: &[u8]) -> String {
    let (Ok(old_text), Ok(new_text)) = (std::str::from_utf8(old), std::str::from_utf8(new)) else {
        return format!(
            "binary content differs ({} bytes -> {} bytes)",
            old.len(),
            new.len()
        );
    };
    let name = target.display().to_string();
    similar::TextDiff::from_lines(old_text, new_text)
        .unified_diff()
        .context_radius(3)
        .header(&name, &format!("{name} (wanted)"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_has_headers_and_hunks() {
        let diff = unified_diff(Path::new("/etc/motd"), b"a\nb\nc\n", b"a\nB\nc\n");
        assert!(
            diff.starts_with("--- /etc/motd\n+++ /etc/motd (wanted)\n@@"),
            "{diff}"
        );
        assert!(diff.contains("\n-b\n+B\n"), "{diff}");
    }

    #[test]
    fn binary_content_is_summarised() {
        let diff = unified_diff(Path::new("/bin/x"), &[0xff, 0xfe], b"text");
        assert_eq!(diff, "binary content differs (2 bytes -> 4 bytes)");
    }

    #[test]
    fn streams_compare_across_chunks() {
        let long: Vec<u8> = (0..(CHUNK * 2 + 17))
            .map(|index| (index % 251) as u8)
            .collect();
        let mut changed = long.clone();
        changed[CHUNK + 3] ^= 1;
        assert!(same_streams(&mut long.as_slice(), &mut long.clone().as_slice(), CHUNK).unwrap());
        assert!(!same_streams(&mut long.as_slice(), &mut changed.as_slice(), CHUNK).unwrap());
        assert!(!same_streams(&mut long.as_slice(), &mut &long[..CHUNK], CHUNK).unwrap());
        assert!(same_streams(&mut &b""[..], &mut &b""[..], CHUNK).unwrap());
    }

    #[test]
    fn fragments_concatenate_sorted_directory_files() {
        let dir = tempfile::tempdir().unwrap();
        let parts = dir.path().join("parts");
        fs::create_dir(&parts).unwrap();
        fs::write(parts.join("20-b"), "b\n").unwrap();
        fs::write(parts.join("10-a"), "a\n").unwrap();
        fs::write(parts.join(".mgmt-partial"), "ignored\n").unwrap();
        fs::create_dir(parts.join("30-dir")).unwrap();
        let head = dir.path().join("head");
        fs::write(&head, "head\n").unwrap();
        let fragments = [head.display().to_string(), format!("{}/", parts.display())];
        assert_eq!(read_fragments(&fragments).unwrap(), b"head\na\nb\n");
        let missing = [dir.path().join("missing").display().to_string()];
        assert!(read_fragments(&missing)
            .unwrap_err()
            .to_string()
            .contains("cannot read fragment"));
    }
}
