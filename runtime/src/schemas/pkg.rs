//! `pkg`: a package through PackageKit.
//!
//! `state` is one of the three words below or a version string. The schema
//! lists the three words so that `$const.res.pkg.state.*` names them, and
//! marks them open so that the compile-time check lets a version through.
//!
//! Autoedges: what a package ships is known only once it is installed, and
//! the graph must be ordered before that (a first run installs it). The
//! rule is therefore the Debian and Fedora convention for a package named
//! like its daemon: package `X` provides the directories `/etc/X/` and
//! `/etc/X.d/` (a file inside waits for the package) and the unit files
//! `X.service` under `/lib/systemd/system/` and `/usr/lib/systemd/system/`
//! (a `svc "X"` waits for it). Anything else is ordered by an explicit edge.

use super::{basic_schema, boolean, one_of};
use mcl_compiler::graph::Resource;
use mcl_compiler::schema::{Autoedges, ResourceSchema};

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
    // Grouped packages share one PackageKit transaction per action.
    schema.groupable = true;
    schema.autoedges = Some(autoedges);
    schema
}

fn autoedges(resource: &Resource) -> Autoedges {
    let name = &resource.name;
    let plain = !name.is_empty() && !name.contains(['/', '*', ' ']);
    if !plain {
        return Autoedges::default();
    }
    Autoedges {
        provides: vec![
            format!("/etc/{name}/"),
            format!("/etc/{name}.d/"),
            format!("/lib/systemd/system/{name}.service"),
            format!("/usr/lib/systemd/system/{name}.service"),
        ],
        needs: Vec::new(),
    }
}
