//! Scopes, shared by the type checker and the evaluator.
//!
//! A scope holds what one block declares: bindings, functions, classes, import
//! namespaces and include aliases. Statement order does not matter, so a
//! binding is a [`Slot`] computed on first use and remembered; a slot that is
//! asked for while it is being computed is a cycle. The payload `S` is a type
//! in the checker and a value in the evaluator; `R` is how the scope refers
//! to the declaring statements (see [`stmt_ref`]). What a name refers to,
//! given these scopes, is decided in [`resolve`].

pub mod resolve;
mod stmt_ref;

pub use stmt_ref::{SharedStmt, StmtRef};

use mcl_grammar::ast::{ClassDecl, Expr, FuncDecl, Ident, ImportAlias, Stmt, StmtKind, TypeExpr};
use mcl_grammar::Span;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

#[derive(Clone, Debug)]
pub enum SlotState<S> {
    Pending,
    Busy,
    Done(S),
}

/// A binding: the statement that declares it, and its computed payload.
#[derive(Debug)]
pub struct Slot<R, S> {
    /// The `Bind` statement; `None` for parameters and loop variables, whose
    /// payload is known from the start.
    pub decl: Option<R>,
    /// Where the name is written, for errors.
    pub name_span: Span,
    pub state: RefCell<SlotState<S>>,
}

impl<R, S> Slot<R, S> {
    /// A slot whose payload is known from the start (parameters, loop variables).
    pub fn done(name: &Ident, payload: S) -> Slot<R, S> {
        Slot {
            decl: None,
            name_span: name.span,
            state: RefCell::new(SlotState::Done(payload)),
        }
    }

    /// Empties a computed slot, so that the values it holds (which may hold
    /// scopes, which may hold this slot) are dropped.
    pub fn forget(&self) {
        *self.state.borrow_mut() = SlotState::Pending;
    }
}

/// The value of a `Bind` statement.
pub fn bound_value(stmt: &Stmt) -> Option<&Expr> {
    match &stmt.kind {
        StmtKind::Bind { value, .. } => Some(value),
        _ => None,
    }
}

/// The declared type of a `Bind` statement.
pub fn bound_type(stmt: &Stmt) -> Option<&TypeExpr> {
    match &stmt.kind {
        StmtKind::Bind { ty, .. } => ty.as_ref(),
        _ => None,
    }
}

/// The function a `func` statement declares.
pub fn func_decl(stmt: &Stmt) -> Option<&FuncDecl> {
    match &stmt.kind {
        StmtKind::Func(decl) => Some(decl),
        _ => None,
    }
}

/// The class a `class` statement declares.
pub fn class_decl(stmt: &Stmt) -> Option<&ClassDecl> {
    match &stmt.kind {
        StmtKind::Class(decl) => Some(decl),
        _ => None,
    }
}

/// What a function name refers to, for the checker and the evaluator alike:
/// a user function (its `func` statement) with the scope it was declared in,
/// or a built-in.
pub enum Callee<R, S> {
    User(Rc<Scope<R, S>>, R),
    Builtin(std::sync::Arc<dyn crate::function::Function>),
}

/// What an import namespace refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportTarget {
    /// A core module by its import path (`fmt`, `golang/strings`), shared
    /// so that resolving `fmt.printf` copies no string.
    Core(Rc<str>),
    /// A local module by its index in the loaded program.
    Local(usize),
}

/// An include with an alias, instantiated on first use or when its statement runs.
#[derive(Debug)]
pub struct AliasSlot<R, S> {
    /// The `include` statement.
    pub stmt: R,
    pub state: RefCell<SlotState<Rc<Scope<R, S>>>>,
}

#[derive(Debug)]
pub struct Scope<R, S> {
    pub parent: Option<Rc<Scope<R, S>>>,
    /// The module whose text this scope belongs to.
    pub module: usize,
    pub binds: HashMap<String, Slot<R, S>>,
    /// Each function's `func` statement.
    pub funcs: HashMap<String, R>,
    /// Each class's `class` statement.
    pub classes: HashMap<String, R>,
    pub imports: HashMap<String, ImportTarget>,
    /// `import ... as *`: searched after the scope chain.
    pub star_imports: Vec<ImportTarget>,
    pub aliases: HashMap<String, AliasSlot<R, S>>,
}

