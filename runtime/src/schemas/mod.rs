//! The building blocks of resource schemas (spec §8): field names and mcl
//! types, integer ranges, enumerated values; and the schemas of the kinds the
//! language knows but the engine does not run yet (pkg, cron), and of user
//! and group. Most kinds the engine runs declare their schema in their own
//! module under `resources/`.
//!
//! Field names and types follow the public mgmt project's resources so that
//! existing `.mcl` programs keep working; see `docs/resources.md` for what
//! each field means.

pub(crate) mod cron;
pub(crate) mod formats;
pub(crate) mod hostname;
pub(crate) mod pkg;
pub(crate) mod svc;
pub(crate) mod user;

use mcl_compiler::schema::{FieldSchema, ResourceSchema};
use mcl_compiler::types::Type;

// Small constructors that keep the per-kind declarations one line per field.

pub(crate) fn field(name: &'static str, ty: Type) -> FieldSchema {
    FieldSchema::new(name, ty)
}

pub(crate) fn string(name: &'static str) -> FieldSchema {
    field(name, Type::Str)
}

pub(crate) fn boolean(name: &'static str) -> FieldSchema {
    field(name, Type::Bool)
}

pub(crate) fn strings(name: &'static str) -> FieldSchema {
    field(name, Type::list(Type::Str))
}

/// A `str` field naming an account (a user or a group, by name or id).
pub(crate) fn account(name: &'static str) -> FieldSchema {
    string(name).with_format(formats::account)
}

/// A `str` field holding a systemd time span.
pub(crate) fn timespan(name: &'static str) -> FieldSchema {
    string(name).with_format(formats::timespan)
}

/// A `str` field that takes one of `values` (and names them in
/// `$const.res.<kind>.<field>.<value>`).
pub(crate) fn one_of(name: &'static str, values: &'static [&'static str]) -> FieldSchema {
    string(name).with_values(values)
}

/// An `int` field holding a Go integer of the given width.
pub(crate) fn integer(name: &'static str, width: IntWidth) -> FieldSchema {
    let field = field(name, Type::Int);
    match width.range() {
        Some((low, high)) => field.with_range(low, high),
        None => field,
    }
}

/// The Go integer types that mcl's `int` (int64) stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntWidth {
    I8,
    I16,
    I32,
    /// `int` and `int64`: every mcl int fits, so no range is recorded.
    I64,
    U8,
    U16,
    U32,
    /// `uint` and `uint64`: only the sign is checked, as an mcl int never
    /// exceeds `u64::MAX`.
    U64,
}

impl IntWidth {
    pub(crate) fn range(self) -> Option<(i128, i128)> {
        let range = match self {
            IntWidth::I8 => (i128::from(i8::MIN), i128::from(i8::MAX)),
            IntWidth::I16 => (i128::from(i16::MIN), i128::from(i16::MAX)),
            IntWidth::I32 => (i128::from(i32::MIN), i128::from(i32::MAX)),
            IntWidth::I64 => return None,
            IntWidth::U8 => (0, i128::from(u8::MAX)),
            IntWidth::U16 => (0, i128::from(u16::MAX)),
            IntWidth::U32 => (0, i128::from(u32::MAX)),
            IntWidth::U64 => (0, i128::from(u64::MAX)),
        };
        Some(range)
    }
}

/// A `str` param of a compiled resource, for the autoedge rules.
pub(crate) fn param_str<'a>(
    resource: &'a mcl_compiler::graph::Resource,
    name: &str,
) -> Option<&'a str> {
    resource
        .params
        .get(name)
        .and_then(mcl_compiler::value::Value::as_str)
}

