//! The abstract syntax tree of mcl (spec §2–3).
//!
//! Every node carries the [`Span`] of the text it came from. The tree keeps
//! what the user wrote, not what it means: `else if` stays a chain, names keep
//! their dots and colons, and nothing is resolved or type-checked here.
//!
//! The parts that the evaluator keeps while it runs (a file's or a block's
//! statements, a lambda's parameters and body) are shared through [`Arc`]:
//! a scope or a function value holds the statements it was declared from
//! instead of borrowing them, so that a program can be dropped like any
//! other value once nothing uses it. `Arc` rather than `Rc` because a
//! checked program moves to the evaluator thread.

use crate::span::Span;
use std::sync::Arc;

/// An identifier, a dotted name (`fmt.printf`) or a colon-joined name
/// (`http:server`, `base:inner`).
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// One parsed `.mcl` file.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub body: Arc<[Stmt]>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `$name [type] = value`
    Bind {
        name: Ident,
        ty: Option<TypeExpr>,
        value: Expr,
    },
    /// `if cond { ... } else ...`
    If(IfStmt),
    /// `for $index, $value in list { ... }`
    For {
        index: Ident,
        value: Ident,
        list: Expr,
        body: Block,
    },
    /// `forkv $key, $value in map { ... }`
    ForKv {
        key: Ident,
        value: Ident,
        map: Expr,
        body: Block,
    },
    /// `func name(params) [type] { body }`
    Func(FuncDecl),
    /// `class name[(params)] { ... }`
    Class(ClassDecl),
    /// `include name[(args)] [as alias]`
    Include {
        name: Ident,
        args: Option<Vec<Expr>>,
        alias: Option<Ident>,
    },
    /// `import "path" [as name | as *]`
    Import {
        path: StrLit,
        alias: Option<ImportAlias>,
    },
    /// `kind name { body }`
    Resource(Resource),
    /// `collect kind name { body }`
    Collect(Resource),
    /// `Kind[name] -> Kind[name] -> ...`, or with `.field` on each end for send/recv.
    Edge(Vec<EdgeHalf>),
    /// `panic(value)`
    Panic(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Arc<[Stmt]>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IfStmt {
    pub condition: Expr,
    pub then: Block,
    pub otherwise: Option<ElseStmt>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ElseStmt {
    Block(Block),
    /// `else if ...` **[ext]**
    If(Box<IfStmt>, Span),
}

#[derive(Clone, Debug, PartialEq)]
pub struct FuncDecl {
    pub name: Ident,
    pub params: Vec<Param>,
    pub ret: Option<TypeExpr>,
    pub body: Box<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClassDecl {
    pub name: Ident,
    /// `None` for `class name { }`, `Some` (maybe empty) for `class name() { }`.
    pub params: Option<Vec<Param>>,
    pub body: Block,
}

/// `$name [type]` in a function or class signature.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ImportAlias {
    Name(Ident),
    /// `as *`: merge the module into the importing scope.
    Star(Span),
}

/// A string literal without interpolation, such as an import path.
#[derive(Clone, Debug, PartialEq)]
pub struct StrLit {
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub kind: Ident,
    pub name: Expr,
    pub body: Vec<BodyEntry>,
    /// The `{ ... }` of the body, for the formatter and for errors.
    pub body_span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BodyEntry {
    pub kind: BodyEntryKind,
    /// `cond ?:` before the value: set only when the condition is true.
    /// Boxed, like the other rare parts below: a large program has tens of
    /// thousands of entries, and each pays for the largest variant.
    pub condition: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum BodyEntryKind {
    /// `field => value`
    Field { name: Ident, value: Expr },
    /// `Before|Depend|Notify|Listen => Kind[name]`
    Edge {
        relation: EdgeRelation,
        keyword: Span,
        target: Box<EdgeTarget>,
    },
    /// `Meta:name => value`
    MetaParam { name: Ident, value: Expr },
    /// `Meta => struct{...}`
    Meta { value: Expr },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeRelation {
    Before,
    Depend,
    Notify,
    Listen,
}

impl EdgeRelation {
    pub fn keyword(self) -> &'static str {
        match self {
            EdgeRelation::Before => "Before",
            EdgeRelation::Depend => "Depend",
            EdgeRelation::Notify => "Notify",
            EdgeRelation::Listen => "Listen",
        }
    }
}

/// `Kind[name]` as it appears in an edge.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeTarget {
    /// Capitalised, possibly colon-joined (`Http:Server`).
    pub kind: Ident,
    pub name: Expr,
    pub span: Span,
}

/// One end of an edge statement, with the field for send/recv.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeHalf {
    pub target: EdgeTarget,
    pub field: Option<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Vec<StrSegment>),
    List(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    Struct(Vec<(Ident, Expr)>),
    /// `$name` or `$ns.name` (stored without `$`).
    Var(Ident),
    /// `name(args)`: a named function, built-in or from a module.
    Call {
        name: Ident,
        args: Vec<Expr>,
    },
    /// `expr(args)`: calling a function value.
    Apply {
        function: Box<Expr>,
        args: Vec<Expr>,
    },
    /// Shared with every function value that evaluating it makes.
    Lambda {
        params: Arc<[Param]>,
        ret: Option<Box<TypeExpr>>,
        body: Arc<Expr>,
    },
    If {
        condition: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    Index {
        base: Box<Expr>,
        index: Box<Expr>,
    },
    Field {
        base: Box<Expr>,
        field: Ident,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `(expr)`, kept so that the formatter can keep the parentheses.
    Paren(Box<Expr>),
}

/// A piece of a string literal.
#[derive(Clone, Debug, PartialEq)]
pub enum StrSegment {
    Text(String),
    /// `${name}`: the variable to interpolate.
    Var(Ident),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Except,
    Or,
    And,
    Eq,
    NotEq,
    Lt,
    Gt,
    LtEq,
    GtEq,
    In,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Except => "<|>",
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::NotEq => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Gt => ">",
            BinaryOp::LtEq => "<=",
            BinaryOp::GtEq => ">=",
            BinaryOp::In => "in",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }

    /// Binding strength, higher binds tighter (spec §2 precedence table).
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Except => 1,
            BinaryOp::Or => 2,
            BinaryOp::And => 3,
            BinaryOp::Eq
            | BinaryOp::NotEq
            | BinaryOp::Lt
            | BinaryOp::Gt
            | BinaryOp::LtEq
            | BinaryOp::GtEq
            | BinaryOp::In => 4,
            BinaryOp::Add | BinaryOp::Sub => 5,
            BinaryOp::Mul | BinaryOp::Div => 6,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    Bool,
    Str,
    Int,
    Float,
    Variant,
    List(Box<TypeExpr>),
    Map(Box<TypeExpr>, Box<TypeExpr>),
    Struct(Vec<(Ident, TypeExpr)>),
    /// Argument names are optional and kept only for the formatter.
    Func(Vec<(Option<Ident>, TypeExpr)>, Box<TypeExpr>),
}
