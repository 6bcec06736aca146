//! How a scope refers to the statements that declared its names.
//!
//! The checker runs while the whole program is borrowed, so it keeps plain
//! borrows (`&'a Stmt`). The evaluator cannot: its function values are
//! `'static` (they are shared with the runtime and the standard library) and
//! keep the scope they closed over, so its scopes keep the block a statement
//! belongs to ([`SharedStmt`]) and the program is freed when the last of them
//! goes.

use mcl_grammar::ast::{Stmt, StmtKind};
use std::ops::Deref;
use std::sync::Arc;

/// A reference to one statement of a block.
pub trait StmtRef: Clone + Deref<Target = Stmt> {
    /// A block's statements, as this kind of reference holds them.
    type Block;

    fn stmts(block: &Self::Block) -> &[Stmt];

    /// The statement at `index` of `block`.
    fn at(block: &Self::Block, index: usize) -> Self;

    /// The statements of the class body that `class` declares, if it is a
    /// class declaration.
    fn class_body(class: &Self) -> Option<Self::Block>;
}

impl<'a> StmtRef for &'a Stmt {
    type Block = &'a [Stmt];

    fn stmts<'b>(block: &'b &'a [Stmt]) -> &'b [Stmt] {
        block
    }

    fn at(block: &&'a [Stmt], index: usize) -> &'a Stmt {
        &block[index]
    }

    fn class_body(class: &&'a Stmt) -> Option<&'a [Stmt]> {
        let class: &'a Stmt = class;
        match &class.kind {
            StmtKind::Class(decl) => Some(&decl.body.stmts),
            _ => None,
        }
    }
}

/// A statement kept through the block it belongs to.
#[derive(Clone, Debug)]
pub struct SharedStmt {
    block: Arc<[Stmt]>,
    index: usize,
}

impl Deref for SharedStmt {
    type Target = Stmt;

    fn deref(&self) -> &Stmt {
        &self.block[self.index]
    }
}

impl StmtRef for SharedStmt {
    type Block = Arc<[Stmt]>;

    fn stmts(block: &Arc<[Stmt]>) -> &[Stmt] {
        block
    }

    fn at(block: &Arc<[Stmt]>, index: usize) -> SharedStmt {
        SharedStmt {
            block: Arc::clone(block),
            index,
        }
    }

    fn class_body(class: &SharedStmt) -> Option<Arc<[Stmt]>> {
        match &class.kind {
            StmtKind::Class(decl) => Some(Arc::clone(&decl.body.stmts)),
            _ => None,
        }
    }
}
