//! `recurse`: mirroring a source directory into the managed one, and
//! `purge`: removing what nothing manages inside it.
//!
//! The copy is rsync-like: directories, regular files (content and
//! permission bits) and symlinks of the source are reproduced; an entry of
//! another kind in the way is replaced only with `force`. Without `purge`,
//! extra entries in the destination are left alone. Paths that other file
//! resources manage (`excludes`) are neither copied over nor purged, and
//! directories leading to them are kept and purged inside. Each file is
//! written atomically (see `atomic.rs`); the tree as a whole is not.
//!
//! Both trees are walked through held directory descriptors
//! ([`DirHandle`]): an entry is worked on inside the directory that was
//! listed, and a subdirectory swapped for a symlink meanwhile is refused,
//! so no write or removal ever lands outside the tree. The source's own
//! path may be a symlink (the program names it); the managed directory's
//! may not (`check.rs` refuses one there before the walk).

use super::atomic::{self, NewMeta};
use super::content::{same_content, Wanted};
use super::dir_handle::DirHandle;
use super::entry::{read_entries, require_force, Kind};
use super::mode::format_mode;
use super::report::Report;
use crate::resource::ResourceError;
use std::ffi::OsStr;
use std::fs::{self, Metadata};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

pub struct Tree<'a> {
    pub force: bool,
    pub purge: bool,
    pub excludes: &'a [PathBuf],
}

