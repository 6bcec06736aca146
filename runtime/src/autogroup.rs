//! `Meta:autogroup`: resources of a groupable kind (its schema says so, and
//! the kind may keep single resources out: a refresh-only `print`, a `test`
//! without `alwaysgroup`) are merged into one vertex that checks and applies
//! them together, so a thousand `print`s cost one worker, not a thousand.
//!
//! Grouping never changes what the program says: only resources with equal
//! metaparameters are merged, never ones that send or receive values, and
//! never two between which a path of edges runs (merging them would make a
//! cycle). The merged vertex takes the edges of all its members.

use crate::kind::Kinds;
use crate::spec::{EdgeSpec, GraphSpec, ResourceKey, ResourceSpec};
use std::collections::{BTreeMap, HashMap};
use tracing::debug;

/// Merges what can be merged; a graph with nothing to merge comes back as is.
pub fn autogroup(graph: GraphSpec, kinds: &Kinds) -> GraphSpec {
    let groupable =
        |spec: &ResourceSpec| spec.meta.autogroup && !spec.meta.hidden && kinds.groupable(spec);
    // Most graphs have nothing to group: tell before building any index.
    if graph
        .resources
        .iter()
        .filter(|spec| groupable(spec))
        .nth(1)
        .is_none()
    {
        return graph;
    }
    let count = graph.resources.len();
    let index: HashMap<ResourceKey, usize> = graph
        .resources
        .iter()
        .enumerate()
        .map(|(position, spec)| (spec.key(), position))
        .collect();
    let mut eligible: Vec<bool> = graph.resources.iter().map(&groupable).collect();
    let mut outgoing = vec![Vec::new(); count];
    let mut touches = vec![false; count];
    for edge in &graph.edges {
        let (Some(&from), Some(&to)) = (index.get(&edge.from), index.get(&edge.to)) else {
            continue;
        };
        outgoing[from].push(to);
        touches[from] = true;
        touches[to] = true;
        if !edge.send_recv.is_empty() {
            // Values flow between single resources.
            eligible[from] = false;
            eligible[to] = false;
        }
    }
    if eligible.iter().filter(|&&flag| flag).count() < 2 {
        return graph;
    }
    let mut groups = Groups::new(touches);
    // In key order, so the same program always groups the same way.
    let mut order: Vec<usize> = (0..count).filter(|&position| eligible[position]).collect();
    let key_of = |position: usize| {
        let spec = &graph.resources[position];
        (spec.kind.as_str(), spec.name.as_str())
    };
    order.sort_by(|&a, &b| key_of(a).cmp(&key_of(b)));
    let mut open: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for position in order {
        let spec = &graph.resources[position];
        let candidates = open.entry(spec.kind.as_str()).or_default();
        let joined = candidates.iter().copied().find(|&leader| {
            graph.resources[leader].meta == spec.meta
                && !groups.connected(leader, position, &outgoing)
        });
        match joined {
            Some(leader) => groups.merge(leader, position),
            None => candidates.push(position),
        }
    }
    groups.rebuild(graph)
}

/// Which group each resource is in, as the position of its leader.
struct Groups {
    leader: Vec<usize>,
    members: Vec<Vec<usize>>,
    /// Whether any member has an edge; groups without any merge freely.
    has_edges: Vec<bool>,
}

impl Groups {
    fn new(has_edges: Vec<bool>) -> Groups {
        let count = has_edges.len();
        Groups {
            leader: (0..count).collect(),
            members: (0..count).map(|position| vec![position]).collect(),
            has_edges,
        }
    }

    fn merge(&mut self, leader: usize, member: usize) {
        self.leader[member] = leader;
        self.members[member].clear();
        self.members[leader].push(member);
        self.has_edges[leader] |= self.has_edges[member];
    }

    /// Whether a path of edges runs between `group`'s members and `other`,
    /// either way, in the graph as grouped so far.
    fn connected(&self, group: usize, other: usize, outgoing: &[Vec<usize>]) -> bool {
        if !self.has_edges[group] || !self.has_edges[other] {
            return false;
        }
        self.reaches(group, other, outgoing) || self.reaches(other, group, outgoing)
    }

    /// Breadth-first over groups, following edges forward.
    fn reaches(&self, from: usize, to: usize, outgoing: &[Vec<usize>]) -> bool {
        let mut seen = vec![false; self.leader.len()];
        let mut queue = std::collections::VecDeque::from([from]);
        seen[from] = true;
        while let Some(group) = queue.pop_front() {
            for &member in &self.members[group] {
                for &next in &outgoing[member] {
                    let next = self.leader[next];
                    if next == to {
                        return true;
                    }
                    if !std::mem::replace(&mut seen[next], true) {
                        queue.push_back(next);
                    }
                }
            }
        }
        false
    }

