//! What is at a path right now (nothing, a file, a directory, a symlink or
//! something else), read without following symlinks, and the rule that
//! replacing one kind with another needs `force`.

use super::atomic::{failed, TEMP_PREFIX};
use crate::resource::ResourceError;
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs::{self, Metadata};
use std::io;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    /// A fifo, socket or device.
    Special,
}

impl Kind {
    pub fn of(metadata: &Metadata) -> Kind {
        let file_type = metadata.file_type();
        if file_type.is_symlink() {
            Kind::Symlink
        } else if file_type.is_dir() {
            Kind::Dir
        } else if file_type.is_file() {
            Kind::File
        } else {
            Kind::Special
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::File => "file",
            Kind::Dir => "directory",
            Kind::Symlink => "symlink",
            Kind::Special => "special file",
        }
    }
}

/// `lstat`: `None` when nothing is there.
pub fn lstat(path: &Path) -> Result<Option<Metadata>, ResourceError> {
    match fs::symlink_metadata(path) {
        Ok(metadata) => Ok(Some(metadata)),
        // A file where a parent directory should be: nothing can be here.
        Err(error)
            if matches!(
                error.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(None)
        }
        Err(error) => Err(failed("cannot stat", path, error)),
    }
}

/// The entries of a directory by name, each `lstat`ed; our own temporary
/// files are left out.
pub fn read_entries(dir: &Path) -> Result<BTreeMap<OsString, Metadata>, ResourceError> {
    let mut entries = BTreeMap::new();
    let listing = fs::read_dir(dir).map_err(|error| failed("cannot list", dir, error))?;
    for entry in listing {
        let entry = entry.map_err(|error| failed("cannot list", dir, error))?;
        let name = entry.file_name();
        if is_temp_name(&name) {
            continue;
        }
        match entry.metadata() {
            Ok(metadata) => {
                entries.insert(name, metadata);
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(failed("cannot stat", &entry.path(), error)),
        }
    }
    Ok(entries)
}

pub fn is_temp_name(name: &OsStr) -> bool {
    name.as_encoded_bytes().starts_with(TEMP_PREFIX.as_bytes())
}

/// Replacing a `found` with a `wanted` kind is only done with `force`.
pub fn require_force(
    force: bool,
    path: &Path,
    found: Kind,
    wanted: &str,
) -> Result<(), ResourceError> {
    if force {
        return Ok(());
    }
    Err(ResourceError::failed(format!(
        "{} is a {}, not a {wanted}; set `force => true` to replace it",
        path.display(),
        found.name()
    )))
}

/// Whether the directory has any entry.
pub fn dir_has_entries(dir: &Path) -> Result<bool, ResourceError> {
    let mut listing = fs::read_dir(dir).map_err(|error| failed("cannot list", dir, error))?;
    Ok(listing.next().is_some())
}
