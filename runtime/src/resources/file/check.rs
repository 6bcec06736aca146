//! Check/apply of one file resource: compare what is at the path with what
//! the params want, aspect by aspect (existence and kind, content, owner,
//! group, mode), record each difference in the [`Report`], and fix it when
//! the report says to apply.
//!
//! Existence: `state => "exists"` creates, `"absent"` removes; when `state`
//! is undefined, `content`, `source` and `fragments` imply that the path
//! exists, and otherwise existence is left alone (managing only the
//! metadata of a path that is missing is an error). A file's new content
//! gets its owner and mode on the temporary file, so one rename fixes all.

use super::atomic::{self, NewMeta};
use super::content::{
    describe_difference, read_fragments, redacted_difference, same_content, source_file, Wanted,
};
use super::entry::{dir_has_entries, lstat, require_force, Kind};
use super::meta::{wanted_mode, MetaPlan, WantedOwner};
use super::mode::format_mode;
use super::params::{Params, State};
use super::report::Report;
use super::tree::Tree;
use crate::resource::ResourceError;
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

pub fn check_apply(params: &Params, report: &mut Report) -> Result<(), ResourceError> {
    let target = params.target();
    // A crashed agent's temporaries are removed where we manage paths.
    if let Some(parent) = target.parent() {
        super::temp::remove_stale(parent);
    }
    if params.is_dir() {
        super::temp::remove_stale(&target);
    }
    if params.state == Some(State::Absent) {
        return ensure_absent(params, &target, report);
    }
    if params.symlink {
        return ensure_symlink(params, &target, report);
    }
    if params.is_dir() {
        return ensure_dir(params, &target, report);
    }
    ensure_file(params, &target, report)
}

fn ensure_absent(params: &Params, target: &Path, report: &mut Report) -> Result<(), ResourceError> {
    let Some(metadata) = lstat(target)? else {
        return Ok(());
    };
    let kind = Kind::of(&metadata);
    if params.symlink && kind != Kind::Symlink && !params.force {
        return Err(ResourceError::failed(format!(
            "{} is a {}, not a symlink; set `force` to remove it",
            target.display(),
            kind.name()
        )));
    }
    if kind == Kind::Dir && !params.recurse && dir_has_entries(target)? {
        return Err(ResourceError::failed(format!(
            "cannot remove {}: the directory is not empty (set `recurse` to remove its contents too)",
            target.display()
        )));
    }
    let name = kind.name();
    report.change(format!("removed {name}"), format!("would remove {name}"));
    if report.apply() {
        atomic::remove(target, kind == Kind::Dir, params.recurse)?;
    }
    Ok(())
}

fn ensure_symlink(
    params: &Params,
    target: &Path,
    report: &mut Report,
) -> Result<(), ResourceError> {
    let link = PathBuf::from(params.source.as_deref().unwrap_or_default());
    let owner = WantedOwner::resolve(params)?;
    let shown = link.display();
    match lstat(target)? {
        None => {
            report.change(
                format!("created symlink -> {shown}"),
                format!("would create symlink -> {shown}"),
            );
        }
        Some(metadata) if Kind::of(&metadata) == Kind::Symlink => {
            let current = fs::read_link(target)
                .map_err(|error| atomic::failed("cannot read symlink", target, error))?;
            if current == link {
                let plan = MetaPlan::new(&metadata, None, owner);
                return plan.apply(target, report);
            }
            let old = current.display();
            report.change(
                format!("symlink {old} -> {shown}"),
                format!("would relink {old} -> {shown}"),
            );
        }
        Some(metadata) => {
            let kind = Kind::of(&metadata);
            require_force(params.force, target, kind, "symlink")?;
            let name = kind.name();
            report.change(
                format!("replaced {name} with symlink -> {shown}"),
                format!("would replace {name} with symlink -> {shown}"),
            );
            if kind == Kind::Dir && report.apply() {
                atomic::remove(target, true, true)?;
            }
        }
    }
    if report.apply() {
        atomic::replace_symlink(target, &link, owner.uid, owner.gid)?;
    }
    Ok(())
}

