//! The three printed forms of a resource graph, as `mgmt compile --format`
//! writes them (DESIGN.md, CLI contract; `docs/graph-output.md`):
//!
//! - text: `Vertex: kind[name]` and `Edge: kind[a] -> kind[b]` lines, sorted
//!   bytewise;
//! - JSON: `{"vertices": [...], "edges": [...]}` with defined params and
//!   non-default metaparams;
//! - DOT: a Graphviz digraph (`dot.rs`).
//!
//! Every form is deterministic: vertices by `(kind, name)`, edges by their
//! `(from, to)` ids. Writing files and running Graphviz is the binary's job.

use super::ir::{Edge, Resource, ResourceGraph};
use serde_json::{json, Map, Value as Json};

/// The text form (the same as the graph's `Display`).
pub fn to_text(graph: &ResourceGraph) -> String {
    graph.to_string()
}

/// The JSON form:
///
/// ```json
/// {"vertices":[{"kind":"file","name":"/tmp/a","params":{"content":"hi"},"meta":{}}],
///  "edges":[{"from":"file[/tmp/a]","to":"exec[b]","notify":false}]}
/// ```
///
/// An edge also has `"send_recv":[["output","content"]]` when values travel
/// along it, and `"automatic":true` when autoedges added it; both keys are
/// absent otherwise.
pub fn to_json(graph: &ResourceGraph) -> Json {
    let vertices: Vec<Json> = graph
        .resources()
        .map(|(_, resource)| vertex_json(resource))
        .collect();
    let edges: Vec<Json> = sorted_edges(graph)
        .into_iter()
        .map(|(from, to, edge)| edge_json(from, to, edge))
        .collect();
    json!({ "vertices": vertices, "edges": edges })
}

fn vertex_json(resource: &Resource) -> Json {
    // A `Meta:sensitive` resource's values are shown as size and digest.
    let shown = |value: &crate::value::Value| {
        let json = value.to_json();
        if resource.meta.sensitive {
            Json::String(crate::redact::redacted(json.to_string().as_bytes()))
        } else {
            json
        }
    };
    let params: Map<String, Json> = resource
        .params
        .iter()
        .map(|(field, value)| (field.clone(), shown(value)))
        .collect();
    let meta: Map<String, Json> = resource
        .meta
        .non_default()
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.to_json()))
        .collect();
    json!({
        "kind": resource.kind,
        "name": resource.name,
        "params": params,
        "meta": meta,
    })
}

fn edge_json(from: String, to: String, edge: &Edge) -> Json {
    let mut object = Map::new();
    object.insert("from".to_owned(), Json::String(from));
    object.insert("to".to_owned(), Json::String(to));
    object.insert("notify".to_owned(), Json::Bool(edge.notify));
    if !edge.send_recv.is_empty() {
        let pairs = edge
            .send_recv
            .iter()
            .map(|(send, recv)| json!([send, recv]))
            .collect();
        object.insert("send_recv".to_owned(), Json::Array(pairs));
    }
    if edge.automatic {
        object.insert("automatic".to_owned(), Json::Bool(true));
    }
    Json::Object(object)
}

