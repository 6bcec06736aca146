//! Running a check/apply off the coordinator.
//!
//! Brief work (a file's few system calls) runs on tokio's blocking pool,
//! which is capped so that thousands of ready files do not start thousands
//! of threads. A resource that runs commands may block for as long as the
//! command runs, so it gets a thread of its own: independent commands all
//! run at once however many there are, and never wait for a pool thread.

use super::Event;
use crate::resource::{ApplyContext, Outcome, Resource, ResourceError};
use crate::spec::ResourceKey;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc::UnboundedSender, oneshot};

/// One check/apply to run.
pub(super) struct Job {
    pub key: ResourceKey,
    pub generation: u64,
    pub resource: Box<dyn Resource>,
    pub context: ApplyContext,
    /// `Meta:timeout` in milliseconds; 0 means none.
    pub timeout: u64,
}

/// The resource back (`None` when it panicked or was abandoned: the engine
/// rebuilds it) and what its check/apply said.
type Work = (Option<Box<dyn Resource>>, Result<Outcome, ResourceError>);

/// Starts `job`; it reports back with `Event::Done`.
pub(super) fn launch(sender: UnboundedSender<Event>, job: Job) {
    let Job {
        key,
        generation,
        mut resource,
        context,
        timeout,
    } = job;
    let brief = resource.brief();
    let started = Instant::now();
    let report = Report {
        sender,
        key,
        generation,
        started,
    };
    let check = move || -> Work {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let result = resource.check_apply(context);
            (resource, result)
        }));
        match outcome {
            Ok((resource, result)) => (Some(resource), result),
            Err(_) => (None, Err(ResourceError::failed("the check/apply panicked"))),
        }
    };
    if timeout == 0 {
        // The common case: the thread reports back itself, with no async
        // task in between.
        let on_thread = report.clone();
        if let Err(problem) = run_off_coordinator(brief, move || on_thread.send(check())) {
            report.send((None, Err(problem)));
        }
        return;
    }
    // `Meta:timeout`: stop waiting after the timeout; the engine rebuilds the
    // resource, and the abandoned check finishes (or not) on its own.
    let (done, outcome) = oneshot::channel();
    let running = run_off_coordinator(brief, move || {
        let _ = done.send(check());
    });
    tokio::spawn(async move {
        let work = match running {
            Err(problem) => (None, Err(problem)),
            Ok(()) => match tokio::time::timeout(Duration::from_millis(timeout), outcome).await {
                Ok(Ok(work)) => work,
                Ok(Err(_)) => (None, Err(ResourceError::failed("the check/apply was lost"))),
                Err(_) => (
                    None,
                    Err(ResourceError::failed(format!(
                        "timed out after {timeout} ms"
                    ))),
                ),
            },
        };
        report.send(work);
    });
}

/// Where a finished check/apply goes.
#[derive(Clone)]
struct Report {
    sender: UnboundedSender<Event>,
    key: ResourceKey,
    generation: u64,
    started: Instant,
}

impl Report {
    fn send(self, (resource, result): Work) {
        let _ = self.sender.send(Event::Done {
            key: self.key,
            generation: self.generation,
            resource,
            result,
            elapsed: self.started.elapsed(),
        });
    }
}

/// Runs `work` on the blocking pool (`brief`) or on a thread of its own.
fn run_off_coordinator(
    brief: bool,
    work: impl FnOnce() + Send + 'static,
) -> Result<(), ResourceError> {
    if brief {
        tokio::task::spawn_blocking(work);
        return Ok(());
    }
    std::thread::Builder::new()
        .name("mgmt-command".to_owned())
        .spawn(work)
        .map(|_| ())
        .map_err(|problem| ResourceError::failed(format!("cannot start a thread: {problem}")))
}
