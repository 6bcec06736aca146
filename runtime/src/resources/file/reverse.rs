//! `Meta:reverse`: remember what a path was before the first change, so that
//! when the resource leaves the graph the path can be put back.

use crate::spec::{Fields, ResourceSpec};
use serde_json::Value as Json;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Contents larger than this are not remembered (nor restored).
const MAX_REMEMBERED_BYTES: u64 = 1 << 20;

/// A file resource that restores `path` as it is now: absent, or a file with
/// its current content and mode, or a directory with its mode. `None` when
/// the current state cannot be restored faithfully (a symlink, a special
/// file, a large or binary file).
pub(super) fn capture(path: &Path, location: &str) -> Option<ResourceSpec> {
    let mut params = Fields::default();
    let name = path.to_string_lossy().into_owned();
    match std::fs::symlink_metadata(path) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            params.insert("state".to_owned(), Json::from("absent"));
        }
        Err(_) => return None,
        Ok(meta) if meta.is_file() && meta.len() <= MAX_REMEMBERED_BYTES => {
            // Not through a symlink swapped in since the lstat above.
            let content = String::from_utf8(super::atomic::read_nofollow(path).ok()?).ok()?;
            params.insert("state".to_owned(), Json::from("exists"));
            params.insert("content".to_owned(), Json::from(content));
            params.insert(
                "mode".to_owned(),
                Json::from(format!("{:04o}", meta.permissions().mode() & 0o7777)),
            );
        }
        Ok(meta) if meta.is_dir() => {
            params.insert("state".to_owned(), Json::from("exists"));
            params.insert(
                "mode".to_owned(),
                Json::from(format!("{:04o}", meta.permissions().mode() & 0o7777)),
            );
            return Some(ResourceSpec::new(
                "file",
                format!("{name}/"),
                params,
                format!("reversal of {location}"),
            ));
        }
        Ok(_) => return None,
    }
    Some(ResourceSpec::new(
        "file",
        name,
        params,
        format!("reversal of {location}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_absence_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let missing = capture(&dir.path().join("missing"), "main.mcl:1:1").unwrap();
        assert_eq!(missing.params["state"], "absent");
        let file = dir.path().join("file");
        std::fs::write(&file, "old").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let spec = capture(&file, "main.mcl:1:1").unwrap();
        assert_eq!(spec.params["content"], "old");
        assert_eq!(spec.params["mode"], "0600");
    }
}
