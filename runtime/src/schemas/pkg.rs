//! `pkg`: a package through PackageKit.
//!
//! `state` is one of the three words below or a version string. The schema
//! lists the three words so that `$const.res.pkg.state.*` names them, and
//! marks them open so that the compile-time check lets a version through.

use super::{basic_schema, boolean, one_of};
use mcl_compiler::schema::ResourceSchema;

/// `$const.res.pkg.state.*`; a version string is allowed too.
pub const STATES: &[&str] = &["installed", "uninstalled", "newest"];

pub fn schema() -> ResourceSchema {
    let mut schema = basic_schema(
        "pkg",
        vec![
            one_of("state", STATES).open(),
            boolean("allowuntrusted"),
            boolean("allownonfree"),
            boolean("allowunsupported"),
        ],
    );
    // Packages with the same state go into one PackageKit transaction.
    schema.groupable = true;
    schema
}
