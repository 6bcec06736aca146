//! `user` and `group`: local accounts.
//!
//! Autoedges: a group provides `group:<name>` (and `gid:<gid>` when it sets
//! one); a user provides `user:<name>` (and `uid:<uid>`) and depends on the
//! groups that manage its primary group (`group` or `gid`) and its
//! supplementary `groups`. The files and commands that name an owner or a
//! group depend on them through [`user_need`] and [`group_need`].

use super::{
    account, basic_schema, boolean, integer, one_of, param_str, string, strings, IntWidth,
};
use mcl_compiler::graph::Resource;
use mcl_compiler::schema::{Autoedges, Need, ResourceSchema};
use mcl_compiler::value::Value;

/// `$const.res.user.state.*` and `$const.res.group.state.*`.
pub const STATES: &[&str] = &["exists", "absent"];

pub fn user() -> ResourceSchema {
    let mut schema = basic_schema(
        "user",
        vec![
            one_of("state", STATES),
            integer("uid", IntWidth::U32),
            // The primary group, by number or by name (not both).
            integer("gid", IntWidth::U32),
            account("group"),
            // Supplementary groups.
            strings("groups"),
            string("homedir"),
            string("shell"),
            boolean("allowduplicateuid"),
        ],
    );
    schema.autoedges = Some(user_autoedges);
    schema
}

pub fn group() -> ResourceSchema {
    let mut schema = basic_schema(
        "group",
        vec![one_of("state", STATES), integer("gid", IntWidth::U32)],
    );
    schema.autoedges = Some(group_autoedges);
    schema
}

/// What depends on the account named by a file's `owner` (a name or a uid).
pub(crate) fn user_need(owner: &str) -> Need {
    let owner = owner.trim();
    match owner.parse::<u32>() {
        Ok(uid) => Need::Name(format!("uid:{uid}")),
        Err(_) => Need::Name(format!("user:{owner}")),
    }
}

/// What depends on the group named by a file's `group` (a name or a gid).
pub(crate) fn group_need(group: &str) -> Need {
    let group = group.trim();
    match group.parse::<u32>() {
        Ok(gid) => Need::Name(format!("gid:{gid}")),
        Err(_) => Need::Name(format!("group:{group}")),
    }
}

fn integer_param(resource: &Resource, field: &str) -> Option<i64> {
    resource.params.get(field).and_then(Value::as_int)
}

fn user_autoedges(resource: &Resource) -> Autoedges {
    let mut provides = vec![format!("user:{}", resource.name)];
    if let Some(uid) = integer_param(resource, "uid") {
        provides.push(format!("uid:{uid}"));
    }
    let mut needs = Vec::new();
    if let Some(group) = param_str(resource, "group") {
        needs.push(group_need(group));
    }
    if let Some(gid) = integer_param(resource, "gid") {
        needs.push(Need::Name(format!("gid:{gid}")));
    }
    if let Some(groups) = resource.params.get("groups").and_then(Value::as_list) {
        needs.extend(groups.iter().filter_map(Value::as_str).map(group_need));
    }
    Autoedges { provides, needs }
}

fn group_autoedges(resource: &Resource) -> Autoedges {
    let mut provides = vec![format!("group:{}", resource.name)];
    if let Some(gid) = integer_param(resource, "gid") {
        provides.push(format!("gid:{gid}"));
    }
    Autoedges {
        provides,
        needs: Vec::new(),
    }
}