fn ensure_dir(params: &Params, target: &Path, report: &mut Report) -> Result<(), ResourceError> {
    let source = params
        .source
        .as_deref()
        .map(|source| Path::new(source.trim_end_matches('/')));
    let source_mode = match source {
        Some(source) => Some(source_dir_mode(source)?),
        None => None,
    };
    let create = params.state == Some(State::Exists) || source.is_some();
    let owner = WantedOwner::resolve(params)?;
    let tree = Tree {
        force: params.force,
        purge: params.purge,
        excludes: &params.excludes,
    };
    let found = lstat(target)?;
    match found
        .as_ref()
        .map(|metadata| (metadata, Kind::of(metadata)))
    {
        Some((metadata, Kind::Dir)) => {
            let plan = MetaPlan::new(
                metadata,
                wanted_mode(params, metadata.mode(), true, source_mode),
                owner,
            );
            plan.apply(target, report)?;
            if let Some(source) = source {
                tree.sync(source, target, true, report)?;
            } else if params.purge {
                tree.purge_dir(target, report)?;
            }
            return Ok(());
        }
        None if !create => return missing_unmanaged(params, target),
        Some((_, kind)) if !create => {
            return Err(ResourceError::failed(format!(
                "{} is a {}, not a directory",
                target.display(),
                kind.name()
            )))
        }
        None => {}
        Some((_, kind)) => {
            require_force(params.force, target, kind, "directory")?;
            let name = kind.name();
            report.change(format!("removed {name}"), format!("would remove {name}"));
            if report.apply() {
                atomic::remove(target, false, false)?;
            }
        }
    }
    let base = source_mode.unwrap_or_else(|| atomic::default_mode(true));
    let mode = wanted_mode(params, base, true, source_mode).unwrap_or(base);
    let parent = target.parent().unwrap_or(Path::new("/"));
    if params.recurse && !parent.exists() {
        // Upstream: `recurse` on a directory is `mkdir -p`.
        let shown = parent.display();
        report.change(
            format!("created parents {shown}"),
            format!("would create parents {shown}"),
        );
        if report.apply() {
            fs::create_dir_all(parent)
                .map_err(|error| atomic::failed("cannot create", parent, error))?;
        }
    }
    let modes = format_mode(mode);
    report.change(
        format!("created directory (mode {modes})"),
        format!("would create directory (mode {modes})"),
    );
    if report.apply() {
        atomic::create_dir(
            target,
            NewMeta {
                mode,
                uid: owner.uid,
                gid: owner.gid,
                owner_best_effort: false,
            },
        )?;
    }
    if let Some(source) = source {
        tree.sync(source, target, report.apply(), report)?;
    }
    Ok(())
}

