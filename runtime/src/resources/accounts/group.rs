//! `group`: a local group kept as wanted through `groupadd`, `groupmod` and
//! `groupdel`. Its members are not managed here: a `user`'s `groups` says
//! which groups it belongs to.

use super::database::Accounts;
use super::{check_name, id, state, tools, watch, State};
use crate::kind::ResourceKind;
use crate::resource::{ApplyContext, Outcome, Resource, ResourceError, WatchEvents, WatchGuard};
use crate::resources::file::FileWatcher;
use crate::schemas::user;
use crate::services::Services;
use crate::spec::ResourceSpec;
use mcl_compiler::schema::ResourceSchema;

/// The `group` kind.
pub struct Kind;

impl ResourceKind for Kind {
    fn schema(&self) -> ResourceSchema {
        user::group()
    }

    fn build(
        &self,
        spec: &ResourceSpec,
        services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        Ok(Box::new(Group {
            name: spec.name.clone(),
            state: state(spec)?,
            gid: id(spec, "gid")?,
            files: services.files.clone(),
        }))
    }
}

pub struct Group {
    name: String,
    state: State,
    /// `None`: whatever gid it has (or `groupadd` picks) is kept.
    gid: Option<u32>,
    files: FileWatcher,
}

impl Resource for Group {
    fn validate(&self) -> Result<(), ResourceError> {
        check_name("group", &self.name)
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
        let Some((argv, says)) = self.plan(&accounts) else {
            return Ok(Outcome::Correct);
        };
        if !context.apply {
            return Ok(Outcome::WouldChange(format!(
                "{says} (`{}`)",
                tools::shown(&argv)
            )));
        }
        tools::run(&argv)?;
        Ok(Outcome::Changed(says))
    }
}

impl Group {
    /// The command that makes `accounts` hold this group as wanted, and
    /// what it changes.
    fn plan(&self, accounts: &Accounts) -> Option<(Vec<String>, String)> {
        let name = self.name.clone();
        match (self.state, accounts.group(&self.name)) {
            (State::Absent, None) => None,
            (State::Absent, Some(_)) => {
                Some((vec!["groupdel".to_owned(), name], "removed".to_owned()))
            }
            (State::Exists, None) => Some(match self.gid {
                Some(gid) => (
                    vec![
                        "groupadd".to_owned(),
                        "-g".to_owned(),
                        gid.to_string(),
                        name,
                    ],
                    format!("created (gid {gid})"),
                ),
                None => (vec!["groupadd".to_owned(), name], "created".to_owned()),
            }),
            (State::Exists, Some(current)) => {
                let gid = self.gid.filter(|gid| *gid != current.gid)?;
                Some((
                    vec![
                        "groupmod".to_owned(),
                        "-g".to_owned(),
                        gid.to_string(),
                        name,
                    ],
                    format!("gid {} -> {gid}", current.gid),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::database::parse_group;
    use super::*;

    fn group(state: State, gid: Option<u32>) -> Group {
        Group {
            name: "staff".to_owned(),
            state,
            gid,
            files: FileWatcher::default(),
        }
    }

    fn accounts(text: &str) -> Accounts {
        Accounts {
            users: Vec::new(),
            groups: parse_group(text).unwrap(),
        }
    }

    #[test]
    fn groups_are_created_renumbered_and_removed_only_when_needed() {
        let none = accounts("root:x:0:\n");
        let some = accounts("root:x:0:\nstaff:x:50:alice\n");
        let shown = |plan: Option<(Vec<String>, String)>| {
            plan.map(|(argv, says)| format!("{} / {says}", tools::shown(&argv)))
        };
        assert_eq!(
            shown(group(State::Exists, Some(60)).plan(&none)).as_deref(),
            Some("groupadd -g 60 staff / created (gid 60)")
        );
        assert_eq!(
            shown(group(State::Exists, None).plan(&none)).as_deref(),
            Some("groupadd staff / created")
        );
        assert_eq!(group(State::Exists, Some(50)).plan(&some), None);
        assert_eq!(group(State::Exists, None).plan(&some), None);
        assert_eq!(
            shown(group(State::Exists, Some(60)).plan(&some)).as_deref(),
            Some("groupmod -g 60 staff / gid 50 -> 60")
        );
        assert_eq!(
            shown(group(State::Absent, Some(60)).plan(&some)).as_deref(),
            Some("groupdel staff / removed")
        );
        assert_eq!(group(State::Absent, None).plan(&none), None);
    }
}
