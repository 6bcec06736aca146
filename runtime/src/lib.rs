//! The mgmt engine: resource workers, scheduling, watchers and the World store. Built by the engine work; empty until then.
