//! The one trait a resource kind implements, and [`Kinds`], the catalogue of
//! registered kinds that the compiler checks programs against and the engine
//! builds resources from.
//!
//! A kind says everything about itself in its own module: its schema (fields,
//! sends, autoedge rules, whether it groups), how a resource is built, and the
//! few graph-level hooks some kinds need. Nothing elsewhere names a kind; the
//! built-in ones are registered by the one list in [`Kinds::builtin`], and a
//! program embedding the engine may register its own with [`Kinds::with`].

use crate::resource::{Resource, ResourceError};
use crate::resources::Grouped;
use crate::services::Services;
use crate::spec::{GraphSpec, ResourceSpec};
use mcl_compiler::schema::{ResourceKinds, ResourceSchema};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// One resource kind.
pub trait ResourceKind: Send + Sync + 'static {
    /// Its fields and their types, what it sends, its autoedge rule and
    /// whether its resources may be grouped (`groupable`).
    fn schema(&self) -> ResourceSchema;

    /// Builds one resource from its spec, sharing its engine's `services`.
    /// The engine validates it before it runs.
    fn build(
        &self,
        spec: &ResourceSpec,
        services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError>;

    /// For a groupable kind: whether this resource may join a group (a
    /// refresh-only print waits for its own notifier, so it stays alone).
    fn joins_group(&self, _spec: &ResourceSpec) -> bool {
        true
    }

    /// How the members of a group (the leader first, each with its spec and
    /// the resource built from it) run as one vertex. By default they are
    /// checked and applied one after the other; a kind that can do them in
    /// one step (a package transaction) overrides this.
    fn group(
        &self,
        members: Vec<(&ResourceSpec, Box<dyn Resource>)>,
        _services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        let members = members
            .into_iter()
            .map(|(spec, resource)| (spec.id(), resource))
            .collect();
        Ok(Box::new(Grouped::new(members)))
    }

    /// Whether an unchanged resource keeps running across a graph swap
    /// (rather than being replaced by a fresh one).
    fn keeps_when_unchanged(&self, _spec: &ResourceSpec) -> bool {
        true
    }

    /// Adjusts this kind's resources once the whole graph is known, before
    /// any is built (a purging directory learns which paths others manage).
    fn prepare(&self, _graph: &mut GraphSpec) {}
}

/// A kind the language knows but the engine cannot run on this host yet:
/// programs using it type-check, and running one says so.
pub struct Planned(pub fn() -> ResourceSchema);

impl ResourceKind for Planned {
    fn schema(&self) -> ResourceSchema {
        (self.0)()
    }

    fn build(
        &self,
        spec: &ResourceSpec,
        _services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        Err(ResourceError::invalid(format!(
            "the engine cannot run `{}` resources on this host yet",
            spec.kind
        )))
    }
}

struct Registered {
    schema: ResourceSchema,
    kind: Arc<dyn ResourceKind>,
}

/// Every registered kind, by name.
#[derive(Clone)]
pub struct Kinds {
    registered: BTreeMap<&'static str, Arc<Registered>>,
}

impl Kinds {
    /// No kinds at all.
    pub fn empty() -> Kinds {
        Kinds {
            registered: BTreeMap::new(),
        }
    }

    /// Every built-in kind: the one list that registers them.
    pub fn builtin() -> Kinds {
        use crate::resources::accounts::{group, user};
        use crate::resources::{
            cron, exec, file, hostname, kv, msg, noop, pkg, print, schedule, svc, test, timer,
            value,
        };
        Kinds::empty()
            .with(cron::Kind)
            .with(exec::Kind)
            .with(file::Kind)
            .with(group::Kind)
            .with(hostname::Kind)
            .with(kv::Kind)
            .with(msg::Kind)
            .with(noop::Kind)
            .with(print::Kind)
            .with(schedule::Kind)
            .with(svc::Kind)
            .with(test::Kind)
            .with(timer::Kind)
            .with(value::Kind)
            .with(pkg::Kind)
            .with(user::Kind)
    }

    /// These kinds and `kind` (replacing one of the same name).
    pub fn with(mut self, kind: impl ResourceKind) -> Kinds {
        let schema = kind.schema();
        let registered = Registered {
            schema,
            kind: Arc::new(kind),
        };
        self.registered
            .insert(registered.schema.kind, Arc::new(registered));
        self
    }

    fn get(&self, kind: &str) -> Option<&Registered> {
        self.registered.get(kind).map(Arc::as_ref)
    }

    /// Builds and validates a resource from its spec (with the resources
    /// grouped into it, if any).
    pub fn build(
        &self,
        spec: &ResourceSpec,
        services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        let leader = self.build_one(spec, services)?;
        if spec.group.is_empty() {
            return Ok(leader);
        }
        let mut members = vec![(spec, leader)];
        for member in &spec.group {
            members.push((member, self.build_one(member, services)?));
        }
        let registered = self.registered(spec)?;
        registered.kind.group(members, services)
    }

