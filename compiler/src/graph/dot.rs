//! The Graphviz DOT form of a resource graph (`docs/graph-output.md`), laid
//! out to fit a page: ranks run left to right, the resources of each kind
//! sit in a box of their own, resources without edges are stacked into a
//! near-square grid (held by invisible edges) instead of one long row, and a
//! legend names the edge styles the graph uses.

use super::ir::{Edge, ResourceGraph};
use super::output::sorted_edges;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;

/// Unconnected resources of a kind, up to this many, stay in one column.
const GRID_FROM: usize = 5;

/// The DOT form: a box per resource labelled `kind[name]`; edges bold with
/// the label `notify` when they refresh, dashed when automatic, and
/// labelled `send -> recv` for each value they carry.
pub fn to_dot(graph: &ResourceGraph) -> String {
    to_dot_with_groups(graph, &[])
}

/// [`to_dot`], with each group of resources (by `kind[name]`) drawn inside
/// one dashed box: what `mgmt run --graphviz` shows of the resources the
/// engine runs as one (`Meta:autogroup`).
pub fn to_dot_with_groups(graph: &ResourceGraph, groups: &[Vec<String>]) -> String {
    let edges = sorted_edges(graph);
    let connected: HashSet<&str> = edges
        .iter()
        .flat_map(|(from, to, _)| [from.as_str(), to.as_str()])
        .collect();
    let mut kinds: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (_, resource) in graph.resources() {
        kinds.entry(&resource.kind).or_default().push(resource.id());
    }
    let group_of: HashMap<&str, usize> = groups
        .iter()
        .enumerate()
        .flat_map(|(index, members)| members.iter().map(move |id| (id.as_str(), index)))
        .collect();

    let mut dot = String::from("digraph mgmt {\n\trankdir=LR;\n\tnode [shape=box];\n");
    let boxed = kinds.len() > 1;
    let mut drawn_groups = BTreeSet::new();
    let mut grid = Vec::new();
    for (kind, ids) in &kinds {
        let indent = if boxed { "\t\t" } else { "\t" };
        if boxed {
            let _ = writeln!(
                dot,
                "\tsubgraph {} {{",
                quote(&format!("cluster_kind_{kind}"))
            );
            let _ = writeln!(
                dot,
                "\t\tlabel={};\n\t\tstyle=rounded;\n\t\tcolor=gray;",
                quote(kind)
            );
        }
        for id in ids {
            match group_of.get(id.as_str()) {
                Some(index) => {
                    if drawn_groups.insert(*index) {
                        write_group(&mut dot, indent, *index, &groups[*index]);
                    }
                }
                None => {
                    let _ = writeln!(dot, "{indent}{};", quote(id));
                }
            }
        }
        if boxed {
            dot.push_str("\t}\n");
        }
        let unconnected: Vec<&String> = ids
            .iter()
            .filter(|id| !connected.contains(id.as_str()))
            .collect();
        grid.extend(grid_edges(&unconnected));
    }
    // The leaves one resource fans out to (a directory's files) would be
    // one tall column too.
    for leaves in fans(&edges).values() {
        grid.extend(grid_edges(leaves));
    }
    // Groups whose members are not in the graph (none today) still show.
    for (index, members) in groups.iter().enumerate() {
        if !drawn_groups.contains(&index) {
            write_group(&mut dot, "\t", index, members);
        }
    }
    for (from, to, edge) in &edges {
        let _ = write!(dot, "\t{} -> {}", quote(from), quote(to));
        let attributes = edge_attributes(edge);
        if !attributes.is_empty() {
            let _ = write!(dot, " [{}]", attributes.join(", "));
        }
        dot.push_str(";\n");
    }
    for (from, to) in grid {
        let _ = writeln!(dot, "\t{} -> {} [style=invis];", quote(from), quote(to));
    }
    write_legend(&mut dot, edges.iter().map(|(_, _, edge)| *edge));
    dot.push_str("}\n");
    dot
}

