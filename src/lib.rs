//! What the `mgmt` binary, its integration tests and its benchmarks share:
//! the wiring of every core function and resource kind into one toolbox,
//! and the file-system source loader. The command line itself lives in
//! `main.rs` and its modules.

pub mod toolbox;
