//! The mgmt engine: resource kinds (their schemas for the compiler and their
//! implementations), and the engine that keeps a host converged on a graph.

pub mod agent;
pub mod autogroup;
pub mod dbus;
pub mod engine;
pub mod kind;
pub mod reactive;
pub mod report;
pub mod resource;
pub mod resources;
pub mod schemas;
pub mod services;
pub mod spec;
pub mod state;
pub mod watch_limit;
pub mod world;

pub use kind::{kinds, Kinds, ResourceKind};
