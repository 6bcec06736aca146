//! Every evaluation and graph error's text, in one place.

use super::Catchable;
use crate::diagnostics::Diagnostic;
use crate::scope::resolve::Unresolved;
use mcl_grammar::Span;

/// Something the checker should have refused; kept as a located error rather
/// than a panic.
pub(super) fn internal(message: &str, span: Span) -> Diagnostic {
    Diagnostic::error("E0499", format!("internal error: {message}"), span, "here")
        .with_note("the type checker should have refused this program; please report it")
}

/// A name that refers to nothing, at `span` (the name as written); `None`
/// for what has been dealt with already (a failed include, and so the
/// alias cycle that its busy slot looks like afterwards).
pub(super) fn unresolved<F>(unresolved: &Unresolved<'_, F>, span: Span) -> Option<Diagnostic> {
    let message = match unresolved {
        Unresolved::Host(_)
        | Unresolved::AliasNotDeclared { .. }
        | Unresolved::AliasCycle { .. } => return None,
        Unresolved::UnknownVariable { name, .. } | Unresolved::UnknownInNamespace { name, .. } => {
            format!("`${name}` is not in scope")
        }
        Unresolved::CoreModuleHasNoVariables {
            namespace: name, ..
        }
        | Unresolved::UnknownNamespace { name, .. } => format!("`{name}` is not a namespace"),
        Unresolved::UnknownClass { name, .. } => format!("there is no class `{name}`"),
        Unresolved::UnknownFunction { name, .. } => format!("there is no function `{name}`"),
    };
    Some(internal(&message, span))
}

pub(super) fn uncaught(error: &Catchable, reached: Span) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        "E0401",
        format!("uncaught error: {}", error.message),
        error.span,
        "the error starts here",
    );
    let diagnostic = if reached != error.span {
        diagnostic.with_secondary(reached, "and reaches this value, which must have one")
    } else {
        diagnostic
    };
    diagnostic.with_help("replace the error with a fallback value: `expression <|> fallback`")
}

pub(super) fn panic(message: &str, span: Span) -> Diagnostic {
    Diagnostic::error("E0402", format!("panic: {message}"), span, "panicked here")
}

pub(super) fn function_failed(name: &str, message: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0406",
        format!("`{name}` failed: {message}"),
        span,
        "this call failed",
    )
}

pub(super) fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0407",
        "classes and functions expand too deeply",
        span,
        "expanded here",
    )
}

pub(super) fn empty_name(kind: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0408",
        format!("a `{kind}` resource has an empty name"),
        span,
        "this name is empty",
    )
}

/// A name that starts with `$` is most likely a variable that was meant to
/// be interpolated (`"$name"` instead of `"${name}"`).
pub(super) fn dollar_name(kind: &str, name: &str, span: Span) -> Diagnostic {
    let rest = &name[1..];
    let variable_end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let interpolate = if variable_end == 0 {
        "to use a variable, interpolate it with `${name}`".to_owned()
    } else {
        let (variable, after) = rest.split_at(variable_end);
        format!("to use the variable, interpolate it: \"${{{variable}}}{after}\"")
    };
    Diagnostic::error(
        "E0410",
        format!("the `{kind}` resource name {name:?} starts with `$`"),
        span,
        "this name starts with `$`",
    )
    .with_help(format!(
        "{interpolate}; if the `$` is meant, add `Meta:dollar => true`"
    ))
}

pub(super) fn meta_range(name: &str, value: i64, span: Span) -> Diagnostic {
    let allowed = if name == "retry" {
        "-1 (forever) or more"
    } else {
        "0 or more"
    };
    Diagnostic::error(
        "E0405",
        format!("`Meta:{name}` cannot be {value}"),
        span,
        format!("must be {allowed}"),
    )
}

pub(super) fn bad_semaphore(id: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0405",
        format!("`{id}` is not a semaphore"),
        span,
        "expected `name` or `name:N` with N >= 1",
    )
}

