//! The resource-graph IR: what evaluation produces and the engine runs, plus
//! its automatic edges and its text, JSON and Graphviz renderings.

pub mod autoedges;
pub mod cycles;
pub mod ir;
pub mod meta;
pub mod output;

pub use autoedges::add_autoedges;
pub use ir::{Edge, Resource, ResourceGraph, ResourceId};
pub use meta::MetaParams;
pub use output::{to_dot, to_dot_with_groups, to_json, to_text};
