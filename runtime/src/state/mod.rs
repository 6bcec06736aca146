//! Resource state that must survive a restart of the agent: when an exec
//! with `mtimes` last ran, and what a `Meta:reverse` resource found before
//! it first changed anything.
//!
//! One JSON file per entry, `DIR/<section>/<digest>.json`, where the digest
//! is of the entry's key (a resource id such as `file[/etc/motd]`, which may
//! hold any character) and the file also holds the key itself, so that a
//! section can be listed. Each file is replaced atomically (temporary,
//! fsync, rename, fsync of the directory) and created 0600: a crash leaves
//! the old entry or the new one, never half of one. Directories are made
//! only when something is first saved, so programs that need no state leave
//! nothing behind.
//!
//! Without a directory ([`StateDir::in_memory`], engines in tests), nothing
//! is kept beyond the resource objects themselves.

pub mod reversal;

use crate::resources::file::{write_file, NewMeta};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tracing::warn;

/// Where an engine keeps the state of its resources; cloning shares it.
#[derive(Clone, Debug, Default)]
pub struct StateDir {
    dir: Option<Arc<PathBuf>>,
}

/// What one entry's file holds.
#[derive(Serialize, Deserialize)]
struct Entry {
    key: String,
    value: Json,
}

impl StateDir {
    /// State kept under `dir` (the agent's `--prefix`/state).
    pub fn at(dir: PathBuf) -> StateDir {
        StateDir {
            dir: Some(Arc::new(dir)),
        }
    }

    /// No state kept across restarts.
    pub fn in_memory() -> StateDir {
        StateDir::default()
    }

    fn section_dir(&self, section: &str) -> Option<PathBuf> {
        Some(self.dir.as_ref()?.join(section))
    }

    fn entry_path(&self, section: &str, key: &str) -> Option<PathBuf> {
        let digest = Sha256::digest(key.as_bytes());
        let name: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        Some(self.section_dir(section)?.join(format!("{name}.json")))
    }

    /// The value saved for `key`, if any. An unreadable or malformed entry
    /// is reported and treated as missing (it is overwritten on next save).
    pub fn load<T: DeserializeOwned>(&self, section: &str, key: &str) -> Option<T> {
        let path = self.entry_path(section, key)?;
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return None,
            Err(error) => {
                warn!(
                    "{key}: cannot read its saved state {}: {error}",
                    path.display()
                );
                return None;
            }
        };
        match parse(&bytes) {
            Some((saved, value)) if saved == key => Some(value),
            _ => {
                warn!("{key}: ignoring malformed saved state {}", path.display());
                None
            }
        }
    }

    /// Saves `value` for `key`, replacing what was there. Returns why not.
    pub fn save<T: Serialize>(&self, section: &str, key: &str, value: &T) -> Result<(), String> {
        let Some(path) = self.entry_path(section, key) else {
            return Ok(());
        };
        let entry = Entry {
            key: key.to_owned(),
            value: serde_json::to_value(value).map_err(|error| error.to_string())?,
        };
        let bytes = serde_json::to_vec_pretty(&entry).map_err(|error| error.to_string())?;
        let dir = path.parent().unwrap_or(Path::new("/"));
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|error| format!("cannot create state directory {}: {error}", dir.display()))?;
        let meta = NewMeta {
            mode: 0o600,
            uid: None,
            gid: None,
            owner_best_effort: true,
        };
        write_file(&path, &mut bytes.as_slice(), meta)
            .map(drop)
            .map_err(|error| format!("cannot save state: {error}"))
    }

    /// Forgets `key`.
    pub fn remove(&self, section: &str, key: &str) {
        let Some(path) = self.entry_path(section, key) else {
            return;
        };
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => warn!(
                "{key}: cannot remove saved state {}: {error}",
                path.display()
            ),
        }
    }

    /// Every `(key, value)` saved in `section`, in key order; entries that
    /// do not parse as `T` are reported and left out.
    pub fn entries<T: DeserializeOwned>(&self, section: &str) -> Vec<(String, T)> {
        let Some(dir) = self.section_dir(section) else {
            return Vec::new();
        };
        let Ok(listing) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut entries: Vec<(String, T)> = listing
            .flatten()
            .filter(|entry| entry.file_name().to_string_lossy().ends_with(".json"))
            .filter_map(|entry| {
                let parsed = std::fs::read(entry.path()).ok().and_then(|b| parse(&b));
                if parsed.is_none() {
                    warn!("ignoring malformed saved state {}", entry.path().display());
                }
                parsed
            })
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries
    }
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Option<(String, T)> {
    let entry: Entry = serde_json::from_slice(bytes).ok()?;
    Some((entry.key, serde_json::from_value(entry.value).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn saves_loads_lists_and_removes() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::at(dir.path().join("state"));
        assert_eq!(state.load::<u64>("exec", "exec[a]"), None);
        assert!(
            !dir.path().join("state").exists(),
            "nothing made before a save"
        );
        state.save("exec", "exec[a]", &7u64).unwrap();
        state.save("exec", "exec[b/../c d]", &9u64).unwrap();
        state.save("exec", "exec[a]", &8u64).unwrap();
        assert_eq!(state.load::<u64>("exec", "exec[a]"), Some(8));
        assert_eq!(
            state.entries::<u64>("exec"),
            vec![("exec[a]".to_owned(), 8), ("exec[b/../c d]".to_owned(), 9)]
        );
        let files: Vec<_> = std::fs::read_dir(dir.path().join("state/exec"))
            .unwrap()
            .flatten()
            .collect();
        assert_eq!(files.len(), 2, "one file per entry, no temporaries left");
        let mode = files[0].metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        state.remove("exec", "exec[a]");
        state.remove("exec", "exec[a]");
        assert_eq!(state.load::<u64>("exec", "exec[a]"), None);
    }

    #[test]
    fn a_malformed_entry_is_missing_and_in_memory_keeps_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::at(dir.path().to_owned());
        state.save("exec", "exec[a]", &1u64).unwrap();
        let path = state.entry_path("exec", "exec[a]").unwrap();
        std::fs::write(&path, "{half").unwrap();
        assert_eq!(state.load::<u64>("exec", "exec[a]"), None);
        assert!(state.entries::<u64>("exec").is_empty());
        let memory = StateDir::in_memory();
        memory.save("exec", "exec[a]", &1u64).unwrap();
        assert_eq!(memory.load::<u64>("exec", "exec[a]"), None);
    }
}