fn write_group(dot: &mut String, indent: &str, index: usize, members: &[String]) {
    let _ = writeln!(dot, "{indent}subgraph cluster_{index} {{");
    let _ = writeln!(
        dot,
        "{indent}\tlabel=\"run as one\";\n{indent}\tstyle=dashed;"
    );
    for id in members {
        let _ = writeln!(dot, "{indent}\t{};", quote(id));
    }
    let _ = writeln!(dot, "{indent}}}");
}

/// The leaves of each resource (by its id): the resources whose only edge
/// comes from it, in order.
fn fans<'a>(edges: &'a [(String, String, &Edge)]) -> BTreeMap<&'a str, Vec<&'a String>> {
    let mut incoming: HashMap<&str, usize> = HashMap::new();
    let mut outgoing: HashSet<&str> = HashSet::new();
    for (from, to, _) in edges {
        *incoming.entry(to.as_str()).or_default() += 1;
        outgoing.insert(from.as_str());
    }
    let mut fans: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
    for (from, to, _) in edges {
        if incoming[to.as_str()] == 1 && !outgoing.contains(to.as_str()) {
            fans.entry(from.as_str()).or_default().push(to);
        }
    }
    fans
}

/// Invisible edges that stack `ids` into columns of about the square root
/// of their number: with ranks left to right, one column is one rank, and
/// an edge from each to the one a column further holds the columns apart.
fn grid_edges<'a>(ids: &[&'a String]) -> Vec<(&'a String, &'a String)> {
    if ids.len() < GRID_FROM {
        return Vec::new();
    }
    let height = (ids.len() as f64).sqrt().ceil() as usize;
    ids.iter()
        .zip(ids.iter().skip(height))
        .map(|(from, to)| (*from, *to))
        .collect()
}

/// A box naming each edge style the graph uses, drawn with that style.
fn write_legend<'a>(dot: &mut String, edges: impl Iterator<Item = &'a Edge>) {
    let (mut plain, mut notify, mut automatic, mut values) = (false, false, false, false);
    for edge in edges {
        plain |= !edge.notify && !edge.automatic && edge.send_recv.is_empty();
        notify |= edge.notify;
        automatic |= edge.automatic;
        values |= !edge.send_recv.is_empty();
    }
    let entries = [
        (plain, "before", ""),
        (notify, "notify (refresh)", " [style=\"bold\"]"),
        (automatic, "automatic", " [style=\"dashed\"]"),
        (values, "send -> recv (values)", " [label=\"send -> recv\"]"),
    ];
    if !entries.iter().any(|(used, _, _)| *used) {
        return;
    }
    dot.push_str("\tsubgraph cluster_legend {\n\t\tlabel=\"edges\";\n\t\tstyle=rounded;\n");
    dot.push_str("\t\tnode [shape=plaintext, label=\"\", width=0.2, height=0.2];\n");
    for (index, (_, name, style)) in entries.iter().filter(|(used, _, _)| *used).enumerate() {
        let _ = writeln!(
            dot,
            "\t\t\"legend {index}\" -> \"legend {index} end\"{style};\n\t\t\"legend {index} end\" [label={}];",
            quote(name)
        );
    }
    dot.push_str("\t}\n");
}

fn edge_attributes(edge: &Edge) -> Vec<String> {
    let mut styles = Vec::new();
    if edge.notify {
        styles.push("bold");
    }
    if edge.automatic {
        styles.push("dashed");
    }
    let mut labels: Vec<String> = Vec::new();
    if edge.notify {
        labels.push("notify".to_owned());
    }
    labels.extend(
        edge.send_recv
            .iter()
            .map(|(send, recv)| format!("{send} -> {recv}")),
    );

    let mut attributes = Vec::new();
    if !styles.is_empty() {
        attributes.push(format!("style={}", quote(&styles.join(","))));
    }
    if !labels.is_empty() {
        // Graphviz's `\n` escape puts each label on its own line.
        let label = labels
            .iter()
            .map(|label| escape(label))
            .collect::<Vec<_>>()
            .join("\\n");
        attributes.push(format!("label=\"{label}\""));
    }
    attributes
}

