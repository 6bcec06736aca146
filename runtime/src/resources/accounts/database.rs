//! The local account databases as the shadow tools write them:
//! `/etc/passwd` (name, uid, primary gid, home, shell) and `/etc/group`
//! (name, gid, members), parsed line by line. Nothing here writes them;
//! changes go through the tools (see `tools.rs`).
//!
//! Only the local files are read, not NSS: the tools manage these files,
//! and an account that only LDAP knows is not one they could change.

use crate::resource::ResourceError;
use std::path::Path;

pub const PASSWD: &str = "/etc/passwd";
pub const GROUP: &str = "/etc/group";
/// Rewritten (by rename) whenever an account is added or removed.
pub const SHADOW: &str = "/etc/shadow";
pub const GSHADOW: &str = "/etc/gshadow";

/// One line of `/etc/passwd`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserEntry {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: String,
    pub shell: String,
}

/// One line of `/etc/group`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupEntry {
    pub name: String,
    pub gid: u32,
    pub members: Vec<String>,
}

/// Both databases, read at one check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Accounts {
    pub users: Vec<UserEntry>,
    pub groups: Vec<GroupEntry>,
}

impl Accounts {
    /// Reads `/etc/passwd` and `/etc/group`.
    pub fn read() -> Result<Accounts, ResourceError> {
        Ok(Accounts {
            users: parse_passwd(&read(PASSWD)?).map_err(|problem| located(PASSWD, problem))?,
            groups: parse_group(&read(GROUP)?).map_err(|problem| located(GROUP, problem))?,
        })
    }

    pub fn user(&self, name: &str) -> Option<&UserEntry> {
        self.users.iter().find(|user| user.name == name)
    }

    pub fn group(&self, name: &str) -> Option<&GroupEntry> {
        self.groups.iter().find(|group| group.name == name)
    }

    /// The groups that list `user` as a member (its supplementary groups),
    /// sorted.
    pub fn memberships(&self, user: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .groups
            .iter()
            .filter(|group| group.members.iter().any(|member| member == user))
            .map(|group| group.name.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// `staff` for gid 50, or the number when no group has it.
    pub fn group_label(&self, gid: u32) -> String {
        self.groups
            .iter()
            .find(|group| group.gid == gid)
            .map_or_else(|| gid.to_string(), |group| group.name.clone())
    }
}

fn read(path: &str) -> Result<String, ResourceError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        // A host without the file has no local accounts of that kind yet.
        Err(problem) if problem.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(problem) => Err(ResourceError::failed(format!(
            "cannot read {path}: {problem}"
        ))),
    }
}

fn located(path: &str, problem: String) -> ResourceError {
    ResourceError::failed(format!("{}: {problem}", Path::new(path).display()))
}

/// The lines that hold entries: not blank, not comments, and not the NIS
/// `+`/`-` inclusions (which name no local account), with their numbers.
fn entries(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line))
        .filter(|(_, line)| {
            let line = line.trim();
            !line.is_empty() && !line.starts_with('#') && !line.starts_with(['+', '-'])
        })
}

fn number(field: &str, what: &str, line: usize) -> Result<u32, String> {
    field
        .parse::<u32>()
        .map_err(|_| format!("line {line}: the {what} `{field}` is not a number"))
}

/// `name:password:uid:gid:gecos:home:shell` lines.
pub fn parse_passwd(text: &str) -> Result<Vec<UserEntry>, String> {
    entries(text)
        .map(|(line, entry)| {
            let fields: Vec<&str> = entry.split(':').collect();
            if fields.len() != 7 {
                return Err(format!(
                    "line {line}: {} fields where a passwd entry has 7",
                    fields.len()
                ));
            }
            Ok(UserEntry {
                name: fields[0].to_owned(),
                uid: number(fields[2], "uid", line)?,
                gid: number(fields[3], "gid", line)?,
                home: fields[5].to_owned(),
                shell: fields[6].to_owned(),
            })
        })
        .collect()
}

/// `name:password:gid:member,member` lines.
pub fn parse_group(text: &str) -> Result<Vec<GroupEntry>, String> {
    entries(text)
        .map(|(line, entry)| {
            let fields: Vec<&str> = entry.split(':').collect();
            if fields.len() != 4 {
                return Err(format!(
                    "line {line}: {} fields where a group entry has 4",
                    fields.len()
                ));
            }
            Ok(GroupEntry {
                name: fields[0].to_owned(),
                gid: number(fields[2], "gid", line)?,
                members: fields[3]
                    .split(',')
                    .map(str::trim)
                    .filter(|member| !member.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_entries_are_read_and_noise_skipped() {
        let text = "root:x:0:0:root:/root:/bin/bash\n\
                    \n\
                    # a comment\n\
                    alice:x:1234:50:Alice,,,:/home/alice:/bin/sh\n\
                    +@netgroup::::::\n\
                    nobody:x:65534:65534:nobody:/nonexistent:\n";
        let users = parse_passwd(text).unwrap();
        assert_eq!(users.len(), 3);
        assert_eq!(
            users[1],
            UserEntry {
                name: "alice".to_owned(),
                uid: 1234,
                gid: 50,
                home: "/home/alice".to_owned(),
                shell: "/bin/sh".to_owned(),
            }
        );
        assert_eq!(users[2].shell, "");
    }

    #[test]
    fn malformed_passwd_lines_are_errors_with_their_line() {
        assert_eq!(
            parse_passwd("root:x:0:0:root:/root:/bin/bash\nbroken:x:1\n"),
            Err("line 2: 3 fields where a passwd entry has 7".to_owned())
        );
        assert_eq!(
            parse_passwd("bob:x:one:0::/home/bob:/bin/sh\n"),
            Err("line 1: the uid `one` is not a number".to_owned())
        );
    }

    #[test]
    fn group_entries_and_memberships() {
        let text = "root:x:0:\nstaff:x:50:alice,bob\nwheel:x:10: bob , alice\nempty:x:60:\n";
        let accounts = Accounts {
            users: Vec::new(),
            groups: parse_group(text).unwrap(),
        };
        assert_eq!(
            accounts.group("staff").map(|group| &group.members),
            Some(&vec!["alice".to_owned(), "bob".to_owned()])
        );
        assert_eq!(accounts.group("empty").map(|group| group.gid), Some(60));
        assert_eq!(accounts.memberships("alice"), ["staff", "wheel"]);
        assert!(accounts.memberships("carol").is_empty());
        assert_eq!(accounts.group_label(50), "staff");
        assert_eq!(accounts.group_label(999), "999");
        assert_eq!(
            parse_group("staff:x:50\n"),
            Err("line 1: 3 fields where a group entry has 4".to_owned())
        );
        assert_eq!(
            parse_group("staff:x:-5:\n"),
            Err("line 1: the gid `-5` is not a number".to_owned())
        );
    }
}