    /// The grouped graph: each leader carries its members; edges point at
    /// leaders, merged when two become the same.
    fn rebuild(self, graph: GraphSpec) -> GraphSpec {
        let GraphSpec { resources, edges } = graph;
        let keys: Vec<ResourceKey> = resources.iter().map(ResourceSpec::key).collect();
        let positions: HashMap<&ResourceKey, usize> = keys
            .iter()
            .enumerate()
            .map(|(position, key)| (key, position))
            .collect();
        let mut slots: Vec<Option<ResourceSpec>> = resources.into_iter().map(Some).collect();
        let mut grouped = Vec::new();
        for position in 0..slots.len() {
            if self.leader[position] != position {
                continue;
            }
            let Some(mut leader) = slots[position].take() else {
                continue;
            };
            for &member in &self.members[position][1..] {
                if let Some(spec) = slots[member].take() {
                    debug!("{}: grouped into {}", spec.id(), leader.id());
                    leader.group.push(spec);
                }
            }
            grouped.push(leader);
        }
        let leader_key = |key: &ResourceKey| -> ResourceKey {
            match positions.get(key) {
                Some(&position) => keys[self.leader[position]].clone(),
                None => key.clone(),
            }
        };
        let mut merged: BTreeMap<(ResourceKey, ResourceKey), EdgeSpec> = BTreeMap::new();
        let mut order = Vec::new();
        for edge in edges {
            let from = leader_key(&edge.from);
            let to = leader_key(&edge.to);
            match merged.get_mut(&(from.clone(), to.clone())) {
                Some(existing) => {
                    existing.notify |= edge.notify;
                    existing.send_recv.extend(edge.send_recv);
                }
                None => {
                    order.push((from.clone(), to.clone()));
                    merged.insert((from.clone(), to.clone()), EdgeSpec { from, to, ..edge });
                }
            }
        }
        let edges = order
            .into_iter()
            .filter_map(|pair| merged.remove(&pair))
            .collect();
        GraphSpec {
            resources: grouped,
            edges,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resource(kind: &str, name: &str) -> ResourceSpec {
        ResourceSpec::new(kind, name, Default::default(), "")
    }

    fn edge(from: (&str, &str), to: (&str, &str)) -> EdgeSpec {
        EdgeSpec {
            from: (from.0.to_owned(), from.1.to_owned()),
            to: (to.0.to_owned(), to.1.to_owned()),
            ..EdgeSpec::default()
        }
    }

    fn shape(graph: &GraphSpec) -> Vec<(String, Vec<String>)> {
        graph
            .resources
            .iter()
            .map(|spec| (spec.id(), spec.group.iter().map(ResourceSpec::id).collect()))
            .collect()
    }

    #[test]
    fn prints_without_edges_become_one() {
        let graph = GraphSpec {
            resources: vec![
                resource("print", "b"),
                resource("print", "a"),
                resource("file", "/x"),
                resource("print", "c"),
            ],
            edges: vec![],
        };
        let grouped = autogroup(graph, &Kinds::builtin());
        assert_eq!(
            shape(&grouped),
            [
                (
                    "print[a]".to_owned(),
                    vec!["print[b]".to_owned(), "print[c]".to_owned()]
                ),
                ("file[/x]".to_owned(), vec![])
            ]
        );
    }

    #[test]
    fn a_path_between_two_keeps_them_apart() {
        // print[a] -> file[/x] -> print[b]: merging a and b would be a cycle.
        let graph = GraphSpec {
            resources: vec![
                resource("print", "a"),
                resource("file", "/x"),
                resource("print", "b"),
                resource("print", "c"),
            ],
            edges: vec![
                edge(("print", "a"), ("file", "/x")),
                edge(("file", "/x"), ("print", "b")),
            ],
        };
        let grouped = autogroup(graph, &Kinds::builtin());
        assert_eq!(
            shape(&grouped),
            [
                ("print[a]".to_owned(), vec!["print[c]".to_owned()]),
                ("file[/x]".to_owned(), vec![]),
                ("print[b]".to_owned(), vec![]),
            ]
        );
        assert_eq!(grouped.edges.len(), 2);
    }

    #[test]
    fn edges_of_members_move_to_the_leader_and_merge() {
        let mut notified = edge(("print", "b"), ("file", "/x"));
        notified.notify = true;
        let graph = GraphSpec {
            resources: vec![
                resource("print", "a"),
                resource("print", "b"),
                resource("file", "/x"),
            ],
            edges: vec![edge(("print", "a"), ("file", "/x")), notified],
        };
        let grouped = autogroup(graph, &Kinds::builtin());
        assert_eq!(grouped.resources.len(), 2);
        assert_eq!(grouped.edges.len(), 1);
        let only = &grouped.edges[0];
        assert_eq!(only.from, ("print".to_owned(), "a".to_owned()));
        assert!(only.notify, "the merged edge keeps the refresh");
    }

    #[test]
    fn what_must_stay_alone_does() {
        let mut off = resource("noop", "off");
        off.meta.autogroup = false;
        let mut hidden = resource("noop", "hidden");
        hidden.meta.hidden = true;
        let mut other_meta = resource("noop", "retrying");
        other_meta.meta.retry = 3;
        let mut refresh_only = resource("print", "r");
        refresh_only
            .params
            .insert("refresh_only".into(), json!(true));
        let plain_test = resource("test", "t1");
        let mut grouping_test = resource("test", "t2");
        grouping_test
            .params
            .insert("alwaysgroup".into(), json!(true));
        let graph = GraphSpec {
            resources: vec![
                resource("noop", "a"),
                off,
                hidden,
                other_meta,
                resource("print", "p"),
                refresh_only,
                plain_test,
                grouping_test,
            ],
            edges: vec![],
        };
        let grouped = autogroup(graph.clone(), &Kinds::builtin());
        assert_eq!(grouped.resources.len(), graph.resources.len());
        assert!(grouped.resources.iter().all(|spec| spec.group.is_empty()));
    }

    #[test]
    fn senders_and_receivers_stay_alone() {
        let mut flow = edge(("test", "a"), ("test", "b"));
        flow.send_recv = vec![("hello".into(), "anotherstr".into())];
        let mut a = resource("test", "a");
        a.params.insert("alwaysgroup".into(), json!(true));
        let mut b = resource("test", "b");
        b.params.insert("alwaysgroup".into(), json!(true));
        let mut c = resource("test", "c");
        c.params.insert("alwaysgroup".into(), json!(true));
        let graph = GraphSpec {
            resources: vec![a, b, c],
            edges: vec![flow],
        };
        let grouped = autogroup(graph, &Kinds::builtin());
        assert_eq!(grouped.resources.len(), 3);
    }
}