impl Tree<'_> {
    /// Mirrors the directory `source` into `dir`; `dir_exists` is false when
    /// `dir` is not there (yet, or in noop mode).
    pub fn sync(
        &self,
        source: &Path,
        dir: &Path,
        dir_exists: bool,
        report: &mut Report,
    ) -> Result<(), ResourceError> {
        let source = DirHandle::open_source(source)?;
        let dir = if dir_exists {
            Dest::Held(DirHandle::open(dir)?)
        } else {
            Dest::Absent(dir.to_owned())
        };
        self.sync_held(&source, &dir, report)
    }

    /// Removes every entry of `dir` that is not excluded.
    pub fn purge_dir(&self, dir: &Path, report: &mut Report) -> Result<(), ResourceError> {
        self.purge_held(&DirHandle::open(dir)?, report)
    }

    fn sync_held(
        &self,
        source: &DirHandle,
        dir: &Dest,
        report: &mut Report,
    ) -> Result<(), ResourceError> {
        let mut existing = match dir {
            Dest::Held(held) => held.named(read_entries(held.path()))?,
            Dest::Absent(_) => Default::default(),
        };
        for (name, source_metadata) in source.named(read_entries(source.path()))? {
            let found = existing.remove(&name);
            if self.is_excluded(&dir.shown(&name)) {
                continue;
            }
            let from = Entry::of(source, &name);
            self.sync_entry(&from, &source_metadata, dir, &name, found.as_ref(), report)?;
        }
        if self.purge {
            if let Dest::Held(held) = dir {
                for (name, metadata) in existing {
                    self.purge_entry(held, &name, &metadata, report)?;
                }
            }
        }
        Ok(())
    }

    fn purge_held(&self, dir: &DirHandle, report: &mut Report) -> Result<(), ResourceError> {
        for (name, metadata) in dir.named(read_entries(dir.path()))? {
            self.purge_entry(dir, &name, &metadata, report)?;
        }
        Ok(())
    }

    fn is_excluded(&self, path: &Path) -> bool {
        self.excludes.iter().any(|exclude| exclude == path)
    }

    fn leads_to_excluded(&self, path: &Path) -> bool {
        self.excludes
            .iter()
            .any(|exclude| exclude.starts_with(path))
    }

    fn purge_entry(
        &self,
        dir: &DirHandle,
        name: &OsStr,
        metadata: &Metadata,
        report: &mut Report,
    ) -> Result<(), ResourceError> {
        let shown = dir.shown(name);
        if self.is_excluded(&shown) {
            return Ok(());
        }
        let kind = Kind::of(metadata);
        if kind == Kind::Dir && self.leads_to_excluded(&shown) {
            return self.purge_held(&dir.child(name)?, report);
        }
        let what = kind.name();
        report.change(
            format!("removed {what} {}", shown.display()),
            format!("would remove {what} {}", shown.display()),
        );
        if report.apply() {
            dir.named(atomic::remove(&dir.entry(name), kind == Kind::Dir, true))?;
        }
        Ok(())
    }

    fn sync_entry(
        &self,
        from: &Entry,
        from_metadata: &Metadata,
        dir: &Dest,
        name: &OsStr,
        found: Option<&Metadata>,
        report: &mut Report,
    ) -> Result<(), ResourceError> {
        let found_kind = found.map(Kind::of);
        match Kind::of(from_metadata) {
            Kind::Dir => self.sync_dir(from, from_metadata, dir, name, found, report),
            Kind::File => {
                let mode = from_metadata.mode() & 0o7777;
                let wanted = Wanted::File {
                    path: from.op.clone(),
                    len: from_metadata.len(),
                    mode,
                };
                from.named(self.sync_file(&wanted, mode, dir, name, found, report))
            }
            Kind::Symlink => {
                let link = fs::read_link(&from.op)
                    .map_err(|error| atomic::failed("cannot read symlink", &from.shown, error))?;
                let to = dir.entry(name);
                if found_kind == Some(Kind::Symlink)
                    && fs::read_link(&to).ok().as_deref() == Some(link.as_path())
                {
                    return Ok(());
                }
                self.clear_for(dir, name, found_kind, "symlink", report)?;
                let shown = format!("{} -> {}", dir.shown(name).display(), link.display());
                report.change(format!("linked {shown}"), format!("would link {shown}"));
                if report.apply() {
                    dir.named(atomic::replace_symlink(&to, &link, None, None))?;
                }
                Ok(())
            }
            Kind::Special => Err(ResourceError::failed(format!(
                "cannot copy {}: not a regular file, directory or symlink",
                from.shown.display()
            ))),
        }
    }

    fn sync_dir(
        &self,
        from: &Entry,
        from_metadata: &Metadata,
        dir: &Dest,
        name: &OsStr,
        found: Option<&Metadata>,
        report: &mut Report,
    ) -> Result<(), ResourceError> {
        let mode = from_metadata.mode() & 0o7777;
        let source = from.dir.child(name)?;
        let shown = dir.shown(name);
        // An entry is only ever found in a directory that is held.
        if let (Some(found), Dest::Held(held)) =
            (found.filter(|found| Kind::of(found) == Kind::Dir), dir)
        {
            let child = held.child(name)?;
            let current = found.mode() & 0o7777;
            if current != mode {
                let modes = format!(
                    "{} {} -> {}",
                    shown.display(),
                    format_mode(current),
                    format_mode(mode)
                );
                report.change(
                    format!("mode of {modes}"),
                    format!("would change mode of {modes}"),
                );
                if report.apply() {
                    child.chmod(mode)?;
                }
            }
            return self.sync_held(&source, &Dest::Held(child), report);
        }
        self.clear_for(dir, name, found.map(Kind::of), "directory", report)?;
        report.change(
            format!("created directory {}", shown.display()),
            format!("would create directory {}", shown.display()),
        );
        let child = match dir {
            Dest::Held(held) if report.apply() => {
                let meta = NewMeta {
                    mode,
                    uid: None,
                    gid: None,
                    owner_best_effort: false,
                };
                held.named(atomic::create_dir(&held.entry(name), meta))?;
                Dest::Held(held.child(name)?)
            }
            _ => Dest::Absent(shown),
        };
        self.sync_held(&source, &child, report)
    }

    fn sync_file(
        &self,
        wanted: &Wanted,
        mode: u32,
        dir: &Dest,
        name: &OsStr,
        found: Option<&Metadata>,
        report: &mut Report,
    ) -> Result<(), ResourceError> {
        let to = dir.entry(name);
        let shown = dir.shown(name);
        let shown = shown.display();
        if let Some(found) = found.filter(|found| Kind::of(found) == Kind::File) {
            if dir.named(same_content(&to, found.len(), wanted))? {
                let current = found.mode() & 0o7777;
                if current != mode {
                    let modes = format!("{} -> {}", format_mode(current), format_mode(mode));
                    report.change(
                        format!("mode of {shown} {modes}"),
                        format!("would change mode of {shown} {modes}"),
                    );
                    if report.apply() {
                        dir.named(atomic::chmod(&to, mode))?;
                    }
                }
                return Ok(());
            }
            let bytes = wanted.len();
            report.change(
                format!("updated {shown} ({bytes} bytes)"),
                format!("would update {shown} ({bytes} bytes)"),
            );
            if report.apply() {
                let meta = NewMeta {
                    mode,
                    uid: Some(found.uid()),
                    gid: Some(found.gid()),
                    owner_best_effort: true,
                };
                dir.named(atomic::write_file(&to, &mut *wanted.reader()?, meta))?;
            }
            return Ok(());
        }
        self.clear_for(dir, name, found.map(Kind::of), "file", report)?;
        let bytes = wanted.len();
        report.change(
            format!("copied {shown} ({bytes} bytes)"),
            format!("would copy {shown} ({bytes} bytes)"),
        );
        if report.apply() {
            let meta = NewMeta {
                mode,
                uid: None,
                gid: None,
                owner_best_effort: false,
            };
            dir.named(atomic::write_file(&to, &mut *wanted.reader()?, meta))?;
        }
        Ok(())
    }

    /// Makes room for a `wanted` entry where a `found` one of another kind
    /// is (with `force`). A file or symlink is replaced by the rename that
    /// follows; only a directory has to go first.
    fn clear_for(
        &self,
        dir: &Dest,
        name: &OsStr,
        found: Option<Kind>,
        wanted: &str,
        report: &mut Report,
    ) -> Result<(), ResourceError> {
        let Some(found) = found else { return Ok(()) };
        let shown = dir.shown(name);
        require_force(self.force, &shown, found, wanted)?;
        if found == Kind::Dir || wanted == "directory" {
            let what = found.name();
            report.change(
                format!("removed {what} {}", shown.display()),
                format!("would remove {what} {}", shown.display()),
            );
            if report.apply() {
                dir.named(atomic::remove(&dir.entry(name), found == Kind::Dir, true))?;
            }
        }
        Ok(())
    }
}

