//! Memory over repeated compiles: an agent that re-compiles (live reload,
//! deploys) or an editor that re-checks on every keystroke must not grow.
//!
//! A counting global allocator (this test binary only) tracks the bytes
//! live; the test compiles and evaluates 1,000 programs in one process and
//! compares the live bytes after program 100 with those after program 1,000.
//!
//! The compiler still leaks each checked program (`Box::leak` in
//! `compiler/src/compile.rs`, issue #8 item 3), so the assertion that memory
//! stays flat is `#[ignore]`d until that is fixed; the measuring test runs
//! always and prints the figures (`cargo test --test memory -- --nocapture`).

// The counting allocator must implement `GlobalAlloc`, which is unsafe by
// definition; it only forwards to the system allocator.
#![allow(unsafe_code)]

use mcl_compiler::compile::{compile, CompileOptions, Toolbox};
use mcl_compiler::load::MemoryLoader;
use mcl_grammar::SourceMap;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::Arc;

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call forwards to `System` with the caller's own arguments.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        pointer
    }
    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }
    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            LIVE.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn toolbox() -> Toolbox {
    mgmt::toolbox::toolbox(Arc::new(mcl_stdlib::MemoryHost::new()))
}

/// Program `index`: resources, a function, a class and a lambda, so that
/// every kind of tree reference the evaluator keeps is exercised.
fn program(index: usize) -> String {
    format!(
        "import \"fmt\"\n\
         func path($n) {{\n  fmt.printf(\"/tmp/mem/%d/%d\", {index}, $n)\n}}\n\
         $twice = func($x) {{ $x + $x }}\n\
         class c($n) {{\n  file path($n) {{\n    content => \"x\",\n  }}\n}}\n\
         include c(1)\n\
         include c($twice(2))\n\
         file \"/tmp/mem/{index}\" {{\n  content => \"hello\",\n}}\n"
    )
}

/// Compiles and evaluates `count` programs; returns the live bytes after
/// program 100 and after the last one.
fn measure(count: usize) -> (isize, isize) {
    let toolbox = toolbox();
    let options = CompileOptions {
        hostname: "memory-test".into(),
        autoedges: true,
    };
    let mut after_100 = 0;
    for index in 1..=count {
        let loader = MemoryLoader::new().with("main.mcl", &program(index));
        let mut sources = SourceMap::new();
        let result = compile(&loader, &mut sources, "main.mcl", None, &toolbox, &options);
        match result {
            Ok(evaluation) => assert_eq!(evaluation.graph.len(), 3),
            Err(diagnostics) => panic!("program {index} failed: {diagnostics:?}"),
        }
        if index == 100 {
            after_100 = LIVE.load(Ordering::Relaxed);
        }
    }
    (after_100, LIVE.load(Ordering::Relaxed))
}

/// Until the leak is fixed: what each compile leaks stays what it was
/// measured at (about 7.5 KB for this program), so it cannot grow unseen.
#[test]
fn measures_memory_over_a_thousand_compiles() {
    let (after_100, after_1000) = measure(1_000);
    let per_program = (after_1000 - after_100) / 900;
    println!(
        "live bytes after program 100: {after_100}; after program 1000: {after_1000}; \
         growth: {} bytes ({per_program} per program)",
        after_1000 - after_100,
    );
    assert!(
        per_program < 10 * 1024,
        "each compile leaks {per_program} bytes (7.5 KB were measured)"
    );
}

#[test]
#[ignore = "the compiler still leaks every checked program (issue #8 item 3)"]
fn memory_stays_flat_over_a_thousand_compiles() {
    let (after_100, after_1000) = measure(1_000);
    assert!(
        (after_1000 - after_100).abs() < 64 * 1024,
        "live bytes grew from {after_100} to {after_1000}"
    );
}
