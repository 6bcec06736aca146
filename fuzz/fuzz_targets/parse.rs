//! Feeds arbitrary bytes to the lexer and the parser; only a panic (or a
//! stack overflow, or a timeout) is a finding. The same property runs as a
//! proptest in `grammar/tests/no_panic.rs`, where crash reproducers from
//! here are replayed.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mcl_grammar::lexer::lex;
use mcl_grammar::{parse_file, FileId};

fuzz_target!(|data: &[u8]| {
    // Lossy, not `from_utf8().ok()`, so invalid bytes still reach the lexer
    // as U+FFFD instead of being thrown away.
    let text = String::from_utf8_lossy(data);
    let _ = lex(&text);
    let _ = parse_file(FileId(0), &text);
});
