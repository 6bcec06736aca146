//! Every diagnostic code the compiler emits, with a one-line summary.
//!
//! Codes are stable: once released, a code keeps its meaning. The table is
//! checked against `docs/diagnostics.md` by a test, so the documentation can
//! never miss one.

/// `(code, summary)` for every code, in order.
pub const CODES: &[(&str, &str)] = &[
    ("E0101", "a character that cannot start any token"),
    ("E0102", "`%`: mcl has no modulo operator"),
    ("E0103", "Windows (CRLF) line endings"),
    ("E0104", "a carriage return not followed by a line feed"),
    ("E0105", "an integer literal outside the int64 range"),
    ("E0106", "a string literal that is never closed"),
    ("E0107", "an unknown escape sequence in a string"),
    (
        "E0108",
        "an interpolation `${...}` that is not a variable name",
    ),
    ("E0109", "an identifier that ends with `_`"),
    ("E0110", "`$` not followed by a variable name"),
    ("E0111", "a token where it cannot stand"),
    ("E0112", "the file ends in the middle of a construct"),
    ("E0113", "a missing `,` between elements on separate lines"),
    ("E0114", "spaces around the `:` of a kind or class name"),
    ("E0115", "an unknown capitalised key in a resource body"),
    ("E0116", "an edge keyword without a `Kind[\"name\"]` target"),
    (
        "E0117",
        "an edge target after a key that is not an edge keyword",
    ),
    ("E0118", "a `:param` after a key other than `Meta`"),
    ("E0119", "binding a dotted name such as `$ns.x`"),
    ("E0120", "interpolation in an import path"),
    ("E0121", "brackets nested too deeply"),
    ("E0122", "a string in single quotes"),
    ("E0123", "a class declared with a dotted name"),
];

#[cfg(test)]
mod tests {
    use super::CODES;

    #[test]
    fn codes_are_unique_and_sorted() {
        let mut sorted: Vec<&str> = CODES.iter().map(|(code, _)| *code).collect();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), CODES.len());
        assert!(CODES.windows(2).all(|pair| pair[0].0 < pair[1].0));
    }

    #[test]
    fn every_code_is_documented() {
        let docs = include_str!("../../../docs/diagnostics.md");
        for (code, _) in CODES {
            assert!(
                docs.contains(code),
                "{code} is missing from docs/diagnostics.md"
            );
        }
    }
}
