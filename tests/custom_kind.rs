//! A resource kind defined here, outside the engine's `resources/`, and
//! registered with one line: an mcl program using it type-checks against its
//! schema, gets its autoedges from its rule, groups by its own hook, and runs
//! to convergence on a real engine, which repairs its drift.

use mcl_compiler::compile::{compile, CompileOptions, Toolbox};
use mcl_compiler::graph::Resource as CompiledResource;
use mcl_compiler::load::MemoryLoader;
use mcl_compiler::schema::{Autoedges, FieldSchema, Need, ResourceSchema};
use mcl_compiler::types::Type;
use mcl_grammar::SourceMap;
use mgmt_runtime::engine::{Ending, Engine, EngineOptions};
use mgmt_runtime::resource::{ApplyContext, Outcome, Resource, ResourceError};
use mgmt_runtime::services::Services;
use mgmt_runtime::spec::{GraphSpec, ResourceSpec};
use mgmt_runtime::{Kinds, ResourceKind};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the kind saw happen, in order.
type Journal = Arc<Mutex<Vec<String>>>;

fn note(journal: &Journal, line: String) {
    journal
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(line);
}

/// `stamp`: a file at `path` (the name) holding exactly `text`. It needs the
/// directory it lives in, and stamps group (the group is journaled).
struct Stamps {
    journal: Journal,
}

impl ResourceKind for Stamps {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "stamp",
            fields: vec![
                FieldSchema::new("path", Type::Str),
                FieldSchema::new("text", Type::Str),
            ],
            name_field: Some("path"),
            sends: Vec::new(),
            groupable: true,
            autoedges: Some(stamp_autoedges),
            check: None,
            receives: true,
        }
    }

    fn build(
        &self,
        spec: &ResourceSpec,
        _services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        let text = spec
            .str_param("text")
            .ok_or_else(|| ResourceError::invalid("`text` is required"))?;
        Ok(Box::new(Stamp {
            path: PathBuf::from(spec.str_param("path").unwrap_or(&spec.name)),
            text: text.to_owned(),
            journal: Arc::clone(&self.journal),
        }))
    }

    fn group(
        &self,
        members: Vec<(&ResourceSpec, Box<dyn Resource>)>,
        _services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        let members: Vec<(String, Box<dyn Resource>)> = members
            .into_iter()
            .map(|(spec, resource)| (spec.id(), resource))
            .collect();
        let names: Vec<&str> = members.iter().map(|(id, _)| id.as_str()).collect();
        note(&self.journal, format!("group {}", names.join(" ")));
        Ok(Box::new(mgmt_runtime::resources::Grouped::new(members)))
    }
}

fn stamp_autoedges(resource: &CompiledResource) -> Autoedges {
    let path = resource
        .params
        .get("path")
        .and_then(mcl_compiler::value::Value::as_str)
        .unwrap_or(&resource.name);
    Autoedges {
        provides: Vec::new(),
        needs: vec![Need::Parent(path.to_owned())],
    }
}

struct Stamp {
    path: PathBuf,
    text: String,
    journal: Journal,
}

impl Resource for Stamp {
    fn check_apply(&mut self, context: ApplyContext) -> Result<Outcome, ResourceError> {
        if std::fs::read_to_string(&self.path).ok().as_deref() == Some(self.text.as_str()) {
            return Ok(Outcome::Correct);
        }
        if !context.apply {
            return Ok(Outcome::WouldChange("stamp".into()));
        }
        std::fs::write(&self.path, &self.text)
            .map_err(|error| ResourceError::failed(format!("{}: {error}", self.path.display())))?;
        note(&self.journal, format!("wrote {}", self.path.display()));
        Ok(Outcome::Changed("stamped".into()))
    }
}

/// The built-in kinds plus `stamp`: the one registration line.
fn kinds(journal: &Journal) -> Arc<Kinds> {
    Arc::new(Kinds::builtin().with(Stamps {
        journal: Arc::clone(journal),
    }))
}

