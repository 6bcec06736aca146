//! Every resolution and type error's text, in one place.

use crate::diagnostics::Diagnostic;
use crate::scope::resolve::Unresolved;
use crate::scope::Duplicate;
use crate::types::unify::Mismatch;
use crate::types::Type;
use mcl_grammar::Span;
use std::convert::Infallible;

pub(super) fn duplicate(duplicate: &Duplicate) -> Diagnostic {
    let sigil = if duplicate.what == "variable" {
        "$"
    } else {
        ""
    };
    Diagnostic::error(
        "E0202",
        format!(
            "{} `{sigil}{}` is declared twice in one scope",
            duplicate.what, duplicate.name
        ),
        duplicate.second,
        "declared again here",
    )
    .with_secondary(duplicate.first, "first declared here")
    .with_help(
        "rename one of them; an inner block (if, for, class, function) may shadow a name instead",
    )
}

pub(super) fn mismatch(mismatch: &Mismatch, span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(
        "E0301",
        format!("expected {}, found {}", mismatch.expected, mismatch.found),
        span,
        format!("this is {}", mismatch.found),
    )
    .with_note(format!("expected because {what}"))
}

pub(super) fn call_rejected(name: &str, message: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0305",
        format!("invalid call of `{name}`: {message}"),
        span,
        message.to_owned(),
    )
}

pub(super) fn ambiguous_binding(name: &str, shown: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0302",
        format!("cannot determine the type of `${name}`"),
        span,
        format!("known only as `{shown}`"),
    )
    .with_help(format!("annotate it, e.g. `${name} []str = ...`"))
}

pub(super) fn ambiguous_expression(span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0302",
        "cannot determine the type of this expression",
        span,
        "its type is never fixed",
    )
    .with_help("annotate a variable it uses with its type")
}

pub(super) fn result_type_differs(name: &str, one: &Type, other: &Type, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0302",
        format!("the result of `{name}` here is `{one}` at one use and `{other}` at another"),
        span,
        "only its use fixes this result's type, and the uses disagree",
    )
    .with_help(
        "give the type where the call is written, e.g. `encoding.decode_json($data, \"int\")`, \
         or annotate the function's result",
    )
}

pub(super) fn unknown_module(path: &str, span: Span, modules: &[&str]) -> Diagnostic {
    let named: Vec<&str> = modules
        .iter()
        .copied()
        .filter(|module| !module.is_empty())
        .collect();
    let diagnostic = Diagnostic::error(
        "E0205",
        format!("there is no core module `{path}`"),
        span,
        "unknown module",
    )
    .with_note(format!("core modules: {}", named.join(", ")));
    match crate::scope::did_you_mean(path, named.iter().copied()) {
        Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
        None => diagnostic
            .with_help("local files are imported as \"name.mcl\", directories as \"name/\""),
    }
}

pub(super) fn panic_argument(shown: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0301",
        format!("`panic` takes a bool or a str, found {shown}"),
        span,
        format!("this is {shown}"),
    )
}

pub(super) fn binding_cycle(cycle: &[String], span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0210",
        "these bindings depend on each other in a cycle",
        span,
        "this binding needs itself",
    )
    .with_note(format!("the cycle: {}", cycle.join(" -> ")))
}

pub(super) fn recursion(cycle: &[String], span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0211",
        "recursion is not allowed in mcl",
        span,
        "used again while it is being expanded",
    )
    .with_note(format!("the cycle: {}", cycle.join(" -> ")))
}

pub(super) fn module_statement(what: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0208",
        format!("an imported module cannot contain {what} at its top level"),
        span,
        "not allowed in an imported file",
    )
    .with_help("imported files only define (bindings, functions, classes, imports); put this in a class and include it")
}

pub(super) fn unknown_variable(name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        "E0201",
        format!("`${name}` is not in scope"),
        span,
        "not defined",
    );
    match suggestion {
        Some(suggestion) => diagnostic.with_help(format!("did you mean `${suggestion}`?")),
        None => diagnostic,
    }
}

pub(super) fn unknown_in_namespace(
    prefix: &str,
    name: &str,
    span: Span,
    suggestion: Option<&str>,
) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        "E0201",
        format!("`{prefix}` has no variable `{name}`"),
        span,
        "not defined there",
    );
    match suggestion {
        Some(suggestion) => diagnostic.with_help(format!("did you mean `${prefix}.{suggestion}`?")),
        None => diagnostic,
    }
}

