//! Finding an ordering cycle in the resource graph, as a path to show the user.

use super::ir::{ResourceGraph, ResourceId};
use petgraph::visit::{EdgeRef, IntoNodeIdentifiers};
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    Visiting,
    Done,
}

/// One cycle's resources in edge order, if the graph has any cycle.
/// Iterative depth-first search, so a long chain cannot overflow the stack.
pub fn find_cycle(graph: &ResourceGraph) -> Option<Vec<ResourceId>> {
    let inner = graph.inner();
    let mut marks: HashMap<ResourceId, Mark> = HashMap::new();
    let mut starts: Vec<ResourceId> = inner.node_identifiers().collect();
    starts.sort_by(|a, b| order(graph, *a).cmp(&order(graph, *b)));
    for start in starts {
        if marks.contains_key(&start) {
            continue;
        }
        // Each frame: a node and the successors it has yet to visit.
        let mut path: Vec<(ResourceId, Vec<ResourceId>)> = vec![(start, successors(graph, start))];
        marks.insert(start, Mark::Visiting);
        while let Some((node, pending)) = path.last_mut() {
            let node = *node;
            match pending.pop() {
                Some(next) => match marks.get(&next) {
                    Some(Mark::Visiting) => {
                        let from = path.iter().position(|(id, _)| *id == next).unwrap_or(0);
                        return Some(path[from..].iter().map(|(id, _)| *id).collect());
                    }
                    Some(Mark::Done) => {}
                    None => {
                        marks.insert(next, Mark::Visiting);
                        path.push((next, successors(graph, next)));
                    }
                },
                None => {
                    marks.insert(node, Mark::Done);
                    path.pop();
                }
            }
        }
    }
    None
}

/// Resources in `(kind, name)` order, so the cycle reported is always the same.
fn order(graph: &ResourceGraph, id: ResourceId) -> (&str, &str) {
    let resource = graph.resource(id);
    (&resource.kind, &resource.name)
}

fn successors(graph: &ResourceGraph, node: ResourceId) -> Vec<ResourceId> {
    let mut next: Vec<ResourceId> = graph
        .inner()
        .edges(node)
        .map(|edge| edge.target())
        .collect();
    // Popped from the end: reverse order visits them in (kind, name) order.
    next.sort_by(|a, b| order(graph, *b).cmp(&order(graph, *a)));
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{Edge, MetaParams, Resource};

    fn resource(name: &str) -> Resource {
        Resource {
            kind: "noop".to_owned(),
            name: name.to_owned(),
            params: Default::default(),
            meta: MetaParams::default(),
            span: Default::default(),
        }
    }

    #[test]
    fn finds_the_cycle_path() {
        let mut graph = ResourceGraph::new();
        let a = graph.add(resource("a"));
        let b = graph.add(resource("b"));
        let c = graph.add(resource("c"));
        graph.connect(a, b, Edge::default());
        graph.connect(b, c, Edge::default());
        assert!(find_cycle(&graph).is_none());
        graph.connect(c, a, Edge::default());
        let cycle = find_cycle(&graph).unwrap();
        let names: Vec<String> = cycle
            .iter()
            .map(|id| graph.resource(*id).name.clone())
            .collect();
        assert_eq!(names, vec!["a", "b", "c"]);
    }
}
