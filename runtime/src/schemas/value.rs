//! `value`: holds any value, to pass it along send/recv edges.

use super::{field, kind};
use mcl_compiler::schema::ResourceSchema;
use mcl_compiler::types::Type;

pub fn schema() -> ResourceSchema {
    let mut schema = kind("value", vec![field("any", Type::Variant)]);
    schema.sends = vec![("any", Type::Variant)];
    schema
}
