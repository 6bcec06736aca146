//! The resource-graph IR: what evaluation produces and the engine runs, plus
//! its automatic edges and its text, JSON and Graphviz renderings.

pub mod ir;
pub mod meta;

pub use ir::{Edge, Resource, ResourceGraph, ResourceId};
pub use meta::MetaParams;
