//! From recorded resources and edges to the graph: range checks against the
//! schemas, merging identical duplicates, refusing differing ones, resolving
//! edges, autoedges, and refusing ordering cycles.

use super::{errors, EvalCore, EvalState, PendingResource};
use crate::fields::Fields;
use crate::graph::{Edge, Resource, ResourceGraph};
use crate::scope::did_you_mean;
use crate::value::Value;
use mcl_grammar::Span;
use std::collections::BTreeMap;

/// Where the first statement that made a resource set each field, for
/// errors about a differing duplicate: the spans in the order of the
/// resource's params (both sorted by name), so no name is copied.
struct Origin {
    span: Span,
    field_spans: Vec<Span>,
}

impl Origin {
    fn field_span(&self, resource: &Resource, field: &str) -> Span {
        resource
            .params
            .index_of(field)
            .and_then(|index| self.field_spans.get(index).copied())
            .unwrap_or(self.span)
    }
}

pub(super) fn build_graph(core: &EvalCore, state: &mut EvalState) -> ResourceGraph {
    let resources = std::mem::take(&mut state.resources);
    let mut graph = ResourceGraph::with_capacity(resources.len(), state.edges.len());
    // By the resource's index in the graph.
    let mut origins: Vec<Origin> = Vec::with_capacity(resources.len());
    for pending in resources {
        check_ranges(core, state, &pending);
        let key = (pending.kind, pending.name);
        if let Some(id) = graph.find_key(&key) {
            let resource = graph.resource(id);
            if let Some(field) = difference(resource, &pending.params, &pending.meta) {
                let second_span = pending
                    .params
                    .get(&field)
                    .map_or(pending.span, |(_, span)| *span);
                state.diagnostics.push(errors::conflicting_duplicate(
                    &resource.id(),
                    &field,
                    origins[id.index()].field_span(resource, &field),
                    second_span,
                ));
            }
            continue;
        }
        // The values move into the graph; only their spans stay behind.
        let mut field_spans = Vec::with_capacity(pending.params.len());
        let params: Fields<Value> = pending
            .params
            .into_iter()
            .map(|(name, (value, span))| {
                field_spans.push(span);
                (name, value)
            })
            .collect();
        let (kind, name) = key;
        let id = graph.add(Resource {
            kind,
            name,
            params,
            meta: pending.meta,
            span: pending.span,
        });
        debug_assert_eq!(id.index(), origins.len(), "resources are only added");
        origins.push(Origin {
            span: pending.span,
            field_spans,
        });
    }
    let edges = std::mem::take(&mut state.edges);
    // Each receiving field has one sender: `(kind, name, field)` -> who and where.
    let mut receivers: BTreeMap<(String, String, String), (String, Span)> = BTreeMap::new();
    for pending in &edges {
        let Some((sent, field)) = &pending.send_recv else {
            continue;
        };
        let receiver = (pending.to.0.clone(), pending.to.1.clone(), field.clone());
        let sender = format!("{}[{}].{sent}", pending.from.0, pending.from.1);
        match receivers.get(&receiver) {
            Some((first, first_span)) if *first != sender => {
                state.diagnostics.push(errors::two_senders(
                    &format!("{}[{}].{field}", receiver.0, receiver.1),
                    first,
                    *first_span,
                    &sender,
                    pending.from_span,
                ));
            }
            Some(_) => {}
            None => {
                receivers.insert(receiver, (sender, pending.from_span));
            }
        }
    }
    for pending in edges {
        let from = graph.find(&pending.from.0, &pending.from.1);
        let to = graph.find(&pending.to.0, &pending.to.1);
        match (from, to) {
            (Some(from), Some(to)) => {
                if let Some((sent, _)) = &pending.send_recv {
                    if graph.resource(from).meta.hidden {
                        state.diagnostics.push(errors::hidden_sender(
                            &format!("{}[{}]", pending.from.0, pending.from.1),
                            sent,
                            pending.from_span,
                        ));
                    }
                }
                graph.connect(
                    from,
                    to,
                    Edge {
                        notify: pending.notify,
                        send_recv: pending.send_recv.into_iter().collect(),
                        automatic: false,
                    },
                )
            }
            (None, _) => {
                state
                    .diagnostics
                    .push(unknown_end(&graph, &pending.from, pending.from_span))
            }
            (_, None) => state
                .diagnostics
                .push(unknown_end(&graph, &pending.to, pending.to_span)),
        }
    }
    if core.inputs.autoedges {
        crate::graph::autoedges::add_autoedges(&mut graph, core.inputs.kinds.as_ref());
    }
    if let Some(cycle) = crate::graph::cycles::find_cycle(&graph) {
        let names: Vec<String> = cycle.iter().map(|id| graph.resource(*id).id()).collect();
        let spans: Vec<_> = cycle.iter().map(|id| graph.resource(*id).span).collect();
        state.diagnostics.push(errors::graph_cycle(&names, &spans));
    }
    graph
}

