//! Atomic, durable changes to the file system.
//!
//! A new file, directory or symlink is built under a temporary name
//! (starting with [`TEMP_PREFIX`]) in the target's own directory, gets its
//! owner and mode there, is fsynced, and is renamed over the target; the
//! directory is fsynced after. A reader sees the old inode or the new one,
//! never a half-written file, and a crash leaves at worst a stray temporary.
//! The parent directory must exist: creating parents is the job of the
//! resource that manages them (one `mkdir -p` case aside, in `check.rs`).

use super::temp;
use crate::resource::ResourceError;
use std::fs::{self, File, Permissions};
use std::io::{self, Read};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::sync::OnceLock;

/// Names of our temporary files start with this; the watcher ignores them.
/// [`temp`] owns the full form, which names the writing agent.
pub const TEMP_PREFIX: &str = ".mgmt-";

/// What a new inode gets before it becomes visible.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewMeta {
    pub mode: u32,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// The owner is only being preserved from the file we replace, not
    /// managed: failing to set it (not root) is not an error.
    pub owner_best_effort: bool,
}

/// `{action} {path}: {error}`, as a check/apply failure.
pub fn failed(action: &str, path: &Path, error: io::Error) -> ResourceError {
    ResourceError::failed(format!("{action} {}: {error}", path.display()))
}

/// The directory `path` lives in, which must exist.
pub fn parent_dir(path: &Path) -> Result<&Path, ResourceError> {
    let parent = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .ok_or_else(|| {
            ResourceError::failed(format!("{} has no parent directory", path.display()))
        })?;
    match fs::metadata(parent) {
        Ok(metadata) if metadata.is_dir() => Ok(parent),
        Ok(_) => Err(ResourceError::failed(format!(
            "cannot create {}: parent {} is not a directory",
            path.display(),
            parent.display()
        ))),
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            Err(ResourceError::failed(format!(
                "cannot create {}: parent directory {} does not exist",
                path.display(),
                parent.display()
            )))
        }
        Err(error) => Err(failed("cannot stat parent directory", parent, error)),
    }
}

/// Replaces (or creates) `target` with the bytes of `content`. Returns the
/// number of bytes written.
pub fn write_file(
    target: &Path,
    content: &mut dyn Read,
    meta: NewMeta,
) -> Result<u64, ResourceError> {
    let dir = parent_dir(target)?;
    let mut temp = temp_file_builder()
        .tempfile_in(dir)
        .map_err(|error| failed("cannot write", target, error))?;
    let written = io::copy(content, temp.as_file_mut())
        .map_err(|error| failed("cannot write", target, error))?;
    set_file_meta(temp.as_file(), target, meta)?;
    temp.as_file()
        .sync_all()
        .map_err(|error| failed("cannot sync", target, error))?;
    temp.persist(target)
        .map_err(|error| failed("cannot rename into", target, error.error))?;
    sync_dir(dir)?;
    Ok(written)
}

/// Creates an empty `target` unless something appeared there meanwhile
/// (then returns false and leaves it alone).
pub fn create_empty_file(target: &Path, meta: NewMeta) -> Result<bool, ResourceError> {
    let dir = parent_dir(target)?;
    let temp = temp_file_builder()
        .tempfile_in(dir)
        .map_err(|error| failed("cannot create", target, error))?;
    set_file_meta(temp.as_file(), target, meta)?;
    temp.as_file()
        .sync_all()
        .map_err(|error| failed("cannot sync", target, error))?;
    match temp.persist_noclobber(target) {
        Ok(_) => {}
        Err(error) if error.error.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
        Err(error) => return Err(failed("cannot create", target, error.error)),
    }
    sync_dir(dir)?;
    Ok(true)
}

