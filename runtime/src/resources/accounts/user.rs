//! `user`: a local account kept as wanted through `useradd`, `usermod` and
//! `userdel`.
//!
//! Only the fields a program gives are managed: a user without `shell`
//! keeps whatever shell it has. `groups` is the exact list of
//! supplementary groups (`usermod -G` replaces the list). The home
//! directory is recorded, not created or moved (a `file` resource makes
//! it, after the user through the owner autoedge). Removing a user keeps
//! its home and its primary group (`userdel` without `-r`).

use super::database::{Accounts, UserEntry};
use super::{check_name, check_path, id, names, state, text, tools, watch, State};
use crate::kind::ResourceKind;
use crate::resource::{ApplyContext, Outcome, Resource, ResourceError, WatchEvents, WatchGuard};
use crate::resources::file::FileWatcher;
use crate::schemas::user;
use crate::services::Services;
use crate::spec::ResourceSpec;
use mcl_compiler::schema::ResourceSchema;

/// The `user` kind.
pub struct Kind;

impl ResourceKind for Kind {
    fn schema(&self) -> ResourceSchema {
        user::user()
    }

    fn build(
        &self,
        spec: &ResourceSpec,
        services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        let primary = match (id(spec, "gid")?, text(spec, "group")?) {
            (Some(_), Some(_)) => {
                return Err(ResourceError::invalid(
                    "`gid` and `group` both name the primary group: give one of them",
                ))
            }
            (Some(gid), None) => Some(Primary::Gid(gid)),
            (None, Some(name)) => Some(Primary::Name(name)),
            (None, None) => None,
        };
        let allow_duplicate_uid = spec
            .params
            .get("allowduplicateuid")
            .and_then(|value| value.as_bool())
            == Some(true);
        Ok(Box::new(User {
            wanted: Wanted {
                name: spec.name.clone(),
                state: state(spec)?,
                uid: id(spec, "uid")?,
                primary,
                groups: names(spec, "groups")?.map(|mut groups| {
                    groups.sort();
                    groups.dedup();
                    groups
                }),
                homedir: text(spec, "homedir")?,
                shell: text(spec, "shell")?,
                allow_duplicate_uid,
            },
            files: services.files.clone(),
        }))
    }
}

/// The primary group, as the program names it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Primary {
    Gid(u32),
    Name(String),
}

/// The account as the program wants it; `None` fields are not managed.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Wanted {
    name: String,
    state: State,
    uid: Option<u32>,
    primary: Option<Primary>,
    /// Sorted, without repeats.
    groups: Option<Vec<String>>,
    homedir: Option<String>,
    shell: Option<String>,
    allow_duplicate_uid: bool,
}

pub struct User {
    wanted: Wanted,
    files: FileWatcher,
}

/// The one command a check found needed, and what it changes.
#[derive(Debug, PartialEq, Eq)]
struct Plan {
    argv: Vec<String>,
    says: String,
}

impl Resource for User {
    fn validate(&self) -> Result<(), ResourceError> {
        let wanted = &self.wanted;
        check_name("user", &wanted.name)?;
        if let Some(Primary::Name(group)) = &wanted.primary {
            check_name("group", group)?;
        }
        for group in wanted.groups.iter().flatten() {
            check_name("group", group)?;
        }
        if let Some(homedir) = &wanted.homedir {
            check_path("homedir", homedir)?;
        }
        if let Some(shell) = &wanted.shell {
            check_path("shell", shell)?;
        }
        if wanted.allow_duplicate_uid && wanted.uid.is_none() {
            return Err(ResourceError::invalid(
                "`allowduplicateuid` needs a `uid` to allow",
            ));
        }
        Ok(())
    }

    fn brief(&self) -> bool {
        // Runs the shadow tools.
        false
    }

    fn watch(&self, events: WatchEvents) -> Result<Option<WatchGuard>, ResourceError> {
        watch(&self.files, events)
    }

