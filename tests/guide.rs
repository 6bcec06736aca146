//! Every example in the language guide, `docs/language.md`, compiles (or
//! fails with the error it says), and is written in `mgmt fmt`'s canonical
//! form; so is every mcl example in the other pages of `docs/` and in the
//! README.
//!
//! Code blocks are taken by their info string:
//!
//! - ```` ```mcl ````: a program. It must load, type-check and evaluate
//!   without errors, as the entry file `main.mcl`. A block whose first line
//!   is `# file: PATH` is instead a module file at `PATH` (relative to
//!   `main.mcl`), which every program of the same page may import; each
//!   one must be imported by at least one program, so that none goes
//!   unchecked.
//! - ```` ```mcl-error E0201 ````: a program that must fail, reporting
//!   exactly the codes named (in order, several separated by spaces). When
//!   the next block of the guide is a ```` ```text ```` block, it is the
//!   errors exactly as `mgmt compile main.mcl` prints them.
//!
//! Every block that parses must be in canonical form.
//!
//! Programs compile as `mgmt compile` does, with every core function and
//! resource kind, against a [`MemoryHost`] named `guide-host` at a fixed
//! time, so that the results do not depend on the machine.

use mcl_compiler::compile::{check, CompileOptions, Toolbox};
use mcl_compiler::diagnostics::render_human;
use mcl_compiler::load::MemoryLoader;
use mcl_grammar::format::format_source;
use mcl_grammar::{parse_file, SourceMap};
use mcl_stdlib::MemoryHost;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

const HOSTNAME: &str = "guide-host";
const MODULE_MARK: &str = "# file: ";

/// One fenced block of the guide.
struct Block {
    /// 1-based line of its opening fence.
    line: usize,
    /// The info string after the backticks, e.g. `mcl-error E0201`.
    info: String,
    text: String,
}

fn read(page: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(page);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {page}: {error}"))
}

/// Every fenced block, in order.
fn blocks(page: &str, markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (index, line) in markdown.lines().enumerate() {
        match open.as_mut() {
            None => {
                if let Some(info) = line.strip_prefix("```") {
                    open = Some(Block {
                        line: index + 1,
                        info: info.trim().to_owned(),
                        text: String::new(),
                    });
                }
            }
            Some(_) if line.starts_with("```") => blocks.extend(open.take()),
            Some(block) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
        }
    }
    assert!(open.is_none(), "{page} ends inside a code block");
    blocks
}

fn is_mcl(block: &Block) -> bool {
    block.info == "mcl" || block.info.starts_with("mcl-")
}

fn module_path(block: &Block) -> Option<&str> {
    block
        .text
        .lines()
        .next()
        .and_then(|first| first.strip_prefix(MODULE_MARK))
        .map(str::trim)
}

fn toolbox() -> Toolbox {
    mgmt::toolbox::toolbox(Arc::new(
        MemoryHost::new()
            .with_hostname(HOSTNAME)
            .with_time(1_700_000_000),
    ))
}

/// The codes a program's compile reported (none when it compiled), the
/// rendered errors, and the module files it loaded.
fn compile(loader: &MemoryLoader, text: &str) -> (Vec<&'static str>, String, Vec<String>) {
    let toolbox = toolbox();
    let options = CompileOptions {
        hostname: HOSTNAME.to_owned(),
        autoedges: true,
    };
    let mut sources = SourceMap::new();
    let outcome = check(
        loader,
        &mut sources,
        "main.mcl",
        Some(text.to_owned()),
        &toolbox,
    )
    .and_then(|checked| {
        let files = checked
            .files()
            .iter()
            .map(|file| file.to_string())
            .collect();
        checked.evaluate(&toolbox, &options).map(|_| files)
    });
    match outcome {
        Ok(files) => (Vec::new(), String::new(), files),
        Err(diagnostics) => (
            diagnostics
                .iter()
                .map(|diagnostic| diagnostic.code)
                .collect(),
            render_human(&sources, &diagnostics),
            Vec::new(),
        ),
    }
}

/// The block in canonical form, or why it cannot be formatted.
fn formatted(text: &str) -> Result<String, String> {
    let mut sources = SourceMap::new();
    let file = sources.add("main.mcl", text);
    parse_file(file, text)
        .map(|parsed| format_source(&parsed, text))
        .map_err(|errors| format!("{} syntax errors", errors.len()))
}

/// What is wrong with the examples of one page, and how many it has.
fn check_page(page: &str) -> (Vec<String>, usize) {
    let all = blocks(page, &read(page));
    let blocks: Vec<(&Block, Option<&Block>)> = all
        .iter()
        .enumerate()
        .filter(|(_, block)| is_mcl(block))
        .map(|(index, block)| (block, all.get(index + 1)))
        .collect();
    let mut loader = MemoryLoader::new();
    let mut modules = BTreeSet::new();
    for (block, _) in &blocks {
        if let Some(path) = module_path(block) {
            loader = loader.with(path, &block.text);
            modules.insert(path.to_owned());
        }
    }
    let mut problems = Vec::new();
    let mut imported = BTreeSet::new();
    for (block, next) in &blocks {
        let at = format!("{page}:{}", block.line);
        let expected: Vec<&str> = match block.info.split_whitespace().collect::<Vec<_>>()[..] {
            ["mcl"] => Vec::new(),
            ["mcl-error", ref codes @ ..] if !codes.is_empty() => codes.to_vec(),
            _ => {
                problems.push(format!("── {at}: unknown info string `{}`", block.info));
                continue;
            }
        };
        // An example of a syntax error cannot be formatted; every other
        // example is shown as `mgmt fmt` writes it.
        match formatted(&block.text) {
            Ok(canonical) if canonical == block.text => {}
            Ok(canonical) => problems.push(format!(
                "── {at} is not in canonical form; `mgmt fmt` writes:\n{canonical}"
            )),
            Err(_) if !expected.is_empty() => {}
            Err(error) => problems.push(format!("── {at} does not parse: {error}")),
        }
        if module_path(block).is_some() {
            continue;
        }
        let (codes, rendered, files) = compile(&loader, &block.text);
        imported.extend(files);
        if codes != expected {
            problems.push(format!(
                "── {at}: expected {expected:?}, the compiler reported {codes:?}\n{rendered}"
            ));
        }
        if let Some(shown) = next.filter(|next| !expected.is_empty() && next.info == "text") {
            if shown.text.trim_end() != rendered.trim_end() {
                problems.push(format!(
                    "── {page}:{} shows other errors than the compiler prints:\n{rendered}",
                    shown.line
                ));
            }
        }
    }
    for module in modules.difference(&imported) {
        problems.push(format!(
            "── the module file {module} of {page} is imported by no example"
        ));
    }
    (problems, blocks.len())
}

#[test]
fn every_example_of_the_guide_compiles_as_it_says() {
    let (problems, examples) = check_page("docs/language.md");
    assert!(examples >= 20, "the guide has too few examples");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn every_example_in_the_other_docs_compiles_as_it_says() {
    let mut pages = vec!["README.md".to_owned()];
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    for entry in std::fs::read_dir(docs).expect("docs/ exists") {
        let name = entry.expect("directory entry").file_name();
        let name = name.to_string_lossy();
        if name.ends_with(".md") && name != "language.md" {
            pages.push(format!("docs/{name}"));
        }
    }
    pages.sort();
    let mut problems = Vec::new();
    for page in &pages {
        problems.extend(check_page(page).0);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
