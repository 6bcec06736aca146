//! Where one resource is in its life, as one value, with every transition
//! in this file.
//!
//! | from                | what happens                     | to                        |
//! |---------------------|----------------------------------|---------------------------|
//! | (built)             | -                                | `Pending`                 |
//! | (built)             | could not be built               | `Invalid`                 |
//! | (built)             | `Meta:hidden`                    | `Hidden`                  |
//! | `Converged`         | mark                             | `Pending`                 |
//! | `Pending`           | start                            | `Running { again: false }`|
//! | `Running`           | mark                             | `Running { again: true }` |
//! | `Running { again }` | succeeded                        | `Pending` if again, else `Converged` |
//! | `Running`           | failed, retries left             | `WaitingRetry`            |
//! | `Running`           | failed, none left                | `Failed`                  |
//! | `WaitingRetry`      | retry due                        | `Pending`                 |
//! | `Failed`            | mark, or its recheck is due      | `Pending`                 |
//! | any                 | cannot be rebuilt after a timeout| `Invalid`                 |
//!
//! Marks (a watch event, an upstream change, a poll) matter to a resource
//! that is converged, running or failed: one that gave up is tried again
//! when its watch says something changed (the obstacle may be gone), and on
//! a slow backoff timer. One waiting for its retry is checked when the retry
//! is due anyway; an invalid one (its params make no sense) waits for a new
//! graph; a hidden one never runs.

/// The life of one resource in the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    /// Its state may be wrong: it runs once its upstream has converged and
    /// a place (semaphores, the brief limit) is free.
    Pending,
    /// A check/apply is under way on another thread; `again`: something
    /// said its state may have changed meanwhile, so it runs once more.
    Running { again: bool },
    /// Its last check/apply failed; `Meta:delay` runs before the next.
    WaitingRetry,
    /// It gave up with this error after its retries; what depends on it
    /// waits. A mark or its backoff recheck tries it again.
    Failed(String),
    /// It could not be built (its params make no sense): only a new graph
    /// changes that. What depends on it waits.
    Invalid(String),
    /// Its last check/apply succeeded and nothing said otherwise since.
    Converged,
    /// `Meta:hidden`: it never runs and counts as converged.
    Hidden,
}

/// What a finished check/apply leads to when it failed.
pub(super) enum AfterFailure {
    Retry,
    GiveUp,
}

impl Phase {
    /// The phase a freshly built resource starts in.
    pub fn initial(hidden: bool, build_error: Option<String>) -> Phase {
        match (build_error, hidden) {
            (Some(error), _) => Phase::Invalid(error),
            (None, true) => Phase::Hidden,
            (None, false) => Phase::Pending,
        }
    }

    /// Its state may have changed. True when this asks for a run.
    pub fn mark(&mut self) -> bool {
        match self {
            Phase::Converged | Phase::Failed(_) => {
                *self = Phase::Pending;
                true
            }
            Phase::Running { again } => {
                *again = true;
                false
            }
            Phase::Pending => true,
            Phase::WaitingRetry | Phase::Invalid(_) | Phase::Hidden => false,
        }
    }

    /// A check/apply starts.
    pub fn start(&mut self) {
        debug_assert_eq!(*self, Phase::Pending, "only a pending resource starts");
        *self = Phase::Running { again: false };
    }

    /// The check/apply succeeded.
    pub fn succeeded(&mut self) {
        *self = match self {
            Phase::Running { again: true } => Phase::Pending,
            _ => Phase::Converged,
        };
    }

    /// The check/apply failed: wait for a retry, or give up with `error`.
    pub fn failed(&mut self, after: AfterFailure, error: String) {
        *self = match after {
            AfterFailure::Retry => Phase::WaitingRetry,
            AfterFailure::GiveUp => Phase::Failed(error),
        };
    }

    /// Its retry delay is over. True when this asks for a run.
    pub fn retry_due(&mut self) -> bool {
        if *self != Phase::WaitingRetry {
            return false;
        }
        *self = Phase::Pending;
        true
    }

