//! Send/recv: what a resource sent after its last check/apply travels along
//! the edges that name it into the receiving resource's fields, just before
//! that one runs.

use super::state::Vertex;
use super::Engine;
use crate::spec::ResourceKey;
use serde_json::Value as Json;

impl Engine {
    /// Values sent along send/recv edges into `key`'s fields.
    pub(super) fn received_values(&self, key: &ResourceKey) -> Vec<(String, Json)> {
        let mut values = Vec::new();
        for edge in self.upstream.get(key).into_iter().flatten() {
            let Some(sender) = self.vertices.get(&edge.from) else {
                continue;
            };
            for (sent, field) in &edge.send_recv {
                if let Some(value) = sender.sent.get(sent) {
                    values.push((field.clone(), value.clone()));
                }
            }
        }
        values
    }
}

/// Takes what `vertex`'s resource sends now; true when that is new (and not
/// empty), which counts as a change for the resources downstream.
pub(super) fn take_sent(vertex: &mut Vertex) -> bool {
    let sent = vertex
        .resource
        .as_ref()
        .map(|resource| resource.sent())
        .unwrap_or_default();
    let changed = sent != vertex.sent;
    vertex.sent = sent;
    changed && !vertex.sent.is_empty()
}
