//! Convergence: when the graph counts as converged (nothing pending,
//! running or waiting for a retry, except behind a resource that gave up),
//! and how a run with a converged timeout ends.

use super::{Ending, Engine};
use crate::spec::ResourceKey;
use std::collections::HashMap;
use std::time::Instant;

impl Engine {
    /// The graph is converged when nothing is running, waiting or pending
    /// (except resources stuck behind one that gave up).
    fn is_converged(&self) -> bool {
        if !self.started || self.running > 0 || self.held_graph.is_some() {
            return false;
        }
        let mut blocked = HashMap::new();
        self.vertices.iter().all(|(key, vertex)| {
            vertex.phase.is_idle()
                || (vertex.phase.is_pending() && self.behind_failure(key, &mut blocked))
        })
    }

    /// Whether something `key` depends on (directly or not) gave up.
    pub(super) fn behind_failure(
        &self,
        key: &ResourceKey,
        memo: &mut HashMap<ResourceKey, bool>,
    ) -> bool {
        if let Some(known) = memo.get(key) {
            return *known;
        }
        // Cycles are refused by the compiler; mark first so a bad graph cannot loop.
        memo.insert(key.clone(), false);
        let answer = self.upstream.get(key).into_iter().flatten().any(|edge| {
            self.vertices
                .get(&edge.from)
                .is_some_and(|vertex| vertex.phase.failure().is_some())
                || self.behind_failure(&edge.from, memo)
        });
        memo.insert(key.clone(), answer);
        answer
    }

    pub(super) fn update_converged(&mut self) {
        if self.is_converged() {
            if self.converged_since.is_none() {
                self.record.converged();
                self.converged_since = Some(Instant::now());
            }
        } else if self.converged_since.take().is_some() {
            self.record.unconverged();
        }
    }

    pub(super) fn converged_deadline(&self) -> Option<Instant> {
        let timeout = self.options.converged_timeout?;
        self.converged_since.map(|since| since + timeout)
    }

    /// How the run ends, once it does: stopped when shutting down and
    /// nothing runs any more; converged when it stayed so for the timeout.
    pub(super) fn ending(&mut self) -> Option<Ending> {
        if self.shutting_down {
            if self
                .vertices
                .values()
                .any(|vertex| vertex.phase.is_running())
            {
                return None;
            }
            let failed = self.failed_resources();
            return Some(if failed.is_empty() {
                Ending::Stopped
            } else {
                Ending::StoppedWithFailures(failed)
            });
        }
        let deadline = self.converged_deadline()?;
        if Instant::now() < deadline {
            return None;
        }
        let failed = self.failed_resources();
        Some(if failed.is_empty() {
            Ending::Converged
        } else {
            Ending::ConvergedWithFailures(failed)
        })
    }

    /// The resources that gave up (and were not tried again since) or could
    /// not be built.
    fn failed_resources(&self) -> Vec<String> {
        self.vertices
            .values()
            .filter(|vertex| vertex.phase.failure().is_some())
            .map(|vertex| vertex.spec.id())
            .collect()
    }
}
