//! The `.mcl` corpus: every file under `tests/corpus/` says in its header what
//! the pipeline must make of it, and this one harness checks them all.
//!
//! A header is the run of `#` comment lines at the top of a file; the lines of
//! it that start with `# expect:` are expectations:
//!
//! - `# expect: ok` — the file parses without errors (`valid/`);
//! - `# expect: error E0111 at 3:5` — one per expected diagnostic, in order,
//!   with the 1-based line and character column where its primary span starts
//!   (`invalid/`).
//!
//! Later phases add kinds of expectation (the resulting graph, type errors);
//! an expectation this harness does not know is reported, never skipped.
//!
//! Every broken case is collected and reported together at the end, so one
//! run shows them all. The human rendering of each invalid file's diagnostics
//! is an insta snapshot under `tests/snapshots/`.

use mcl_compiler::diagnostics::{
    codes, render_human, syntax, to_json_line, Diagnostic, JSON_SCHEMA_VERSION,
};
use mcl_grammar::{parse_file, SourceMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What one `# expect:` line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Expectation {
    Ok,
    Error(Located),
}

/// A diagnostic code and where its primary span starts.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Located {
    code: String,
    line: usize,
    column: usize,
}

impl std::fmt::Display for Located {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at {}:{}", self.code, self.line, self.column)
    }
}

/// One corpus file: its name relative to `tests/corpus/` (with `/`), and text.
struct Case {
    name: String,
    text: String,
}

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("corpus")
}

/// Every `.mcl` file under `root`, sorted by relative name.
fn collect_cases(root: &Path) -> Vec<Case> {
    let mut paths = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(directory) = pending.pop() {
        let entries = std::fs::read_dir(&directory)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", directory.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|extension| extension == "mcl") {
                paths.push(path);
            }
        }
    }
    let mut cases: Vec<Case> = paths
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(root).expect("path under the corpus root");
            let name = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
            Case { name, text }
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

/// Reads the `# expect:` lines of the leading comment block.
fn parse_header(text: &str) -> Result<Vec<Expectation>, String> {
    let mut expectations = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if !line.starts_with('#') {
            break;
        }
        let Some(rest) = line.strip_prefix("# expect:") else {
            continue;
        };
        expectations.push(parse_expectation(rest.trim())?);
    }
    Ok(expectations)
}

fn parse_expectation(text: &str) -> Result<Expectation, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        ["ok"] => Ok(Expectation::Ok),
        ["error", code, "at", position] => {
            let (line, column) = position
                .split_once(':')
                .and_then(|(line, column)| Some((line.parse().ok()?, column.parse().ok()?)))
                .ok_or_else(|| format!("`{position}` is not LINE:COL in `# expect: {text}`"))?;
            Ok(Expectation::Error(Located {
                code: (*code).to_owned(),
                line,
                column,
            }))
        }
        _ => Err(format!(
            "unknown expectation `# expect: {text}` (known: `ok`, `error CODE at LINE:COL`)"
        )),
    }
}

/// What parsing one case produced.
struct Outcome {
    sources: SourceMap,
    diagnostics: Vec<Diagnostic>,
    found: Vec<Located>,
}

fn run(case: &Case) -> Outcome {
    let mut sources = SourceMap::new();
    let file = sources.add(case.name.clone(), case.text.clone());
    let errors = match parse_file(file, &case.text) {
        Ok(_) => Vec::new(),
        Err(errors) => errors,
    };
    let diagnostics: Vec<Diagnostic> = errors
        .iter()
        .map(|error| syntax::to_diagnostic(&sources, error))
        .collect();
    let source = sources.get(file).expect("the file was just added");
    let found = diagnostics
        .iter()
        .map(|diagnostic| {
            let (line, column) = diagnostic
                .primary_span()
                .map_or((0, 0), |span| source.line_column(span.start as usize));
            Located {
                code: diagnostic.code.to_owned(),
                line,
                column,
            }
        })
        .collect();
    Outcome {
        sources,
        diagnostics,
        found,
    }
}

/// Problems with one case, as readable lines; empty when it passes.
fn check(case: &Case) -> Vec<String> {
    let expectations = match parse_header(&case.text) {
        Ok(expectations) => expectations,
        Err(problem) => return vec![problem],
    };
    if expectations.is_empty() {
        return vec!["no `# expect:` line in the header".to_owned()];
    }
    let wants_ok = expectations.contains(&Expectation::Ok);
    let expected: Vec<Located> = expectations
        .iter()
        .filter_map(|expectation| match expectation {
            Expectation::Error(located) => Some(located.clone()),
            Expectation::Ok => None,
        })
        .collect();
    let mut problems = Vec::new();
    if wants_ok && !expected.is_empty() {
        problems.push("the header expects both `ok` and errors".to_owned());
    }
    if case.name.starts_with("valid/") && !expected.is_empty() {
        problems.push("a file in valid/ must expect `ok`".to_owned());
    }
    if case.name.starts_with("invalid/") && expected.is_empty() {
        problems.push("a file in invalid/ must expect at least one error".to_owned());
    }

    let outcome = run(case);
    if outcome.found != expected {
        problems.push(compare(&expected, &outcome.found));
        problems.push(render_human(&outcome.sources, &outcome.diagnostics));
    }
    for (diagnostic, located) in outcome.diagnostics.iter().zip(&outcome.found) {
        if let Err(problem) = check_json(&outcome.sources, diagnostic, located, &case.name) {
            problems.push(problem);
        }
    }
    problems
}

