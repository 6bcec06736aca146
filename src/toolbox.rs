//! Wiring the pipeline to the real world: the file-system source loader,
//! every core function, every resource kind, and a host. `mgmt compile`,
//! `mgmt run`, the corpus and example tests and the compile benchmark all
//! build their toolbox here, so they check programs against the same
//! functions and kinds.

use mcl_compiler::compile::Toolbox;
use mcl_compiler::function::{FunctionRegistry, Host};
use mcl_compiler::load::SourceLoader;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;
use std::sync::Arc;

/// The largest source file read by default (`--max-source-bytes`): far
/// above any hand-written program, well below what would exhaust memory.
pub const MAX_SOURCE_BYTES: u64 = 256 * 1024 * 1024;

/// Reads imported files from disk; paths are relative to the current
/// directory or absolute, as the entry file's path was given.
pub struct FsLoader {
    /// Files larger than this are refused.
    pub max_bytes: u64,
}

impl Default for FsLoader {
    fn default() -> FsLoader {
        FsLoader {
            max_bytes: MAX_SOURCE_BYTES,
        }
    }
}

impl SourceLoader for FsLoader {
    fn load(&self, path: &str) -> Result<String, String> {
        read_program_file(Path::new(path), self.max_bytes).map_err(|error| error.cause)
    }
}

/// Reads one source file: a regular file of at most `max_bytes` bytes, in
/// UTF-8. A FIFO would block forever and a device (a link to `/dev/zero`)
/// would be read until memory runs out, so anything but a regular file is
/// refused before it is read; opening does not wait for a FIFO's writer.
pub fn read_program_file(path: &Path, max_bytes: u64) -> Result<String, Unreadable> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(Unreadable::from)?;
    let kind = file.metadata().map_err(Unreadable::from)?.file_type();
    if !kind.is_file() {
        return Err(Unreadable::because(format!(
            "not a regular file (it is {})",
            describe(kind)
        )));
    }
    let mut bytes = Vec::new();
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Unreadable::from)?;
    if bytes.len() as u64 > max_bytes {
        return Err(Unreadable::because(too_large(max_bytes)));
    }
    String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        let lossy = String::from_utf8_lossy(error.as_bytes()).into_owned();
        let before = &lossy[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit('\n')
            .next()
            .map_or(0, |tail| tail.chars().count())
            + 1;
        Unreadable {
            cause: format!("not UTF-8 text (byte {offset}, line {line}, column {column})"),
            not_utf8: Some((lossy, offset)),
        }
    })
}

/// Why a source file could not be read.
#[derive(Debug)]
pub struct Unreadable {
    pub cause: String,
    /// For a file that is not UTF-8: its text with the bad bytes replaced,
    /// and the byte offset of the first, so a diagnostic can point there.
    pub not_utf8: Option<(String, usize)>,
}

impl Unreadable {
    fn because(cause: String) -> Unreadable {
        Unreadable {
            cause,
            not_utf8: None,
        }
    }
}

impl From<std::io::Error> for Unreadable {
    fn from(error: std::io::Error) -> Unreadable {
        Unreadable::because(error.to_string())
    }
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.cause)
    }
}

/// Why a source of more than `max_bytes` bytes is refused.
pub fn too_large(max_bytes: u64) -> String {
    format!("larger than {max_bytes} bytes (raise the limit with --max-source-bytes)")
}

fn describe(kind: std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

/// Every core function and resource kind, on `host`.
pub fn toolbox(host: Arc<dyn Host>) -> Toolbox {
    toolbox_with_kinds(host, Arc::new(mgmt_runtime::kinds()))
}

/// Every core function, the resource kinds of `kinds`, on `host`: for a
/// run, whose engine shares the same catalogue.
pub fn toolbox_with_kinds(host: Arc<dyn Host>, kinds: Arc<mgmt_runtime::Kinds>) -> Toolbox {
    let mut functions = FunctionRegistry::new();
    mcl_stdlib::register(&mut functions);
    Toolbox {
        functions: Arc::new(functions),
        kinds,
        host,
        world: mcl_compiler::world::empty(),
    }
}

/// The functions, kinds and host of a real run.
pub fn real_toolbox() -> Toolbox {
    toolbox(Arc::new(mcl_stdlib::RealHost::new()))
}
