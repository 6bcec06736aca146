//! What `Meta:reverse` keeps across restarts: for each resource with it,
//! the resource that puts its path back as it was before the first change
//! (or that nothing can be put back). Saved when the resource first
//! changes something, forgotten once the undo is applied; an agent that
//! starts with a saved undo for a resource its program no longer has
//! applies it then.

use super::StateDir;
use crate::spec::{Fields, ResourceSpec};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};
use tracing::warn;

/// The state section of saved undos.
const SECTION: &str = "reverse";

/// An undo as saved: `None` when the original state cannot be restored.
#[derive(Serialize, Deserialize)]
struct Saved {
    undo: Option<SavedSpec>,
}

#[derive(Serialize, Deserialize)]
struct SavedSpec {
    kind: String,
    name: String,
    params: Map<String, Json>,
    location: String,
}

impl From<&ResourceSpec> for SavedSpec {
    fn from(spec: &ResourceSpec) -> SavedSpec {
        SavedSpec {
            kind: spec.kind.clone(),
            name: spec.name.clone(),
            params: spec
                .params
                .iter()
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect(),
            location: spec.location.clone(),
        }
    }
}

impl From<SavedSpec> for ResourceSpec {
    fn from(saved: SavedSpec) -> ResourceSpec {
        let params: Fields = saved.params.into_iter().collect();
        ResourceSpec::new(&saved.kind, saved.name, params, saved.location)
    }
}

/// The undo saved for the resource `id`: `None` when none is saved,
/// `Some(None)` when it was found not restorable.
pub fn load(state: &StateDir, id: &str) -> Option<Option<ResourceSpec>> {
    let saved: Saved = state.load(SECTION, id)?;
    Some(saved.undo.map(ResourceSpec::from))
}

/// Saves the undo of `id`; a failure is logged (the undo then lives only
/// as long as this agent).
pub fn save(state: &StateDir, id: &str, undo: Option<&ResourceSpec>) {
    let saved = Saved {
        undo: undo.map(SavedSpec::from),
    };
    if let Err(problem) = state.save(SECTION, id, &saved) {
        warn!("{id}: {problem}; Meta:reverse will not survive a restart");
    }
}

/// Forgets the undo of `id` (applied, or no longer wanted).
pub fn forget(state: &StateDir, id: &str) {
    state.remove(SECTION, id);
}

/// Every saved undo, by the id of the resource it undoes.
pub fn saved(state: &StateDir) -> Vec<(String, Option<ResourceSpec>)> {
    state
        .entries::<Saved>(SECTION)
        .into_iter()
        .map(|(id, saved)| (id, saved.undo.map(ResourceSpec::from)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_undo_survives_a_new_state_dir_on_the_same_path() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::at(dir.path().to_owned());
        let mut params = Fields::default();
        params.insert("content".to_owned(), Json::from("old\n"));
        let undo = ResourceSpec::new("file", "/x/f", params, "reversal of main.mcl:1:1");
        save(&state, "file[/x/f]", Some(&undo));
        save(&state, "file[/x/g]", None);
        let again = StateDir::at(dir.path().to_owned());
        assert_eq!(load(&again, "file[/x/f]"), Some(Some(undo.clone())));
        assert_eq!(load(&again, "file[/x/g]"), Some(None));
        assert_eq!(saved(&again).len(), 2);
        forget(&again, "file[/x/f]");
        assert_eq!(load(&again, "file[/x/f]"), None);
        assert_eq!(saved(&again), vec![("file[/x/g]".to_owned(), None)]);
    }
}