/// Expected and found diagnostics side by side.
fn compare(expected: &[Located], found: &[Located]) -> String {
    let list = |items: &[Located]| {
        if items.is_empty() {
            "  no errors\n".to_owned()
        } else {
            items.iter().map(|item| format!("  {item}\n")).collect()
        }
    };
    format!("expected:\n{}found:\n{}", list(expected), list(found))
}

/// The JSON line of a diagnostic carries the same facts as the diagnostic.
fn check_json(
    sources: &SourceMap,
    diagnostic: &Diagnostic,
    located: &Located,
    file: &str,
) -> Result<(), String> {
    let line = to_json_line(sources, diagnostic);
    let json: serde_json::Value = serde_json::from_str(&line)
        .map_err(|error| format!("JSON line does not parse ({error}): {line}"))?;
    let start = &json["range"]["start"];
    let agrees = json["version"] == 1
        && json["version"] == JSON_SCHEMA_VERSION
        && json["code"] == located.code.as_str()
        && json["file"] == file
        && start["line"] == located.line
        && start["column"] == located.column
        && !line.contains('\n');
    if agrees {
        Ok(())
    } else {
        Err(format!(
            "JSON line disagrees with {located} in {file} (version 1 expected): {line}"
        ))
    }
}

#[test]
fn corpus() {
    let root = corpus_root();
    let cases = collect_cases(&root);
    assert!(
        cases.iter().any(|case| case.name.starts_with("valid/"))
            && cases.iter().any(|case| case.name.starts_with("invalid/")),
        "no corpus found under {}",
        root.display()
    );

    let mut report = String::new();
    let mut failed = 0;
    let uncovered = uncovered_codes(&cases);
    if !uncovered.is_empty() {
        failed += 1;
        let _ = writeln!(
            report,
            "── no invalid file expects {}\n",
            uncovered.join(", ")
        );
    }
    for case in &cases {
        let problems = check(case);
        if !problems.is_empty() {
            failed += 1;
            let _ = writeln!(report, "── {}", case.name);
            for problem in problems {
                let _ = writeln!(report, "{}", problem.trim_end());
            }
            report.push('\n');
        }
    }
    assert!(
        failed == 0,
        "{failed} of {} corpus files failed:\n\n{report}",
        cases.len()
    );
}

/// Syntax codes (`E01xx`) of the compiler's table that no corpus file
/// expects: every code needs an example that shows when it is reported. Later
/// phases widen the filter as the harness learns to run them.
fn uncovered_codes(cases: &[Case]) -> Vec<&'static str> {
    let expected: Vec<Expectation> = cases
        .iter()
        .filter_map(|case| parse_header(&case.text).ok())
        .flatten()
        .collect();
    codes::CODES
        .iter()
        .map(|(code, _)| *code)
        .filter(|code| code.starts_with("E01"))
        .filter(|code| {
            !expected
                .iter()
                .any(|expectation| matches!(expectation, Expectation::Error(located) if located.code == *code))
        })
        .collect()
}

/// The snapshot name of an invalid file: `invalid/missing-comma.mcl` becomes
/// `invalid_missing-comma`.
fn snapshot_name(case: &Case) -> String {
    case.name.trim_end_matches(".mcl").replace('/', "_")
}

#[test]
fn rendered_diagnostics() {
    let root = corpus_root();
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("snapshots");
    let cases: Vec<Case> = collect_cases(&root)
        .into_iter()
        .filter(|case| case.name.starts_with("invalid/"))
        .collect();

    let mut failed = Vec::new();
    for case in &cases {
        let outcome = run(case);
        let rendered = render_human(&outcome.sources, &outcome.diagnostics);
        let name = snapshot_name(case);
        let mut settings = insta::Settings::clone_current();
        settings.set_input_file(root.join(&case.name));
        settings.set_omit_expression(true);
        // One mismatch must not hide the others: catch each and report all.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(name.clone(), rendered));
        }));
        if result.is_err() {
            failed.push(case.name.clone());
        }
    }

    // A snapshot whose corpus file was renamed or removed would never fail.
    let expected: Vec<String> = cases
        .iter()
        .map(|case| format!("corpus__{}.snap", snapshot_name(case)))
        .collect();
    let mut orphans = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&snapshots) {
        for entry in entries.flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            if file.starts_with("corpus__invalid_")
                && file.ends_with(".snap")
                && !expected.contains(&file)
            {
                orphans.push(file);
            }
        }
    }
    orphans.sort();

    assert!(
        failed.is_empty() && orphans.is_empty(),
        "snapshots differ for: {failed:?}\nsnapshots without a corpus file: {orphans:?}"
    );
}
