//! Syntax errors as data: what went wrong and where.
//!
//! The words a user reads are written by the compiler's diagnostics layer;
//! this module only records the facts, including the parser's expectations
//! already grouped into readable classes ("an expression" instead of twenty
//! tokens that can start one).

use crate::span::Span;
use crate::token::{LexErrorKind, Token};

#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SyntaxErrorKind {
    /// The text is not a token.
    Lex(LexErrorKind),
    /// A token where it cannot stand; `expected` is what could have.
    UnexpectedToken {
        found: Token,
        expected: Vec<String>,
        context: Context,
    },
    /// The file ended in the middle of something; `unclosed` is the innermost
    /// bracket still open there.
    UnexpectedEnd {
        expected: Vec<String>,
        unclosed: Option<Span>,
    },
    /// `http : server`: a kind or class name with spaces around its `:`.
    SpacedName,
    /// `Foo => ...` in a resource body: not an edge keyword nor `Meta`.
    UnknownBodyKeyword { found: String },
    /// `Notify => $x`: an edge keyword needs a `Kind["name"]` target.
    EdgeNeedsTarget { keyword: String },
    /// `Meta => File["x"]`: only edge keywords take an edge target.
    TargetNeedsEdgeKeyword { keyword: String },
    /// `Before:x => ...`: only `Meta` takes a `:param`.
    ParamOnNonMeta { keyword: String },
    /// `$ns.name = ...`: only plain names can be bound.
    DottedBinding { name: String },
    /// A line break between two elements of a `{...}` where a `,` belongs.
    MissingComma,
    /// `import "${x}"`: an import path is a plain string.
    InterpolatedImport,
    /// `Notify => svc["x"]` (the span covers the whole target).
    LowercaseEdgeKind,
    /// `File "/tmp/x" {...}`: a resource kind written capitalised.
    CapitalisedKind { kind: String },
    /// `for $x in ...`: the loop needs two variables (`keyword` is `for` or
    /// `forkv`); the span is the `in`.
    LoopWithOneVariable { keyword: &'static str },
    /// `class a.b {...}`: dotted names are for including module classes.
    DottedClassName { name: String },
}

/// What surrounds an unexpected token, for hints that depend on it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Context {
    /// The token just before it.
    pub previous: Option<Token>,
    /// The token just after it.
    pub next: Option<Token>,
    /// The innermost bracket open around it, when that bracket is never closed.
    pub unclosed: Option<Span>,
    /// It is a closing bracket while no bracket is open.
    pub closes_nothing: bool,
}

/// Binary operators, and the `?:` of a conditional field; after a complete
/// expression LALRPOP expects all of them, which reads as "an operator".
const OPERATORS: [&str; 15] = [
    "in", "and", "or", "<|>", "+", "-", "*", "/", "==", "!=", "<", ">", "<=", ">=", "?:",
];

/// Postfix forms (call, index, field) that may also follow an expression.
const POSTFIX: [&str; 3] = ["(", "[", "->"];

/// Words that are field names where a field name is expected.
const TYPE_WORDS: [&str; 8] = [
    "bool", "str", "int", "float", "map", "struct", "variant", "collect",
];

/// Tokens that start a type.
const TYPE_STARTS: [&str; 9] = [
    "bool", "str", "int", "float", "map", "struct", "variant", "func", "[",
];

/// Separators and closers: what a user most often forgot, so shown first.
const SPECIFIC: [&str; 9] = ["=>", ",", ")", "]", "}", "{", ";", "=", "end of line"];

