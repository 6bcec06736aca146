//! The front end never panics: whatever the text, `lex` and `parse_file`
//! return tokens, an AST or errors.
//!
//! Two kinds of input: arbitrary bytes (mostly rejected by the lexer early) and
//! arbitrary sequences of mcl fragments (which reach deep into the parser and
//! its error recovery). Inputs the fuzz target once crashed on live in
//! `tests/fuzz_regressions/` and are replayed here. Whether the errors are the
//! right ones is for the parser's own tests.

use mcl_grammar::lexer::{lex, MAX_NESTING};
use mcl_grammar::token::LexErrorKind;
use mcl_grammar::{parse_file, FileId, SyntaxErrorKind};
use proptest::prelude::*;
use std::path::Path;

fn front_end(text: &str) {
    let _ = lex(text);
    let _ = parse_file(FileId(0), text);
}

/// Pieces of mcl that together hit most lexer modes and grammar rules,
/// including the awkward ones: `\r`, unclosed strings and interpolations,
/// stray newlines.
const FRAGMENTS: &[&str] = &[
    "if", "else", "for", "forkv", "in", "func", "class", "include", "import", "as", "panic",
    "collect", "and", "or", "not", "true", "false", "bool", "str", "int", "float", "map", "struct",
    "variant", "(", ")", "[", "]", "{", "}", ",", ";", ":", ".", "=", "=>", "->", "?:", "<|>", "+",
    "-", "*", "/", "==", "!=", "<", ">", "<=", ">=", "%", "$", "${", "\"", "\\", "\\q", "\\n", "#",
    "# x\n", "\n", "\n\n", "\r", "\r\n", " ", "\t", "$x", "$ns.name", "$bad_", "name", "bad_",
    "File", "Meta", "Before", "Notify", "Svc", "\"${\"", "0", "-1", "42", "1.5", "-0.0", "1.",
    ".5", "é", "\u{0}", "\u{feff}",
];

/// Longer pieces: names with separators, interpolation, int64 edges.
const LONG_FRAGMENTS: &[&str] = &[
    "\"${a.b}\"",
    "\"${ x }\"",
    "http:server",
    "fmt.printf",
    "\"text ${x} more\"",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999999999999999999",
];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::sample::select(FRAGMENTS).prop_map(str::to_owned),
        1 => prop::sample::select(LONG_FRAGMENTS).prop_map(str::to_owned),
        1 => any::<u128>().prop_map(|number| number.to_string()),
        1 => any::<i64>().prop_map(|number| number.to_string()),
        1 => "[a-z][a-z0-9_]{0,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        // `PROPTEST_CASES=200000` for a longer hunt; the default stays fast.
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|cases| cases.parse().ok())
            .unwrap_or(10_000),
        // A shrunk failure is printed, not saved: keep the source tree clean.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_bytes_do_not_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        front_end(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn arbitrary_fragments_do_not_panic(
        fragments in prop::collection::vec(fragment(), 0..120),
        separator in prop::sample::select(&["", " ", "\n"][..]),
    ) {
        front_end(&fragments.join(separator));
    }
}

#[test]
fn fuzz_regressions_do_not_panic() {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let Ok(entries) = std::fs::read_dir(&directory) else {
        return;
    };
    for entry in entries.flatten() {
        let bytes = std::fs::read(entry.path()).expect("a regression input is readable");
        front_end(&String::from_utf8_lossy(&bytes));
    }
}

const DEPTH: usize = 20_000;

/// Unclosed brackets never build an AST, so this only exercises the lexer's
/// bracket stack and the parser's own (explicit, heap-allocated) stack.
#[test]
fn deep_unclosed_nesting_does_not_overflow() {
    front_end(&"[".repeat(DEPTH));
    front_end(&"(".repeat(DEPTH));
    front_end(&format!("$x = {}", "[".repeat(DEPTH)));
}

/// Closed brackets nested past the limit are refused with one located error
/// (E0121 in the CLI) instead of building a tree too deep for later phases.
#[test]
fn deep_nesting_is_refused_with_one_error() {
    for (open, close) in [("[", "]"), ("(", ")"), ("{", "}")] {
        let text = format!("$x = {}1{}\n", open.repeat(DEPTH), close.repeat(DEPTH));
        let errors = parse_file(FileId(0), &text).expect_err("too deep");
        assert_eq!(errors.len(), 1, "{open}: {errors:?}");
        assert_eq!(
            errors[0].kind,
            SyntaxErrorKind::Lex(LexErrorKind::TooDeep),
            "{open}"
        );
    }
}

#[test]
fn nesting_just_inside_the_limit_parses() {
    let depth = MAX_NESTING - 1;
    let text = format!("$x = {}1{}\n", "[".repeat(depth), "]".repeat(depth));
    assert!(parse_file(FileId(0), &text).is_ok());
}
