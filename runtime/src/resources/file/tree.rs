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

use super::atomic::{self, NewMeta};
use super::content::{same_content, Wanted};
use super::entry::{read_entries, require_force, Kind};
use super::mode::format_mode;
use super::report::Report;
use crate::resource::ResourceError;
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
        let mut existing = if dir_exists {
            read_entries(dir)?
        } else {
            Default::default()
        };
        for (name, source_metadata) in read_entries(source)? {
            let from = source.join(&name);
            let to = dir.join(&name);
            let found = existing.remove(&name);
            if self.is_excluded(&to) {
                continue;
            }
            self.sync_entry(&from, &source_metadata, &to, found.as_ref(), report)?;
        }
        if self.purge {
            for (name, metadata) in existing {
                self.purge_entry(&dir.join(name), &metadata, report)?;
            }
        }
        Ok(())
    }

    /// Removes every entry of `dir` that is not excluded.
    pub fn purge_dir(&self, dir: &Path, report: &mut Report) -> Result<(), ResourceError> {
        for (name, metadata) in read_entries(dir)? {
            self.purge_entry(&dir.join(name), &metadata, report)?;
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
        path: &Path,
        metadata: &Metadata,
        report: &mut Report,
    ) -> Result<(), ResourceError> {
        if self.is_excluded(path) {
            return Ok(());
        }
        let kind = Kind::of(metadata);
        if kind == Kind::Dir && self.leads_to_excluded(path) {
            return self.purge_dir(path, report);
        }
        let name = kind.name();
        report.change(
            format!("removed {name} {}", path.display()),
            format!("would remove {name} {}", path.display()),
        );
        if report.apply() {
            atomic::remove(path, kind == Kind::Dir, true)?;
        }
        Ok(())
    }

    fn sync_entry(
        &self,
        from: &Path,
        from_metadata: &Metadata,
        to: &Path,
        found: Option<&Metadata>,
        report: &mut Report,
    ) -> Result<(), ResourceError> {
        let found_kind = found.map(Kind::of);
        match Kind::of(from_metadata) {
            Kind::Dir => self.sync_dir(from, from_metadata, to, found, report),
            Kind::File => {
                let mode = from_metadata.mode() & 0o7777;
                let wanted = Wanted::File {
                    path: from.to_owned(),
                    len: from_metadata.len(),
                    mode,
                };
                self.sync_file(&wanted, mode, to, found, report)
            }
            Kind::Symlink => {
                let link = fs::read_link(from)
                    .map_err(|error| atomic::failed("cannot read symlink", from, error))?;
                if found_kind == Some(Kind::Symlink)
                    && fs::read_link(to).ok().as_deref() == Some(link.as_path())
                {
                    return Ok(());
                }
                self.clear_for(to, found_kind, "symlink", report)?;
                let shown = format!("{} -> {}", to.display(), link.display());
                report.change(format!("linked {shown}"), format!("would link {shown}"));
                if report.apply() {
                    atomic::replace_symlink(to, &link, None, None)?;
                }
                Ok(())
            }
            Kind::Special => Err(ResourceError::failed(format!(
                "cannot copy {}: not a regular file, directory or symlink",
                from.display()
            ))),
        }
    }

    fn sync_dir(
        &self,
        from: &Path,
        from_metadata: &Metadata,
        to: &Path,
        found: Option<&Metadata>,
        report: &mut Report,
    ) -> Result<(), ResourceError> {
        let mode = from_metadata.mode() & 0o7777;
        if let Some(found) = found.filter(|found| Kind::of(found) == Kind::Dir) {
            let current = found.mode() & 0o7777;
            if current != mode {
                let shown = format!(
                    "{} {} -> {}",
                    to.display(),
                    format_mode(current),
                    format_mode(mode)
                );
                report.change(
                    format!("mode of {shown}"),
                    format!("would change mode of {shown}"),
                );
                if report.apply() {
                    atomic::chmod(to, mode)?;
                }
            }
            return self.sync(from, to, true, report);
        }
        self.clear_for(to, found.map(Kind::of), "directory", report)?;
        let shown = to.display();
        report.change(
            format!("created directory {shown}"),
            format!("would create directory {shown}"),
        );
        if report.apply() {
            atomic::create_dir(
                to,
                NewMeta {
                    mode,
                    uid: None,
                    gid: None,
                    owner_best_effort: false,
                },
            )?;
        }
        self.sync(from, to, report.apply(), report)
    }

    fn sync_file(
        &self,
        wanted: &Wanted,
        mode: u32,
        to: &Path,
        found: Option<&Metadata>,
        report: &mut Report,
    ) -> Result<(), ResourceError> {
        let shown = to.display();
        if let Some(found) = found.filter(|found| Kind::of(found) == Kind::File) {
            if same_content(to, found.len(), wanted)? {
                let current = found.mode() & 0o7777;
                if current != mode {
                    let modes = format!("{} -> {}", format_mode(current), format_mode(mode));
                    report.change(
                        format!("mode of {shown} {modes}"),
                        format!("would change mode of {shown} {modes}"),
                    );
                    if report.apply() {
                        atomic::chmod(to, mode)?;
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
                atomic::write_file(to, &mut *wanted.reader()?, meta)?;
            }
            return Ok(());
        }
        self.clear_for(to, found.map(Kind::of), "file", report)?;
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
            atomic::write_file(to, &mut *wanted.reader()?, meta)?;
        }
        Ok(())
    }

    /// Makes room for a `wanted` entry where a `found` one of another kind
    /// is (with `force`). A file or symlink is replaced by the rename that
    /// follows; only a directory has to go first.
    fn clear_for(
        &self,
        path: &Path,
        found: Option<Kind>,
        wanted: &str,
        report: &mut Report,
    ) -> Result<(), ResourceError> {
        let Some(found) = found else { return Ok(()) };
        require_force(self.force, path, found, wanted)?;
        if found == Kind::Dir || wanted == "directory" {
            let name = found.name();
            report.change(
                format!("removed {name} {}", path.display()),
                format!("would remove {name} {}", path.display()),
            );
            if report.apply() {
                atomic::remove(path, found == Kind::Dir, true)?;
            }
        }
        Ok(())
    }
}