/// A DOT double-quoted string holding `text` literally.
fn quote(text: &str) -> String {
    format!("\"{}\"", escape(text))
}

/// Escapes for the inside of a DOT double-quoted string: `"` and `\` (which
/// Graphviz would otherwise read as its own `\n`, `\l`, `\N`... escapes), and
/// line breaks as Graphviz's `\n` and `\r`, so every statement stays on one
/// line. Distinct texts stay distinct, so node ids never collide.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '"' => escaped.push_str("\\\""),
            '\\' => escaped.push_str("\\\\"),
            '\n' => escaped.push_str("\\n"),
            '\r' => escaped.push_str("\\r"),
            _ => escaped.push(character),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{MetaParams, Resource};
    use mcl_grammar::Span;

    fn resource(kind: &str, name: &str) -> Resource {
        Resource {
            kind: kind.to_owned(),
            name: name.to_owned(),
            params: Default::default(),
            meta: MetaParams::default(),
            span: Span::default(),
        }
    }

    /// exec[b] -> file[/tmp/a] with send/recv, file[/tmp/a] -> svc[c] with
    /// notify, and an automatic file[/tmp/] -> file[/tmp/a]; added in an
    /// order that is not the sorted one.
    fn sample() -> ResourceGraph {
        let mut graph = ResourceGraph::new();
        let svc = graph.add(resource("svc", "c"));
        let file = graph.add(resource("file", "/tmp/a"));
        let exec = graph.add(resource("exec", "b"));
        let directory = graph.add(resource("file", "/tmp/"));
        let notify = Edge {
            notify: true,
            ..Edge::default()
        };
        graph.connect(file, svc, notify);
        let values = Edge {
            send_recv: vec![("output".to_owned(), "content".to_owned())],
            ..Edge::default()
        };
        graph.connect(exec, file, values);
        let automatic = Edge {
            automatic: true,
            ..Edge::default()
        };
        graph.connect(directory, file, automatic);
        graph
    }

    #[test]
    fn kinds_are_boxed_and_edges_styled_in_order() {
        let dot = to_dot(&sample());
        let expected_start = "digraph mgmt {\n\
             \trankdir=LR;\n\
             \tnode [shape=box];\n\
             \tsubgraph \"cluster_kind_exec\" {\n\
             \t\tlabel=\"exec\";\n\t\tstyle=rounded;\n\t\tcolor=gray;\n\
             \t\t\"exec[b]\";\n\
             \t}\n\
             \tsubgraph \"cluster_kind_file\" {\n\
             \t\tlabel=\"file\";\n\t\tstyle=rounded;\n\t\tcolor=gray;\n\
             \t\t\"file[/tmp/]\";\n\
             \t\t\"file[/tmp/a]\";\n\
             \t}\n";
        assert!(dot.starts_with(expected_start), "{dot}");
        let edges = "\t\"exec[b]\" -> \"file[/tmp/a]\" [label=\"output -> content\"];\n\
             \t\"file[/tmp/]\" -> \"file[/tmp/a]\" [style=\"dashed\"];\n\
             \t\"file[/tmp/a]\" -> \"svc[c]\" [style=\"bold\", label=\"notify\"];\n";
        assert!(dot.contains(edges), "{dot}");
        // The legend names the three styles used, not the plain one.
        assert!(dot.contains("label=\"notify (refresh)\""), "{dot}");
        assert!(dot.contains("label=\"automatic\""), "{dot}");
        assert!(dot.contains("label=\"send -> recv (values)\""), "{dot}");
        assert!(!dot.contains("label=\"before\""), "{dot}");
        assert!(dot.ends_with("\t}\n}\n"), "{dot}");
    }

    #[test]
    fn one_kind_needs_no_box_and_no_edges_no_legend() {
        let mut graph = ResourceGraph::new();
        graph.add(resource("file", "/a"));
        assert_eq!(
            to_dot(&graph),
            "digraph mgmt {\n\trankdir=LR;\n\tnode [shape=box];\n\t\"file[/a]\";\n}\n"
        );
    }

    #[test]
    fn unconnected_resources_are_stacked_into_a_grid() {
        let mut graph = ResourceGraph::new();
        for index in 0..10 {
            graph.add(resource("file", &format!("/f{index}")));
        }
        let dot = to_dot(&graph);
        // Ten in columns of four: each holds the one four places on.
        let invisible = dot.matches("[style=invis]").count();
        assert_eq!(invisible, 6, "{dot}");
        assert!(
            dot.contains("\"file[/f0]\" -> \"file[/f4]\" [style=invis];"),
            "{dot}"
        );
        let few = {
            let mut graph = ResourceGraph::new();
            for index in 0..4 {
                graph.add(resource("file", &format!("/f{index}")));
            }
            to_dot(&graph)
        };
        assert!(!few.contains("invis"), "{few}");
    }

    #[test]
    fn the_leaves_of_a_fan_are_stacked_into_a_grid() {
        let mut graph = ResourceGraph::new();
        let directory = graph.add(resource("file", "/d/"));
        for index in 0..9 {
            let leaf = graph.add(resource("file", &format!("/d/f{index}")));
            graph.connect(directory, leaf, Edge::default());
        }
        let dot = to_dot(&graph);
        assert_eq!(dot.matches("[style=invis]").count(), 6, "{dot}");
        assert!(
            dot.contains("\"file[/d/f0]\" -> \"file[/d/f3]\" [style=invis];"),
            "{dot}"
        );
    }

    #[test]
    fn groups_are_dashed_boxes_inside_their_kind() {
        let groups = vec![vec!["file[/tmp/]".to_owned(), "file[/tmp/a]".to_owned()]];
        let dot = to_dot_with_groups(&sample(), &groups);
        assert!(
            dot.contains(
                "\t\tsubgraph cluster_0 {\n\t\t\tlabel=\"run as one\";\n\t\t\tstyle=dashed;\n\t\t\t\"file[/tmp/]\";\n\t\t\t\"file[/tmp/a]\";\n\t\t}\n"
            ),
            "{dot}"
        );
        // Each resource is one node: the grouped ones only inside their box.
        assert_eq!(dot.matches("\t\"file[/tmp/a]\";").count(), 1, "{dot}");
    }

    #[test]
    fn styles_and_labels_combine() {
        let edge = Edge {
            notify: true,
            automatic: true,
            send_recv: vec![
                ("stdout".to_owned(), "content".to_owned()),
                ("stderr".to_owned(), "comment".to_owned()),
            ],
        };
        assert_eq!(
            edge_attributes(&edge),
            [
                "style=\"bold,dashed\"",
                "label=\"notify\\nstdout -> content\\nstderr -> comment\"",
            ]
        );
        assert!(edge_attributes(&Edge::default()).is_empty());
    }

    #[test]
    fn quotes_backslashes_and_newlines_are_escaped() {
        let mut graph = ResourceGraph::new();
        let tricky = graph.add(resource("exec", "echo \"hi\" \\n\nnext\r\n"));
        let plain = graph.add(resource("noop", "n"));
        graph.connect(tricky, plain, Edge::default());
        let dot = to_dot(&graph);
        let expected_id = r#""exec[echo \"hi\" \\n\nnext\r\n]""#;
        assert!(dot.contains(&format!("\t\t{expected_id};\n")), "{dot}");
        assert!(
            dot.contains(&format!("\t{expected_id} -> \"noop[n]\";\n")),
            "{dot}"
        );
        // Every statement stays on one line, and quotes stay balanced.
        for line in dot.lines() {
            let unescaped_quotes = line
                .replace("\\\\", "")
                .replace("\\\"", "")
                .matches('"')
                .count();
            assert_eq!(unescaped_quotes % 2, 0, "{line}");
        }
    }
}
