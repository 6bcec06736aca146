//! Scopes, shared by the type checker and the evaluator.
//!
//! A scope holds what one block declares: bindings, functions, classes, import
//! namespaces and include aliases. Statement order does not matter, so a
//! binding is a [`Slot`] computed on first use and remembered; a slot that is
//! asked for while it is being computed is a cycle. The payload `S` is a type
//! in the checker and a value in the evaluator.

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

/// A binding: its expression, optional declared type, and computed payload.
#[derive(Debug)]
pub struct Slot<'a, S> {
    pub name: &'a Ident,
    pub ty: Option<&'a TypeExpr>,
    pub expr: Option<&'a Expr>,
    pub state: RefCell<SlotState<S>>,
}

impl<'a, S> Slot<'a, S> {
    /// A slot whose payload is known from the start (parameters, loop variables).
    pub fn done(name: &'a Ident, payload: S) -> Slot<'a, S> {
        Slot {
            name,
            ty: None,
            expr: None,
            state: RefCell::new(SlotState::Done(payload)),
        }
    }
}

/// What a function name refers to, for the checker and the evaluator alike:
/// a user function with the scope it was declared in, or a built-in.
pub enum Callee<'a, S> {
    User(Rc<Scope<'a, S>>, &'a FuncDecl),
    Builtin(std::sync::Arc<dyn crate::function::Function>),
}

/// What an import namespace refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportTarget {
    /// A core module by its import path (`fmt`, `golang/strings`).
    Core(String),
    /// A local module by its index in the loaded program.
    Local(usize),
}

/// An include with an alias, instantiated on first use or when its statement runs.
#[derive(Debug)]
pub struct AliasSlot<'a, S> {
    pub stmt: &'a Stmt,
    pub state: RefCell<SlotState<Rc<Scope<'a, S>>>>,
}

#[derive(Debug)]
pub struct Scope<'a, S> {
    pub parent: Option<Rc<Scope<'a, S>>>,
    /// The module whose text this scope belongs to.
    pub module: usize,
    pub binds: HashMap<&'a str, Slot<'a, S>>,
    pub funcs: HashMap<&'a str, &'a FuncDecl>,
    pub classes: HashMap<String, &'a ClassDecl>,
    pub imports: HashMap<&'a str, ImportTarget>,
    /// `import ... as *`: searched after the scope chain.
    pub star_imports: Vec<ImportTarget>,
    pub aliases: HashMap<&'a str, AliasSlot<'a, S>>,
}

/// A second declaration of a name in one scope.
#[derive(Clone, Debug)]
pub struct Duplicate {
    pub what: &'static str,
    pub name: String,
    pub first: Span,
    pub second: Span,
}

impl<'a, S> Scope<'a, S> {
    pub fn empty(parent: Option<Rc<Scope<'a, S>>>, module: usize) -> Scope<'a, S> {
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
        parent: Option<Rc<Scope<'a, S>>>,
        module: usize,
        stmts: &'a [Stmt],
        resolve_import: &dyn Fn(&str) -> Option<ImportTarget>,
        duplicates: &mut Vec<Duplicate>,
    ) -> Scope<'a, S> {
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
        for stmt in stmts {
            match &stmt.kind {
                StmtKind::Bind { name, ty, value } if note("variable", &name.name, name.span) => {
                    scope.binds.insert(
                        &name.name,
                        Slot {
                            name,
                            ty: ty.as_ref(),
                            expr: Some(value),
                            state: RefCell::new(SlotState::Pending),
                        },
                    );
                }
                StmtKind::Func(decl) if note("function", &decl.name.name, decl.name.span) => {
                    scope.funcs.insert(&decl.name.name, decl);
                }
                StmtKind::Class(decl) if note("class", &decl.name.name, decl.name.span) => {
                    scope.classes.insert(decl.name.name.clone(), decl);
                    // Nested classes are also reachable as `outer:inner`.
                    for inner in &decl.body.stmts {
                        if let StmtKind::Class(nested) = &inner.kind {
                            let joined = format!("{}:{}", decl.name.name, nested.name.name);
                            if note("class", &joined, nested.name.span) {
                                scope.classes.insert(joined, nested);
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
                                scope.imports.insert(&name.name, target);
                            }
                        }
                        None => {
                            let namespace = namespace_of(&path.value);
                            if note("namespace", namespace, path.span) {
                                scope.imports.insert(namespace, target);
                            }
                        }
                    }
                }
                StmtKind::Include {
                    alias: Some(alias), ..
                } if note("namespace", &alias.name, alias.span) => {
                    scope.aliases.insert(
                        &alias.name,
                        AliasSlot {
                            stmt,
                            state: RefCell::new(SlotState::Pending),
                        },
                    );
                }
                _ => {}
            }
        }
        scope
    }