/// A kind with its fields and defaults for the rest: no name field, sends
/// nothing, not groupable.
pub(crate) fn basic_schema(kind: &'static str, fields: Vec<FieldSchema>) -> ResourceSchema {
    ResourceSchema {
        kind,
        fields,
        name_field: None,
        sends: Vec::new(),
        groupable: false,
        autoedges: None,
        check: None,
        receives: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds;
    use mcl_compiler::schema::ResourceKinds;
    use std::collections::BTreeSet;

    /// The spec's kinds (§8) and `schedule` (§7.1).
    const SPEC_KINDS: [&str; 16] = [
        "cron", "exec", "file", "group", "hostname", "kv", "msg", "noop", "pkg", "print",
        "schedule", "svc", "test", "timer", "user", "value",
    ];

    #[test]
    fn every_kind_of_the_spec_is_listed_sorted() {
        let kinds = kinds();
        assert_eq!(kinds.kinds(), SPEC_KINDS.to_vec());
        for kind in SPEC_KINDS {
            let schema = kinds.schema(kind).expect("listed kinds have a schema");
            assert_eq!(schema.kind, kind);
        }
        assert!(kinds.schema("nosuchkind").is_none());
    }

    #[test]
    fn field_names_are_unique_lowercase_identifiers() {
        let kinds = kinds();
        for kind in kinds.kinds() {
            let schema = kinds.schema(kind).expect("listed");
            let mut seen = BTreeSet::new();
            for field in &schema.fields {
                assert!(seen.insert(field.name), "{kind}.{} twice", field.name);
                assert!(is_identifier(field.name), "{kind}.{}", field.name);
            }
            for (send, _) in &schema.sends {
                assert!(is_identifier(send), "{kind} sends {send}");
            }
            if let Some(name_field) = schema.name_field {
                assert_eq!(
                    schema.field(name_field).map(|field| &field.ty),
                    Some(&Type::Str),
                    "{kind}'s name field"
                );
            }
        }
    }

    #[test]
    fn enumerated_and_ranged_fields_have_the_right_types() {
        let kinds = kinds();
        for kind in kinds.kinds() {
            let schema = kinds.schema(kind).expect("listed");
            for field in &schema.fields {
                if !field.values.is_empty() {
                    assert_eq!(field.ty, Type::Str, "{kind}.{}", field.name);
                }
                if let Some((low, high)) = field.int_range {
                    assert_eq!(field.ty, Type::Int, "{kind}.{}", field.name);
                    assert!(low <= high);
                }
            }
        }
    }

    #[test]
    fn enumerated_values_feed_the_constants() {
        let kinds = kinds();
        let values = |kind: &str, name: &str| {
            kinds
                .schema(kind)
                .and_then(|schema| schema.field(name))
                .map(|field| field.values.to_vec())
                .unwrap_or_default()
        };
        assert_eq!(values("file", "state"), ["exists", "absent"]);
        assert_eq!(values("svc", "state"), ["running", "stopped"]);
        assert_eq!(values("svc", "startup"), ["enabled", "disabled"]);
        assert_eq!(
            values("pkg", "state"),
            ["installed", "uninstalled", "newest"]
        );
        assert_eq!(values("user", "state"), ["exists", "absent"]);
        assert_eq!(values("group", "state"), ["exists", "absent"]);
        assert_eq!(values("cron", "state"), ["exists", "absent"]);
        assert_eq!(
            values("cron", "trigger"),
            [
                "OnCalendar",
                "OnActiveSec",
                "OnBootSec",
                "OnStartupSec",
                "OnUnitActiveSec",
                "OnUnitInactiveSec"
            ]
        );
        assert!(values("file", "content").is_empty());
    }

    #[test]
    fn open_values_name_enumerated_fields() {
        let kinds = kinds();
        let open: Vec<(&str, &str)> = kinds
            .kinds()
            .into_iter()
            .flat_map(|kind| {
                let schema = kinds.schema(kind).expect("listed");
                schema
                    .fields
                    .iter()
                    .filter(|field| field.open_values)
                    .map(|field| {
                        assert!(!field.values.is_empty(), "{kind}.{}", field.name);
                        (kind, field.name)
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(open, [("pkg", "state")]);
    }

    #[test]
    fn name_fields_sends_and_grouping() {
        let kinds = kinds();
        let schema = |kind: &str| kinds.schema(kind).expect("listed").clone();
        assert_eq!(schema("file").name_field, Some("path"));
        assert_eq!(schema("exec").name_field, Some("cmd"));
        assert_eq!(schema("kv").name_field, Some("key"));
        assert_eq!(schema("svc").name_field, None);
        assert_eq!(schema("exec").send("stdout"), Some(&Type::Str));
        assert_eq!(schema("exec").send("output"), Some(&Type::Str));
        assert_eq!(schema("exec").send("stderr"), Some(&Type::Str));
        assert_eq!(schema("value").send("any"), Some(&Type::Variant));
        let grouping: Vec<&str> = kinds
            .kinds()
            .into_iter()
            .filter(|kind| schema(kind).groupable)
            .collect();
        assert_eq!(grouping, ["noop", "pkg", "print", "test"]);
    }

    #[test]
    fn widths_cover_go_integers() {
        assert_eq!(IntWidth::I8.range(), Some((-128, 127)));
        assert_eq!(IntWidth::U64.range(), Some((0, 18_446_744_073_709_551_615)));
        assert_eq!(IntWidth::I64.range(), None);
    }

    fn is_identifier(name: &str) -> bool {
        let bytes = name.as_bytes();
        matches!(bytes.first(), Some(b'a'..=b'z'))
            && !name.ends_with('_')
            && bytes
                .iter()
                .all(|byte| matches!(byte, b'a'..=b'z' | b'0'..=b'9' | b'_'))
    }
}
