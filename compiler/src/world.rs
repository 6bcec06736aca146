//! What the evaluation reads of the data hosts share (the World): other
//! hosts' exported resources for `collect`, kv values for `world.getval` and
//! `world.kvlookup`, and schedules for `world.schedule`.
//!
//! The runtime keeps a mirror of the shared store and hands it to the
//! evaluator through this trait, so the compiler never talks to etcd (and
//! tests run on a map in memory).

use std::collections::BTreeMap;

/// One exported resource, as a collecting host sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    /// The exporting host.
    pub host: String,
    pub kind: String,
    pub name: String,
    /// The host names it is exported to (`*` for every host).
    pub to: Vec<String>,
    /// Its defined fields, as JSON (see `Value::to_json`).
    pub params: serde_json::Map<String, serde_json::Value>,
}

impl Export {
    /// Whether `host` may collect it.
    pub fn is_for(&self, host: &str) -> bool {
        self.to.iter().any(|target| target == "*" || target == host)
    }
}

/// A read-only view of the shared store at one moment.
pub trait WorldView: Send + Sync {
    /// Every export of `kind`, from every host (this one included), sorted
    /// by host and name.
    fn exports(&self, kind: &str) -> Vec<Export>;
    /// The cluster-wide value of an unmapped kv key.
    fn value(&self, key: &str) -> Option<String>;
    /// Each host's value of a mapped kv key.
    fn mapped(&self, key: &str) -> BTreeMap<String, String>;
    /// The hosts chosen for a schedule namespace, in order.
    fn scheduled(&self, namespace: &str) -> Vec<String>;
}

/// The `Watch::Store` key for exports of a kind.
pub fn exports_key(kind: &str) -> String {
    format!("exports/{kind}")
}

/// The `Watch::Store` key for a kv key (mapped or not).
pub fn kv_key(key: &str) -> String {
    format!("kv/{key}")
}

/// The `Watch::Store` key for a schedule namespace.
pub fn schedule_key(namespace: &str) -> String {
    format!("schedule/{namespace}")
}

/// A store with nothing in it (compiling without an agent).
#[derive(Debug, Default, Clone, Copy)]
pub struct EmptyWorld;

impl WorldView for EmptyWorld {
    fn exports(&self, _kind: &str) -> Vec<Export> {
        Vec::new()
    }

    fn value(&self, _key: &str) -> Option<String> {
        None
    }

    fn mapped(&self, _key: &str) -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    fn scheduled(&self, _namespace: &str) -> Vec<String> {
        Vec::new()
    }
}

/// An empty store, shared.
pub fn empty() -> std::sync::Arc<dyn WorldView> {
    std::sync::Arc::new(EmptyWorld)
}

/// A store given as data: for tests, and for compiling against a snapshot.
#[derive(Debug, Default, Clone)]
pub struct FixedWorld {
    pub exports: Vec<Export>,
    pub values: BTreeMap<String, String>,
    /// key → host → value.
    pub mapped: BTreeMap<String, BTreeMap<String, String>>,
    pub schedules: BTreeMap<String, Vec<String>>,
}

impl WorldView for FixedWorld {
    fn exports(&self, kind: &str) -> Vec<Export> {
        let mut exports: Vec<Export> = self
            .exports
            .iter()
            .filter(|export| export.kind == kind)
            .cloned()
            .collect();
        exports.sort_by(|a, b| (&a.host, &a.name).cmp(&(&b.host, &b.name)));
        exports
    }

    fn value(&self, key: &str) -> Option<String> {
        self.values.get(key).cloned()
    }

    fn mapped(&self, key: &str) -> BTreeMap<String, String> {
        self.mapped.get(key).cloned().unwrap_or_default()
    }

    fn scheduled(&self, namespace: &str) -> Vec<String> {
        self.schedules.get(namespace).cloned().unwrap_or_default()
    }
}
