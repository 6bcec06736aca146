//! What the resources of one engine share, handed to each resource as it is
//! built: handles owned by that engine, never process-wide statics, so that
//! several engines can live in one process (the cluster tests run three
//! agents' engines side by side) and one engine's shutdown touches only its
//! own children.
//!
//! The D-Bus connection and the World join it when they are built.

use crate::resources::exec::RunningCommands;
use crate::resources::file::FileWatcher;

/// The shared services of one engine. Cloning shares them.
#[derive(Clone, Debug, Default)]
pub struct Services {
    /// Every command the engine's `exec` resources are running, so that
    /// shutdown can kill what is left.
    pub commands: RunningCommands,
    /// The one inotify watcher all the engine's file resources share.
    pub files: FileWatcher,
}

impl Services {
    /// Fresh services for one engine (or a test's resources).
    pub fn new() -> Services {
        Services::default()
    }
}
