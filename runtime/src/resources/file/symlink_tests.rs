//! A symlink planted where a file or directory is managed: every operation
//! (mode, owner, content, directory, removal) refuses it without `force`,
//! replaces the link itself with `force`, and never touches what it points
//! to.

use super::check::check_apply;
use super::params::Params;
use super::report::Report;
use crate::spec::ResourceSpec;
use serde_json::Value as Json;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

fn run(name: &Path, dir: bool, params: &[(&str, Json)]) -> Result<(), String> {
    let params = params
        .iter()
        .map(|(key, value)| (key.to_string(), value.clone()))
        .collect();
    let mut name = name.display().to_string();
    if dir {
        name.push('/');
    }
    let spec = ResourceSpec::new("file", name, params, "");
    let params = Params::from_spec(&spec).map_err(|error| error.to_string())?;
    check_apply(&params, &mut Report::new(true)).map_err(|error| error.to_string())
}

/// A victim 0600 file and a link to it at `link`.
fn plant(root: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let victim = root.join("victim");
    fs::write(&victim, "secret").unwrap();
    fs::set_permissions(&victim, fs::Permissions::from_mode(0o600)).unwrap();
    let link = root.join("link");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    (victim, link)
}

fn assert_victim_untouched(victim: &Path, uid: u32) {
    let metadata = fs::metadata(victim).unwrap();
    assert_eq!(metadata.mode() & 0o7777, 0o600);
    assert_eq!(metadata.uid(), uid);
    assert_eq!(fs::read(victim).unwrap(), b"secret");
}

/// What is managed, whether the path is a directory, and the params.
type Case = (&'static str, bool, Vec<(&'static str, Json)>);

fn cases() -> Vec<Case> {
    let me = nix::unistd::getuid().as_raw().to_string();
    vec![
        ("mode", false, vec![("mode", Json::from("0666"))]),
        ("owner", false, vec![("owner", Json::from(me))]),
        ("content", false, vec![("content", Json::from("x"))]),
        (
            "directory",
            true,
            vec![
                ("state", Json::from("exists")),
                ("mode", Json::from("0755")),
            ],
        ),
        ("absent", false, vec![("state", Json::from("absent"))]),
    ]
}

#[test]
fn planted_symlinks_are_refused_without_force() {
    let uid = nix::unistd::getuid().as_raw();
    for (what, dir, params) in cases() {
        let root = tempfile::tempdir().unwrap();
        let (victim, link) = plant(root.path());
        let result = run(&link, dir, &params);
        if what == "absent" {
            // Removing a symlink removes the link, as `rm` does.
            assert_eq!(result, Ok(()), "{what}");
            assert!(fs::symlink_metadata(&link).is_err(), "{what}");
        } else {
            let error = result.expect_err(what);
            assert!(
                error.contains(&link.display().to_string()) && error.contains("force => true"),
                "{what}: {error}"
            );
            assert!(fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink());
        }
        assert_victim_untouched(&victim, uid);
    }
}

#[test]
fn with_force_the_link_itself_is_replaced() {
    let uid = nix::unistd::getuid().as_raw();
    for (what, dir, mut params) in cases() {
        let root = tempfile::tempdir().unwrap();
        let (victim, link) = plant(root.path());
        params.push(("force", Json::from(true)));
        run(&link, dir, &params).unwrap_or_else(|error| panic!("{what}: {error}"));
        if what != "absent" {
            let kind = fs::symlink_metadata(&link).unwrap().file_type();
            assert!(!kind.is_symlink(), "{what}");
            assert_eq!(kind.is_dir(), dir, "{what}");
        }
        assert_victim_untouched(&victim, uid);
    }
}
