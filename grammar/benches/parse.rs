//! Front-end throughput: lexing alone, and lexing plus parsing, over a
//! generated 10,000-line program (see `generate.rs`), in bytes per second.

mod generate;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mcl_grammar::lexer::lex;
use mcl_grammar::{parse_file, FileId};
use std::hint::black_box;

const LINES: usize = 10_000;
const SEED: u64 = 0x6d67_6d74;

fn front_end(criterion: &mut Criterion) {
    let text = generate::program(LINES, SEED);
    // A benchmark of error recovery would measure the wrong thing.
    let lexed = lex(&text);
    assert!(lexed.errors.is_empty(), "lex errors: {:?}", lexed.errors);
    if let Err(errors) = parse_file(FileId(0), &text) {
        panic!(
            "the generated program must parse; first errors: {:#?}",
            &errors[..errors.len().min(5)]
        );
    }

    let mut group = criterion.benchmark_group("front_end");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("lex", |bencher| bencher.iter(|| lex(black_box(&text))));
    group.bench_function("lex_and_parse", |bencher| {
        bencher.iter(|| parse_file(FileId(0), black_box(&text)))
    });
    group.finish();
}

criterion_group!(benches, front_end);
criterion_main!(benches);
