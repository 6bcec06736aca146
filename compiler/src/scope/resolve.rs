//! Name resolution, the one implementation that the checker and the
//! evaluator share: what `$name`, `$ns.name`, `name(...)`, `ns.name(...)`
//! and `include name` refer to.
//!
//! The rules live here; what genuinely differs between the two passes is
//! behind [`NameHost`]: how a module's top scope is obtained and how the
//! instance behind an `include ... as alias` is made (the checker checks the
//! include, the evaluator runs it). A miss is an [`Unresolved`] value with
//! what a diagnostic needs; turning it into text is the caller's job (the
//! checker reports it, the evaluator has nothing left to report for a
//! checked program).
//!
//! The success path builds no strings and allocates nothing: it walks the
//! scope chain and hands back the scope that holds the answer.

use super::{Callee, ImportTarget, Namespace, Scope, SlotState, StmtRef};
use crate::function::FunctionRegistry;
use mcl_grammar::Span;
use std::rc::Rc;

#[cfg(test)]
mod tests;

/// What a pass supplies to the resolver.
pub trait NameHost {
    /// How the pass's scopes refer to statements.
    type Stmt: StmtRef;
    /// What a binding holds: a type in the checker, a value in the evaluator.
    type Payload;
    /// Why an alias has no instance, already dealt with by the host.
    type Failure;

    fn functions(&self) -> &FunctionRegistry;

    /// The top scope of module `index`.
    fn module_scope(&mut self, index: usize) -> Rc<HostScope<Self>>;

    /// Makes the instance of `include` (an `include ... as alias` statement
    /// declared in `holder`).
    fn instantiate_alias(
        &mut self,
        holder: &Rc<HostScope<Self>>,
        include: &Self::Stmt,
    ) -> Result<Rc<HostScope<Self>>, Self::Failure>;
}

/// The scope type of a host.
pub type HostScope<H> = Scope<<H as NameHost>::Stmt, <H as NameHost>::Payload>;

/// What a variable name refers to.
pub enum Variable<'n, R, S> {
    /// Binding `name` of `scope`, written at `declared_at`.
    Bind {
        scope: Rc<Scope<R, S>>,
        name: &'n str,
        declared_at: Span,
    },
    /// `$hostname`, when no binding of that name is visible.
    Hostname,
    /// `$const.<...>`, when no namespace `const` is visible: which constants
    /// exist is the checker's business.
    Constant,
}

/// Why a name refers to nothing. Names are borrowed from the name looked up.
#[derive(Debug, PartialEq)]
pub enum Unresolved<'n, F> {
    /// The host could not make an alias instance, and has dealt with it.
    Host(F),
    UnknownVariable {
        name: &'n str,
        suggestion: Option<String>,
    },
    /// `$prefix.name`, where the namespace `prefix` has no binding `name`.
    UnknownInNamespace {
        prefix: &'n str,
        name: &'n str,
        suggestion: Option<String>,
    },
    /// A namespace in a variable or module path is a core module.
    CoreModuleHasNoVariables { namespace: &'n str, module: Rc<str> },
    UnknownNamespace {
        name: &'n str,
        /// Whether a core module of that name exists (it wants an import).
        is_core_module: bool,
    },
    /// An alias whose name was taken by an earlier declaration in its scope
    /// (reported as a duplicate when the scope was declared).
    AliasNotDeclared { alias: &'n str },
    /// An alias used while its instance is being made.
    AliasCycle { alias: &'n str, include: Span },
    UnknownClass {
        name: &'n str,
        suggestion: Option<String>,
    },
    UnknownFunction {
        name: &'n str,
        suggestion: Option<String>,
        /// A core module that has the function, when it was called unqualified.
        home: Option<String>,
    },
}

type Resolved<'n, T, H> = Result<T, Unresolved<'n, <H as NameHost>::Failure>>;

/// `$name` (plain or dotted) as seen from `scope`.
pub fn variable<'n, H: NameHost>(
    host: &mut H,
    scope: &Rc<HostScope<H>>,
    name: &'n str,
) -> Resolved<'n, Variable<'n, H::Stmt, H::Payload>, H> {
    if let Some((prefix, last)) = name.rsplit_once('.') {
        if (prefix == "const" || prefix.starts_with("const."))
            && scope.find_namespace("const").is_none()
        {
            return Ok(Variable::Constant);
        }
        let target = namespace(host, scope, prefix)?;
        return bind(target, last).map_err(|target| Unresolved::UnknownInNamespace {
            prefix,
            name: last,
            suggestion: suggest(last, target.binds.keys().map(String::as_str)),
        });
    }
    if let Some(found) = scope.outwards().find_map(|level| bind(level, name).ok()) {
        return Ok(found);
    }
    if name == "hostname" {
        return Ok(Variable::Hostname);
    }
    let in_module = in_local_star_import(host, scope, |module| bind(module, name).ok());
    if let Some(found) = in_module {
        return Ok(found);
    }
    let names = scope.visible_names();
    let suggestion = suggest(name, names.iter().map(String::as_str));
    Err(Unresolved::UnknownVariable { name, suggestion })
}

/// Binding `name` of `scope`, or the scope back if it has none.
fn bind<R, S>(scope: Rc<Scope<R, S>>, name: &str) -> Result<Variable<'_, R, S>, Rc<Scope<R, S>>> {
    let Some(declared_at) = scope.binds.get(name).map(|slot| slot.name_span) else {
        return Err(scope);
    };
    Ok(Variable::Bind {
        scope,
        name,
        declared_at,
    })
}

