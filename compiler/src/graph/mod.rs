//! The resource-graph IR: what evaluation produces and the engine runs, plus
//! its automatic edges and its text, JSON and Graphviz renderings.

pub mod autoedges;
pub mod cycles;
pub mod dot;
pub mod ir;
pub mod meta;
pub mod output;

pub use autoedges::add_autoedges;
pub use dot::{to_dot, to_dot_with_groups};
pub use ir::{Edge, Resource, ResourceGraph, ResourceId};
pub use meta::MetaParams;
pub use output::{to_json, to_text};
