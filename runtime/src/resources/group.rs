//! A vertex made of several resources merged by `Meta:autogroup`: it
//! watches, checks and applies each of them in turn, and says what each one
//! changed under its own name.

use crate::resource::{ApplyContext, Outcome, Resource, ResourceError, WatchEvents, WatchGuard};
use serde_json::Value as Json;
use std::collections::BTreeMap;

pub struct Grouped {
    /// The leader first, then the merged resources, each with its `kind[name]`.
    members: Vec<(String, Box<dyn Resource>)>,
}

impl Grouped {
    pub fn new(members: Vec<(String, Box<dyn Resource>)>) -> Grouped {
        Grouped { members }
    }
}

impl Resource for Grouped {
    fn validate(&self) -> Result<(), ResourceError> {
        for (id, member) in &self.members {
            member.validate().map_err(|problem| within(id, problem))?;
        }
        Ok(())
    }

    fn watch(&self, events: WatchEvents) -> Result<Option<WatchGuard>, ResourceError> {
        let mut guards: Vec<WatchGuard> = Vec::new();
        for (id, member) in &self.members {
            if let Some(guard) = member
                .watch(events.clone())
                .map_err(|problem| within(id, problem))?
            {
                guards.push(guard);
            }
        }
        Ok((!guards.is_empty()).then(|| Box::new(guards) as WatchGuard))
    }

    fn brief(&self) -> bool {
        self.members.iter().all(|(_, member)| member.brief())
    }

    /// Every member runs, even after one fails: they are independent.
    fn check_apply(&mut self, context: ApplyContext) -> Result<Outcome, ResourceError> {
        let mut changed = Vec::new();
        let mut would_change = Vec::new();
        let mut failures = Vec::new();
        for (position, (id, member)) in self.members.iter_mut().enumerate() {
            // The engine names the leader in its log line already.
            let named = |text: String| {
                if position == 0 {
                    text
                } else {
                    format!("{id}: {text}")
                }
            };
            match member.check_apply(context) {
                Ok(Outcome::Correct) => {}
                Ok(Outcome::Changed(what)) => changed.push(named(what)),
                Ok(Outcome::WouldChange(what)) => would_change.push(named(what)),
                Err(problem) => failures.push(format!("{id}: {problem}")),
            }
        }
        if !failures.is_empty() {
            return Err(ResourceError::failed(failures.join("; ")));
        }
        Ok(if !changed.is_empty() {
            Outcome::Changed(changed.join("; "))
        } else if !would_change.is_empty() {
            Outcome::WouldChange(would_change.join("; "))
        } else {
            Outcome::Correct
        })
    }

    /// Resources that send values are never grouped; the leader's are kept
    /// for completeness.
    fn sent(&self) -> BTreeMap<String, Json> {
        self.members
            .first()
            .map(|(_, leader)| leader.sent())
            .unwrap_or_default()
    }

    fn receive(&mut self, field: &str, value: Json) -> Result<(), ResourceError> {
        match self.members.first_mut() {
            Some((_, leader)) => leader.receive(field, value),
            None => Err(ResourceError::invalid(format!(
                "cannot receive into `{field}`"
            ))),
        }
    }
}

/// Names the member a problem belongs to.
fn within(id: &str, problem: ResourceError) -> ResourceError {
    match problem {
        ResourceError::Invalid(text) => ResourceError::Invalid(format!("{id}: {text}")),
        ResourceError::Failed(text) => ResourceError::Failed(format!("{id}: {text}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Changes on its first check, then is correct; fails when told to.
    struct Probe {
        checks: usize,
        fail: bool,
    }

    impl Resource for Probe {
        fn check_apply(&mut self, _context: ApplyContext) -> Result<Outcome, ResourceError> {
            self.checks += 1;
            if self.fail {
                return Err(ResourceError::failed("broken"));
            }
            Ok(if self.checks == 1 {
                Outcome::Changed("fixed".to_owned())
            } else {
                Outcome::Correct
            })
        }
    }

    fn probe(fail: bool) -> Box<dyn Resource> {
        Box::new(Probe { checks: 0, fail })
    }

    use crate::resource::ShowDiff;

    const APPLY: ApplyContext = ApplyContext {
        apply: true,
        refresh: false,
        show_diff: ShowDiff::Auto,
    };

    #[test]
    fn members_report_under_their_own_names() {
        let mut group = Grouped::new(vec![
            ("test[a]".into(), probe(false)),
            ("test[b]".into(), probe(false)),
        ]);
        assert_eq!(
            group.check_apply(APPLY),
            Ok(Outcome::Changed("fixed; test[b]: fixed".into()))
        );
        assert_eq!(group.check_apply(APPLY), Ok(Outcome::Correct));
    }

    #[test]
    fn one_failure_fails_the_group_but_the_others_still_run() {
        let mut group = Grouped::new(vec![
            ("test[a]".into(), probe(true)),
            ("test[b]".into(), probe(false)),
        ]);
        assert_eq!(
            group.check_apply(APPLY),
            Err(ResourceError::failed("test[a]: broken"))
        );
        // test[b] ran (its first check changed something) and is right now.
        group.members.remove(0);
        assert_eq!(group.check_apply(APPLY), Ok(Outcome::Correct));
    }
}