fn compile_program(kinds: &Arc<Kinds>, program: &str) -> GraphSpec {
    let standard = mgmt::toolbox::toolbox(Arc::new(mcl_stdlib::MemoryHost::new()));
    let toolbox = Toolbox {
        functions: standard.functions,
        kinds: Arc::clone(kinds) as _,
        host: standard.host,
        world: standard.world,
    };
    let mut sources = SourceMap::new();
    let options = CompileOptions {
        hostname: "custom-kind".into(),
        autoedges: true,
    };
    let evaluation = compile(
        &MemoryLoader::default(),
        &mut sources,
        "main.mcl",
        Some(program.to_owned()),
        &toolbox,
        &options,
    )
    .unwrap_or_else(|diagnostics| panic!("the program compiles: {diagnostics:?}"));
    GraphSpec::from_graph(&evaluation.graph, &sources)
}

async fn run_once(kinds: &Arc<Kinds>, graph: GraphSpec) -> Ending {
    let options = EngineOptions {
        converged_timeout: Some(Duration::ZERO),
        no_watch: true,
        ..EngineOptions::default()
    };
    let (engine, handle) = Engine::with_services(options, Services::with_kinds(Arc::clone(kinds)));
    assert!(handle.swap(graph));
    tokio::time::timeout(Duration::from_secs(30), engine.run())
        .await
        .expect("the engine converges")
}

#[tokio::test]
async fn a_kind_registered_outside_the_engine_runs_end_to_end() {
    let directory = tempfile::tempdir().unwrap();
    let root = directory.path().join("out");
    let program = format!(
        "file \"{root}/\" {{\n  state => \"exists\",\n}}\n\
         stamp \"{root}/a\" {{\n  text => \"alpha\",\n}}\n\
         stamp \"{root}/b\" {{\n  text => \"beta\",\n}}\n",
        root = root.display()
    );
    let journal = Journal::default();
    let kinds = kinds(&journal);
    let graph = compile_program(&kinds, &program);

    // The kind's rule made the directory come first, with no kind name in
    // the compiler.
    let directory_key = ("file".to_owned(), format!("{}/", root.display()));
    for stamp in ["a", "b"] {
        let stamp_key = ("stamp".to_owned(), format!("{}/{stamp}", root.display()));
        assert!(
            graph
                .edges
                .iter()
                .any(|edge| edge.from == directory_key && edge.to == stamp_key),
            "autoedge to {stamp}: {:?}",
            graph.edges
        );
    }

    assert_eq!(run_once(&kinds, graph.clone()).await, Ending::Converged);
    assert_eq!(std::fs::read_to_string(root.join("a")).unwrap(), "alpha");
    assert_eq!(std::fs::read_to_string(root.join("b")).unwrap(), "beta");
    let a = format!("stamp[{}/a]", root.display());
    let b = format!("stamp[{}/b]", root.display());
    assert_eq!(
        *journal.lock().unwrap(),
        [
            format!("group {a} {b}"),
            format!("wrote {}/a", root.display()),
            format!("wrote {}/b", root.display()),
        ]
    );

    // Drift: a second run repairs only what changed.
    std::fs::write(root.join("b"), "tampered").unwrap();
    journal.lock().unwrap().clear();
    assert_eq!(run_once(&kinds, graph).await, Ending::Converged);
    assert_eq!(std::fs::read_to_string(root.join("b")).unwrap(), "beta");
    assert_eq!(
        *journal.lock().unwrap(),
        [
            format!("group {a} {b}"),
            format!("wrote {}/b", root.display()),
        ]
    );
}

#[test]
fn an_unregistered_kind_does_not_compile() {
    let standard = mgmt::toolbox::toolbox(Arc::new(mcl_stdlib::MemoryHost::new()));
    let mut sources = SourceMap::new();
    let result = compile(
        &MemoryLoader::default(),
        &mut sources,
        "main.mcl",
        Some("stamp \"/x\" {\n  text => \"t\",\n}\n".to_owned()),
        &standard,
        &CompileOptions {
            hostname: "custom-kind".into(),
            autoedges: true,
        },
    );
    let diagnostics = result.err().expect("stamp is not a built-in kind");
    assert!(
        diagnostics
            .iter()
            .any(|d| format!("{d:?}").contains("stamp")),
        "{diagnostics:?}"
    );
}
