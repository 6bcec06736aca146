//! This agent's copy of the shared store: every key below the prefix with
//! its value, kept up to date by the store (at once for the in-process one,
//! from one watch for etcd), and read by evaluations as a [`WorldView`].
//! Whoever subscribed hears which keys changed.

use super::keys::{self, Parsed};
use mcl_compiler::world::{Export, WorldView};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Mutex, RwLock};

/// A stored value and the store's revision that created it (the order in
/// which schedule volunteers came).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub value: String,
    pub created: i64,
}

#[derive(Default)]
pub struct Mirror {
    entries: RwLock<BTreeMap<String, Entry>>,
    subscribers: Mutex<Vec<Sender<Vec<String>>>>,
}

impl Mirror {
    /// Everything, as the store holds it after a (re)connect.
    pub fn replace_all(&self, entries: BTreeMap<String, Entry>) {
        let changed = {
            let Ok(mut current) = self.entries.write() else {
                return;
            };
            let mut changed: Vec<String> = current
                .iter()
                .filter(|(key, entry)| entries.get(*key) != Some(entry))
                .map(|(key, _)| key.clone())
                .collect();
            changed.extend(
                entries
                    .keys()
                    .filter(|key| !current.contains_key(*key))
                    .cloned(),
            );
            *current = entries;
            changed
        };
        self.tell(changed);
    }

    /// Some keys set (`Some`) or deleted (`None`).
    pub fn apply(&self, changes: Vec<(String, Option<Entry>)>) {
        let changed = {
            let Ok(mut current) = self.entries.write() else {
                return;
            };
            let mut changed = Vec::new();
            for (key, entry) in changes {
                let differs = match &entry {
                    Some(entry) => {
                        current.insert(key.clone(), entry.clone()).as_ref() != Some(entry)
                    }
                    None => current.remove(&key).is_some(),
                };
                if differs {
                    changed.push(key);
                }
            }
            changed
        };
        self.tell(changed);
    }

    /// The value of one key.
    pub fn get(&self, key: &str) -> Option<Entry> {
        self.entries.read().ok()?.get(key).cloned()
    }

    /// Each batch of keys that changed, from now on.
    pub fn subscribe(&self) -> Receiver<Vec<String>> {
        let (sender, receiver) = mpsc::channel();
        if let Ok(mut subscribers) = self.subscribers.lock() {
            subscribers.push(sender);
        }
        receiver
    }

    fn tell(&self, changed: Vec<String>) {
        if changed.is_empty() {
            return;
        }
        if let Ok(mut subscribers) = self.subscribers.lock() {
            subscribers.retain(|subscriber| subscriber.send(changed.clone()).is_ok());
        }
    }

    /// The entries whose keys start with `prefix`, parsed.
    fn scan<T>(
        &self,
        prefix: &str,
        mut each: impl FnMut(Parsed<'_>, &Entry) -> Option<T>,
    ) -> Vec<T> {
        let Ok(entries) = self.entries.read() else {
            return Vec::new();
        };
        entries
            .range(prefix.to_owned()..)
            .take_while(|(key, _)| key.starts_with(prefix))
            .filter_map(|(key, entry)| each(keys::parse(key)?, entry))
            .collect()
    }
}

/// The stored form of one export.
pub fn export_value(to: &[String], params: serde_json::Map<String, Json>) -> String {
    serde_json::json!({ "to": to, "params": params }).to_string()
}

impl WorldView for Mirror {
    fn exports(&self, wanted: &str) -> Vec<Export> {
        // Keys sort by host, then kind and name.
        self.scan("exports/", |parsed, entry| {
            let Parsed::Export { host, kind, name } = parsed else {
                return None;
            };
            if kind != wanted {
                return None;
            }
            let mut stored: Json = serde_json::from_str(&entry.value).ok()?;
            let to = stored
                .get("to")?
                .as_array()?
                .iter()
                .filter_map(|host| host.as_str().map(str::to_owned))
                .collect();
            let Json::Object(params) = stored.get_mut("params")?.take() else {
                return None;
            };
            Some(Export {
                host: host.to_owned(),
                kind: kind.to_owned(),
                name: name.to_owned(),
                to,
                params,
            })
        })
    }

    fn value(&self, key: &str) -> Option<String> {
        self.get(&keys::kv(key)).map(|entry| entry.value)
    }

    fn mapped(&self, wanted: &str) -> BTreeMap<String, String> {
        self.scan("kvmap/", |parsed, entry| match parsed {
            Parsed::KvMapped { host, key } if key == wanted => {
                Some((host.to_owned(), entry.value.clone()))
            }
            _ => None,
        })
        .into_iter()
        .collect()
    }

    fn scheduled(&self, wanted: &str) -> Vec<String> {
        let mut volunteers: Vec<(i64, String, Json)> =
            self.scan("schedule/", |parsed, entry| match parsed {
                Parsed::Volunteer { host, namespace } if namespace == wanted => Some((
                    entry.created,
                    host.to_owned(),
                    serde_json::from_str(&entry.value).unwrap_or(Json::Null),
                )),
                _ => None,
            });
        // First come, first served: the first volunteer's terms rule.
        volunteers.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let Some((_, _, terms)) = volunteers.first() else {
            return Vec::new();
        };
        let max = terms
            .get("max")
            .and_then(Json::as_u64)
            .filter(|max| *max > 0)
            .map_or(usize::MAX, |max| usize::try_from(max).unwrap_or(usize::MAX));
        let alphabetical = terms.get("strategy").and_then(Json::as_str) == Some("alpha");
        let mut hosts: Vec<String> = volunteers.into_iter().map(|(_, host, _)| host).collect();
        if alphabetical {
            hosts.sort();
        }
        hosts.truncate(max);
        hosts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(value: &str, created: i64) -> Option<Entry> {
        Some(Entry {
            value: value.to_owned(),
            created,
        })
    }

    #[test]
    fn exports_kv_and_schedules_read_back() {
        let mirror = Mirror::default();
        let changes = mirror.subscribe();
        let mut params = serde_json::Map::new();
        params.insert("content".into(), Json::from("x"));
        mirror.apply(vec![
            (
                keys::export("b", "file", "/tmp/a"),
                entry(&export_value(&["*".into()], params), 1),
            ),
            (keys::kv_mapped("a", "k"), entry("1", 2)),
            (keys::kv_mapped("b", "k"), entry("2", 3)),
            (keys::kv("g"), entry("v", 4)),
            (keys::volunteer("z", "ns"), entry(r#"{"max":2}"#, 5)),
            (keys::volunteer("a", "ns"), entry("{}", 7)),
            (keys::volunteer("m", "ns"), entry("{}", 6)),
        ]);
        let exports = mirror.exports("file");
        assert_eq!(exports.len(), 1);
        assert_eq!(
            (exports[0].host.as_str(), exports[0].name.as_str()),
            ("b", "/tmp/a")
        );
        assert!(exports[0].is_for("anyone"));
        assert!(mirror.exports("exec").is_empty());
        assert_eq!(mirror.mapped("k").get("b").map(String::as_str), Some("2"));
        assert_eq!(mirror.value("g").as_deref(), Some("v"));
        assert_eq!(mirror.scheduled("ns"), ["z", "m"]);
        assert_eq!(changes.try_recv().map(|keys| keys.len()), Ok(7));
        // The same data again changes nothing.
        mirror.apply(vec![(keys::kv("g"), entry("v", 4))]);
        assert!(changes.try_recv().is_err());
        mirror.replace_all(BTreeMap::new());
        assert_eq!(changes.try_recv().map(|keys| keys.len()), Ok(7));
    }
}
