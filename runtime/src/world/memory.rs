//! The in-process store: the mirror is the store. What one agent exports it
//! can collect itself; nothing leaves the process.

use super::{Entry, Mirror, Store};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

pub struct MemoryStore {
    mirror: Arc<Mirror>,
    /// Counts writes, as etcd's revision does (the order volunteers came).
    revision: AtomicI64,
}

impl MemoryStore {
    pub fn new(mirror: Arc<Mirror>) -> MemoryStore {
        MemoryStore {
            mirror,
            revision: AtomicI64::new(0),
        }
    }
}

impl Store for MemoryStore {
    fn write(&self, changes: Vec<(String, Option<String>)>) {
        let revision = self.revision.fetch_add(1, Ordering::SeqCst) + 1;
        let changes = changes
            .into_iter()
            .map(|(key, value)| {
                let entry = value.map(|value| Entry {
                    value,
                    created: self
                        .mirror
                        .get(&key)
                        .map_or(revision, |existing| existing.created),
                });
                (key, entry)
            })
            .collect();
        self.mirror.apply(changes);
    }
}