    /// It can no longer run (a resource that could not be rebuilt).
    pub fn invalid(&mut self, error: String) {
        *self = Phase::Invalid(error);
    }

    pub fn is_running(&self) -> bool {
        matches!(self, Phase::Running { .. })
    }

    pub fn is_waiting_retry(&self) -> bool {
        *self == Phase::WaitingRetry
    }

    pub fn is_pending(&self) -> bool {
        *self == Phase::Pending
    }

    /// The error it gave up with, or why it could not be built.
    pub fn failure(&self) -> Option<&str> {
        match self {
            Phase::Failed(error) | Phase::Invalid(error) => Some(error),
            _ => None,
        }
    }

    /// Gave up after its retries (and may be tried again).
    pub fn gave_up(&self) -> bool {
        matches!(self, Phase::Failed(_))
    }

    /// Done with its work in the current graph: its dependants may run.
    pub fn is_converged(&self) -> bool {
        matches!(self, Phase::Converged | Phase::Hidden)
    }

    /// Nothing left to do for now: converged, or given up. (A pending one
    /// behind a failed one is idle too; the engine works that out.)
    pub fn is_idle(&self) -> bool {
        matches!(
            self,
            Phase::Converged | Phase::Hidden | Phase::Failed(_) | Phase::Invalid(_)
        )
    }

    /// Has work to do: `Meta:realize` holds a swap for it.
    pub fn has_work(&self) -> bool {
        matches!(
            self,
            Phase::Pending | Phase::Running { .. } | Phase::WaitingRetry
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_starts_pending_hidden_or_failed() {
        assert_eq!(Phase::initial(false, None), Phase::Pending);
        assert_eq!(Phase::initial(true, None), Phase::Hidden);
        assert_eq!(
            Phase::initial(true, Some("bad".into())),
            Phase::Invalid("bad".into())
        );
    }

    #[test]
    fn a_mark_while_running_runs_it_once_more() {
        let mut phase = Phase::Pending;
        phase.start();
        assert!(!phase.mark());
        assert!(!phase.mark());
        assert_eq!(phase, Phase::Running { again: true });
        phase.succeeded();
        assert_eq!(phase, Phase::Pending);
        phase.start();
        phase.succeeded();
        assert_eq!(phase, Phase::Converged);
        assert!(phase.is_converged() && phase.is_idle() && !phase.has_work());
        assert!(phase.mark());
        assert_eq!(phase, Phase::Pending);
    }

    #[test]
    fn failures_retry_then_give_up() {
        let mut phase = Phase::Pending;
        phase.start();
        phase.failed(AfterFailure::Retry, "first".into());
        assert_eq!(phase, Phase::WaitingRetry);
        assert!(!phase.mark(), "the retry checks it anyway");
        assert!(phase.has_work() && !phase.is_idle());
        assert!(phase.retry_due());
        phase.start();
        phase.failed(AfterFailure::GiveUp, "second".into());
        assert_eq!(phase.failure(), Some("second"));
        assert!(phase.is_idle() && !phase.is_converged() && phase.gave_up());
        assert!(!phase.retry_due());
        // Its watch says something changed: it is tried again.
        assert!(phase.mark());
        assert_eq!(phase, Phase::Pending);
    }

    #[test]
    fn an_invalid_resource_waits_for_a_new_graph() {
        let mut phase = Phase::initial(false, Some("bad mode".into()));
        assert!(!phase.mark());
        assert!(!phase.retry_due());
        assert_eq!(phase.failure(), Some("bad mode"));
        assert!(phase.is_idle() && !phase.gave_up());
    }

    #[test]
    fn a_stale_retry_does_not_restart_a_converged_resource() {
        let mut phase = Phase::Converged;
        assert!(!phase.retry_due());
        assert_eq!(phase, Phase::Converged);
    }

    #[test]
    fn hidden_resources_never_run() {
        let mut phase = Phase::Hidden;
        assert!(!phase.mark());
        assert!(phase.is_converged() && !phase.has_work());
    }
}