/// Creates the directory `target` (which must not exist, or be an empty
/// directory) with its owner and mode already set.
pub fn create_dir(target: &Path, meta: NewMeta) -> Result<(), ResourceError> {
    let dir = parent_dir(target)?;
    let temp = temp_builder()
        .tempdir_in(dir)
        .map_err(|error| failed("cannot create directory", target, error))?;
    let set = || -> io::Result<()> {
        if meta.uid.is_some() || meta.gid.is_some() {
            let result = std::os::unix::fs::chown(temp.path(), meta.uid, meta.gid);
            if let Err(error) = result {
                if !meta.owner_best_effort {
                    return Err(error);
                }
            }
        }
        fs::set_permissions(temp.path(), Permissions::from_mode(meta.mode))
    };
    set().map_err(|error| failed("cannot set owner and mode of new directory", target, error))?;
    let temp_path = temp.keep();
    if let Err(error) = fs::rename(&temp_path, target) {
        let _ = fs::remove_dir(&temp_path);
        return Err(failed("cannot create directory", target, error));
    }
    sync_dir(dir)
}

/// Makes `target` a symlink to `link` (replacing a file or symlink there
/// in one rename; a directory must be removed first).
pub fn replace_symlink(
    target: &Path,
    link: &Path,
    uid: Option<u32>,
    gid: Option<u32>,
) -> Result<(), ResourceError> {
    let dir = parent_dir(target)?;
    let temp = temp_builder()
        .make_in(dir, |path| std::os::unix::fs::symlink(link, path))
        .map_err(|error| failed("cannot create symlink", target, error))?;
    if uid.is_some() || gid.is_some() {
        std::os::unix::fs::lchown(temp.path(), uid, gid)
            .map_err(|error| failed("cannot set owner of symlink", target, error))?;
    }
    temp.persist(target)
        .map_err(|error| failed("cannot rename into", target, error.error))?;
    sync_dir(dir)
}

/// Removes a file, symlink or (with `recursive`, non-empty) directory.
pub fn remove(target: &Path, is_dir: bool, recursive: bool) -> Result<(), ResourceError> {
    if target.parent().is_none() {
        return Err(ResourceError::failed(
            "refusing to remove the root directory",
        ));
    }
    let result = match (is_dir, recursive) {
        (false, _) => fs::remove_file(target),
        (true, false) => fs::remove_dir(target),
        (true, true) => fs::remove_dir_all(target),
    };
    match result {
        Ok(()) => {}
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) if error.kind() == io::ErrorKind::DirectoryNotEmpty => {
            return Err(ResourceError::failed(format!(
                "cannot remove {}: the directory is not empty (set `recurse` to remove its contents too)",
                target.display()
            )))
        }
        Err(error) => return Err(failed("cannot remove", target, error)),
    }
    match target.parent() {
        Some(parent) => sync_dir(parent),
        None => Ok(()),
    }
}

/// Makes a rename or removal in `dir` durable.
pub fn sync_dir(dir: &Path) -> Result<(), ResourceError> {
    let result = File::open(dir).and_then(|handle| handle.sync_all());
    match result {
        // Some file systems cannot fsync a directory; nothing more to do.
        Err(error) if error.kind() == io::ErrorKind::InvalidInput => Ok(()),
        other => other.map_err(|error| failed("cannot sync directory", dir, error)),
    }
}

/// Opens the path itself, never what a symlink there points to: a symlink
/// planted at the last component (by a user who can write the directory)
/// must not redirect a chmod, chown or read to a file they cannot touch.
/// The returned fd is what the caller then changes (`fchmod`, `fchown`), so
/// a swap between our check and our change cannot redirect it either.
pub fn open_nofollow(target: &Path) -> Result<File, ResourceError> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK | nix::libc::O_CLOEXEC)
        .open(target)
        .map_err(|error| {
            if error.raw_os_error() == Some(nix::libc::ELOOP) {
                symlink_refused(target)
            } else {
                failed("cannot open", target, error)
            }
        })
}

/// The whole content of `target`, read through [`open_nofollow`].
pub fn read_nofollow(target: &Path) -> Result<Vec<u8>, ResourceError> {
    let mut bytes = Vec::new();
    open_nofollow(target)?
        .read_to_end(&mut bytes)
        .map_err(|error| failed("cannot read", target, error))?;
    Ok(bytes)
}