fn unknown_end(
    graph: &ResourceGraph,
    end: &(String, String),
    span: mcl_grammar::Span,
) -> crate::diagnostics::Diagnostic {
    let same_kind: Vec<&str> = graph
        .resources()
        .filter(|(_, resource)| resource.kind == end.0)
        .map(|(_, resource)| resource.name.as_str())
        .collect();
    let suggestion = did_you_mean(&end.1, same_kind.iter().copied());
    errors::unknown_edge_end(&end.0, &end.1, span, suggestion)
}

/// What users of other tools write for one of our choices (Puppet's
/// `ensure => present`), when that choice is among `choices`.
fn synonym<'c>(text: &str, choices: &[&'c str]) -> Option<&'c str> {
    const SYNONYMS: &[(&str, &str)] = &[
        ("present", "exists"),
        ("file", "exists"),
        ("directory", "exists"),
        ("started", "running"),
        ("up", "running"),
        ("down", "stopped"),
        ("latest", "newest"),
        ("removed", "uninstalled"),
        ("purged", "uninstalled"),
        ("enable", "enabled"),
        ("disable", "disabled"),
        ("true", "enabled"),
        ("false", "disabled"),
    ];
    let text = text.to_lowercase();
    let meant = SYNONYMS.iter().find(|(other, _)| *other == text)?.1;
    choices.iter().copied().find(|choice| *choice == meant)
}

/// Integer fields narrower than int64 must fit; enumerated fields take one
/// of their values, formatted ones (a mode) a well-formed string.
fn check_ranges(core: &EvalCore, state: &mut EvalState, pending: &PendingResource) {
    let Some(schema) = core.inputs.kinds.schema(&pending.kind) else {
        return;
    };
    if let Some(check) = schema.check {
        let param = |name: &str| pending.params.get(name).map(|(value, _)| value);
        if let Some((field, why)) = check(&pending.name, &param) {
            let span = pending
                .params
                .get(field)
                .map_or(pending.span, |(_, span)| *span);
            state
                .diagnostics
                .push(errors::fields_disagree(&pending.kind, field, &why, span));
        }
    }
    for (name, (value, span)) in &pending.params {
        let Some(field) = schema.field(name) else {
            continue;
        };
        if let Value::Str(text) = value {
            // An empty string means "not set", as upstream's zero value.
            if !field.values.is_empty()
                && !field.open_values
                && !text.is_empty()
                && !field.values.contains(&text.as_str())
            {
                let suggestion = did_you_mean(text, field.values.iter().copied())
                    .or_else(|| synonym(text, field.values));
                state.diagnostics.push(errors::not_a_choice(
                    &pending.kind,
                    name,
                    text,
                    field.values,
                    suggestion,
                    *span,
                ));
            } else if let Some(Err(why)) = field
                .format
                .filter(|_| !text.is_empty())
                .map(|format| format(text))
            {
                state
                    .diagnostics
                    .push(errors::bad_format(&pending.kind, name, text, &why, *span));
            }
            continue;
        }
        let (Some((low, high)), Value::Int(number)) = (field.int_range, value) else {
            continue;
        };
        let number = i128::from(*number);
        if number < low || number > high {
            state.diagnostics.push(errors::out_of_range(
                &pending.kind,
                name,
                number,
                low,
                high,
                *span,
            ));
        }
    }
}

/// The first field (or metaparameter) in which a second statement for a
/// resource differs from the resource the first one made.
fn difference(
    first: &Resource,
    params: &Fields<(Value, Span)>,
    meta: &crate::graph::MetaParams,
) -> Option<String> {
    let names: std::collections::BTreeSet<&String> =
        first.params.keys().chain(params.keys()).collect();
    for name in names {
        let left = first.params.get(name);
        let right = params.get(name).map(|(value, _)| value);
        if left != right {
            return Some(name.clone());
        }
    }
    if first.meta != *meta {
        let (left, right) = (first.meta.non_default(), meta.non_default());
        let names: std::collections::BTreeSet<&&str> = left.keys().chain(right.keys()).collect();
        let differing = names
            .into_iter()
            .find(|name| left.get(**name) != right.get(**name));
        return Some(differing.map_or_else(|| "Meta".to_owned(), |name| format!("Meta:{name}")));
    }
    None
}
