//! What the resources of one engine share, handed to each resource as it is
//! built: handles owned by that engine, never process-wide statics, so that
//! several engines can live in one process (the cluster tests run three
//! agents' engines side by side) and one engine's shutdown touches only its
//! own children.
//!
//! The World (what hosts share), the D-Bus connections and the state kept
//! across restarts are here too.

use crate::dbus::Buses;
use crate::kind::Kinds;
use crate::resource::{Resource, ResourceError};
use crate::resources::exec::RunningCommands;
use crate::resources::file::FileWatcher;
use crate::spec::ResourceSpec;
use crate::state::StateDir;
use crate::world::World;
use std::sync::Arc;

/// The shared services of one engine. Cloning shares them.
#[derive(Clone, Debug)]
pub struct Services {
    /// The kinds the engine builds resources of.
    pub kinds: Arc<Kinds>,
    /// Every command the engine's `exec` resources are running, so that
    /// shutdown can kill what is left.
    pub commands: RunningCommands,
    /// The one inotify watcher all the engine's file resources share.
    pub files: FileWatcher,
    /// The shared store `kv` resources write (in-process unless clustered).
    pub world: Arc<World>,
    /// The D-Bus connections of svc, hostname and pkg, opened on first use.
    pub buses: Buses,
    /// Where resources keep what must survive a restart (`--prefix`).
    pub state: StateDir,
}

impl Default for Services {
    fn default() -> Services {
        Services {
            kinds: Arc::default(),
            commands: RunningCommands::default(),
            files: FileWatcher::default(),
            world: World::in_process("localhost"),
            buses: Buses::default(),
            state: StateDir::in_memory(),
        }
    }
}

impl Services {
    /// Fresh services for one engine (or a test's resources).
    pub fn new() -> Services {
        Services::default()
    }

    /// Fresh services for an engine that runs `kinds` (the built-in ones and
    /// a program's own).
    pub fn with_kinds(kinds: Arc<Kinds>) -> Services {
        Services {
            kinds,
            ..Services::default()
        }
    }

    /// These services, writing to `world`.
    pub fn with_world(mut self, world: Arc<World>) -> Services {
        self.world = world;
        self
    }

    /// These services, for an agent process: the commands still running
    /// when it dies are killed with everything they started in their
    /// process groups (see `RunningCommands::reaped_at_exit`).
    pub fn for_agent_process(mut self) -> Services {
        self.commands = RunningCommands::reaped_at_exit();
        self
    }

    /// These services, keeping resource state in `state`.
    pub fn with_state(mut self, state: StateDir) -> Services {
        self.state = state;
        self
    }

    /// Builds and validates a resource of one of these kinds from its spec
    /// (with the resources grouped into it), sharing these services.
    pub fn build(&self, spec: &ResourceSpec) -> Result<Box<dyn Resource>, ResourceError> {
        self.kinds.build(spec, self)
    }
}