/// The scope a dotted prefix names (`a` or `a.b` of `$a.b.x`): a local
/// module or an include alias, possibly nested.
pub fn namespace<'n, H: NameHost>(
    host: &mut H,
    scope: &Rc<HostScope<H>>,
    prefix: &'n str,
) -> Resolved<'n, Rc<HostScope<H>>, H> {
    let mut current = Rc::clone(scope);
    for (position, part) in prefix.split('.').enumerate() {
        // After the first part, only the namespaces the target itself
        // declares count, not those around where it was declared.
        let visible = position == 0
            || current.imports.contains_key(part)
            || current.aliases.contains_key(part);
        let found = if visible {
            current.find_namespace(part)
        } else {
            None
        };
        current = enter(host, found, part)?;
    }
    Ok(current)
}

/// The scope behind namespace `part`, found as `found`.
fn enter<'n, H: NameHost>(
    host: &mut H,
    found: Option<Namespace<H::Stmt, H::Payload>>,
    part: &'n str,
) -> Resolved<'n, Rc<HostScope<H>>, H> {
    match found {
        Some(Namespace::Import(ImportTarget::Local(index))) => Ok(host.module_scope(index)),
        Some(Namespace::Import(ImportTarget::Core(module))) => {
            Err(Unresolved::CoreModuleHasNoVariables {
                namespace: part,
                module,
            })
        }
        Some(Namespace::Alias(holder)) => alias(host, &holder, part),
        None => Err(Unresolved::UnknownNamespace {
            name: part,
            is_core_module: host.functions().has_module(part),
        }),
    }
}

/// The instance of `include ... as alias` held by `holder`, made on first use.
pub fn alias<'n, H: NameHost>(
    host: &mut H,
    holder: &Rc<HostScope<H>>,
    alias: &'n str,
) -> Resolved<'n, Rc<HostScope<H>>, H> {
    let Some(slot) = holder.aliases.get(alias) else {
        return Err(Unresolved::AliasNotDeclared { alias });
    };
    let state = slot.state.borrow().clone();
    match state {
        SlotState::Done(instance) => Ok(instance),
        SlotState::Busy => Err(Unresolved::AliasCycle {
            alias,
            include: slot.stmt.span,
        }),
        SlotState::Pending => {
            *slot.state.borrow_mut() = SlotState::Busy;
            // A failure leaves the slot busy: later uses see a cycle, which
            // a host whose instances can fail treats as dealt with too.
            let instance = host
                .instantiate_alias(holder, &slot.stmt)
                .map_err(Unresolved::Host)?;
            *slot.state.borrow_mut() = SlotState::Done(Rc::clone(&instance));
            Ok(instance)
        }
    }
}

