//! `hostname`: the host's names through systemd-hostnamed.

use super::{basic_schema, string};
use mcl_compiler::schema::ResourceSchema;

pub fn schema() -> ResourceSchema {
    basic_schema(
        "hostname",
        vec![
            // Sets each of the three below that is not given.
            string("hostname"),
            string("pretty_hostname"),
            string("static_hostname"),
            string("transient_hostname"),
        ],
    )
}
