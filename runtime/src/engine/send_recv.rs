//! Send/recv: what a resource sent after its last check/apply travels along
//! the edges that name it into the receiving resource's fields, just before
//! that one runs.

use super::state::Vertex;
use super::Engine;
use crate::spec::ResourceKey;
use serde_json::Value as Json;
use tracing::warn;

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
                    if let Some(dropped) = sender.sent_cut.get(sent) {
                        let receiver = self
                            .vertices
                            .get(key)
                            .map(|vertex| vertex.spec.id())
                            .unwrap_or_default();
                        warn!(
                            "{receiver}: `{field}` receives {}'s `{sent}` cut to its last {} bytes \
                             (from a line start; {dropped} bytes before them dropped); \
                             raise the sender's limit (exec: `outputlimit`, 0 keeps all)",
                            sender.spec,
                            value.as_str().map_or(0, str::len)
                        );
                    }
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
    vertex.sent_cut = vertex
        .resource
        .as_ref()
        .map(|resource| resource.cut())
        .unwrap_or_default();
    changed && !vertex.sent.is_empty()
}
