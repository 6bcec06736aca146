//! `noop`: does nothing; an anchor for edges and a test of grouping.

use super::{kind, string};
use mcl_compiler::schema::ResourceSchema;

pub fn schema() -> ResourceSchema {
    let mut schema = kind("noop", vec![string("comment")]);
    schema.groupable = true;
    schema
}