pub(super) fn unknown_constant(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0219",
        format!("`${name}` is not a known constant"),
        span,
        "unknown constant",
    )
    .with_help(
        "constants are `$const.res.<kind>.<field>.<value>`, e.g. `$const.res.file.state.exists`",
    )
}

pub(super) fn core_module_has_no_variables(module: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0220",
        format!("the core module `{module}` has functions, not variables"),
        span,
        "not a variable",
    )
    .with_help("call its functions, e.g. `fmt.printf(...)`")
}

pub(super) fn unknown_namespace(name: &str, span: Span, is_core_module: bool) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        "E0204",
        format!("`{name}` is not an imported module or an include alias"),
        span,
        "unknown namespace",
    );
    if is_core_module {
        diagnostic.with_help(format!("add `import \"{name}\"` at the top of the file"))
    } else {
        diagnostic
    }
}

pub(super) fn class_arity(
    name: &str,
    expected: usize,
    found: usize,
    span: Span,
    declared: Span,
) -> Diagnostic {
    Diagnostic::error(
        "E0213",
        format!(
            "class `{name}` takes {expected} argument{}, but {found} {} given",
            plural(expected),
            were(found)
        ),
        span,
        format!("{found} argument{}", plural(found)),
    )
    .with_secondary(declared, "declared here")
}

pub(super) fn unknown_class(name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        "E0209",
        format!("there is no class `{name}`"),
        span,
        "unknown class",
    );
    match suggestion {
        Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
        None => diagnostic,
    }
}

pub(super) fn unknown_function(
    name: &str,
    span: Span,
    suggestion: Option<&str>,
    home: Option<&str>,
) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        "E0203",
        format!("there is no function `{name}`"),
        span,
        "unknown function",
    );
    match (suggestion, home) {
        (_, Some(module)) => diagnostic.with_help(format!(
            "`{module}.{name}` exists: add `import \"{module}\"` and call it as `{}.{name}`",
            crate::scope::namespace_of(module)
        )),
        (Some(suggestion), None) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
        (None, None) => diagnostic,
    }
}

pub(super) fn call_arity(name: &str, expected: usize, found: usize, span: Span) -> Diagnostic {
    let shown = if name.starts_with("this ") {
        name.to_owned()
    } else {
        format!("`{name}`")
    };
    Diagnostic::error(
        "E0304",
        format!(
            "{shown} takes {expected} argument{}, but {found} {} given",
            plural(expected),
            were(found)
        ),
        span,
        format!("{found} argument{}", plural(found)),
    )
}

pub(super) fn duplicate_struct_field(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0218",
        format!("field `{name}` is given twice"),
        span,
        "given again here",
    )
}

pub(super) fn not_a_function(shown: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0306",
        format!("a value of type {shown} cannot be called"),
        span,
        "not a function",
    )
}

pub(super) fn operator_type(op: &str, shown: &str, allow_str: bool, span: Span) -> Diagnostic {
    let allowed = if allow_str {
        "int, float or str"
    } else {
        "int or float"
    };
    Diagnostic::error(
        "E0303",
        format!("`{op}` is not defined for {shown}"),
        span,
        format!("`{op}` takes {allowed}"),
    )
}

pub(super) fn compare_functions(op: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0303",
        format!("functions cannot be compared with `{op}`"),
        span,
        "comparing functions",
    )
}

pub(super) fn unhashable_key(shown: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0309",
        format!("map keys cannot be of type `{shown}`"),
        span,
        "not a key type",
    )
    .with_help("keys are bool, str, int, float, or structs of those; functions, lists and maps are not keys")
}

pub(super) fn not_indexable(shown: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0308",
        format!("a value of type {shown} cannot be indexed"),
        span,
        "only lists and maps take `[...]`",
    )
}

pub(super) fn not_a_container(shown: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0308",
        format!("`in` needs a list, map or str, found {shown}"),
        span,
        "not a list, map or str",
    )
}

pub(super) fn no_such_field(field: &str, shown: &str, names: &[&str], span: Span) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        "E0307",
        format!("{shown} has no field `{field}`"),
        span,
        "no such field",
    )
    .with_note(format!("its fields: {}", names.join(", ")));
    match crate::scope::did_you_mean(field, names.iter().copied()) {
        Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
        None => diagnostic,
    }
}

pub(super) fn not_a_struct(field: &str, shown: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0307",
        format!("`->{field}` needs a struct, found {shown}"),
        span,
        format!("this is {shown}"),
    )
}