pub(super) fn out_of_range(
    kind: &str,
    field: &str,
    value: i128,
    low: i128,
    high: i128,
    span: Span,
) -> Diagnostic {
    Diagnostic::error(
        "E0405",
        format!("{value} does not fit the `{field}` field of `{kind}`"),
        span,
        format!("must be between {low} and {high}"),
    )
}

pub(super) fn conflicting_duplicate(
    id: &str,
    field: &str,
    first_span: Span,
    second_span: Span,
) -> Diagnostic {
    Diagnostic::error(
        "E0403",
        format!("{id} is defined twice with different `{field}`"),
        second_span,
        "defined here with one value",
    )
    .with_secondary(first_span, "and here with another")
    .with_note("identical duplicates merge; differing ones are an error")
}

pub(super) fn unknown_edge_end(
    kind: &str,
    name: &str,
    span: Span,
    suggestion: Option<&str>,
) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        "E0404",
        format!("the edge refers to {kind}[{name}], which no statement defines"),
        span,
        "unknown resource",
    );
    match suggestion {
        Some(suggestion) => diagnostic.with_help(format!("did you mean {kind}[{suggestion}]?")),
        None => diagnostic,
    }
}

pub(super) fn graph_cycle(names: &[String], spans: &[Span]) -> Diagnostic {
    let mut path = names.to_vec();
    if let Some(first) = names.first() {
        path.push(first.clone());
    }
    let mut diagnostic = Diagnostic::error(
        "E0409",
        "the resources' edges form a cycle",
        spans.first().copied().unwrap_or_default(),
        "this resource is part of the cycle",
    )
    .with_note(format!("the cycle: {}", path.join(" -> ")));
    for (name, span) in names.iter().zip(spans).skip(1) {
        diagnostic = diagnostic.with_secondary(*span, format!("{name} is in the cycle"));
    }
    diagnostic
}

/// A value of an enumerated field that is none of its choices.
pub(super) fn not_a_choice(
    kind: &str,
    field: &str,
    value: &str,
    choices: &[&str],
    suggestion: Option<&str>,
    span: Span,
) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        "E0411",
        format!("`{value}` is not a value of `{kind}`'s `{field}`"),
        span,
        "not one of its values",
    )
    .with_note(format!(
        "`{field}` takes {}",
        choices
            .iter()
            .map(|choice| format!("`{choice}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    match suggestion {
        Some(suggestion) => diagnostic.with_help(format!("did you mean \"{suggestion}\"?")),
        None => diagnostic,
    }
}

/// A value of a formatted field (a mode) that is not well formed.
pub(super) fn bad_format(
    kind: &str,
    field: &str,
    value: &str,
    why: &str,
    span: Span,
) -> Diagnostic {
    Diagnostic::error(
        "E0411",
        format!("`{value}` is not a valid `{field}` of `{kind}`: {why}"),
        span,
        "not well formed",
    )
}

/// Two send/recv edges into one field: which value wins would be luck.
pub(super) fn two_senders(
    receiver: &str,
    first: &str,
    first_span: Span,
    second: &str,
    second_span: Span,
) -> Diagnostic {
    Diagnostic::error(
        "E0412",
        format!("{receiver} receives from two senders, {first} and {second}"),
        second_span,
        "the second sender",
    )
    .with_secondary(first_span, "the first sender")
    .with_help("a field receives one value: send from one resource, or combine the values first")
}

/// A field that the kind's check across fields refuses.
pub(super) fn fields_disagree(kind: &str, field: &str, why: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0411",
        format!("`{field}` of this `{kind}` {why}"),
        span,
        "refused here",
    )
}

/// A send/recv edge from a resource that never runs here.
pub(super) fn hidden_sender(sender: &str, sent: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0217",
        format!("{sender} is `Meta:hidden`: it never runs here, so it sends no `{sent}`"),
        span,
        "a hidden sender",
    )
    .with_help("send from a resource that runs on this host, or drop `Meta:hidden`")
}