/// A second declaration of a name in one scope.
#[derive(Clone, Debug)]
pub struct Duplicate {
    pub what: &'static str,
    pub name: String,
    pub first: Span,
    pub second: Span,
}

impl<R: StmtRef, S> Scope<R, S> {
    pub fn empty(parent: Option<Rc<Scope<R, S>>>, module: usize) -> Scope<R, S> {
        Scope {
            parent,
            module,
            binds: HashMap::new(),
            funcs: HashMap::new(),
            classes: HashMap::new(),
            imports: HashMap::new(),
            star_imports: Vec::new(),
            aliases: HashMap::new(),
        }
    }

    /// Collects the declarations of a block. `resolve_import` maps an import
    /// path to its target (it may fail; such imports are skipped, their error
    /// is reported elsewhere).
    pub fn declare(
        parent: Option<Rc<Scope<R, S>>>,
        module: usize,
        block: R::Block,
        resolve_import: &dyn Fn(&str) -> Option<ImportTarget>,
        duplicates: &mut Vec<Duplicate>,
    ) -> Scope<R, S> {
        let mut scope = Scope::empty(parent, module);
        let mut seen: HashMap<(&'static str, String), Span> = HashMap::new();
        let mut note =
            |what: &'static str, name: &str, span: Span| match seen.get(&(what, name.to_owned())) {
                Some(first) => {
                    duplicates.push(Duplicate {
                        what,
                        name: name.to_owned(),
                        first: *first,
                        second: span,
                    });
                    false
                }
                None => {
                    seen.insert((what, name.to_owned()), span);
                    true
                }
            };
        for (index, stmt) in R::stmts(&block).iter().enumerate() {
            match &stmt.kind {
                StmtKind::Bind { name, .. } if note("variable", &name.name, name.span) => {
                    scope.binds.insert(
                        name.name.clone(),
                        Slot {
                            decl: Some(R::at(&block, index)),
                            name_span: name.span,
                            state: RefCell::new(SlotState::Pending),
                        },
                    );
                }
                StmtKind::Func(decl) if note("function", &decl.name.name, decl.name.span) => {
                    scope
                        .funcs
                        .insert(decl.name.name.clone(), R::at(&block, index));
                }
                StmtKind::Class(decl) if note("class", &decl.name.name, decl.name.span) => {
                    let class = R::at(&block, index);
                    scope.classes.insert(decl.name.name.clone(), class.clone());
                    // Nested classes are also reachable as `outer:inner`.
                    if let Some(body) = R::class_body(&class) {
                        for (inner_index, inner) in R::stmts(&body).iter().enumerate() {
                            if let StmtKind::Class(nested) = &inner.kind {
                                let joined = format!("{}:{}", decl.name.name, nested.name.name);
                                if note("class", &joined, nested.name.span) {
                                    scope.classes.insert(joined, R::at(&body, inner_index));
                                }
                            }
                        }
                    }
                }
                StmtKind::Import { path, alias } => {
                    let Some(target) = resolve_import(&path.value) else {
                        continue;
                    };
                    match alias {
                        Some(ImportAlias::Star(_)) => scope.star_imports.push(target),
                        Some(ImportAlias::Name(name)) => {
                            if note("namespace", &name.name, name.span) {
                                scope.imports.insert(name.name.clone(), target);
                            }
                        }
                        None => {
                            let namespace = namespace_of(&path.value);
                            if note("namespace", namespace, path.span) {
                                scope.imports.insert(namespace.to_owned(), target);
                            }
                        }
                    }
                }
                StmtKind::Include {
                    alias: Some(alias), ..
                } if note("namespace", &alias.name, alias.span) => {
                    scope.aliases.insert(
                        alias.name.clone(),
                        AliasSlot {
                            stmt: R::at(&block, index),
                            state: RefCell::new(SlotState::Pending),
                        },
                    );
                }
                _ => {}
            }
        }
        scope
    }

    /// Empties every computed binding and alias here. A function value keeps
    /// the scope it closed over and an alias keeps its instance, whose parent
    /// may be this scope: such cycles are never freed by counting references,
    /// so whoever made the scopes breaks them once it is done.
    pub fn forget_computed(&self) {
        for slot in self.binds.values() {
            slot.forget();
        }
        for alias in self.aliases.values() {
            *alias.state.borrow_mut() = SlotState::Pending;
        }
    }