/// Edges as `(from id, to id, edge)`, sorted by the ids.
pub(super) fn sorted_edges(graph: &ResourceGraph) -> Vec<(String, String, &Edge)> {
    let mut edges: Vec<(String, String, &Edge)> = graph
        .edges()
        .map(|(from, to, edge)| (graph.resource(from).id(), graph.resource(to).id(), edge))
        .collect();
    edges.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    edges
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::MetaParams;
    use crate::value::Value;
    use mcl_grammar::Span;

    fn resource(kind: &str, name: &str, params: Vec<(&str, Value)>) -> Resource {
        Resource {
            kind: kind.to_owned(),
            name: name.to_owned(),
            params: params
                .into_iter()
                .map(|(field, value)| (field.to_owned(), value))
                .collect(),
            meta: MetaParams::default(),
            span: Span::default(),
        }
    }

    /// exec[b] -> file[/tmp/a] with send/recv, file[/tmp/a] -> svc[c] with
    /// notify, and an automatic file[/tmp/] -> file[/tmp/a]; added in an order
    /// that is not the sorted one.
    fn sample() -> ResourceGraph {
        let mut graph = ResourceGraph::new();
        let mut service = resource("svc", "c", vec![("state", Value::str("running"))]);
        service.meta.noop = true;
        service.meta.sema = vec!["lock:2".to_owned()];
        let svc = graph.add(service);
        let file = graph.add(resource(
            "file",
            "/tmp/a",
            vec![
                ("mode", Value::str("0644")),
                (
                    "owner",
                    Value::Struct(vec![
                        ("name".to_owned(), Value::str("root")),
                        ("id".to_owned(), Value::Int(0)),
                    ]),
                ),
            ],
        ));
        let exec = graph.add(resource("exec", "b", vec![]));
        let directory = graph.add(resource("file", "/tmp/", vec![]));
        graph.connect(
            file,
            svc,
            Edge {
                notify: true,
                ..Edge::default()
            },
        );
        graph.connect(
            exec,
            file,
            Edge {
                send_recv: vec![("output".to_owned(), "content".to_owned())],
                ..Edge::default()
            },
        );
        graph.connect(
            directory,
            file,
            Edge {
                automatic: true,
                ..Edge::default()
            },
        );
        graph
    }

    #[test]
    fn text_is_sorted_lines() {
        assert_eq!(
            to_text(&sample()),
            "Edge: exec[b] -> file[/tmp/a]\n\
             Edge: file[/tmp/] -> file[/tmp/a]\n\
             Edge: file[/tmp/a] -> svc[c]\n\
             Vertex: exec[b]\n\
             Vertex: file[/tmp/]\n\
             Vertex: file[/tmp/a]\n\
             Vertex: svc[c]\n"
        );
        assert_eq!(to_text(&ResourceGraph::new()), "");
    }

    #[test]
    fn json_has_the_shape_of_the_cli_contract() {
        let expected = json!({
            "vertices": [
                {"kind": "exec", "name": "b", "params": {}, "meta": {}},
                {"kind": "file", "name": "/tmp/", "params": {}, "meta": {}},
                {
                    "kind": "file",
                    "name": "/tmp/a",
                    "params": {"mode": "0644", "owner": {"name": "root", "id": 0}},
                    "meta": {},
                },
                {
                    "kind": "svc",
                    "name": "c",
                    "params": {"state": "running"},
                    "meta": {"noop": true, "sema": ["lock:2"]},
                },
            ],
            "edges": [
                {
                    "from": "exec[b]",
                    "to": "file[/tmp/a]",
                    "notify": false,
                    "send_recv": [["output", "content"]],
                },
                {"from": "file[/tmp/]", "to": "file[/tmp/a]", "notify": false, "automatic": true},
                {"from": "file[/tmp/a]", "to": "svc[c]", "notify": true},
            ],
        });
        assert_eq!(to_json(&sample()), expected);
    }

    #[test]
    fn json_of_a_plain_edge_has_exactly_three_keys() {
        let json = to_json(&sample());
        let plain = &json["edges"][2];
        assert_eq!(plain.as_object().map(Map::len), Some(3));
        assert_eq!(
            to_json(&ResourceGraph::new()),
            json!({"vertices": [], "edges": []})
        );
    }

    #[test]
    fn json_shows_changed_metaparams_and_int_keyed_maps() {
        let mut graph = ResourceGraph::new();
        let mut limited = resource(
            "test",
            "t",
            vec![(
                "mapintfloat",
                Value::Map([(Value::Int(1), Value::Float(0.5))].into_iter().collect()),
            )],
        );
        limited.meta.limit = 2.5;
        graph.add(limited);
        let json = to_json(&graph);
        assert_eq!(json["vertices"][0]["meta"], json!({"limit": 2.5}));
        assert_eq!(
            json["vertices"][0]["params"]["mapintfloat"],
            json!([[1, 0.5]])
        );
    }

    #[test]
    fn json_redacts_the_params_of_a_sensitive_resource() {
        let mut graph = ResourceGraph::new();
        let mut secret = resource(
            "file",
            "/etc/secret",
            vec![("content", Value::str("hunter2"))],
        );
        secret.meta.sensitive = true;
        graph.add(secret);
        let json = to_json(&graph);
        let shown = json["vertices"][0]["params"]["content"]
            .as_str()
            .expect("a string");
        assert!(shown.starts_with("[redacted: 9 bytes, sha256 "), "{shown}");
        assert!(!json.to_string().contains("hunter2"));
        assert_eq!(json["vertices"][0]["meta"]["sensitive"], true);
    }
}