    /// Makes `class outer:inner` declared beside `outer` includable as
    /// `inner` from inside an instance of `outer` (and so as `alias.inner`).
    /// The declarations are searched from `definition` outwards, since a
    /// class adopted into an instance keeps its full name (`outer:inner`).
    pub fn adopt_nested_classes(&mut self, definition: &Rc<Scope<'a, S>>, class_name: &str) {
        let prefix = format!("{class_name}:");
        let mut current = Some(Rc::clone(definition));
        while let Some(scope) = current {
            for (full, decl) in &scope.classes {
                if let Some(rest) = full.strip_prefix(&prefix) {
                    if !rest.contains(':') {
                        self.classes.entry(rest.to_owned()).or_insert(*decl);
                    }
                }
            }
            current = scope.parent.clone();
        }
    }

    /// The scope (this one or an ancestor) that binds `name`.
    pub fn find_bind(self: &Rc<Self>, name: &str) -> Option<Rc<Scope<'a, S>>> {
        let mut current = Some(Rc::clone(self));
        while let Some(scope) = current {
            if scope.binds.contains_key(name) {
                return Some(scope);
            }
            current = scope.parent.clone();
        }
        None
    }

    pub fn find_func(self: &Rc<Self>, name: &str) -> Option<(Rc<Scope<'a, S>>, &'a FuncDecl)> {
        let mut current = Some(Rc::clone(self));
        while let Some(scope) = current {
            if let Some(decl) = scope.funcs.get(name) {
                return Some((Rc::clone(&scope), *decl));
            }
            current = scope.parent.clone();
        }
        None
    }

    pub fn find_class(self: &Rc<Self>, name: &str) -> Option<(Rc<Scope<'a, S>>, &'a ClassDecl)> {
        let mut current = Some(Rc::clone(self));
        while let Some(scope) = current {
            if let Some(decl) = scope.classes.get(name) {
                return Some((Rc::clone(&scope), *decl));
            }
            current = scope.parent.clone();
        }
        None
    }

    /// An import namespace or include alias visible from here.
    pub fn find_namespace(self: &Rc<Self>, name: &str) -> Option<Namespace<'a, S>> {
        let mut current = Some(Rc::clone(self));
        while let Some(scope) = current {
            if let Some(target) = scope.imports.get(name) {
                return Some(Namespace::Import(target.clone()));
            }
            if scope.aliases.contains_key(name) {
                return Some(Namespace::Alias(Rc::clone(&scope)));
            }
            current = scope.parent.clone();
        }
        None
    }

    /// Every `as *` import visible from here, innermost first.
    pub fn star_imports(self: &Rc<Self>) -> Vec<ImportTarget> {
        let mut targets = Vec::new();
        let mut current = Some(Rc::clone(self));
        while let Some(scope) = current {
            targets.extend(scope.star_imports.iter().cloned());
            current = scope.parent.clone();
        }
        targets
    }

    /// Every variable name visible from here, for "did you mean" hints.
    pub fn visible_names(self: &Rc<Self>) -> Vec<String> {
        let mut names = Vec::new();
        let mut current = Some(Rc::clone(self));
        while let Some(scope) = current {
            names.extend(scope.binds.keys().map(|name| (*name).to_owned()));
            current = scope.parent.clone();
        }
        names
    }
}

/// What a namespace prefix (`$ns.x`, `ns.f()`) names.
pub enum Namespace<'a, S> {
    Import(ImportTarget),
    /// The scope that holds the alias slot.
    Alias(Rc<Scope<'a, S>>),
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
    candidates
        .into_iter()
        .map(|candidate| {
            (
                crate::diagnostics::syntax::edit_distance(name, candidate),
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
    }
}
