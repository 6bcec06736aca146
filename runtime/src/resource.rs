//! The contract between the engine and a resource kind.
//!
//! A resource is built from its [`ResourceSpec`], validated once, then driven
//! by the engine: it *watches* its real state and says when it may have
//! changed, and it *checks* (and, unless in noop mode, *applies*) its wanted
//! state. Check/apply is blocking code — file I/O, processes — and the engine
//! runs it on a blocking thread; it must be idempotent: when the state is
//! already right it changes nothing and says so.

use crate::engine::Event;
use crate::spec::{ResourceKey, ResourceSpec};
use serde_json::Value as Json;
use std::any::Any;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

/// Why a resource could not be built, watched, checked or applied.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ResourceError {
    /// The params make no sense (reported before anything runs).
    #[error("invalid: {0}")]
    Invalid(String),
    /// Checking or applying failed; retried per the metaparameters.
    #[error("{0}")]
    Failed(String),
}

impl ResourceError {
    pub fn invalid(message: impl Into<String>) -> ResourceError {
        ResourceError::Invalid(message.into())
    }

    pub fn failed(message: impl Into<String>) -> ResourceError {
        ResourceError::Failed(message.into())
    }
}

/// Tells the engine "the real state may have changed". Clone it freely for
/// watcher threads and callbacks; once every clone is gone, the watch has
/// ended (a watch command exited), and the engine hears so.
///
/// Inside the engine it sends straight into the engine's own queue, tagged
/// with the resource, and sends nothing more until the engine has taken the
/// last one: thousands of watches cost no channel or task each, and a burst
/// of changes is one message.
#[derive(Clone)]
pub struct WatchEvents(Arc<Link>);

enum Link {
    Engine {
        sender: UnboundedSender<Event>,
        tag: Arc<WatchTag>,
    },
    Channel(UnboundedSender<()>),
}

/// Which watch a message comes from.
pub(crate) struct WatchTag {
    pub key: ResourceKey,
    pub watch: u64,
    /// A change was sent that the engine has not taken yet.
    pub pending: AtomicBool,
}

/// Nobody listens any more: stop watching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchClosed;

impl WatchEvents {
    /// A watch whose changes arrive as `()` on a channel (tests, tools).
    pub fn channel() -> (WatchEvents, UnboundedReceiver<()>) {
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
        (WatchEvents(Arc::new(Link::Channel(sender))), receiver)
    }

    pub(crate) fn engine(
        sender: UnboundedSender<Event>,
        key: ResourceKey,
        watch: u64,
    ) -> WatchEvents {
        let tag = Arc::new(WatchTag {
            key,
            watch,
            pending: AtomicBool::new(false),
        });
        WatchEvents(Arc::new(Link::Engine { sender, tag }))
    }

    /// Says the real state may have changed.
    pub fn changed(&self) -> Result<(), WatchClosed> {
        match &*self.0 {
            Link::Channel(sender) => sender.send(()).map_err(|_| WatchClosed),
            Link::Engine { sender, tag } => {
                if tag.pending.swap(true, Ordering::AcqRel) {
                    return Ok(());
                }
                sender
                    .send(Event::Watch(Arc::clone(tag)))
                    .map_err(|_| WatchClosed)
            }
        }
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        if let Link::Engine { sender, tag } = self {
            let _ = sender.send(Event::WatchEnded(Arc::clone(tag)));
        }
    }
}

/// Keeps a watch alive; dropping it stops the watch (a watcher, a thread
/// with a stop flag, a child process that is killed on drop...).
pub type WatchGuard = Box<dyn Any + Send>;

/// What one check/apply learned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The state was already right; nothing was done.
    Correct,
    /// The state was wrong and was fixed; the text says what changed, for
    /// the log ("content replaced", "mode 0600 -> 0644").
    Changed(String),
    /// Noop mode: the state is wrong; the text says what would change (for
    /// file content, a unified diff).
    WouldChange(String),
}

impl Outcome {
    pub fn changed(&self) -> bool {
        matches!(self, Outcome::Changed(_))
    }
}

/// What the engine tells a check/apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ApplyContext {
    /// When false (noop), only check and describe what would change.
    pub apply: bool,
    /// An upstream resource changed something along a `Notify` edge since the
    /// last check/apply: reload, restart, re-run.
    pub refresh: bool,
    /// Whether noop diffs show content (`--show-diff`).
    pub show_diff: ShowDiff,
}

/// Which noop diffs show the content they compare (`--show-diff`). A
/// `Meta:sensitive` resource's never do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ShowDiff {
    /// All but those of files others may not read (current or wanted mode
    /// without `o+r`): those show size and digest only.
    #[default]
    Auto,
    Always,
    Never,
}

pub trait Resource: Send + 'static {
    /// Checks the params once, before the resource runs.
    fn validate(&self) -> Result<(), ResourceError> {
        Ok(())
    }

    /// Starts watching the real state. `None` means the resource has nothing
    /// to watch: it is checked at start, on refresh and on poll only.
    fn watch(&self, _events: WatchEvents) -> Result<Option<WatchGuard>, ResourceError> {
        Ok(None)
    }

    /// Compares the real state with the wanted one, and fixes it when
    /// `context.apply`. Blocking.
    fn check_apply(&mut self, context: ApplyContext) -> Result<Outcome, ResourceError>;

    /// Whether a check/apply is brief work (a few system calls). Brief work
    /// shares a capped pool of threads; anything that runs commands or may
    /// block for long says false and gets a thread of its own.
    fn brief(&self) -> bool {
        true
    }

    /// With `Meta:reverse`: a resource that undoes this one's changes, run
    /// once when it leaves the graph. `None` when there is nothing to undo.
    fn reversal(&self) -> Option<ResourceSpec> {
        None
    }

    /// The values this resource sends (send/recv), after its last check/apply.
    fn sent(&self) -> BTreeMap<String, Json> {
        BTreeMap::new()
    }

    /// Which of the values it sends were cut to a size limit, and how many
    /// bytes each lost (the engine warns when it delivers one).
    fn cut(&self) -> BTreeMap<String, u64> {
        BTreeMap::new()
    }

    /// Sets a received value into field `field` before the next check/apply.
    fn receive(&mut self, field: &str, _value: Json) -> Result<(), ResourceError> {
        Err(ResourceError::invalid(format!(
            "cannot receive into `{field}`"
        )))
    }
}

/// Builds a resource of its spec's kind, with its engine's shared services.
pub type Constructor =
    fn(&ResourceSpec, &crate::services::Services) -> Result<Box<dyn Resource>, ResourceError>;
