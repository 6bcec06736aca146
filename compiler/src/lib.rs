//! The mcl compiler: diagnostics, and (as the pipeline grows) name
//! resolution, types, evaluation and the resource-graph IR.
//!
//! Pure like the grammar: sources come in through the caller, and errors go out
//! as [`diagnostics::Diagnostic`] values that one renderer turns into text.

pub mod check;
pub mod compile;
pub mod context;
pub mod diagnostics;
pub mod eval;
pub mod facts;
pub mod fields;
pub mod function;
pub mod graph;
pub mod load;
pub mod redact;
pub mod schema;
pub mod scope;
pub mod types;
pub mod value;
pub mod value_json;
pub mod world;

pub use diagnostics::{Diagnostic, Label, Severity};

/// The stack of a thread that checks or evaluates a program. Every phase
/// walks the program tree recursively, so it needs a stack large enough for
/// any tree the parser accepts (the memory is only reserved; pages are used
/// as the recursion reaches them). The binary's worker, the agent's
/// evaluator and the corpus tests all use this one size.
pub const STACK_BYTES: usize = 1 << 30;
