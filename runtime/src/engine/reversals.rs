//! `Meta:reverse` in the engine: a resource that leaves the graph has its
//! undo applied once; undos saved by an earlier run of the agent (see
//! `state::reversal`) for resources the program no longer has join the
//! first graph as resources of their own, so a one-shot run applies them,
//! counts them, and forgets each once applied.

use super::state::Vertex;
use super::Engine;
use crate::resource::{ApplyContext, Outcome};
use crate::spec::{GraphSpec, ResourceKey};
use crate::state::reversal;
use std::collections::HashMap;
use tracing::{debug, error, info};

impl Engine {
    /// Adds to the first `graph` the saved undos of resources it lacks, and
    /// forgets those no longer wanted (the resource is there without
    /// `Meta:reverse`, or nothing could be restored).
    pub(super) fn add_saved_reversals(&mut self, graph: &mut GraphSpec) {
        let saved = reversal::saved(&self.services.state);
        if saved.is_empty() {
            return;
        }
        let in_graph: HashMap<String, bool> = graph
            .resources
            .iter()
            .map(|spec| (spec.id(), spec.meta.reverse))
            .collect();
        for (id, undo) in saved {
            match (in_graph.get(&id), undo) {
                (Some(true), _) => {}
                (Some(false), _) | (None, None) => reversal::forget(&self.services.state, &id),
                (None, Some(undo)) if in_graph.contains_key(&undo.id()) => {
                    // The program manages that path now, another way.
                    reversal::forget(&self.services.state, &id);
                }
                (None, Some(undo)) => {
                    info!("{id}: no longer in the program; putting back what it changed (Meta:reverse)");
                    self.saved_reversals.insert(undo.key(), id);
                    graph.resources.push(undo);
                }
            }
        }
    }

    /// After a successful check/apply of `key`: if it was a saved undo,
    /// forget it, unless in noop it only would have changed something.
    pub(super) fn reversal_done(&mut self, key: &ResourceKey, outcome: &Outcome) {
        if self.saved_reversals.is_empty() || matches!(outcome, Outcome::WouldChange(_)) {
            return;
        }
        if let Some(id) = self.saved_reversals.remove(key) {
            reversal::forget(&self.services.state, &id);
        }
    }

    /// `Meta:reverse`: undo what a removed resource changed, once.
    pub(super) fn reverse(&self, vertex: &Vertex) {
        let Some(spec) = vertex
            .resource
            .as_ref()
            .and_then(|resource| resource.reversal())
        else {
            return;
        };
        let apply = !(self.options.noop || vertex.spec.meta.noop);
        let id = vertex.spec.id();
        let services = self.services.clone();
        let show_diff = self.options.show_diff;
        tokio::task::spawn_blocking(move || {
            let result = services.build(&spec).and_then(|mut resource| {
                resource.check_apply(ApplyContext {
                    apply,
                    refresh: false,
                    show_diff,
                })
            });
            match result {
                Ok(Outcome::Correct) => debug!("{id}: nothing to reverse"),
                Ok(Outcome::Changed(what)) => info!("{id}: reversed: {what}"),
                Ok(Outcome::WouldChange(what)) => {
                    info!("{id}: (noop) would reverse: {what}");
                    return;
                }
                Err(problem) => {
                    error!(
                        "{id}: cannot reverse: {problem}; tried again at the agent's next start"
                    );
                    return;
                }
            }
            reversal::forget(&services.state, &id);
        });
    }
}
