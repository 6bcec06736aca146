//! The `.mcl` corpus: every case under `tests/corpus/` says in its header what
//! the compiler must make of it, and this one harness checks them all.
//!
//! ## Cases
//!
//! A case is a `.mcl` file directly under `tests/corpus/valid/` or
//! `tests/corpus/invalid/`, or a directory there holding `main.mcl` (the
//! entry, which carries the header) and the local files and directories it
//! imports. Every `.mcl` file of a directory case is loaded into a
//! [`MemoryLoader`] under its path relative to `tests/corpus/`, so imports
//! resolve exactly as on disk and diagnostics name `valid/NAME/lib.mcl`.
//!
//! ## Header
//!
//! The header is the run of `#` comment lines at the top of the entry file;
//! these lines of it mean something to the harness:
//!
//! - `# expect: graph`, followed by the graph as `# Vertex: kind[name]` and
//!   `# Edge: kind[a] -> kind[b]` lines: the program compiles, and `mgmt
//!   compile` prints exactly those lines (sorted bytewise; none at all for an
//!   empty graph);
//! - `# expect: parses`: only parsing is checked, for the few programs that a
//!   single compile cannot run (they read the shared store: `collect.res`,
//!   `world.*`, `value.*`);
//! - `# expect: error E0111 at 3:5`: one per expected diagnostic, in the order
//!   reported, with the 1-based line and character column where its primary
//!   span starts; `at lib.mcl:3:5` names another file of a directory case
//!   (relative to the case's directory);
//! - `# option: no-autoedges`: compile as `mgmt compile --no-autoedges`.
//!
//! A `valid/` case expects a graph (or only parsing); an `invalid/` case
//! expects errors. An expectation this harness does not know is reported,
//! never skipped.
//!
//! ## The host
//!
//! Cases compile with every core function and resource kind, as `mgmt
//! compile` does (`src/toolbox.rs`), but against a [`MemoryHost`] so that
//! every result is the same on every machine:
//!
//! | fact | value |
//! |---|---|
//! | time | `1700000000` = 2023-11-14 22:13:20 UTC, a Tuesday; UTC offset 0 |
//! | `$hostname`, `sys.hostname()` | `corpus-host` |
//! | files | `/etc/corpus/motd` = `"managed by the corpus\n"`, `/etc/corpus/port` = `"8080"`, `/etc/corpus/config.json` = `{"name": "web", "port": 80, "tags": ["a", "b"]}` |
//! | environment | `CORPUS_ENV=prod`, `CORPUS_PORT=8080`, `HOME=/home/corpus` |
//! | commands (`os.system`) | `echo corpus` prints `corpus`; `false` fails; any other is "command not found" |
//! | `os.args()` | `["--verbose", "extra"]` |
//! | `sys.cpu_count()`, `sys.uptime()`, `sys.load()` | `2`, `3600`, `(0.5, 0.25, 0.125)` |
//! | `os.family()` | `["debian"]` |
//! | `local.vardir` base | `/var/lib/mgmt` |
//!
//! Everything else (other files, variables, commands) does not exist.
//!
//! ## Coverage
//!
//! Every diagnostic code of the compiler's table needs an invalid case that
//! expects it, and every core function (of the modules that need no store)
//! needs a case that calls it; both are checked here.
//!
//! Every broken case is collected and reported together at the end, so one
//! run shows them all. The human rendering of each invalid case's diagnostics
//! is an insta snapshot under `tests/snapshots/`.

use mcl_compiler::compile::{compile, CompileOptions, Toolbox};
use mcl_compiler::diagnostics::{
    codes, render_human, to_json_line, Diagnostic, JSON_SCHEMA_VERSION,
};
use mcl_compiler::graph::{to_json, to_text};
use mcl_compiler::load::MemoryLoader;
use mcl_grammar::{parse_file, SourceMap};
use mcl_stdlib::MemoryHost;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What one header line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Expectation {
    Graph,
    Parses,
    Error(Located),
}

/// A diagnostic code and where its primary span starts: the file (relative
/// to the case's directory; empty for the entry file), line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Located {
    code: String,
    file: String,
    line: usize,
    column: usize,
}

