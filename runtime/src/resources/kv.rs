//! `kv`: a key in the shared store (the World). Unmapped, the key is one
//! cluster-wide string (`world.getval`); `mapped`, each host writes its own
//! value under it (`world.kvlookup`). An undefined `value` deletes the key.
//! With `skiplessthan`, a stored value greater than the wanted one is left
//! alone (a counter that only rises), compared as integers
//! (`skipcmpstyle => 0`) or as strings (`1`); a refresh sets it exactly.
//!
//! The watch hears every change of the key in the agent's copy of the store,
//! so a value another host (or `etcdctl`) changed is put back at once.

use crate::kind::ResourceKind;
use crate::resource::{ApplyContext, Outcome, Resource, ResourceError, WatchEvents, WatchGuard};
use crate::schemas::{basic_schema, boolean, field, string};
use crate::services::Services;
use crate::spec::ResourceSpec;
use crate::world::World;
use mcl_compiler::schema::ResourceSchema;
use mcl_compiler::types::Type;
use serde_json::Value as Json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The `kv` kind.
pub struct Kind;

impl ResourceKind for Kind {
    fn schema(&self) -> ResourceSchema {
        let mut schema = basic_schema(
            "kv",
            vec![
                // Defaults to the name.
                string("key"),
                // Undefined deletes the key.
                string("value"),
                boolean("mapped"),
                boolean("skiplessthan"),
                field("skipcmpstyle", Type::Int).with_range(0, 1),
            ],
        );
        schema.name_field = Some("key");
        schema
    }

    fn build(
        &self,
        spec: &ResourceSpec,
        services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        let text = |field: &str| {
            spec.params
                .get(field)
                .and_then(Json::as_str)
                .map(str::to_owned)
        };
        let flag = |field: &str| {
            spec.params
                .get(field)
                .and_then(Json::as_bool)
                .unwrap_or(false)
        };
        let key = text("key").unwrap_or_else(|| spec.name.clone());
        if key.is_empty() {
            return Err(ResourceError::invalid("kv: the key is empty"));
        }
        Ok(Box::new(Kv {
            key,
            value: text("value"),
            mapped: flag("mapped"),
            skip_less_than: flag("skiplessthan"),
            as_strings: spec.params.get("skipcmpstyle").and_then(Json::as_i64) == Some(1),
            world: Arc::clone(&services.world),
        }))
    }
}

pub struct Kv {
    key: String,
    value: Option<String>,
    mapped: bool,
    skip_less_than: bool,
    as_strings: bool,
    world: Arc<World>,
}

impl Kv {
    /// Whether `stored` may stay although it differs from the wanted value.
    fn stored_is_ahead(&self, stored: &str, wanted: &str) -> bool {
        if !self.skip_less_than {
            return false;
        }
        if self.as_strings {
            return stored > wanted;
        }
        match (stored.trim().parse::<i64>(), wanted.trim().parse::<i64>()) {
            (Ok(stored), Ok(wanted)) => stored > wanted,
            _ => false,
        }
    }
}

/// Stops the watch thread when dropped.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Resource for Kv {
    fn watch(&self, events: WatchEvents) -> Result<Option<WatchGuard>, ResourceError> {
        let changes = self.world.subscribe();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let key = self.world.kv_key(&self.key, self.mapped);
        std::thread::Builder::new()
            .name("mgmt-kv-watch".to_owned())
            .spawn(move || {
                while !stopped.load(Ordering::SeqCst) {
                    match changes.recv_timeout(Duration::from_millis(250)) {
                        Ok(changed) if changed.contains(&key) => {
                            if events.changed().is_err() {
                                return;
                            }
                        }
                        Ok(_) | Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
                    }
                }
            })
            .map_err(|problem| {
                ResourceError::failed(format!("cannot watch the store: {problem}"))
            })?;
        Ok(Some(Box::new(StopOnDrop(stop))))
    }

    fn check_apply(&mut self, context: ApplyContext) -> Result<Outcome, ResourceError> {
        let stored = self.world.current_value(&self.key, self.mapped);
        if stored == self.value {
            return Ok(Outcome::Correct);
        }
        if let (Some(stored), Some(wanted)) = (&stored, &self.value) {
            // A refresh sets the value exactly.
            if !context.refresh && self.stored_is_ahead(stored, wanted) {
                return Ok(Outcome::Correct);
            }
        }
        let what = match &self.value {
            Some(value) => format!("{} set to {value:?}", self.key),
            None => format!("{} deleted", self.key),
        };
        if !context.apply {
            return Ok(Outcome::WouldChange(what));
        }
        self.world
            .set_value(&self.key, self.value.as_deref(), self.mapped);
        Ok(Outcome::Changed(what))
    }

    fn receive(&mut self, field: &str, value: Json) -> Result<(), ResourceError> {
        match (field, value) {
            ("value", Json::String(text)) => {
                self.value = Some(text);
                Ok(())
            }
            (field, _) => Err(ResourceError::invalid(format!(
                "kv receives only a str `value`, not `{field}`"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Fields;

    fn spec(name: &str, params: &[(&str, Json)]) -> ResourceSpec {
        let mut fields = Fields::default();
        for (field, value) in params {
            fields.insert((*field).to_owned(), value.clone());
        }
        ResourceSpec {
            kind: "kv".into(),
            name: name.into(),
            params: fields,
            meta: Default::default(),
            location: String::new(),
            group: Vec::new(),
        }
    }

    fn apply(refresh: bool) -> ApplyContext {
        ApplyContext {
            apply: true,
            refresh,
            ..ApplyContext::default()
        }
    }

    #[test]
    fn a_value_is_set_then_correct_and_a_higher_one_kept() {
        let services = Services::new();
        let counter = |value: &str, skip: bool| {
            spec(
                "counter",
                &[
                    ("value", Json::from(value)),
                    ("skiplessthan", Json::Bool(skip)),
                ],
            )
        };
        let mut five = Kind.build(&counter("5", true), &services).expect("built");
        assert!(five.check_apply(apply(false)).expect("applies").changed());
        assert_eq!(services.world.view().value("counter").as_deref(), Some("5"));
        assert_eq!(five.check_apply(apply(false)), Ok(Outcome::Correct));
        let mut three = Kind.build(&counter("3", true), &services).expect("built");
        assert_eq!(three.check_apply(apply(false)), Ok(Outcome::Correct));
        // A refresh sets it exactly.
        assert!(three.check_apply(apply(true)).expect("applies").changed());
        assert_eq!(services.world.view().value("counter").as_deref(), Some("3"));
    }

    #[test]
    fn mapped_values_are_this_hosts_and_an_empty_key_is_refused() {
        let services = Services::new();
        let mut mine = Kind
            .build(
                &spec(
                    "seen",
                    &[("value", Json::from("yes")), ("mapped", Json::Bool(true))],
                ),
                &services,
            )
            .expect("built");
        assert!(mine.check_apply(apply(false)).expect("applies").changed());
        assert_eq!(
            services
                .world
                .view()
                .mapped("seen")
                .get("localhost")
                .map(String::as_str),
            Some("yes")
        );
        assert!(Kind.build(&spec("", &[]), &services).is_err());
    }
}
