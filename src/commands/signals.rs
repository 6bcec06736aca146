//! SIGINT and SIGTERM, listened to from the agent's first moment (before it
//! serves or joins etcd), so that a signal at any point stops it cleanly
//! rather than killing it with the default action.

use tokio::signal::unix::{signal, Signal, SignalKind};

/// Both stop signals; `None` when they cannot be listened to.
pub struct StopSignals(Option<(Signal, Signal)>);

impl StopSignals {
    /// Starts listening; needs the runtime's context.
    pub fn listen() -> StopSignals {
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(interrupt), Ok(terminate)) => StopSignals(Some((interrupt, terminate))),
            _ => StopSignals(None),
        }
    }

    pub fn is_listening(&self) -> bool {
        self.0.is_some()
    }

    /// The next SIGINT or SIGTERM (one that came since listening began
    /// counts); never, when not listening.
    pub async fn next(&mut self) {
        match &mut self.0 {
            Some((interrupt, terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            }
            None => std::future::pending().await,
        }
    }
}
