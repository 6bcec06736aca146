//! What the engine runs: each resource of the compiled graph as plain,
//! thread-safe data (params as JSON values), and the edges between them.
//!
//! The compiler's graph holds mcl values, which may contain functions and are
//! bound to the evaluating thread; the engine gets this copy instead.

use mcl_compiler::graph::{MetaParams, ResourceGraph};
use mcl_grammar::SourceMap;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// A resource's params as the engine keeps them: JSON values in a vector
/// sorted by name (see `mcl_compiler::fields`).
pub type Fields = mcl_compiler::fields::Fields<Json>;

/// `(kind, name)`: how a resource is identified across graph versions.
pub type ResourceKey = (String, String);

#[derive(Clone, Debug, PartialEq)]
pub struct ResourceSpec {
    pub kind: String,
    pub name: String,
    /// Only the fields the program defined, as JSON (structs are objects).
    pub params: Fields,
    pub meta: MetaParams,
    /// `file:line:column` of the statement, for logs and errors.
    pub location: String,
    /// Resources merged into this one by `Meta:autogroup`; it checks and
    /// applies them with itself.
    pub group: Vec<ResourceSpec>,
}

impl ResourceSpec {
    /// A spec with the default metaparameters and nothing grouped into it.
    pub fn new(
        kind: &str,
        name: impl Into<String>,
        params: Fields,
        location: impl Into<String>,
    ) -> ResourceSpec {
        ResourceSpec {
            kind: kind.to_owned(),
            name: name.into(),
            params,
            meta: MetaParams::default(),
            location: location.into(),
            group: Vec::new(),
        }
    }

    pub fn key(&self) -> ResourceKey {
        (self.kind.clone(), self.name.clone())
    }

    /// `kind[name]` (see the `Display` impl, which formats it in place).
    pub fn id(&self) -> String {
        self.to_string()
    }

    /// Whether `other` asks for the same work: kind, name, params,
    /// metaparams and grouped resources (where it is written does not
    /// matter). Whether the running one is kept is the kind's to say too
    /// (see `ResourceKind::keeps_when_unchanged`).
    pub fn same_work(&self, other: &ResourceSpec) -> bool {
        self.kind == other.kind
            && self.name == other.name
            && self.params == other.params
            && self.meta == other.meta
            && self.group.len() == other.group.len()
            && self
                .group
                .iter()
                .zip(&other.group)
                .all(|(mine, theirs)| mine.same_work(theirs))
    }

    pub fn str_param(&self, name: &str) -> Option<&str> {
        self.params.get(name).and_then(Json::as_str)
    }

    pub fn bool_param(&self, name: &str) -> Option<bool> {
        self.params.get(name).and_then(Json::as_bool)
    }

    pub fn int_param(&self, name: &str) -> Option<i64> {
        self.params.get(name).and_then(Json::as_i64)
    }

    /// A `[]str` field.
    pub fn str_list_param(&self, name: &str) -> Option<Vec<String>> {
        self.params.get(name).and_then(Json::as_array).map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect()
        })
    }

    /// A `map{str: str}` field.
    pub fn str_map_param(&self, name: &str) -> Option<BTreeMap<String, String>> {
        self.params
            .get(name)
            .and_then(Json::as_object)
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|(key, value)| {
                        value.as_str().map(|value| (key.clone(), value.to_owned()))
                    })
                    .collect()
            })
    }
}

/// `kind[name]`.
impl std::fmt::Display for ResourceSpec {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}[{}]", self.kind, self.name)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct EdgeSpec {
    pub from: ResourceKey,
    pub to: ResourceKey,
    pub notify: bool,
    /// `(sent value, received field)` pairs.
    pub send_recv: Vec<(String, String)>,
}

/// A whole graph for the engine.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GraphSpec {
    pub resources: Vec<ResourceSpec>,
    pub edges: Vec<EdgeSpec>,
}

impl GraphSpec {
    /// Copies a compiled graph, locating each resource in `sources`.
    pub fn from_graph(graph: &ResourceGraph, sources: &SourceMap) -> GraphSpec {
        let resources = graph
            .resources()
            .map(|(_, resource)| ResourceSpec {
                kind: resource.kind.clone(),
                name: resource.name.clone(),
                params: resource
                    .params
                    .iter()
                    .map(|(name, value)| (name.clone(), value.to_json()))
                    .collect(),
                meta: resource.meta.clone(),
                location: sources
                    .get(resource.span.file)
                    .map(|file| {
                        let (line, column) = file.line_column(resource.span.start as usize);
                        format!("{}:{line}:{column}", file.name())
                    })
                    .unwrap_or_default(),
                group: Vec::new(),
            })
            .collect();
        let edges = graph
            .edges()
            .map(|(from, to, edge)| {
                let from = graph.resource(from);
                let to = graph.resource(to);
                EdgeSpec {
                    from: (from.kind.clone(), from.name.clone()),
                    to: (to.kind.clone(), to.name.clone()),
                    notify: edge.notify,
                    send_recv: edge.send_recv.clone(),
                }
            })
            .collect();
        GraphSpec { resources, edges }
    }
}