/// Turns LALRPOP's terminal names into classes a user recognises: a statement,
/// an expression, an operator, a field name, a type; the separators and
/// closers that remain come first.
pub fn readable_expectations(expected: &[String]) -> Vec<String> {
    let names: Vec<&str> = expected.iter().map(|name| name.trim_matches('"')).collect();
    let has = |name: &str| names.contains(&name);
    let mut classes: Vec<&str> = Vec::new();
    let mut hidden: Vec<&str> = vec!["invalid text"];

    if has("import") && has("class") {
        classes.push("a statement");
        hidden.extend(STATEMENT_STARTS);
        hidden.extend(EXPRESSION_STARTS);
    } else if has("a variable") && has("a string") && has("an integer") {
        classes.push("an expression");
        hidden.extend(EXPRESSION_STARTS);
    }
    if has("an identifier") && has("collect") && has("bool") && !hidden.contains(&"collect") {
        classes.push("a field name");
        hidden.push("an identifier");
        hidden.extend(TYPE_WORDS);
    }
    if has("bool") && has("str") && has("variant") && !hidden.contains(&"bool") {
        classes.push("a type");
        hidden.extend(TYPE_STARTS);
    }
    let operators = names.iter().filter(|name| OPERATORS.contains(name)).count() >= 2;
    if operators {
        hidden.extend(OPERATORS);
        hidden.extend(POSTFIX);
    }

    let mut specific: Vec<String> = Vec::new();
    let mut others: Vec<String> = Vec::new();
    for name in names {
        if hidden.contains(&name) {
            continue;
        }
        let words = if is_description(name) {
            name.to_owned()
        } else {
            format!("`{name}`")
        };
        let list = if SPECIFIC.contains(&name) {
            &mut specific
        } else {
            &mut others
        };
        if !list.contains(&words) {
            list.push(words);
        }
    }
    specific.sort_by_key(|words| {
        SPECIFIC
            .iter()
            .position(|name| words.trim_matches('`') == *name)
    });
    // "an operator" comes last: after a complete expression, what else may
    // come is the more useful half of the message.
    let operator = operators.then_some("an operator");
    specific
        .into_iter()
        .chain(classes.into_iter().map(str::to_owned))
        .chain(others)
        .chain(operator.map(str::to_owned))
        .collect()
}

fn is_description(name: &str) -> bool {
    name.starts_with("a ") || name.starts_with("an ") || name == "end of line"
}

const EXPRESSION_STARTS: [&str; 17] = [
    "true",
    "false",
    "an integer",
    "a float",
    "a string",
    "[",
    "{",
    "struct",
    "a variable",
    "an identifier",
    "a dotted name",
    "panic",
    "map",
    "func",
    "if",
    "(",
    "not",
];

const STATEMENT_STARTS: [&str; 12] = [
    "a variable",
    "if",
    "for",
    "forkv",
    "func",
    "class",
    "include",
    "import",
    "an identifier",
    "collect",
    "a capitalised name",
    "panic",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| format!("\"{name}\"")).collect()
    }

    #[test]
    fn punctuation_gets_backticks_and_classes_stay_words() {
        assert_eq!(
            readable_expectations(&quoted(&[")", ",", "end of line"])),
            vec!["`,`", "`)`", "end of line"]
        );
    }

    #[test]
    fn expression_starts_collapse_into_one_class() {
        let expected = quoted(&[
            "a variable",
            "a string",
            "an integer",
            "a float",
            "[",
            "(",
            "not",
        ]);
        assert_eq!(readable_expectations(&expected), vec!["an expression"]);
    }

    #[test]
    fn operators_collapse_and_come_after_the_separators() {
        let expected = quoted(&[
            "in",
            "and",
            "or",
            "(",
            "[",
            "}",
            ",",
            "->",
            "?:",
            "<|>",
            "+",
            "-",
            "*",
            "/",
            "==",
            "!=",
            "<",
            ">",
            "<=",
            ">=",
            "end of line",
        ]);
        assert_eq!(
            readable_expectations(&expected),
            vec!["`,`", "`}`", "end of line", "an operator"]
        );
    }

    #[test]
    fn type_words_read_as_a_field_name_or_a_type() {
        let field = quoted(&[
            "collect",
            "bool",
            "str",
            "int",
            "float",
            "map",
            "struct",
            "variant",
            "an identifier",
            "a capitalised name",
            "}",
        ]);
        assert_eq!(
            readable_expectations(&field),
            vec!["`}`", "a field name", "a capitalised name"]
        );
        let ty = quoted(&[
            "func", "bool", "str", "int", "float", "map", "struct", "variant", "[", "{",
        ]);
        assert_eq!(readable_expectations(&ty), vec!["`{`", "a type"]);
    }
}