pub(super) fn unknown_kind(kind: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        "E0214",
        format!("there is no resource kind `{kind}`"),
        span,
        "unknown kind",
    );
    match suggestion {
        Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
        None => diagnostic,
    }
}

pub(super) fn duplicate_field(name: &str, first: Span, second: Span) -> Diagnostic {
    Diagnostic::error(
        "E0218",
        format!("field `{name}` is set twice"),
        second,
        "set again here",
    )
    .with_secondary(first, "first set here")
    .with_help("to choose between values, make each conditional: `name => $cond ?: value,`")
}

pub(super) fn unknown_field(
    name: &str,
    kind: &str,
    span: Span,
    suggestion: Option<&str>,
) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        "E0215",
        format!("`{kind}` has no field `{name}`"),
        span,
        "unknown field",
    );
    match suggestion {
        Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
        None => diagnostic.with_help(format!("see the fields of `{kind}` in docs/resources.md")),
    }
}

pub(super) fn unknown_meta(name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        "E0216",
        format!("there is no metaparameter `{name}`"),
        span,
        "unknown metaparameter",
    );
    match suggestion {
        Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
        None => diagnostic,
    }
}

pub(super) fn meta_not_struct(shown: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0301",
        format!("`Meta =>` takes a struct of metaparameters, found {shown}"),
        span,
        "not a struct",
    )
    .with_help("write `Meta => struct{noop => true, retry => 3,},`")
}

pub(super) fn send_recv_shape(span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0217",
        "send/recv connects exactly two resources, each with a field",
        span,
        "write `Kind[\"a\"].sent -> Kind[\"b\"].field`",
    )
}

pub(super) fn unknown_send(name: &str, kind: &str, names: &[&str], span: Span) -> Diagnostic {
    let sends = if names.is_empty() {
        "nothing".to_owned()
    } else {
        names.join(", ")
    };
    Diagnostic::error(
        "E0217",
        format!("`{kind}` does not send `{name}`"),
        span,
        "not sent by this kind",
    )
    .with_note(format!("`{kind}` sends: {sends}"))
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

fn were(count: usize) -> &'static str {
    if count == 1 {
        "was"
    } else {
        "were"
    }
}

/// Why a name refers to nothing, at `span` (the name as written); `None`
/// for a miss that is reported elsewhere.
pub(super) fn unresolved(unresolved: Unresolved<'_, Infallible>, span: Span) -> Option<Diagnostic> {
    Some(match unresolved {
        Unresolved::Host(never) => match never {},
        Unresolved::UnknownVariable { name, suggestion } => {
            unknown_variable(name, span, suggestion.as_deref())
        }
        Unresolved::UnknownInNamespace {
            prefix,
            name,
            suggestion,
        } => unknown_in_namespace(prefix, name, span, suggestion.as_deref()),
        Unresolved::CoreModuleHasNoVariables { module, .. } => {
            core_module_has_no_variables(&module, span)
        }
        Unresolved::UnknownNamespace {
            name,
            is_core_module,
        } => unknown_namespace(name, span, is_core_module),
        Unresolved::AliasNotDeclared { .. } => return None,
        Unresolved::AliasCycle { alias, include } => recursion(
            &[format!("include as {alias}"), format!("${alias}")],
            include,
        ),
        Unresolved::UnknownClass { name, suggestion } => {
            unknown_class(name, span, suggestion.as_deref())
        }
        Unresolved::UnknownFunction {
            name,
            suggestion,
            home,
        } => unknown_function(name, span, suggestion.as_deref(), home.as_deref()),
    })
}

pub(super) fn reserved_name(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0221",
        format!("`{name}` is a reserved word and cannot name a variable or parameter"),
        span,
        "reserved word",
    )
    .with_help(format!("choose another name, such as `${name}_value`"))
}

pub(super) fn duplicate_map_key(shown: &str, first: Span, second: Span) -> Diagnostic {
    Diagnostic::error(
        "E0310",
        format!("the map has the key {shown} twice"),
        second,
        "set again here",
    )
    .with_secondary(first, "first set here")
    .with_help("a map holds one value per key: remove one, or use a list of pairs")
}

pub(super) fn cannot_receive(kind: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0217",
        format!("`{kind}` resources do not receive values"),
        span,
        "cannot receive",
    )
    .with_help("send to a kind that uses the value (a `file`'s `content`, a `value`'s `any`, ...)")
}