    /// Makes `class outer:inner` declared beside `outer` includable as
    /// `inner` from inside an instance of `outer` (and so as `alias.inner`).
    /// The declarations are searched from `definition` outwards, since a
    /// class adopted into an instance keeps its full name (`outer:inner`).
    pub fn adopt_nested_classes(&mut self, definition: &Rc<Scope<R, S>>, class_name: &str) {
        let prefix = format!("{class_name}:");
        for scope in definition.outwards() {
            for (full, decl) in &scope.classes {
                if let Some(rest) = full.strip_prefix(&prefix) {
                    if !rest.contains(':') {
                        self.classes
                            .entry(rest.to_owned())
                            .or_insert_with(|| decl.clone());
                    }
                }
            }
        }
    }

    /// This scope and its ancestors, innermost first.
    fn outwards(self: &Rc<Self>) -> impl Iterator<Item = Rc<Scope<R, S>>> {
        std::iter::successors(Some(Rc::clone(self)), |scope| scope.parent.clone())
    }

    /// The first scope from here outwards in which `look` finds something,
    /// and what it found.
    fn innermost<T>(
        self: &Rc<Self>,
        look: impl Fn(&Scope<R, S>) -> Option<T>,
    ) -> Option<(Rc<Scope<R, S>>, T)> {
        self.outwards()
            .find_map(|scope| look(&scope).map(|found| (scope, found)))
    }

    /// The scope that declares function `name`, and its `func` statement.
    pub fn find_func(self: &Rc<Self>, name: &str) -> Option<(Rc<Scope<R, S>>, R)> {
        self.innermost(|scope| scope.funcs.get(name).cloned())
    }

    /// The scope that declares class `name`, and its `class` statement.
    pub fn find_class(self: &Rc<Self>, name: &str) -> Option<(Rc<Scope<R, S>>, R)> {
        self.innermost(|scope| scope.classes.get(name).cloned())
    }

    /// An import namespace or include alias visible from here.
    pub fn find_namespace(self: &Rc<Self>, name: &str) -> Option<Namespace<R, S>> {
        self.outwards().find_map(|scope| {
            if let Some(target) = scope.imports.get(name) {
                Some(Namespace::Import(target.clone()))
            } else if scope.aliases.contains_key(name) {
                Some(Namespace::Alias(scope))
            } else {
                None
            }
        })
    }

    /// Every variable name visible from here, for "did you mean" hints.
    pub fn visible_names(self: &Rc<Self>) -> Vec<String> {
        self.outwards()
            .flat_map(|scope| scope.binds.keys().cloned().collect::<Vec<_>>())
            .collect()
    }
}

/// What a namespace prefix (`$ns.x`, `ns.f()`) names.
pub enum Namespace<R, S> {
    Import(ImportTarget),
    /// The scope that holds the alias slot.
    Alias(Rc<Scope<R, S>>),
}

/// `fmt` for `import "fmt"`, `strings` for `golang/strings`, `lib` for
/// `lib.mcl`, `dir` for `dir/`.
pub fn namespace_of(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    let last = trimmed.rsplit('/').next().unwrap_or(trimmed);
    last.strip_suffix(".mcl").unwrap_or(last)
}

/// The closest candidate within a third of the name's length in edits.
pub fn did_you_mean<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (name.chars().count() / 3).max(1);
    // Case does not count: `Exce` means `exec`.
    let name = name.to_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            (
                crate::diagnostics::syntax::edit_distance(&name, &candidate.to_lowercase()),
                candidate,
            )
        })
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_come_from_the_last_path_part() {
        assert_eq!(namespace_of("fmt"), "fmt");
        assert_eq!(namespace_of("golang/strings"), "strings");
        assert_eq!(namespace_of("lib.mcl"), "lib");
        assert_eq!(namespace_of("dir/"), "dir");
        assert_eq!(namespace_of("../mods/web.mcl"), "web");
    }

    #[test]
    fn suggestions_are_close_matches_only() {
        assert_eq!(
            did_you_mean("contnet", ["content", "mode"]),
            Some("content")
        );
        assert_eq!(did_you_mean("xyz", ["content", "mode"]), None);
        assert_eq!(did_you_mean("fiel", ["exec", "file"]), Some("file"));
        assert_eq!(did_you_mean("Exce", ["exec", "file"]), Some("exec"));
        assert_eq!(did_you_mean("retyr", ["retry", "reset"]), Some("retry"));
    }
}
