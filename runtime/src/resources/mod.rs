//! The resource kinds the engine runs, one module each (registered in
//! [`crate::kind::Kinds::builtin`]), and how a group of resources runs as one.

pub mod accounts;
pub mod cron;
pub mod exec;
pub mod file;
mod group;
pub mod hostname;
pub mod kv;
pub mod msg;
pub mod noop;
pub mod pkg;
pub mod print;
pub mod schedule;
pub mod svc;
pub mod test;
pub mod timer;
pub mod value;

pub use group::Grouped;
