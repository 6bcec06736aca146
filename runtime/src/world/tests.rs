//! The World over the in-process store: publishing diffs, withdrawal, kv.

use super::*;
use mcl_compiler::graph::{MetaParams, Resource};
use mcl_compiler::value::Value;
use mcl_grammar::Span;

fn exported(name: &str, content: &str) -> Resource {
    let meta = MetaParams {
        export: vec!["*".to_owned()],
        ..MetaParams::default()
    };
    Resource {
        kind: "file".to_owned(),
        name: name.to_owned(),
        params: [("content".to_owned(), Value::str(content))].into(),
        meta,
        span: Span::default(),
    }
}

fn graph(resources: Vec<Resource>) -> ResourceGraph {
    let mut graph = ResourceGraph::new();
    for resource in resources {
        graph.add(resource);
    }
    graph
}

#[test]
fn exports_are_published_changed_and_withdrawn() {
    let world = World::in_process("a");
    let changes = world.subscribe();
    world.publish_exports(&graph(vec![exported("/x", "1"), exported("/y", "2")]));
    assert_eq!(world.view().exports("file").len(), 2);
    assert_eq!(changes.try_recv().map(|keys| keys.len()), Ok(2));
    // Unchanged exports are not written again.
    world.publish_exports(&graph(vec![exported("/x", "1"), exported("/y", "3")]));
    assert_eq!(
        changes.try_recv(),
        Ok(vec![keys::export("a", "file", "/y")])
    );
    world.publish_exports(&graph(vec![exported("/y", "3")]));
    assert_eq!(
        changes.try_recv(),
        Ok(vec![keys::export("a", "file", "/x")])
    );
    let left = world.view().exports("file");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].params.get("content"), Some(&serde_json::json!("3")));
}

#[test]
fn kv_values_are_cluster_wide_or_per_host() {
    let world = World::in_process("a");
    world.set_value("k", Some("v"), false);
    world.set_value("k", Some("mine"), true);
    assert_eq!(world.view().value("k").as_deref(), Some("v"));
    assert_eq!(world.current_value("k", true).as_deref(), Some("mine"));
    world.set_value("k", None, false);
    assert_eq!(world.view().value("k"), None);
}