/// The class `include name` includes (`name`, `outer:inner`, `alias.inner`),
/// with the scope that declares it.
pub fn class<'n, H: NameHost>(
    host: &mut H,
    scope: &Rc<HostScope<H>>,
    name: &'n str,
) -> Resolved<'n, (Rc<HostScope<H>>, H::Stmt), H> {
    if let Some((prefix, last)) = name.rsplit_once('.') {
        let target = namespace(host, scope, prefix)?;
        return match target.classes.get(last).cloned() {
            Some(class) => Ok((target, class)),
            None => Err(Unresolved::UnknownClass {
                name,
                suggestion: None,
            }),
        };
    }
    if let Some(found) = scope.find_class(name) {
        return Ok(found);
    }
    let in_module = in_local_star_import(host, scope, |module| {
        let class = module.classes.get(name).cloned()?;
        Some((module, class))
    });
    if let Some(found) = in_module {
        return Ok(found);
    }
    let chain: Vec<Rc<HostScope<H>>> = scope.outwards().collect();
    let candidates = chain
        .iter()
        .flat_map(|level| level.classes.keys().map(String::as_str));
    let suggestion = suggest(name, candidates);
    Err(Unresolved::UnknownClass { name, suggestion })
}

/// What `name(...)` calls: a user function (`f`, `ns.f`, `alias.f`, or from
/// a local module imported `as *`) or a core function (built-in, `fmt.f`,
/// or from a core module imported `as *`).
pub fn function<'n, H: NameHost>(
    host: &mut H,
    scope: &Rc<HostScope<H>>,
    name: &'n str,
) -> Resolved<'n, Callee<H::Stmt, H::Payload>, H> {
    if let Some((prefix, last)) = name.rsplit_once('.') {
        let target = if prefix.contains('.') {
            namespace(host, scope, prefix)?
        } else {
            match scope.find_namespace(prefix) {
                Some(Namespace::Import(ImportTarget::Core(module))) => {
                    let functions = host.functions();
                    return match functions.get(&module, last) {
                        Some(function) => Ok(Callee::Builtin(function)),
                        None => Err(Unresolved::UnknownFunction {
                            name,
                            suggestion: suggest(last, functions.functions(&module)),
                            home: None,
                        }),
                    };
                }
                found => enter(host, found, prefix)?,
            }
        };
        return match target.funcs.get(last).cloned() {
            Some(decl) => Ok(Callee::User(target, decl)),
            None => Err(Unresolved::UnknownFunction {
                name,
                suggestion: suggest(last, target.funcs.keys().map(String::as_str)),
                home: None,
            }),
        };
    }
    if let Some((found, decl)) = scope.find_func(name) {
        return Ok(Callee::User(found, decl));
    }
    if let Some(function) = host.functions().get("", name) {
        return Ok(Callee::Builtin(function));
    }
    for found in scope.outwards() {
        for target in &found.star_imports {
            match target {
                ImportTarget::Core(module) => {
                    if let Some(function) = host.functions().get(module, name) {
                        return Ok(Callee::Builtin(function));
                    }
                }
                ImportTarget::Local(index) => {
                    let module = host.module_scope(*index);
                    if let Some(decl) = module.funcs.get(name).cloned() {
                        return Ok(Callee::User(module, decl));
                    }
                }
            }
        }
    }
    let functions = host.functions();
    let home = functions
        .modules()
        .find(|module| functions.get(module, name).is_some())
        .map(str::to_owned);
    Err(Unresolved::UnknownFunction {
        name,
        suggestion: suggest(name, functions.functions("")),
        home,
    })
}

/// The first answer `look` finds in the top scope of a local module
/// imported `as *` visible from `scope` (innermost import first).
fn in_local_star_import<H: NameHost, T>(
    host: &mut H,
    scope: &Rc<HostScope<H>>,
    mut look: impl FnMut(Rc<HostScope<H>>) -> Option<T>,
) -> Option<T> {
    for found in scope.outwards() {
        for target in &found.star_imports {
            if let ImportTarget::Local(index) = target {
                if let Some(answer) = look(host.module_scope(*index)) {
                    return Some(answer);
                }
            }
        }
    }
    None
}

/// The closest of `candidates` to `name`, owned for the error.
fn suggest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<String> {
    super::did_you_mean(name, candidates).map(str::to_owned)
}
