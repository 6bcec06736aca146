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
    (
        "E0201",
        "a variable that is not in scope, or not in the named module or alias",
    ),
    (
        "E0202",
        "a variable, function or class declared twice in one scope",
    ),
    ("E0203", "a call of a function that does not exist"),
    (
        "E0204",
        "a dotted name whose prefix is not an imported module or include alias",
    ),
    ("E0205", "an import of a core module that does not exist"),
    (
        "E0206",
        "a local import (or the entry file) that cannot be read",
    ),
    ("E0207", "local imports that import each other in a cycle"),
    (
        "E0208",
        "a resource, edge, include, `if`, loop or panic at the top level of an imported file",
    ),
    ("E0209", "an include of a class that does not exist"),
    ("E0210", "bindings that depend on each other in a cycle"),
    (
        "E0211",
        "a function, lambda or class that uses itself (recursion)",
    ),
    (
        "E0213",
        "an include with the wrong number of class arguments",
    ),
    ("E0214", "a resource kind that does not exist"),
    ("E0215", "a field that the resource kind does not have"),
    ("E0216", "a metaparameter that does not exist"),
    (
        "E0217",
        "a send/recv edge of the wrong shape, a value the kind does not send, a `Meta:hidden` sender, or a receiver that takes no values",
    ),
    ("E0218", "a field set twice in one resource body or struct"),
    ("E0219", "a `$const...` name that is not a known constant"),
    (
        "E0220",
        "a variable read from a core module, which only has functions",
    ),
    (
        "E0221",
        "a reserved word (`in`) used as a variable or parameter name",
    ),
    ("E0301", "a value whose type is not the one expected there"),
    ("E0302", "an expression whose type nothing determines"),
    ("E0303", "an operator applied to a type it does not take"),
    ("E0304", "a call with the wrong number of arguments"),
    (
        "E0305",
        "a call that the function refuses (argument types or constant arguments)",
    ),
    ("E0306", "a call of a value that is not a function"),
    (
        "E0307",
        "`->field` of a struct without that field, or of a value that is not a struct",
    ),
    (
        "E0308",
        "`[...]` or `in` on a value that is not a list, map (or str, for `in`)",
    ),
    (
        "E0309",
        "a map whose keys are not hashable: functions, lists, maps, or structs holding one",
    ),
    ("E0310", "a map literal with the same key twice"),
    (
        "E0401",
        "a catchable error that reaches a value that must exist, uncaught by `<|>`",
    ),
    ("E0402", "`panic` with `true` or a non-empty string"),
    (
        "E0403",
        "one resource defined twice with differing fields or metaparameters",
    ),
    (
        "E0404",
        "an edge naming a resource that no statement defines",
    ),
    (
        "E0405",
        "a value out of range: a narrow integer field, a metaparameter, a semaphore",
    ),
    (
        "E0406",
        "a function that failed while the program was evaluated",
    ),
    ("E0407", "classes and functions that expand too deeply"),
    ("E0408", "a resource whose name is the empty string"),
    ("E0409", "edges (with automatic ones) that form a cycle"),
    (
        "E0410",
        "a resource name that starts with `$` without `Meta:dollar`",
    ),
    (
        "E0411",
        "a field value that is none of its choices (`state`) or not well formed (`mode`)",
    ),
    ("E0412", "two send/recv edges into the same receiving field"),
    (
        "E0499",
        "an internal error: a mistake the type checker should have refused",
    ),    (
        "W0401",
        "a collected export whose fields do not fit its kind (skipped)",
    ),
    (
        "W0402",
        "a collected name that two hosts export differently (skipped)",
    ),
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
