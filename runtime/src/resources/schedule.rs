//! `schedule "NS"`: this host volunteers for namespace NS; every host reads
//! the chosen ones with `world.schedule("NS")`. The choice is made the same
//! way on every host from the store's data, so all agree without a vote:
//! volunteers in the order the store took them (first come, first served),
//! or sorted by host name (`strategy => "alpha"`), at most `max` (the first
//! volunteer's terms rule). `strategy => "rr"` is upstream's round robin,
//! which hands out places in the order hosts joined, each keeping its
//! place while it volunteers: the default order here too. A host stops
//! volunteering when the resource leaves its graph (unless `persist`); with
//! `ttl`, its volunteer is on an etcd lease of that many seconds, so a host
//! that dies drops out that long after; without, it shares the agent's
//! `--export-ttl` lease, or keeps its place when there is none.

use crate::kind::ResourceKind;
use crate::resource::{ApplyContext, Outcome, Resource, ResourceError};
use crate::schemas::{basic_schema, boolean, integer, one_of, IntWidth};
use crate::services::Services;
use crate::spec::ResourceSpec;
use crate::world::World;
use mcl_compiler::schema::ResourceSchema;
use serde_json::Value as Json;
use std::sync::Arc;

/// The `schedule` kind.
pub struct Kind;

impl ResourceKind for Kind {
    fn schema(&self) -> ResourceSchema {
        basic_schema(
            "schedule",
            vec![
                one_of("strategy", &["", "alpha", "rr"]),
                integer("max", IntWidth::U32),
                boolean("persist"),
                integer("ttl", IntWidth::U32),
            ],
        )
    }

    fn build(
        &self,
        spec: &ResourceSpec,
        services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        let strategy = spec
            .params
            .get("strategy")
            .and_then(Json::as_str)
            .unwrap_or_default();
        if spec.name.is_empty() {
            return Err(ResourceError::invalid("schedule: the namespace is empty"));
        }
        let mut terms = serde_json::Map::new();
        terms.insert("strategy".into(), Json::from(strategy));
        for term in ["max", "ttl"] {
            if let Some(value) = spec.params.get(term) {
                terms.insert(term.into(), value.clone());
            }
        }
        Ok(Box::new(Schedule {
            namespace: spec.name.clone(),
            terms: Json::Object(terms).to_string(),
            persist: spec.params.get("persist").and_then(Json::as_bool) == Some(true),
            volunteered: false,
            world: Arc::clone(&services.world),
        }))
    }
}

pub struct Schedule {
    namespace: String,
    /// The stored volunteer value.
    terms: String,
    persist: bool,
    /// Whether this resource wrote its volunteer (not in noop).
    volunteered: bool,
    world: Arc<World>,
}

impl Resource for Schedule {
    fn check_apply(&mut self, context: ApplyContext) -> Result<Outcome, ResourceError> {
        if self.world.volunteer_terms(&self.namespace).as_deref() == Some(self.terms.as_str()) {
            return Ok(Outcome::Correct);
        }
        let what = format!("volunteered for {}", self.namespace);
        if !context.apply {
            return Ok(Outcome::WouldChange(what));
        }
        self.world.volunteer(&self.namespace, Some(&self.terms));
        self.volunteered = true;
        Ok(Outcome::Changed(what))
    }
}

impl Drop for Schedule {
    fn drop(&mut self) {
        if self.volunteered && !self.persist {
            self.world.volunteer(&self.namespace, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Fields;

    fn spec(namespace: &str, max: i64) -> ResourceSpec {
        let mut params = Fields::default();
        params.insert("max".into(), Json::from(max));
        ResourceSpec {
            kind: "schedule".into(),
            name: namespace.into(),
            params,
            meta: Default::default(),
            location: String::new(),
            group: Vec::new(),
        }
    }

    #[test]
    fn a_volunteer_is_chosen_and_withdrawn_when_dropped() {
        let services = Services::new();
        let apply = ApplyContext {
            apply: true,
            ..ApplyContext::default()
        };
        let mut schedule = Kind.build(&spec("db", 1), &services).expect("built");
        assert!(schedule.check_apply(apply).expect("applies").changed());
        assert_eq!(schedule.check_apply(apply), Ok(Outcome::Correct));
        assert_eq!(services.world.view().scheduled("db"), ["localhost"]);
        drop(schedule);
        assert!(services.world.view().scheduled("db").is_empty());
    }
}