fn ensure_file(params: &Params, target: &Path, report: &mut Report) -> Result<(), ResourceError> {
    let wanted = if let Some(content) = &params.content {
        Some(Wanted::Bytes(content.clone().into_bytes()))
    } else if let Some(fragments) = &params.fragments {
        Some(Wanted::Bytes(read_fragments(fragments)?))
    } else if let Some(source) = &params.source {
        Some(source_file(Path::new(source))?)
    } else {
        None
    };
    let source_mode = match &wanted {
        Some(Wanted::File { mode, .. }) => Some(*mode),
        _ => None,
    };
    let create = params.state == Some(State::Exists) || wanted.is_some();
    let owner = WantedOwner::resolve(params)?;
    let found = lstat(target)?;
    let kind = found.as_ref().map(Kind::of);
    match (found, kind) {
        (Some(metadata), Some(Kind::File)) => {
            let plan = MetaPlan::new(
                &metadata,
                wanted_mode(params, metadata.mode(), false, source_mode),
                owner,
            );
            let wanted = match wanted {
                Some(wanted) if !same_content(target, metadata.len(), &wanted)? => wanted,
                _ => {
                    plan.refuse_shared_inode(target, &metadata, params.force)?;
                    return plan.apply(target, report);
                }
            };
            let bytes = wanted.len();
            report.change(
                format!("content replaced ({bytes} bytes)"),
                format!(
                    "would replace content ({} -> {bytes} bytes)",
                    metadata.len()
                ),
            );
            if !report.apply() {
                let public = readable_by_others(metadata.mode())
                    && readable_by_others(plan.new_meta(&metadata).mode);
                let detail = if report.shows_content(public) {
                    describe_difference(target, Some(metadata.len()), &wanted)?
                } else {
                    redacted_difference(target, Some(metadata.len()), &wanted)?
                };
                report.detail(detail);
            }
            plan.describe(report);
            if report.apply() {
                atomic::write_file(target, &mut *wanted.reader()?, plan.new_meta(&metadata))?;
            }
            Ok(())
        }
        (None, _) if !create => missing_unmanaged(params, target),
        // A symlink where only the metadata is managed falls through to the
        // replacement below: refused without `force`, never followed (a
        // planted link must not hand the victim's mode or owner to us).
        (Some(metadata), Some(kind)) if !create && kind != Kind::Symlink => {
            if kind == Kind::Dir {
                return Err(ResourceError::failed(format!(
                    "{} is a directory; a directory's path ends in `/`",
                    target.display()
                )));
            }
            let plan = MetaPlan::new(
                &metadata,
                wanted_mode(params, metadata.mode(), false, None),
                owner,
            );
            if kind == Kind::File {
                plan.refuse_shared_inode(target, &metadata, params.force)?;
            }
            plan.apply(target, report)
        }
        (found, kind) => {
            if let Some(kind) = kind {
                require_force(params.force, target, kind, "file")?;
                let name = kind.name();
                report.change(format!("removed {name}"), format!("would remove {name}"));
                if kind == Kind::Dir && report.apply() {
                    atomic::remove(target, true, true)?;
                }
            }
            let base = source_mode.unwrap_or_else(|| atomic::default_mode(false));
            let mode = wanted_mode(params, base, false, source_mode).unwrap_or(base);
            let meta = NewMeta {
                mode,
                uid: owner.uid,
                gid: owner.gid,
                owner_best_effort: false,
            };
            let modes = format_mode(mode);
            let Some(wanted) = wanted else {
                report.change(
                    format!("created empty file (mode {modes})"),
                    format!("would create empty file (mode {modes})"),
                );
                if report.apply() {
                    if found.is_some() {
                        atomic::write_file(target, &mut io::empty(), meta)?;
                    } else {
                        atomic::create_empty_file(target, meta)?;
                    }
                }
                return Ok(());
            };
            let bytes = wanted.len();
            report.change(
                format!("created ({bytes} bytes, mode {modes})"),
                format!("would create ({bytes} bytes, mode {modes})"),
            );
            if report.apply() {
                atomic::write_file(target, &mut *wanted.reader()?, meta)?;
            } else if report.shows_content(readable_by_others(mode)) {
                report.detail(describe_difference(target, None, &wanted)?);
            } else {
                report.detail(redacted_difference(target, None, &wanted)?);
            }
            Ok(())
        }
    }
}

/// Only metadata is managed, and there is nothing to manage it on.
fn missing_unmanaged(params: &Params, target: &Path) -> Result<(), ResourceError> {
    if params.mode.is_none() && params.owner.is_none() && params.group.is_none() {
        return Ok(());
    }
    Err(ResourceError::failed(format!(
        "cannot set the mode or owner of {}: it does not exist (set `state` to `exists` to create it)",
        target.display()
    )))
}

fn source_dir_mode(source: &Path) -> Result<u32, ResourceError> {
    let metadata = fs::metadata(source)
        .map_err(|error| atomic::failed("cannot read source", source, error))?;
    if !metadata.is_dir() {
        return Err(ResourceError::failed(format!(
            "source {} is not a directory",
            source.display()
        )));
    }
    Ok(metadata.mode() & 0o7777)
}

/// Whether a file of `mode` may be read by others (`o+r`): if not, its
/// content stays out of noop diffs unless `--show-diff always`.
fn readable_by_others(mode: u32) -> bool {
    mode & 0o004 != 0
}
