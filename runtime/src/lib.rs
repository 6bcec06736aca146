//! The mgmt engine: resource workers, scheduling, watchers and the World store.
//!
//! So far it declares the resource kinds ([`schemas`]) that the compiler
//! checks programs against; the engine that runs them is built next.

pub mod schemas;

pub use schemas::{kinds, Kinds, OPEN_VALUES};
