//! The resource graph: resources (kind, name, defined params, metaparams and
//! the span that produced them) and edges (ordering, refresh, send/recv).

use super::meta::MetaParams;
use crate::fields::Fields;
use crate::value::Value;
use mcl_grammar::Span;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub kind: String,
    pub name: String,
    /// Only the fields the program defined.
    pub params: Fields<Value>,
    pub meta: MetaParams,
    /// The resource statement that produced it.
    pub span: Span,
}

impl Resource {
    /// `kind[name]`, as logs and the text output name a resource.
    pub fn id(&self) -> String {
        format!("{}[{}]", self.kind, self.name)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Edge {
    /// The head gets a refresh when the tail changed something.
    pub notify: bool,
    /// Send/recv pairs `(sent value, received field)` along this edge.
    pub send_recv: Vec<(String, String)>,
    /// Added by autoedges rather than written in the program.
    pub automatic: bool,
}

pub type ResourceId = NodeIndex;

/// Resources keyed by `(kind, name)`, with edges between them.
#[derive(Clone, Debug, Default)]
pub struct ResourceGraph {
    graph: StableDiGraph<Resource, Edge>,
    index: BTreeMap<(String, String), ResourceId>,
}

impl ResourceGraph {
    pub fn new() -> ResourceGraph {
        ResourceGraph::default()
    }

    /// An empty graph with room for this many resources and edges, so that
    /// a large graph is not moved as it grows.
    pub fn with_capacity(resources: usize, edges: usize) -> ResourceGraph {
        ResourceGraph {
            graph: StableDiGraph::with_capacity(resources, edges),
            index: BTreeMap::new(),
        }
    }

    pub fn find(&self, kind: &str, name: &str) -> Option<ResourceId> {
        self.index.get(&(kind.to_owned(), name.to_owned())).copied()
    }

    /// [`ResourceGraph::find`] by an owned `(kind, name)`, with no copy.
    pub fn find_key(&self, key: &(String, String)) -> Option<ResourceId> {
        self.index.get(key).copied()
    }

    /// Adds a resource; the caller has checked it is not a duplicate.
    pub fn add(&mut self, resource: Resource) -> ResourceId {
        let key = (resource.kind.clone(), resource.name.clone());
        let id = self.graph.add_node(resource);
        self.index.insert(key, id);
        id
    }

    pub fn resource(&self, id: ResourceId) -> &Resource {
        &self.graph[id]
    }

    pub fn resource_mut(&mut self, id: ResourceId) -> &mut Resource {
        &mut self.graph[id]
    }

    /// Adds `from -> to`, merging with an existing edge between them.
    pub fn connect(&mut self, from: ResourceId, to: ResourceId, edge: Edge) {
        if let Some(existing) = self.graph.find_edge(from, to) {
            let current = &mut self.graph[existing];
            current.notify |= edge.notify;
            current.automatic &= edge.automatic;
            for pair in edge.send_recv {
                if !current.send_recv.contains(&pair) {
                    current.send_recv.push(pair);
                }
            }
        } else {
            self.graph.add_edge(from, to, edge);
        }
    }

    pub fn has_edge(&self, from: ResourceId, to: ResourceId) -> bool {
        self.graph.find_edge(from, to).is_some()
    }

    /// Resources sorted by `(kind, name)`.
    pub fn resources(&self) -> impl Iterator<Item = (ResourceId, &Resource)> {
        self.index.values().map(|id| (*id, &self.graph[*id]))
    }

    /// Edges as `(from, to, edge)`, in insertion order.
    pub fn edges(&self) -> impl Iterator<Item = (ResourceId, ResourceId, &Edge)> {
        (&self.graph)
            .edge_references()
            .map(|edge| (edge.source(), edge.target(), edge.weight()))
    }

    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// The underlying petgraph graph, for algorithms (cycles, topological order).
    pub fn inner(&self) -> &StableDiGraph<Resource, Edge> {
        &self.graph
    }
}

impl fmt::Display for ResourceGraph {
    /// `Vertex: kind[name]` and `Edge: kind[a] -> kind[b]` lines, sorted bytewise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut lines: Vec<String> = self
            .resources()
            .map(|(_, resource)| format!("Vertex: {}", resource.id()))
            .collect();
        lines.extend(self.edges().map(|(from, to, _)| {
            format!("Edge: {} -> {}", self.graph[from].id(), self.graph[to].id())
        }));
        lines.sort_unstable();
        for line in lines {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}
