//! A directory of a recursive copy or purge, held open while its entries
//! are worked on. Each entry is reached through the descriptor
//! (`/proc/self/fd/N/name`, which the kernel resolves to the directory the
//! descriptor holds, not by walking the path again), and a subdirectory is
//! opened from its parent with `O_NOFOLLOW`. So a user who can write inside
//! the managed tree and swaps a subdirectory for a symlink (to `/etc`, say)
//! between our listing and our descent gets a refusal, never our writes or
//! removals in the symlink's target: every operation acts on the tree
//! itself, as `openat`-style calls relative to a directory fd would.
//! Messages name the real paths.

use super::atomic::{failed, symlink_refused};
use crate::resource::ResourceError;
use nix::fcntl::{openat, OFlag};
use nix::sys::stat::Mode;
use std::ffi::OsStr;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};

pub struct DirHandle {
    fd: OwnedFd,
    /// `/proc/self/fd/N`: the directory as the descriptor holds it.
    via: PathBuf,
    /// Its path, for messages.
    shown: PathBuf,
}

const FLAGS: OFlag = OFlag::O_RDONLY
    .union(OFlag::O_DIRECTORY)
    .union(OFlag::O_NOFOLLOW)
    .union(OFlag::O_CLOEXEC);

impl DirHandle {
    /// The top of a managed tree: `path`, whose last component must not be
    /// a symlink (its parents are the program's to choose).
    pub fn open(path: &Path) -> Result<DirHandle, ResourceError> {
        DirHandle::open_with(path, FLAGS)
    }

    /// The top of a source tree, which the program names: a symlink there
    /// (a deploy's `current -> releases/2`) is followed, as `cp -r` would.
    pub fn open_source(path: &Path) -> Result<DirHandle, ResourceError> {
        DirHandle::open_with(path, FLAGS.difference(OFlag::O_NOFOLLOW))
    }

    fn open_with(path: &Path, flags: OFlag) -> Result<DirHandle, ResourceError> {
        let fd =
            nix::fcntl::open(path, flags, Mode::empty()).map_err(|errno| refused(path, errno))?;
        Ok(DirHandle::new(fd, path.to_owned()))
    }

    /// The subdirectory `name`, opened from this one without following a
    /// symlink: a symlink swapped in since the listing is refused.
    pub fn child(&self, name: &OsStr) -> Result<DirHandle, ResourceError> {
        let shown = self.shown.join(name);
        let fd = openat(&self.fd, name, FLAGS, Mode::empty()).map_err(|errno| {
            // With O_DIRECTORY a symlink reads as "not a directory".
            let is_link = std::fs::symlink_metadata(self.entry(name))
                .is_ok_and(|metadata| metadata.file_type().is_symlink());
            refused(
                &shown,
                if is_link {
                    nix::errno::Errno::ELOOP
                } else {
                    errno
                },
            )
        })?;
        Ok(DirHandle::new(fd, shown))
    }

    fn new(fd: OwnedFd, shown: PathBuf) -> DirHandle {
        let via = PathBuf::from(format!("/proc/self/fd/{}", fd.as_raw_fd()));
        DirHandle { fd, via, shown }
    }

    /// Changes this directory's mode through its descriptor.
    pub fn chmod(&self, mode: u32) -> Result<(), ResourceError> {
        nix::sys::stat::fchmod(&self.fd, Mode::from_bits_truncate(mode))
            .map_err(|errno| failed("cannot chmod", &self.shown, std::io::Error::from(errno)))
    }

    /// This directory, for listing it.
    pub fn path(&self) -> &Path {
        &self.via
    }

    /// The entry `name`, for operations: resolved inside this directory.
    pub fn entry(&self, name: &OsStr) -> PathBuf {
        self.via.join(name)
    }

    /// The entry `name`, for messages.
    pub fn shown(&self, name: &OsStr) -> PathBuf {
        self.shown.join(name)
    }

    /// `result`, its message naming real paths instead of descriptors.
    pub fn named<T>(&self, result: Result<T, ResourceError>) -> Result<T, ResourceError> {
        result.map_err(|error| {
            let via = self.via.to_string_lossy();
            let shown = self.shown.to_string_lossy();
            match error {
                ResourceError::Failed(message) => {
                    ResourceError::Failed(message.replace(via.as_ref(), &shown))
                }
                ResourceError::Invalid(message) => {
                    ResourceError::Invalid(message.replace(via.as_ref(), &shown))
                }
            }
        })
    }
}

fn refused(path: &Path, errno: nix::errno::Errno) -> ResourceError {
    match errno {
        nix::errno::Errno::ELOOP => symlink_refused(path),
        nix::errno::Errno::ENOTDIR => ResourceError::failed(format!(
            "{} is no longer a directory (it changed while being copied or purged)",
            path.display()
        )),
        errno => failed("cannot open directory", path, std::io::Error::from(errno)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_resolve_inside_the_held_directory_and_a_swapped_symlink_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let victim = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let top = DirHandle::open(dir.path()).unwrap();
        let sub = top.child(OsStr::new("sub")).unwrap();
        // The directory is moved away and a symlink takes its place: the
        // held one is still where writes go.
        std::fs::rename(dir.path().join("sub"), dir.path().join("moved")).unwrap();
        std::os::unix::fs::symlink(victim.path(), dir.path().join("sub")).unwrap();
        std::fs::write(sub.entry(OsStr::new("f")), "x").unwrap();
        assert!(dir.path().join("moved/f").exists());
        assert!(!victim.path().join("f").exists());
        // Opening it again now meets the symlink.
        let error = top.child(OsStr::new("sub")).err().unwrap().to_string();
        assert!(error.contains("symlink"), "{error}");
        // Messages name the real path.
        let failure: Result<(), _> = Err(ResourceError::failed(format!(
            "cannot write {}",
            sub.entry(OsStr::new("g")).display()
        )));
        let message = sub.named(failure).unwrap_err().to_string();
        assert_eq!(
            message,
            format!("cannot write {}/sub/g", dir.path().display())
        );
    }
}
