//! Helpers the grammar's actions call: node builders and the semantic checks
//! that need more than a grammar rule (each records a [`SyntaxError`] and
//! returns a usable node, so parsing goes on).

use super::error::{SyntaxError, SyntaxErrorKind};
use crate::ast::*;
use crate::span::{FileId, Span};
use crate::token::StrPart;

pub fn binary(
    file: FileId,
    start: usize,
    end: usize,
    op: BinaryOp,
    left: Expr,
    right: Expr,
) -> Expr {
    Expr {
        kind: ExprKind::Binary {
            op,
            left: Box::new(left),
            right: Box::new(right),
        },
        span: Span::new(file, start, end),
    }
}

pub fn string_segments(file: FileId, parts: Vec<StrPart>) -> Vec<StrSegment> {
    let mut segments: Vec<StrSegment> = parts
        .into_iter()
        .map(|part| match part {
            StrPart::Text(text) => StrSegment::Text(text),
            StrPart::Var { name, start, end } => StrSegment::Var(Ident {
                name,
                span: Span::new(file, start, end),
            }),
        })
        .collect();
    // Most strings are one segment in a vector grown to four: the tree of a
    // large program keeps only what it uses.
    segments.shrink_to_fit();
    segments
}

/// `http:server`: the parts must touch their colons.
pub fn join_colon_name(problems: &mut Vec<SyntaxError>, first: Ident, rest: Vec<Ident>) -> Ident {
    let parts = rest
        .into_iter()
        .map(|part| (part.name, part.span))
        .collect();
    join_name(problems, first, parts)
}

/// `Http:Server`: the parts must touch their colons.
pub fn join_cap_name(
    problems: &mut Vec<SyntaxError>,
    first: Ident,
    rest: Vec<(String, Span)>,
) -> Ident {
    join_name(problems, first, rest)
}

fn join_name(problems: &mut Vec<SyntaxError>, first: Ident, rest: Vec<(String, Span)>) -> Ident {
    let mut joined = first;
    for (name, span) in rest {
        // `a:b` is 1 + 1 + 1 bytes: anything longer had spaces around the colon.
        if span.start != joined.span.end + 1 {
            problems.push(SyntaxError {
                kind: SyntaxErrorKind::SpacedName,
                span: joined.span.to(span),
            });
        }
        joined.name.push(':');
        joined.name.push_str(&name);
        joined.span = joined.span.to(span);
    }
    joined
}

/// Binding names, loop variables and parameters are plain names, not `$ns.x`.
pub fn plain_variable(problems: &mut Vec<SyntaxError>, name: &Ident) {
    if name.name.contains('.') {
        problems.push(SyntaxError {
            kind: SyntaxErrorKind::DottedBinding {
                name: name.name.clone(),
            },
            span: name.span,
        });
    }
}

/// An import path without interpolation.
pub fn plain_string(
    problems: &mut Vec<SyntaxError>,
    (parts, span): (Vec<StrPart>, Span),
) -> StrLit {
    let mut value = String::new();
    for part in parts {
        match part {
            StrPart::Text(text) => value.push_str(&text),
            StrPart::Var { .. } => problems.push(SyntaxError {
                kind: SyntaxErrorKind::InterpolatedImport,
                span,
            }),
        }
    }
    StrLit { value, span }
}

fn edge_relation(keyword: &str) -> Option<EdgeRelation> {
    Some(match keyword {
        "Before" => EdgeRelation::Before,
        "Depend" => EdgeRelation::Depend,
        "Notify" => EdgeRelation::Notify,
        "Listen" => EdgeRelation::Listen,
        _ => return None,
    })
}

/// `Notify => Svc["x"]` (or with `cond ?:`).
pub fn edge_entry(
    problems: &mut Vec<SyntaxError>,
    (keyword, keyword_span): (String, Span),
    (condition, target): (Option<Expr>, EdgeTarget),
    span: Span,
) -> BodyEntry {
    let relation = edge_relation(&keyword).unwrap_or_else(|| {
        let kind = if keyword == "Meta" {
            SyntaxErrorKind::TargetNeedsEdgeKeyword { keyword }
        } else {
            SyntaxErrorKind::UnknownBodyKeyword { found: keyword }
        };
        problems.push(SyntaxError {
            kind,
            span: keyword_span,
        });
        EdgeRelation::Before
    });
    BodyEntry {
        kind: BodyEntryKind::Edge {
            relation,
            keyword: keyword_span,
            target: Box::new(target),
        },
        condition: condition.map(Box::new),
        span,
    }
}

