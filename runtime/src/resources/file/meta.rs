//! Owner, group and mode of an existing path: what is wanted, how it
//! differs from what is there, and fixing it in place (owner before mode,
//! since `chown` may clear the set-id bits). A path that is being replaced
//! gets the same values on its temporary file instead ([`MetaPlan::new_meta`]).

use super::atomic::{self, NewMeta};
use super::mode::format_mode;
use super::owner::{group_label, resolve_group, resolve_user, user_label};
use super::params::Params;
use super::report::Report;
use crate::resource::ResourceError;
use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// The mode to enforce: `mode` resolved against `current`, else a copied
/// source's mode, else none (unmanaged).
pub fn wanted_mode(
    params: &Params,
    current: u32,
    is_dir: bool,
    source_mode: Option<u32>,
) -> Option<u32> {
    match &params.mode {
        Some((_, mode)) => Some(mode.resolve(current, is_dir)),
        None => source_mode,
    }
}

#[derive(Clone, Copy, Default)]
pub struct WantedOwner {
    pub uid: Option<u32>,
    pub gid: Option<u32>,
}

impl WantedOwner {
    pub fn resolve(params: &Params) -> Result<WantedOwner, ResourceError> {
        Ok(WantedOwner {
            uid: params.owner.as_deref().map(resolve_user).transpose()?,
            gid: params.group.as_deref().map(resolve_group).transpose()?,
        })
    }
}

/// The owner, group and mode changes an existing path needs: `(current,
/// wanted)` pairs.
pub struct MetaPlan {
    uid: Option<(u32, u32)>,
    gid: Option<(u32, u32)>,
    mode: Option<(u32, u32)>,
}

impl MetaPlan {
    pub fn new(metadata: &Metadata, mode: Option<u32>, owner: WantedOwner) -> MetaPlan {
        let differs = |current: u32, wanted: Option<u32>| {
            wanted
                .filter(|wanted| *wanted != current)
                .map(|wanted| (current, wanted))
        };
        MetaPlan {
            uid: differs(metadata.uid(), owner.uid),
            gid: differs(metadata.gid(), owner.gid),
            mode: differs(metadata.mode() & 0o7777, mode),
        }
    }

    pub fn describe(&self, report: &mut Report) {
        if let Some((current, wanted)) = self.uid {
            let shown = format!("owner {} -> {}", user_label(current), user_label(wanted));
            report.change(shown.clone(), format!("would change {shown}"));
        }
        if let Some((current, wanted)) = self.gid {
            let shown = format!("group {} -> {}", group_label(current), group_label(wanted));
            report.change(shown.clone(), format!("would change {shown}"));
        }
        if let Some((current, wanted)) = self.mode {
            let shown = format!("mode {} -> {}", format_mode(current), format_mode(wanted));
            report.change(shown.clone(), format!("would change {shown}"));
        }
    }

    /// What a replacement inode gets: the wanted values, else the current
    /// ones (kept on a best-effort basis for the owner).
    pub fn new_meta(&self, metadata: &Metadata) -> NewMeta {
        NewMeta {
            mode: self
                .mode
                .map_or(metadata.mode() & 0o7777, |(_, wanted)| wanted),
            uid: Some(self.uid.map_or(metadata.uid(), |(_, wanted)| wanted)),
            gid: Some(self.gid.map_or(metadata.gid(), |(_, wanted)| wanted)),
            owner_best_effort: self.uid.is_none() && self.gid.is_none(),
        }
    }

    /// Whether the plan changes anything.
    fn changes(&self) -> bool {
        self.uid.is_some() || self.gid.is_some() || self.mode.is_some()
    }

    /// Refuses to change in place a file with other hard links in a
    /// directory others can write (sticky `/tmp`, another user's home):
    /// every link shares the inode, so one planted there to a file its
    /// planter cannot touch would hand that file's mode or owner to us.
    /// Linux's `fs.protected_hardlinks=1` (Debian's default) stops such
    /// links being made to others' files; this covers hosts without it.
    /// Content is never at risk: it is replaced by a new inode.
    pub fn refuse_shared_inode(
        &self,
        target: &Path,
        metadata: &Metadata,
        force: bool,
    ) -> Result<(), ResourceError> {
        if force || !self.changes() || metadata.nlink() < 2 {
            return Ok(());
        }
        let Some(parent) = target.parent().and_then(|parent| parent.metadata().ok()) else {
            return Ok(());
        };
        let others_write =
            parent.mode() & 0o002 != 0 || parent.uid() != nix::unistd::Uid::effective().as_raw();
        if !others_write {
            return Ok(());
        }
        Err(ResourceError::failed(format!(
            "{} has {} hard links and its directory can be written by others: changing              its mode or owner in place would change every link, and one may have been              planted there to another file; set `force => true` to change it anyway",
            target.display(),
            metadata.nlink()
        )))
    }

    /// Fixes the path in place, never through a symlink at `target` (see
    /// [`atomic::open_nofollow`]).
    pub fn apply(&self, target: &Path, report: &mut Report) -> Result<(), ResourceError> {
        self.describe(report);
        if !report.apply() {
            return Ok(());
        }
        if self.uid.is_some() || self.gid.is_some() {
            atomic::chown(
                target,
                self.uid.map(|(_, uid)| uid),
                self.gid.map(|(_, gid)| gid),
            )?;
        }
        // After chown, which may have cleared set-id bits.
        if let Some((_, mode)) = self.mode {
            atomic::chmod(target, mode)?;
        }
        Ok(())
    }
}
