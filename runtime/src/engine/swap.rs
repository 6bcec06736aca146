//! Graph swap: diff the new graph against the running one by kind, name,
//! params and metaparams, and touch only what differs. Unchanged resources
//! keep running (and watching) untouched; there is no global pause.
//! `Meta:realize` may hold a new graph until a resource it would remove or
//! replace has run once.

use super::state::Vertex;
use super::Engine;
use crate::spec::{GraphSpec, ResourceKey, ResourceSpec};
use std::collections::{BTreeMap, HashMap, HashSet};
use tracing::{debug, error, info};

impl Engine {
    /// Takes a new graph: swaps now, or holds it while a `Meta:realize`
    /// resource it would remove or replace has not run since it was told to.
    /// A newer graph replaces a held one.
    pub(super) fn swap(&mut self, mut graph: GraphSpec) {
        if !std::mem::replace(&mut self.reversals_loaded, true) {
            self.add_saved_reversals(&mut graph);
        }
        let mut graph = crate::autogroup::autogroup(graph, &self.services.kinds);
        // Kinds that read the whole graph (a purging directory must know
        // which paths other resources manage in it) do so before building.
        self.services.kinds.prepare(&mut graph);
        if let Some(waiting) = self.unrealized(&graph) {
            info!("{waiting}: holding the new graph until it has run (Meta:realize)");
            self.held_graph = Some(graph);
            return;
        }
        self.held_graph = None;
        self.replace_graph(graph);
    }

    /// Swaps a held graph once nothing holds it any more.
    pub(super) fn release_held_graph(&mut self) {
        let Some(graph) = self.held_graph.take() else {
            return;
        };
        match self.unrealized(&graph) {
            Some(_) => self.held_graph = Some(graph),
            None => {
                debug!("swapping the held graph");
                self.replace_graph(graph);
            }
        }
    }

    /// A `Meta:realize` resource that `graph` would remove or replace and
    /// that still has work to do; one that gave up, or waits behind one
    /// that did, cannot hold a swap.
    fn unrealized(&self, graph: &GraphSpec) -> Option<String> {
        if !self
            .vertices
            .values()
            .any(|vertex| vertex.spec.meta.realize)
        {
            return None;
        }
        let next: HashMap<ResourceKey, &ResourceSpec> = graph
            .resources
            .iter()
            .map(|spec| (spec.key(), spec))
            .collect();
        let mut blocked = HashMap::new();
        self.vertices.iter().find_map(|(key, vertex)| {
            let kept = next
                .get(key)
                .is_some_and(|spec| self.services.kinds.keeps_running(&vertex.spec, spec));
            (vertex.spec.meta.realize
                && !kept
                && vertex.phase.has_work()
                && !self.behind_failure(key, &mut blocked))
            .then(|| vertex.spec.id())
        })
    }

    fn replace_graph(&mut self, graph: GraphSpec) {
        let wanted: HashSet<ResourceKey> = graph.resources.iter().map(|spec| spec.key()).collect();
        let vanished: Vec<ResourceKey> = self
            .vertices
            .keys()
            .filter(|key| !wanted.contains(*key))
            .cloned()
            .collect();
        for key in vanished {
            if let Some(mut vertex) = self.vertices.remove(&key) {
                info!("{}: removed from the graph", vertex.spec.id());
                self.record.removed(key, std::mem::take(&mut vertex.tally));
                if vertex.phase.is_running() {
                    // Its result will be ignored; give back what it holds now.
                    self.run_ended(&vertex.spec.meta.sema, vertex.brief);
                }
                if vertex.spec.meta.reverse {
                    self.reverse(&vertex);
                }
            }
        }
        let mut specs = graph.resources;
        while let Some(spec) = specs.pop() {
            // Give back the list's memory as it empties: the vertices built
            // from it would otherwise sit beside all of it (measured at
            // N=5000: peak 29.2 MB without this, 28.5 MB with it).
            if specs.len() < specs.capacity() / 2 {
                specs.shrink_to_fit();
            }
            let key = spec.key();
            if let Some(existing) = self.vertices.get_mut(&key) {
                if self.services.kinds.keeps_running(&existing.spec, &spec) {
                    existing.spec = spec;
                    continue;
                }
                info!("{}: changed, replacing it", spec.id());
                if existing.phase.is_running() {
                    let (sema, brief) = (existing.spec.meta.sema.clone(), existing.brief);
                    self.run_ended(&sema, brief);
                }
            } else {
                debug!("{}: added", spec.id());
            }
            // Retries already used stay used across a change of params,
            // unless `Meta:reset` asks for a fresh count.
            let retries_used = self
                .vertices
                .get(&key)
                .filter(|_| !spec.meta.reset)
                .map(|vertex| vertex.retries_used())
                .unwrap_or(0);
            self.next_generation += 1;
            let generation = self.next_generation;
            let mut vertex = match self.services.build(&spec) {
                Ok(resource) => Vertex::new(spec, Some(resource), generation, None),
                Err(problem) => {
                    error!("{}: {problem} (at {})", spec.id(), spec.location);
                    Vertex::new(spec, None, generation, Some(problem.to_string()))
                }
            };
            vertex.use_retries(retries_used);
            // What the replaced resource did still counts in this run.
            if let Some(replaced) = self.vertices.get_mut(&key) {
                vertex.tally = std::mem::take(&mut replaced.tally);
            }
            if let Some(problem) = vertex.phase.failure().map(str::to_owned) {
                self.record.invalid(&mut vertex.tally, &problem);
            }
            self.vertices.insert(key.clone(), Box::new(vertex));
            self.start_watch(&key);
            self.candidates.insert(key);
        }
        let mut upstream: BTreeMap<ResourceKey, Vec<_>> = BTreeMap::new();
        let mut downstream: BTreeMap<ResourceKey, Vec<_>> = BTreeMap::new();
        for edge in graph.edges {
            upstream
                .entry(edge.to.clone())
                .or_default()
                .push(edge.clone());
            downstream.entry(edge.from.clone()).or_default().push(edge);
        }
        self.upstream = upstream.into_iter().collect();
        self.downstream = downstream.into_iter().collect();
    }
}
