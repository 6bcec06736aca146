//! The shared store's key layout, below the cluster's prefix (`/_mgmt/` by
//! default). Every key a host writes holds its own name, so hosts never
//! write each other's keys (the unmapped kv keys are the one shared kind):
//!
//! | key | value |
//! |---|---|
//! | `exports/HOST/KIND/NAME` | `{"to": [hosts], "params": {field: json}}` |
//! | `kv/KEY` | the value (unmapped kv) |
//! | `kvmap/HOST/KEY` | this host's value of a mapped kv key |
//! | `schedule/HOST/NAMESPACE` | `{"strategy": ..., "max": N}`: a volunteer |
//!
//! Host and kind names hold no `/`; names, keys and namespaces may.

use mcl_compiler::world::{exports_key, kv_key, schedule_key};

pub fn export(host: &str, kind: &str, name: &str) -> String {
    format!("exports/{host}/{kind}/{name}")
}

pub fn kv(key: &str) -> String {
    format!("kv/{key}")
}

pub fn kv_mapped(host: &str, key: &str) -> String {
    format!("kvmap/{host}/{key}")
}

pub fn volunteer(host: &str, namespace: &str) -> String {
    format!("schedule/{host}/{namespace}")
}

/// What a stored key is, parsed.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed<'a> {
    Export {
        host: &'a str,
        kind: &'a str,
        name: &'a str,
    },
    Kv(&'a str),
    KvMapped {
        host: &'a str,
        key: &'a str,
    },
    Volunteer {
        host: &'a str,
        namespace: &'a str,
    },
}

pub fn parse(key: &str) -> Option<Parsed<'_>> {
    if let Some(rest) = key.strip_prefix("exports/") {
        let (host, rest) = rest.split_once('/')?;
        let (kind, name) = rest.split_once('/')?;
        return Some(Parsed::Export { host, kind, name });
    }
    if let Some(rest) = key.strip_prefix("kvmap/") {
        let (host, key) = rest.split_once('/')?;
        return Some(Parsed::KvMapped { host, key });
    }
    if let Some(key) = key.strip_prefix("kv/") {
        return Some(Parsed::Kv(key));
    }
    if let Some(rest) = key.strip_prefix("schedule/") {
        let (host, namespace) = rest.split_once('/')?;
        return Some(Parsed::Volunteer { host, namespace });
    }
    None
}

/// The `Watch::Store` key that a change of `key` wakes.
pub fn watched_by(key: &str) -> Option<String> {
    Some(match parse(key)? {
        Parsed::Export { kind, .. } => exports_key(kind),
        Parsed::Kv(key) | Parsed::KvMapped { key, .. } => kv_key(key),
        Parsed::Volunteer { namespace, .. } => schedule_key(namespace),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_back_with_slashes_in_names() {
        assert_eq!(
            parse(&export("a", "file", "/tmp/x/y")),
            Some(Parsed::Export {
                host: "a",
                kind: "file",
                name: "/tmp/x/y"
            })
        );
        assert_eq!(
            parse(&kv_mapped("b", "k/1")),
            Some(Parsed::KvMapped {
                host: "b",
                key: "k/1"
            })
        );
        assert_eq!(parse(&kv("k")), Some(Parsed::Kv("k")));
        assert_eq!(
            watched_by(&volunteer("c", "ns")).as_deref(),
            Some("schedule/ns")
        );
        assert_eq!(watched_by(&kv_mapped("c", "k")).as_deref(), Some("kv/k"));
        assert_eq!(parse("other"), None);
    }
}