/// `Meta => struct{...}` (or with `cond ?:`).
pub fn meta_entry(
    problems: &mut Vec<SyntaxError>,
    (keyword, keyword_span): (String, Span),
    (condition, value): (Option<Expr>, Expr),
    span: Span,
) -> BodyEntry {
    if keyword != "Meta" {
        let kind = if edge_relation(&keyword).is_some() {
            SyntaxErrorKind::EdgeNeedsTarget { keyword }
        } else {
            SyntaxErrorKind::UnknownBodyKeyword { found: keyword }
        };
        problems.push(SyntaxError {
            kind,
            span: keyword_span,
        });
    }
    BodyEntry {
        kind: BodyEntryKind::Meta { value },
        condition: condition.map(Box::new),
        span,
    }
}

/// `Meta:noop => true` (or with `cond ?:`).
pub fn meta_param_entry(
    problems: &mut Vec<SyntaxError>,
    (keyword, keyword_span): (String, Span),
    name: Ident,
    (condition, value): (Option<Expr>, Expr),
    span: Span,
) -> BodyEntry {
    if keyword != "Meta" {
        problems.push(SyntaxError {
            kind: SyntaxErrorKind::ParamOnNonMeta { keyword },
            span: keyword_span,
        });
    }
    BodyEntry {
        kind: BodyEntryKind::MetaParam { name, value },
        condition: condition.map(Box::new),
        span,
    }
}

/// A line break between two elements where a `,` belongs.
pub fn missing_comma(problems: &mut Vec<SyntaxError>, span: Span) {
    problems.push(SyntaxError {
        kind: SyntaxErrorKind::MissingComma,
        span,
    });
}

/// `for $x in ...`: records the missing variable and stands in for it, so the
/// loop's body is still checked.
pub fn one_loop_variable(
    problems: &mut Vec<SyntaxError>,
    keyword: &'static str,
    value: &Ident,
    in_span: Span,
) -> Ident {
    problems.push(SyntaxError {
        kind: SyntaxErrorKind::LoopWithOneVariable { keyword },
        span: in_span,
    });
    Ident {
        name: value.name.clone(),
        span: value.span,
    }
}

/// A class is declared as `name` or `base:inner`; dotted names only refer to
/// classes inside imported modules.
pub fn class_name(problems: &mut Vec<SyntaxError>, name: &Ident) {
    if name.name.contains('.') {
        problems.push(SyntaxError {
            kind: SyntaxErrorKind::DottedClassName {
                name: name.name.clone(),
            },
            span: name.span,
        });
    }
}

/// `File "/tmp/x" {...}`: the resource the user meant, with the kind lowercased.
pub fn capitalised_kind(
    problems: &mut Vec<SyntaxError>,
    kind: Ident,
    name: Expr,
    body: Vec<BodyEntry>,
    body_span: Span,
) -> Resource {
    problems.push(SyntaxError {
        kind: SyntaxErrorKind::CapitalisedKind {
            kind: kind.name.clone(),
        },
        span: kind.span,
    });
    Resource {
        kind: Ident {
            name: kind.name.to_lowercase(),
            span: kind.span,
        },
        name,
        body,
        body_span,
    }
}

/// `Notify => svc["x"]`: the target the user meant, recorded as a mistake.
pub fn lowercase_edge_kind(
    problems: &mut Vec<SyntaxError>,
    kind: Ident,
    name: Expr,
    span: Span,
) -> EdgeTarget {
    problems.push(SyntaxError {
        kind: SyntaxErrorKind::LowercaseEdgeKind,
        span,
    });
    EdgeTarget { kind, name, span }
}

/// The entries of a resource body that parsed, in exactly the memory they need.
pub fn body_entries(entries: Vec<Option<BodyEntry>>) -> Vec<BodyEntry> {
    let mut body: Vec<BodyEntry> = entries.into_iter().flatten().collect();
    body.shrink_to_fit();
    body
}