    fn check_apply(&mut self, context: ApplyContext) -> Result<Outcome, ResourceError> {
        let accounts = Accounts::read()?;
        let Some(plan) = self.wanted.plan(&accounts) else {
            return Ok(Outcome::Correct);
        };
        if !context.apply {
            return Ok(Outcome::WouldChange(format!(
                "{} (`{}`)",
                plan.says,
                tools::shown(&plan.argv)
            )));
        }
        tools::run(&plan.argv)?;
        Ok(Outcome::Changed(plan.says))
    }
}

fn words(words: &[&str]) -> Vec<String> {
    words.iter().map(|word| (*word).to_owned()).collect()
}

impl Wanted {
    /// What must run for `accounts` to hold this account as wanted.
    fn plan(&self, accounts: &Accounts) -> Option<Plan> {
        match (self.state, accounts.user(&self.name)) {
            (State::Absent, None) => None,
            (State::Absent, Some(_)) => Some(Plan {
                argv: words(&["userdel", &self.name]),
                says: "removed".to_owned(),
            }),
            (State::Exists, None) => Some(self.creation()),
            (State::Exists, Some(current)) => self.modification(accounts, current),
        }
    }

    fn uid_options(&self, argv: &mut Vec<String>, uid: u32) {
        argv.extend(words(&["-u", &uid.to_string()]));
        if self.allow_duplicate_uid {
            argv.push("-o".to_owned());
        }
    }

    fn creation(&self) -> Plan {
        let mut argv = words(&["useradd"]);
        let mut said = Vec::new();
        if let Some(uid) = self.uid {
            self.uid_options(&mut argv, uid);
            said.push(format!("uid {uid}"));
        }
        if let Some(primary) = &self.primary {
            let group = match primary {
                Primary::Gid(gid) => gid.to_string(),
                Primary::Name(name) => name.clone(),
            };
            said.push(format!("group {group}"));
            argv.extend(["-g".to_owned(), group]);
        }
        if let Some(groups) = &self.groups {
            argv.extend(["-G".to_owned(), groups.join(",")]);
            said.push(format!("groups [{}]", groups.join(", ")));
        }
        if let Some(homedir) = &self.homedir {
            argv.extend(["-d".to_owned(), homedir.clone()]);
            said.push(format!("home {homedir}"));
        }
        if let Some(shell) = &self.shell {
            argv.extend(["-s".to_owned(), shell.clone()]);
            said.push(format!("shell {shell}"));
        }
        argv.push(self.name.clone());
        let says = if said.is_empty() {
            "created".to_owned()
        } else {
            format!("created ({})", said.join(", "))
        };
        Plan { argv, says }
    }

