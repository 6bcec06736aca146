//! The World: everything hosts share — their exported resources, kv values
//! and schedule volunteers — behind one type with two stores: the
//! in-process one (a single host; nothing else needed) and etcd (a
//! cluster). Either way the agent reads a [`Mirror`] of the store and
//! writes only its own keys (see [`keys`]), diffed against what it last
//! wrote, so an unchanged export costs no request.

mod etcd;
mod failover;
pub mod keys;
mod leases;
mod memory;
mod mirror;
mod serve;

pub use etcd::{EtcdOptions, EtcdStore, TlsFiles};
pub use memory::MemoryStore;
pub use mirror::{export_value, Entry, Mirror};
pub use serve::{EtcdServer, ServeOptions, ServeTls};

use mcl_compiler::graph::ResourceGraph;
use mcl_compiler::world::WorldView;
use std::collections::BTreeMap;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};

/// Where the World's writes go.
pub trait Store: Send + Sync {
    /// Sets (`Some`) and deletes (`None`) keys of this host, together.
    fn write(&self, changes: Vec<(String, Option<String>)>);
}

pub struct World {
    hostname: String,
    mirror: Arc<Mirror>,
    store: Box<dyn Store>,
    /// This host's exports as last published: key → stored value.
    exports: Mutex<BTreeMap<String, String>>,
}

impl World {
    /// The in-process store, for a single host.
    pub fn in_process(hostname: impl Into<String>) -> Arc<World> {
        let mirror = Arc::new(Mirror::default());
        let store = MemoryStore::new(Arc::clone(&mirror));
        World::new(hostname, mirror, Box::new(store))
    }

    pub fn new(
        hostname: impl Into<String>,
        mirror: Arc<Mirror>,
        store: Box<dyn Store>,
    ) -> Arc<World> {
        Arc::new(World {
            hostname: hostname.into(),
            mirror,
            store,
            exports: Mutex::new(BTreeMap::new()),
        })
    }

    pub fn hostname(&self) -> &str {
        &self.hostname
    }

    /// What evaluations read.
    pub fn view(&self) -> Arc<dyn WorldView> {
        Arc::clone(&self.mirror) as Arc<dyn WorldView>
    }

    pub fn mirror(&self) -> &Arc<Mirror> {
        &self.mirror
    }

    /// Each batch of store keys that changed, from now on.
    pub fn subscribe(&self) -> Receiver<Vec<String>> {
        self.mirror.subscribe()
    }

    /// Makes this host's exports those of `graph`: new and changed ones are
    /// written, vanished ones withdrawn, unchanged ones cost nothing.
    pub fn publish_exports(&self, graph: &ResourceGraph) {
        let wanted: BTreeMap<String, String> = graph
            .resources()
            .map(|(_, resource)| resource)
            .filter(|resource| !resource.meta.export.is_empty())
            .map(|resource| {
                let params = resource
                    .params
                    .iter()
                    .map(|(field, value)| (field.clone(), value.to_json()))
                    .collect();
                (
                    keys::export(&self.hostname, &resource.kind, &resource.name),
                    export_value(&resource.meta.export, params),
                )
            })
            .collect();
        let Ok(mut published) = self.exports.lock() else {
            return;
        };
        let mut changes: Vec<(String, Option<String>)> = published
            .keys()
            .filter(|key| !wanted.contains_key(*key))
            .map(|key| (key.clone(), None))
            .collect();
        changes.extend(
            wanted
                .iter()
                .filter(|(key, value)| published.get(*key) != Some(value))
                .map(|(key, value)| (key.clone(), Some(value.clone()))),
        );
        *published = wanted;
        drop(published);
        if !changes.is_empty() {
            self.store.write(changes);
        }
    }

    /// Sets (or, with `None`, deletes) a kv key: this host's own value when
    /// `mapped`, else the cluster-wide one.
    pub fn set_value(&self, key: &str, value: Option<&str>, mapped: bool) {
        self.store
            .write(vec![(self.kv_key(key, mapped), value.map(str::to_owned))]);
    }

    /// The store key of a kv key: this host's own when `mapped`.
    pub fn kv_key(&self, key: &str, mapped: bool) -> String {
        if mapped {
            keys::kv_mapped(&self.hostname, key)
        } else {
            keys::kv(key)
        }
    }

    /// Volunteers this host for a schedule namespace with `terms` (or, with
    /// `None`, withdraws it).
    pub fn volunteer(&self, namespace: &str, terms: Option<&str>) {
        let key = keys::volunteer(&self.hostname, namespace);
        self.store.write(vec![(key, terms.map(str::to_owned))]);
    }

    /// The terms this host volunteered with, as the store has them now.
    pub fn volunteer_terms(&self, namespace: &str) -> Option<String> {
        self.mirror
            .get(&keys::volunteer(&self.hostname, namespace))
            .map(|entry| entry.value)
    }

    /// The kv value this host would see now (`mapped`: its own).
    pub fn current_value(&self, key: &str, mapped: bool) -> Option<String> {
        self.mirror
            .get(&self.kv_key(key, mapped))
            .map(|entry| entry.value)
    }
}

impl std::fmt::Debug for World {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("World")
            .field("hostname", &self.hostname)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