/// The error for a symlink found where a file or directory is managed.
pub fn symlink_refused(target: &Path) -> ResourceError {
    ResourceError::failed(format!(
        "{} is a symlink, not a file or directory: refusing to follow it (set `force => true` to replace the link itself)",
        target.display()
    ))
}

/// Changes the mode of an existing file or directory in place, through an
/// fd opened without following a symlink.
pub fn chmod(target: &Path, mode: u32) -> Result<(), ResourceError> {
    let file = open_nofollow(target)?;
    require_not_special(&file, target)?;
    file.set_permissions(Permissions::from_mode(mode))
        .map_err(|error| failed("cannot chmod", target, error))
}

/// Changes the owner of an existing path in place: through a no-follow fd
/// for a file or directory, `lchown` (the link itself) for a symlink.
pub fn chown(target: &Path, uid: Option<u32>, gid: Option<u32>) -> Result<(), ResourceError> {
    match open_nofollow(target) {
        Ok(file) => {
            require_not_special(&file, target)?;
            std::os::unix::fs::fchown(&file, uid, gid)
        }
        // The link itself (a `symlink` resource's owner); lchown never follows.
        Err(_) if fs::symlink_metadata(target).is_ok_and(|meta| meta.file_type().is_symlink()) => {
            std::os::unix::fs::lchown(target, uid, gid)
        }
        Err(error) => return Err(error),
    }
    .map_err(|error| failed("cannot chown", target, error))
}

/// A fifo or device swapped in after our `lstat` is not ours to change.
fn require_not_special(file: &File, target: &Path) -> Result<(), ResourceError> {
    let metadata = file
        .metadata()
        .map_err(|error| failed("cannot stat", target, error))?;
    if metadata.is_file() || metadata.is_dir() {
        return Ok(());
    }
    Err(ResourceError::failed(format!(
        "{} changed while being managed: it is now a special file",
        target.display()
    )))
}

/// The mode a new file or directory gets when `mode` is not managed.
pub fn default_mode(is_dir: bool) -> u32 {
    let full = if is_dir { 0o777 } else { 0o666 };
    full & !umask()
}

/// The process umask, read without changing it (`umask(2)` would race
/// with other threads creating files).
fn umask() -> u32 {
    static UMASK: OnceLock<u32> = OnceLock::new();
    *UMASK.get_or_init(|| {
        fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find_map(|line| line.strip_prefix("Umask:"))
                    .and_then(|value| u32::from_str_radix(value.trim(), 8).ok())
            })
            .unwrap_or(0o022)
    })
}

fn temp_builder() -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(temp::own_prefix());
    builder
}

/// 0600 (tempfile's default, kept explicit): a temporary left by a crash
/// while being written never shows its content to others.
fn temp_file_builder() -> tempfile::Builder<'static, 'static> {
    let mut builder = temp_builder();
    builder.permissions(Permissions::from_mode(0o600));
    builder
}

/// Owner first: `chown` clears the set-id bits that `chmod` then sets.
fn set_file_meta(file: &File, target: &Path, meta: NewMeta) -> Result<(), ResourceError> {
    let current = file
        .metadata()
        .map_err(|error| failed("cannot stat new file for", target, error))?;
    let uid = meta.uid.filter(|uid| *uid != current.uid());
    let gid = meta.gid.filter(|gid| *gid != current.gid());
    if uid.is_some() || gid.is_some() {
        if let Err(error) = std::os::unix::fs::fchown(file, uid, gid) {
            if !meta.owner_best_effort {
                return Err(failed("cannot set owner of", target, error));
            }
            tracing::warn!(
                "{}: cannot keep the previous owner: {error}",
                target.display()
            );
        }
    }
    file.set_permissions(Permissions::from_mode(meta.mode))
        .map_err(|error| failed("cannot set mode of", target, error))
}