    fn modification(&self, accounts: &Accounts, current: &UserEntry) -> Option<Plan> {
        let mut argv = words(&["usermod"]);
        let mut said = Vec::new();
        if let Some(uid) = self.uid.filter(|uid| *uid != current.uid) {
            self.uid_options(&mut argv, uid);
            said.push(format!("uid {} -> {uid}", current.uid));
        }
        let primary = match &self.primary {
            Some(Primary::Gid(gid)) => (*gid != current.gid).then(|| gid.to_string()),
            // A group that does not exist yet differs from any: usermod
            // then says that it does not exist.
            Some(Primary::Name(name)) => {
                let gid = accounts.group(name).map(|group| group.gid);
                (gid != Some(current.gid)).then(|| name.clone())
            }
            None => None,
        };
        if let Some(group) = primary {
            said.push(format!(
                "group {} -> {group}",
                accounts.group_label(current.gid)
            ));
            argv.extend(["-g".to_owned(), group]);
        }
        if let Some(groups) = &self.groups {
            let now = accounts.memberships(&self.name);
            if &now != groups {
                argv.extend(["-G".to_owned(), groups.join(",")]);
                said.push(format!(
                    "groups [{}] -> [{}]",
                    now.join(", "),
                    groups.join(", ")
                ));
            }
        }
        if let Some(homedir) = self.homedir.as_ref().filter(|home| **home != current.home) {
            argv.extend(["-d".to_owned(), homedir.clone()]);
            said.push(format!("home {} -> {homedir}", current.home));
        }
        if let Some(shell) = self.shell.as_ref().filter(|shell| **shell != current.shell) {
            argv.extend(["-s".to_owned(), shell.clone()]);
            said.push(format!("shell {} -> {shell}", current.shell));
        }
        if said.is_empty() {
            return None;
        }
        argv.push(self.name.clone());
        Some(Plan {
            argv,
            says: said.join(", "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::database::{parse_group, parse_passwd};
    use super::*;

    fn accounts() -> Accounts {
        Accounts {
            users: parse_passwd(
                "root:x:0:0:root:/root:/bin/bash\n\
                 alice:x:1234:50::/home/alice:/bin/sh\n",
            )
            .unwrap(),
            groups: parse_group("root:x:0:\nstaff:x:50:\nadmins:x:60:alice\ndev:x:70:\n").unwrap(),
        }
    }

    fn wanted() -> Wanted {
        Wanted {
            name: "alice".to_owned(),
            state: State::Exists,
            uid: None,
            primary: None,
            groups: None,
            homedir: None,
            shell: None,
            allow_duplicate_uid: false,
        }
    }

    #[test]
    fn a_missing_user_is_created_with_every_given_field() {
        let carol = Wanted {
            name: "carol".to_owned(),
            uid: Some(2000),
            primary: Some(Primary::Name("staff".to_owned())),
            groups: Some(vec!["admins".to_owned(), "dev".to_owned()]),
            homedir: Some("/srv/carol".to_owned()),
            shell: Some("/bin/bash".to_owned()),
            allow_duplicate_uid: true,
            ..wanted()
        };
        let plan = carol.plan(&accounts()).unwrap();
        assert_eq!(
            tools::shown(&plan.argv),
            "useradd -u 2000 -o -g staff -G admins,dev -d /srv/carol -s /bin/bash carol"
        );
        assert_eq!(
            plan.says,
            "created (uid 2000, group staff, groups [admins, dev], home /srv/carol, shell /bin/bash)"
        );
    }

    #[test]
    fn only_the_fields_that_differ_are_modified() {
        let same = Wanted {
            uid: Some(1234),
            primary: Some(Primary::Gid(50)),
            groups: Some(vec!["admins".to_owned()]),
            homedir: Some("/home/alice".to_owned()),
            shell: Some("/bin/sh".to_owned()),
            ..wanted()
        };
        assert_eq!(same.plan(&accounts()), None);
        assert_eq!(wanted().plan(&accounts()), None, "nothing managed");
        let changed = Wanted {
            primary: Some(Primary::Name("dev".to_owned())),
            groups: Some(Vec::new()),
            shell: Some("/bin/bash".to_owned()),
            ..same
        };
        let plan = changed.plan(&accounts()).unwrap();
        assert_eq!(
            tools::shown(&plan.argv),
            "usermod -g dev -G '' -s /bin/bash alice"
        );
        assert_eq!(
            plan.says,
            "group staff -> dev, groups [admins] -> [], shell /bin/sh -> /bin/bash"
        );
    }

    #[test]
    fn a_primary_group_that_does_not_exist_is_left_to_usermod_to_refuse() {
        let missing = Wanted {
            primary: Some(Primary::Name("nowhere".to_owned())),
            ..wanted()
        };
        let plan = missing.plan(&accounts()).unwrap();
        assert_eq!(tools::shown(&plan.argv), "usermod -g nowhere alice");
    }

    #[test]
    fn an_absent_user_is_removed_once() {
        let absent = Wanted {
            state: State::Absent,
            ..wanted()
        };
        let plan = absent.plan(&accounts()).unwrap();
        assert_eq!(tools::shown(&plan.argv), "userdel alice");
        let gone = Wanted {
            name: "zed".to_owned(),
            ..absent
        };
        assert_eq!(gone.plan(&accounts()), None);
    }
}
