//! Diagnostics: one model for every error the pipeline reports, and one
//! renderer for humans (codespan-reporting) and one for editors (JSON lines).
//!
//! Each phase keeps its errors as data beside it and converts them here with a
//! `to_diagnostic` function; nothing else formats error text.

mod clip;
pub mod codes;
mod json;
mod model;
mod render;
pub mod syntax;

pub use json::{to_json_line, JSON_SCHEMA_VERSION};
pub use model::{Diagnostic, Label, Severity};
pub use render::{render_human, render_human_to_stderr, ErrorFormat};
