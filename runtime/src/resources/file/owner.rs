//! `owner` and `group`: a name or a numeric id, resolved through the
//! system's user and group databases (`/etc/passwd`, `/etc/group` and
//! whatever else NSS is configured with).
//!
//! Names are resolved at check time, not at validation, because a `user`
//! or `group` resource earlier in the graph may create them.

use crate::resource::ResourceError;
use nix::unistd::{Gid, Group, Uid, User};

/// The uid `owner` names.
pub fn resolve_user(owner: &str) -> Result<u32, ResourceError> {
    let owner = owner.trim();
    if let Ok(uid) = owner.parse::<u32>() {
        return Ok(uid);
    }
    match User::from_name(owner) {
        Ok(Some(user)) => Ok(user.uid.as_raw()),
        Ok(None) => Err(ResourceError::failed(format!(
            "owner `{owner}`: no such user"
        ))),
        Err(error) => Err(ResourceError::failed(format!(
            "owner `{owner}`: cannot look it up: {error}"
        ))),
    }
}

/// The gid `group` names.
pub fn resolve_group(group: &str) -> Result<u32, ResourceError> {
    let group = group.trim();
    if let Ok(gid) = group.parse::<u32>() {
        return Ok(gid);
    }
    match Group::from_name(group) {
        Ok(Some(entry)) => Ok(entry.gid.as_raw()),
        Ok(None) => Err(ResourceError::failed(format!(
            "group `{group}`: no such group"
        ))),
        Err(error) => Err(ResourceError::failed(format!(
            "group `{group}`: cannot look it up: {error}"
        ))),
    }
}

/// `alice` or `1234` for messages.
pub fn user_label(uid: u32) -> String {
    match User::from_uid(Uid::from_raw(uid)) {
        Ok(Some(user)) => user.name,
        _ => uid.to_string(),
    }
}

/// `staff` or `1234` for messages.
pub fn group_label(gid: u32) -> String {
    match Group::from_gid(Gid::from_raw(gid)) {
        Ok(Some(group)) => group.name,
        _ => gid.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names() {
        assert_eq!(resolve_user("0").unwrap(), 0);
        assert_eq!(resolve_user("4242").unwrap(), 4242);
        assert_eq!(resolve_user("root").unwrap(), 0);
        assert_eq!(resolve_group("0").unwrap(), 0);
        assert_eq!(resolve_group("root").unwrap(), 0);
        assert_eq!(user_label(0), "root");
        assert_eq!(group_label(0), "root");
        assert_eq!(user_label(4_000_000), "4000000");
    }

    #[test]
    fn unknown_names_fail_clearly() {
        let error = resolve_user("no-such-user-mgmt").unwrap_err();
        assert_eq!(
            error,
            ResourceError::failed("owner `no-such-user-mgmt`: no such user")
        );
        assert!(resolve_group("no-such-group-mgmt")
            .unwrap_err()
            .to_string()
            .contains("no such group"));
    }
}