    fn registered(&self, spec: &ResourceSpec) -> Result<&Registered, ResourceError> {
        self.get(&spec.kind).ok_or_else(|| {
            ResourceError::invalid(format!("there is no resource kind `{}`", spec.kind))
        })
    }

    fn build_one(
        &self,
        spec: &ResourceSpec,
        services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        let resource = self.registered(spec)?.kind.build(spec, services)?;
        resource.validate()?;
        Ok(resource)
    }

    /// Whether `spec`'s kind groups and `spec` may join a group.
    pub fn groupable(&self, spec: &ResourceSpec) -> bool {
        self.get(&spec.kind).is_some_and(|registered| {
            registered.schema.groupable && registered.kind.joins_group(spec)
        })
    }

    /// Whether the running resource of `old` stays for `new` across a
    /// swap: the same work, and its kind keeps unchanged resources.
    pub fn keeps_running(&self, old: &ResourceSpec, new: &ResourceSpec) -> bool {
        old.same_work(new) && self.keeps_when_unchanged(new)
    }

    /// Whether `spec`, unchanged, keeps running across a swap (its grouped
    /// members too).
    pub fn keeps_when_unchanged(&self, spec: &ResourceSpec) -> bool {
        std::iter::once(spec).chain(&spec.group).all(|spec| {
            self.get(&spec.kind)
                .is_some_and(|registered| registered.kind.keeps_when_unchanged(spec))
        })
    }

    /// Lets every kind adjust its resources now that the graph is known.
    pub fn prepare(&self, graph: &mut GraphSpec) {
        for registered in self.registered.values() {
            registered.kind.prepare(graph);
        }
    }
}

impl Default for Kinds {
    fn default() -> Kinds {
        Kinds::builtin()
    }
}

impl fmt::Debug for Kinds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.registered.keys()).finish()
    }
}

impl ResourceKinds for Kinds {
    fn schema(&self, kind: &str) -> Option<&ResourceSchema> {
        self.get(kind).map(|registered| &registered.schema)
    }

    fn kinds(&self) -> Vec<&'static str> {
        self.registered.keys().copied().collect()
    }
}

/// The catalogue of every built-in kind.
pub fn kinds() -> Kinds {
    Kinds::builtin()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(kind: &str, params: serde_json::Value) -> ResourceSpec {
        let params = params.as_object().cloned().unwrap_or_default();
        ResourceSpec::new(kind, "r", params.into_iter().collect(), "")
    }

    #[test]
    fn grouping_follows_the_schema_and_the_kinds_hook() {
        let kinds = Kinds::builtin();
        assert!(kinds.groupable(&spec("noop", json!({}))));
        assert!(kinds.groupable(&spec("print", json!({}))));
        assert!(!kinds.groupable(&spec("print", json!({"refresh_only": true}))));
        assert!(!kinds.groupable(&spec("test", json!({}))));
        assert!(kinds.groupable(&spec("test", json!({"alwaysgroup": true}))));
        assert!(kinds.groupable(&spec("pkg", json!({}))));
        assert!(!kinds.groupable(&spec("file", json!({}))));
        assert!(!kinds.groupable(&spec("nosuchkind", json!({}))));
    }

    #[test]
    fn a_kind_may_refuse_to_keep_an_unchanged_resource() {
        let kinds = Kinds::builtin();
        assert!(kinds.keeps_when_unchanged(&spec("test", json!({}))));
        assert!(!kinds.keeps_when_unchanged(&spec("test", json!({"comparefail": true}))));
        let mut leader = spec("noop", json!({}));
        leader
            .group
            .push(spec("test", json!({"comparefail": true})));
        assert!(!kinds.keeps_when_unchanged(&leader));
    }

    #[test]
    fn planned_and_unknown_kinds_are_clear_errors() {
        let kinds = Kinds::builtin().with(Planned(|| {
            crate::schemas::basic_schema("later", Vec::new())
        }));
        let services = Services::new();
        let planned = kinds.build(&spec("later", json!({})), &services).err();
        assert_eq!(
            planned,
            Some(ResourceError::invalid(
                "the engine cannot run `later` resources on this host yet"
            ))
        );
        let unknown = kinds.build(&spec("nosuchkind", json!({})), &services).err();
        assert_eq!(
            unknown,
            Some(ResourceError::invalid(
                "there is no resource kind `nosuchkind`"
            ))
        );
    }

    #[test]
    fn registering_a_kind_again_replaces_it() {
        let kinds = Kinds::builtin().with(Planned(|| {
            let mut schema = crate::schemas::basic_schema("noop", Vec::new());
            schema.groupable = false;
            schema
        }));
        assert!(!kinds.groupable(&spec("noop", json!({}))));
        assert_eq!(kinds.kinds().len(), Kinds::builtin().kinds().len());
    }
}
