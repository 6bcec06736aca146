//! The checker and the evaluator never panic: whatever a program that
//! parses says, `compile` returns a graph or diagnostics. Programs are built
//! from statement templates that hit every part of the language with a small
//! pool of names (so they collide, shadow, recurse and go missing), then
//! mutated at the byte level. The fuzz target `fuzz/fuzz_targets/compile.rs`
//! runs the same pipeline on arbitrary bytes (see docs/fuzzing.md).

use mcl_compiler::compile::{compile, CompileOptions, Toolbox};
use mcl_compiler::eval::Evaluation;
use mcl_compiler::load::MemoryLoader;
use mcl_compiler::Diagnostic;
use mcl_grammar::SourceMap;
use proptest::prelude::*;
use std::sync::Arc;

const NAMES: &[&str] = &["a", "b", "x", "ns", "c"];

/// One statement with `N` for a name from the pool and `V` for a value.
const TEMPLATES: &[&str] = &[
    "$N = V\n",
    "$N = func($N) { V }\n",
    "func N($N, $x) { V }\n",
    "class N($N) {\n  $N = V\n  print \"p${N}\" { msg => V, }\n}\n",
    "include N(V)\n",
    "include N(V) as N\n",
    "for $N, $x in V {\n  $N = V\n}\n",
    "forkv $N, $x in V {\n  $N = V\n}\n",
    "if V {\n  $N = V\n} else {\n  $N = V\n}\n",
    "file \"/tmp/np/N\" {\n  content => V,\n  mode => V,\n  Meta:retry => V,\n}\n",
    "exec \"N\" {\n  cmd => V,\n  Meta:sensitive => V,\n}\n",
    "test \"N\" {\n  int8 => V,\n  expectrecv => V,\n}\n",
    "Exec[\"N\"].stdout -> File[\"/tmp/np/N\"].content\n",
    "File[\"/tmp/np/N\"] -> Print[V]\n",
    "import \"fmt\"\n",
    "import \"strings\" as N\n",
    "import \"iter\" as *\n",
    "panic(V)\n",
    "collect file \"N\" {}\n",
    "noop V {}\n",
];

/// A value, possibly nested, possibly of the wrong type.
const VALUES: &[&str] = &[
    "1",
    "-1",
    "9223372036854775807",
    "1.5",
    "true",
    "\"s\"",
    "\"${N}\"",
    "$N",
    "$N.N",
    "$const.res.file.state.exists",
    "[1, 2,]",
    "[]",
    "{\"k\" => 1,}",
    "{}",
    "struct{f => 1,}",
    "$N->f",
    "N(V)",
    "N(V, V, V)",
    "$N(V)",
    "fmt.printf(\"%d %s %T\", V, V)",
    "len(V)",
    "strings.to_lower(V)",
    "iter.range(1, 3)",
    "V + V",
    "V == V",
    "not V",
    "V and V",
    "if V { V } else { V }",
    "V <|> V",
    "func($N) { V }",
    "os.readfile(\"/nonexistent\")",
    "$hostname",
    "V[0]",
    "V[\"k\"]",
];

fn expand(template: &str, picks: &mut impl Iterator<Item = usize>, depth: usize) -> String {
    let mut out = String::new();
    for character in template.chars() {
        match character {
            'N' => out.push_str(NAMES[picks.next().unwrap_or(0) % NAMES.len()]),
            'V' if depth < 3 => {
                let value = VALUES[picks.next().unwrap_or(0) % VALUES.len()];
                out.push_str(&expand(value, picks, depth + 1));
            }
            'V' => out.push('1'),
            other => out.push(other),
        }
    }
    out
}

fn program(statements: &[(usize, Vec<usize>)]) -> String {
    statements
        .iter()
        .map(|(template, picks)| {
            expand(
                TEMPLATES[template % TEMPLATES.len()],
                &mut picks.iter().copied().cycle(),
                0,
            )
        })
        .collect()
}

/// Loads, checks and evaluates `text` with every core function and kind.
fn compile_text(toolbox: &Toolbox, text: String) -> Result<Evaluation, Vec<Diagnostic>> {
    let options = CompileOptions {
        hostname: "fuzz".into(),
        autoedges: true,
    };
    compile(
        &MemoryLoader::default(),
        &mut SourceMap::new(),
        "main.mcl",
        Some(text),
        toolbox,
        &options,
    )
}

fn toolbox() -> Toolbox {
    mgmt::toolbox::toolbox(Arc::new(mcl_stdlib::MemoryHost::new()))
}

/// Checks and evaluates `text` on a thread with the compiler's stack.
fn pipeline(text: String) {
    let worker = std::thread::Builder::new()
        .stack_size(mcl_compiler::STACK_BYTES)
        .spawn(move || {
            let _ = compile_text(&toolbox(), text);
        })
        .expect("a compile thread");
    assert!(worker.join().is_ok(), "the compiler panicked");
}

fn statements() -> impl Strategy<Value = Vec<(usize, Vec<usize>)>> {
    prop::collection::vec(
        (any::<usize>(), prop::collection::vec(any::<usize>(), 1..12)),
        1..8,
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        // `PROPTEST_CASES=100000` for a longer hunt; the default stays fast.
        cases: 1_500,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_programs_do_not_panic(statements in statements()) {
        pipeline(program(&statements));
    }

    #[test]
    fn mutated_programs_do_not_panic(
        statements in statements(),
        cut in any::<usize>(),
        length in 0usize..12,
        paste in any::<usize>(),
    ) {
        let text = program(&statements);
        let bytes = text.as_bytes();
        let start = cut % (bytes.len() + 1);
        let end = (start + length).min(bytes.len());
        let slice = bytes[start..end].to_vec();
        let mut mutated = bytes[..start].to_vec();
        mutated.extend_from_slice(&bytes[end..]);
        let at = paste % (mutated.len() + 1);
        mutated.splice(at..at, slice.iter().copied().chain(slice.iter().copied()));
        pipeline(String::from_utf8_lossy(&mutated).into_owned());
    }
}

/// The generated programs are worth it: most parse, so the checker runs,
/// and some check, so the evaluator runs (counted over fixed programs).
#[test]
fn generated_programs_reach_the_checker_and_the_evaluator() {
    let toolbox = toolbox();
    let mut seed: usize = 0x2545_f491;
    let mut next = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        seed >> 17
    };
    let (mut parsed, mut compiled) = (0, 0);
    let count = 400;
    for _ in 0..count {
        let statements: Vec<(usize, Vec<usize>)> = (0..1 + next() % 4)
            .map(|_| (next(), (0..8).map(|_| next()).collect()))
            .collect();
        match compile_text(&toolbox, program(&statements)) {
            Ok(_) => {
                parsed += 1;
                compiled += 1;
            }
            Err(diagnostics) => {
                if !diagnostics
                    .iter()
                    .any(|diagnostic| diagnostic.code.starts_with("E01"))
                {
                    parsed += 1;
                }
            }
        }
    }
    assert!(parsed * 2 > count, "only {parsed} of {count} parse");
    assert!(compiled * 20 > count, "only {compiled} of {count} compile");
}
