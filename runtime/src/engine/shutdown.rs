//! Shutdown: watches stop at once, nothing new starts, and the engine ends
//! once the check/applies under way have finished (`mgmt run` kills what
//! outlives its `--shutdown-grace`).

use super::Engine;
use tracing::info;

impl Engine {
    /// The first shutdown request; later ones change nothing.
    pub(super) fn begin_shutdown(&mut self) {
        if self.shutting_down {
            return;
        }
        let running: Vec<String> = self
            .vertices
            .values()
            .filter(|vertex| vertex.phase.is_running())
            .map(|vertex| vertex.spec.id())
            .collect();
        if running.is_empty() {
            info!("stopping");
        } else {
            info!(
                "stopping: waiting for {} running resource(s) to finish: {}",
                running.len(),
                running.join(", ")
            );
        }
        self.shutting_down = true;
        self.stop_all();
    }

    /// Stops every watch (and poll timer).
    pub(super) fn stop_all(&mut self) {
        for vertex in self.vertices.values_mut() {
            vertex.stop_watch();
        }
    }
}
