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
    UnexpectedToken { found: Token, expected: Vec<String> },
    /// The file ended in the middle of something.
    UnexpectedEnd { expected: Vec<String> },
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
}

/// Turns LALRPOP's terminal names into classes a user recognises.
pub fn readable_expectations(expected: &[String]) -> Vec<String> {
    let names: Vec<&str> = expected.iter().map(|name| name.trim_matches('"')).collect();
    let mut readable: Vec<String> = Vec::new();
    let expression_starts = names.contains(&"a variable")
        && names.contains(&"a string")
        && names.contains(&"an integer");
    let statement_starts = names.contains(&"import") && names.contains(&"class");
    if statement_starts {
        readable.push("a statement".to_owned());
    } else if expression_starts {
        readable.push("an expression".to_owned());
    }
    for name in names {
        if (statement_starts && starts_statement(name))
            || ((statement_starts || expression_starts) && starts_expression(name))
            || name == "invalid text"
        {
            continue;
        }
        let words = if is_description(name) {
            name.to_owned()
        } else {
            format!("`{name}`")
        };
        if !readable.contains(&words) {
            readable.push(words);
        }
    }
    readable
}

fn is_description(name: &str) -> bool {
    name.starts_with("a ") || name.starts_with("an ") || name == "end of line"
}

fn starts_expression(name: &str) -> bool {
    matches!(
        name,
        "true"
            | "false"
            | "an integer"
            | "a float"
            | "a string"
            | "["
            | "{"
            | "struct"
            | "a variable"
            | "an identifier"
            | "a dotted name"
            | "panic"
            | "map"
            | "func"
            | "if"
            | "("
            | "not"
    )
}

fn starts_statement(name: &str) -> bool {
    matches!(
        name,
        "a variable"
            | "if"
            | "for"
            | "forkv"
            | "func"
            | "class"
            | "include"
            | "import"
            | "an identifier"
            | "collect"
            | "a capitalised name"
            | "panic"
    )
}

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
            vec!["`)`", "`,`", "end of line"]
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
}
