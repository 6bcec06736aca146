//! `kv`: a key in the shared store (the World).

use super::{basic_schema, boolean, field, string};
use mcl_compiler::schema::ResourceSchema;
use mcl_compiler::types::Type;

pub fn schema() -> ResourceSchema {
    let mut schema = basic_schema(
        "kv",
        vec![
            // Defaults to the name.
            string("key"),
            // Undefined deletes the key.
            string("value"),
            // This host's entry in the per-host map under the key, rather
            // than the one shared value.
            boolean("mapped"),
            // Only ever raise the stored value (a monotonic state machine).
            boolean("skiplessthan"),
            // How skiplessthan compares: 0 as integers, 1 as strings.
            field("skipcmpstyle", Type::Int).with_range(0, 1),
        ],
    );
    schema.name_field = Some("key");
    schema
}
