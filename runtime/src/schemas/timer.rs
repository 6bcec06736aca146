//! `timer`: an event every `interval` seconds.

use super::{integer, kind, IntWidth};
use mcl_compiler::schema::ResourceSchema;

pub fn schema() -> ResourceSchema {
    kind("timer", vec![integer("interval", IntWidth::U32)])
}