/// The destination directory: held open, or not there (in noop mode, or
/// below a directory noop would create), when only its path is known.
enum Dest {
    Held(DirHandle),
    Absent(PathBuf),
}

impl Dest {
    /// The entry `name`, for operations (only ever done on a held one).
    fn entry(&self, name: &OsStr) -> PathBuf {
        match self {
            Dest::Held(held) => held.entry(name),
            Dest::Absent(path) => path.join(name),
        }
    }

    fn shown(&self, name: &OsStr) -> PathBuf {
        match self {
            Dest::Held(held) => held.shown(name),
            Dest::Absent(path) => path.join(name),
        }
    }

    fn named<T>(&self, result: Result<T, ResourceError>) -> Result<T, ResourceError> {
        match self {
            Dest::Held(held) => held.named(result),
            Dest::Absent(_) => result,
        }
    }
}

/// An entry of the source tree: where to read it, and its name in messages.
struct Entry<'a> {
    dir: &'a DirHandle,
    op: PathBuf,
    shown: PathBuf,
}

impl Entry<'_> {
    fn of<'a>(dir: &'a DirHandle, name: &OsStr) -> Entry<'a> {
        Entry {
            dir,
            op: dir.entry(name),
            shown: dir.shown(name),
        }
    }

    fn named<T>(&self, result: Result<T, ResourceError>) -> Result<T, ResourceError> {
        self.dir.named(result)
    }
}