impl std::fmt::Display for Located {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.file.is_empty() {
            write!(f, "{} at {}:{}", self.code, self.line, self.column)
        } else {
            write!(
                f,
                "{} at {}:{}:{}",
                self.code, self.file, self.line, self.column
            )
        }
    }
}

/// One case of the corpus.
struct Case {
    /// `valid/name.mcl`, or `valid/name` for a directory case.
    name: String,
    /// The entry file, relative to `tests/corpus/`.
    entry: String,
    /// The directory that file names in expectations are relative to
    /// (`valid/name/` for a directory case; empty otherwise).
    directory: String,
    /// Every file of the case (relative to `tests/corpus/`) and its text;
    /// the entry comes first.
    files: Vec<(String, String)>,
}

impl Case {
    fn text(&self) -> &str {
        &self.files[0].1
    }
}

/// What a case's header says.
#[derive(Debug, Default)]
struct Header {
    expectations: Vec<Expectation>,
    graph: Vec<String>,
    no_autoedges: bool,
}

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("corpus")
}

/// `path` relative to `root`, with `/` separators.
fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .expect("path under the corpus root")
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// Every `.mcl` file under `directory`, recursively, sorted.
fn mcl_files(directory: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![directory.to_path_buf()];
    while let Some(directory) = pending.pop() {
        let entries = std::fs::read_dir(&directory)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", directory.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|extension| extension == "mcl") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Every case of `valid/` and `invalid/`, sorted by name.
fn collect_cases(root: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    for group in ["valid", "invalid"] {
        let entries = std::fs::read_dir(root.join(group))
            .unwrap_or_else(|error| panic!("cannot read {}/{group}: {error}", root.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            let name = relative(root, &path);
            if path.is_dir() {
                let entry = format!("{name}/main.mcl");
                let mut files = vec![(entry.clone(), read(&path.join("main.mcl")))];
                for file in mcl_files(&path) {
                    let file_name = relative(root, &file);
                    if file_name != entry {
                        let text = read(&file);
                        files.push((file_name, text));
                    }
                }
                cases.push(Case {
                    directory: format!("{name}/"),
                    name,
                    entry,
                    files,
                });
            } else if path.extension().is_some_and(|extension| extension == "mcl") {
                cases.push(Case {
                    entry: name.clone(),
                    directory: String::new(),
                    files: vec![(name.clone(), read(&path))],
                    name,
                });
            }
        }
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

/// Reads the meaningful lines of the leading comment block.
fn parse_header(text: &str) -> Result<Header, String> {
    let mut header = Header::default();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if !line.starts_with('#') {
            break;
        }
        if let Some(rest) = line.strip_prefix("# expect:") {
            header.expectations.push(parse_expectation(rest.trim())?);
        } else if let Some(rest) = line.strip_prefix("# option:") {
            match rest.trim() {
                "no-autoedges" => header.no_autoedges = true,
                other => {
                    return Err(format!(
                        "unknown option `# option: {other}` (known: `no-autoedges`)"
                    ))
                }
            }
        } else if let Some(graph_line) = line
            .strip_prefix("# ")
            .filter(|rest| rest.starts_with("Vertex: ") || rest.starts_with("Edge: "))
        {
            header.graph.push(graph_line.to_owned());
        }
    }
    Ok(header)
}

fn parse_expectation(text: &str) -> Result<Expectation, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        ["graph"] => Ok(Expectation::Graph),
        ["parses"] => Ok(Expectation::Parses),
        ["error", code, "at", position] => {
            let parts: Vec<&str> = position.rsplitn(3, ':').collect();
            let (file, line, column) = match parts.as_slice() {
                [column, line] => ("", *line, *column),
                [column, line, file] => (*file, *line, *column),
                _ => return Err(format!("`{position}` is not [FILE:]LINE:COL in `# expect: {text}`")),
            };
            let (line, column) = line
                .parse()
                .ok()
                .zip(column.parse().ok())
                .ok_or_else(|| format!("`{position}` is not [FILE:]LINE:COL in `# expect: {text}`"))?;
            Ok(Expectation::Error(Located {
                code: (*code).to_owned(),
                file: file.to_owned(),
                line,
                column,
            }))
        }
        _ => Err(format!(
            "unknown expectation `# expect: {text}` (known: `graph`, `parses`, `error CODE at [FILE:]LINE:COL`)"
        )),
    }
}

/// The host every case compiles against; the table at the top of this file
/// documents it.
fn corpus_host() -> MemoryHost {
    let mut host = MemoryHost::new()
        .with_time(1_700_000_000)
        .with_utc_offset(0)
        .with_hostname("corpus-host")
        .with_file("/etc/corpus/motd", "managed by the corpus\n")
        .with_file("/etc/corpus/port", "8080")
        .with_file(
            "/etc/corpus/config.json",
            r#"{"name": "web", "port": 80, "tags": ["a", "b"]}"#,
        )
        .with_file("/proc/modules", "kvm 1142784 0 - Live 0x0\n")
        .with_file("/proc/cpuinfo", "flags\t: fpu sse2 hypervisor\n")
        .with_file("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n")
        .with_env("CORPUS_ENV", "prod")
        .with_env("CORPUS_PORT", "8080")
        .with_env("HOME", "/home/corpus")
        .with_command("echo corpus", Ok("corpus".to_owned()))
        .with_command("false", Err("exit status: 1".to_owned()))
        .with_os_family(&["debian"])
        .with_args(&["--verbose", "extra"]);
    host.cpu_count = 2;
    host.uptime = 3600;
    host.load = (0.5, 0.25, 0.125);
    host.vardir = "/var/lib/mgmt".to_owned();
    host
}

/// The real functions and resource kinds (wired by `mgmt::toolbox`, as for
/// `mgmt compile`), on the corpus host.
fn corpus_toolbox() -> Toolbox {
    mgmt::toolbox::toolbox(Arc::new(corpus_host()))
}

/// What compiling (or only parsing) one case produced.
struct Outcome {
    sources: SourceMap,
    diagnostics: Vec<Diagnostic>,
    found: Vec<Located>,
    /// The text form of the graph, when the program compiled.
    graph: Option<String>,
}

/// Parses every file of the case, without compiling.
fn parse_only(case: &Case) -> Outcome {
    let mut sources = SourceMap::new();
    let mut diagnostics = Vec::new();
    for (name, text) in &case.files {
        let file = sources.add(name.clone(), text.clone());
        if let Err(errors) = parse_file(file, text) {
            diagnostics.extend(
                errors
                    .iter()
                    .map(|error| mcl_compiler::diagnostics::syntax::to_diagnostic(&sources, error)),
            );
        }
    }
    let found = locate(case, &sources, &diagnostics);
    Outcome {
        sources,
        diagnostics,
        found,
        graph: None,
    }
}

/// Loads, checks and evaluates the case as `mgmt compile` would.
fn run(case: &Case, no_autoedges: bool) -> Outcome {
    let loader = case
        .files
        .iter()
        .fold(MemoryLoader::new(), |loader, (name, text)| {
            loader.with(name, text)
        });
    let mut sources = SourceMap::new();
    let options = CompileOptions {
        hostname: "corpus-host".to_owned(),
        autoedges: !no_autoedges,
    };
    let toolbox = corpus_toolbox();
    match compile(&loader, &mut sources, &case.entry, None, &toolbox, &options) {
        Ok(evaluation) => {
            // The JSON form must hold together for every graph, too.
            let json = to_json(&evaluation.graph);
            assert!(
                json["vertices"].is_array(),
                "{}: bad JSON graph {json}",
                case.name
            );
            Outcome {
                sources,
                diagnostics: Vec::new(),
                found: Vec::new(),
                graph: Some(to_text(&evaluation.graph)),
            }
        }
        Err(diagnostics) => {
            let found = locate(case, &sources, &diagnostics);
            Outcome {
                sources,
                diagnostics,
                found,
                graph: None,
            }
        }
    }
}

/// Each diagnostic's code and where its primary span starts.
fn locate(case: &Case, sources: &SourceMap, diagnostics: &[Diagnostic]) -> Vec<Located> {
    diagnostics
        .iter()
        .map(|diagnostic| {
            let span = diagnostic.primary_span();
            let (file, (line, column)) = span
                .and_then(|span| {
                    let source = sources.get(span.file)?;
                    let file = if source.name() == case.entry {
                        String::new()
                    } else {
                        source
                            .name()
                            .strip_prefix(&case.directory)
                            .unwrap_or(source.name())
                            .to_owned()
                    };
                    Some((file, source.line_column(span.start as usize)))
                })
                .unwrap_or_default();
            Located {
                code: diagnostic.code.to_owned(),
                file,
                line,
                column,
            }
        })
        .collect()
}

/// Problems with one case, as readable lines; empty when it passes.
fn check(case: &Case) -> Vec<String> {
    let header = match parse_header(case.text()) {
        Ok(header) => header,
        Err(problem) => return vec![problem],
    };
    let expected: Vec<Located> = header
        .expectations
        .iter()
        .filter_map(|expectation| match expectation {
            Expectation::Error(located) => Some(located.clone()),
            _ => None,
        })
        .collect();
    let wants_graph = header.expectations.contains(&Expectation::Graph);
    let wants_parse = header.expectations.contains(&Expectation::Parses);
    let kinds =
        usize::from(wants_graph) + usize::from(wants_parse) + usize::from(!expected.is_empty());
    let mut problems = Vec::new();
    if kinds != 1 {
        problems
            .push("the header must expect exactly one of: `graph`, `parses`, or errors".to_owned());
        return problems;
    }
    if case.name.starts_with("valid/") && !expected.is_empty() {
        problems.push("a case in valid/ must expect a graph (or `parses`)".to_owned());
    }
    if case.name.starts_with("invalid/") && expected.is_empty() {
        problems.push("a case in invalid/ must expect at least one error".to_owned());
    }
    if !wants_graph && !header.graph.is_empty() {
        problems.push("`# Vertex:`/`# Edge:` lines need `# expect: graph`".to_owned());
    }

    let outcome = if wants_parse {
        parse_only(case)
    } else {
        run(case, header.no_autoedges)
    };
    if outcome.found != expected {
        problems.push(compare(&expected, &outcome.found));
        problems.push(render_human(&outcome.sources, &outcome.diagnostics));
    }
    if let Some(graph) = &outcome.graph {
        let expected_graph: String = header
            .graph
            .iter()
            .map(|line| format!("{line}\n"))
            .collect();
        if wants_graph && *graph != expected_graph {
            problems.push(format!(
                "expected graph:\n{}found graph:\n{}",
                indent(&expected_graph),
                indent(graph)
            ));
        }
    }
    for (diagnostic, located) in outcome.diagnostics.iter().zip(&outcome.found) {
        if let Err(problem) = check_json(&outcome.sources, diagnostic, located, case) {
            problems.push(problem);
        }
    }
    problems
}

fn indent(lines: &str) -> String {
    if lines.is_empty() {
        "  (empty)\n".to_owned()
    } else {
        lines.lines().map(|line| format!("  {line}\n")).collect()
    }
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
    case: &Case,
) -> Result<(), String> {
    let line = to_json_line(sources, diagnostic);
    let json: serde_json::Value = serde_json::from_str(&line)
        .map_err(|error| format!("JSON line does not parse ({error}): {line}"))?;
    let file = if located.file.is_empty() {
        case.entry.clone()
    } else {
        format!("{}{}", case.directory, located.file)
    };
    let start = &json["range"]["start"];
    let agrees = json["version"] == 1
        && json["version"] == JSON_SCHEMA_VERSION
        && json["code"] == located.code.as_str()
        && json["file"] == file.as_str()
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

/// Every phase walks the program tree recursively, so cases run on a thread
/// with a stack as large as `mgmt`'s worker thread has (only reserved; pages
/// are used as the recursion reaches them).
fn on_big_stack(body: impl FnOnce() + Send + 'static) {
    let worker = std::thread::Builder::new()
        .name("corpus".to_owned())
        .stack_size(mcl_compiler::STACK_BYTES)
        .spawn(body)
        .expect("the worker thread starts");
    if let Err(panic) = worker.join() {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn corpus() {
    on_big_stack(corpus_cases);
}

fn corpus_cases() {
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
        "{failed} of {} corpus cases failed:\n\n{report}",
        cases.len()
    );
}

/// Codes no case can show: `E0499` is an internal error (the checker let a
/// mistake through); `W0401` and `W0402` are warnings about the shared
/// store's data, not the program (`tests/collect.rs` shows them).
const CODES_WITHOUT_A_CASE: &[&str] = &["E0499", "W0401", "W0402"];

/// Every code of the compiler's table needs an invalid case that expects it,
/// as an example of when it is reported.
#[test]
fn every_code_has_a_case() {
    let cases = collect_cases(&corpus_root());
    let expected: Vec<String> = cases
        .iter()
        .filter(|case| case.name.starts_with("invalid/"))
        .filter_map(|case| parse_header(case.text()).ok())
        .flat_map(|header| header.expectations)
        .filter_map(|expectation| match expectation {
            Expectation::Error(located) => Some(located.code),
            _ => None,
        })
        .collect();
    let uncovered: Vec<&str> = codes::CODES
        .iter()
        .map(|(code, _)| *code)
        .filter(|code| !CODES_WITHOUT_A_CASE.contains(code))
        .filter(|code| !expected.iter().any(|found| found == code))
        .collect();
    assert!(
        uncovered.is_empty(),
        "no invalid case expects {}",
        uncovered.join(", ")
    );
    let unknown: Vec<&String> = expected
        .iter()
        .filter(|code| !codes::CODES.iter().any(|(known, _)| known == code))
        .collect();
    assert!(
        unknown.is_empty(),
        "cases expect codes missing from codes.rs: {unknown:?}"
    );
}

/// Modules whose functions need the engine's shared store or are generated
/// wrappers (`golang/strings`...); the corpus compiles without a store.
fn module_needs_no_store(module: &str) -> bool {
    !module.contains('/') && !matches!(module, "world" | "collect" | "value")
}

/// Every core function needs a case that calls it: `len(` for the
/// built-ins, `strings.to_upper(` for a module's functions (the call must use
/// the module's own namespace, not an `as` alias).
#[test]
fn every_function_has_a_case() {
    let cases = collect_cases(&corpus_root());
    let texts: Vec<&str> = cases
        .iter()
        .flat_map(|case| case.files.iter().map(|(_, text)| text.as_str()))
        .collect();
    let registry = mcl_stdlib::registry();
    let mut uncovered = Vec::new();
    for module in registry
        .modules()
        .filter(|module| module_needs_no_store(module))
    {
        for function in registry.functions(module) {
            let call = if module.is_empty() {
                format!("{function}(")
            } else {
                format!("{module}.{function}(")
            };
            let called = texts.iter().any(|text| {
                text.match_indices(&call).any(|(at, _)| {
                    // `len(` must not match inside `strings.len(`.
                    !text[..at].chars().next_back().is_some_and(|before| {
                        before.is_alphanumeric() || before == '_' || before == '.'
                    })
                })
            });
            if !called {
                uncovered.push(call.trim_end_matches('(').to_owned());
            }
        }
    }
    assert!(
        uncovered.is_empty(),
        "no corpus case calls {}",
        uncovered.join(", ")
    );
}

/// The snapshot name of an invalid case: `invalid/missing-comma.mcl` becomes
/// `invalid_missing-comma`, the directory case `invalid/import-cycle`
/// becomes `invalid_import-cycle`.
fn snapshot_name(case: &Case) -> String {
    case.name.trim_end_matches(".mcl").replace('/', "_")
}

#[test]
fn rendered_diagnostics() {
    on_big_stack(rendered_snapshots);
}

fn rendered_snapshots() {
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
        let no_autoedges = parse_header(case.text()).is_ok_and(|header| header.no_autoedges);
        let outcome = run(case, no_autoedges);
        let rendered = render_human(&outcome.sources, &outcome.diagnostics);
        let name = snapshot_name(case);
        let mut settings = insta::Settings::clone_current();
        settings.set_input_file(root.join(&case.entry));
        settings.set_omit_expression(true);
        // One mismatch must not hide the others: catch each and report all.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(name.clone(), rendered));
        }));
        if result.is_err() {
            failed.push(case.name.clone());
        }
    }

    // A snapshot whose case was renamed or removed would never fail.
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
        "snapshots differ for: {failed:?}\nsnapshots without a corpus case: {orphans:?}"
    );
}
