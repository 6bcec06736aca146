//! `mgmt check`: load and type-check a program without evaluating it, for
//! editors, hooks and CI. Prints nothing when the program is sound; its
//! diagnostics (in the chosen `--error-format`) and exit 1 when it is not.

use crate::cli::{CheckArgs, GlobalArgs};
use crate::source::{display_name, loader, read_source, report};
use crate::toolbox::real_toolbox;
use crate::Failure;
use mcl_compiler::compile::check;
use mcl_grammar::SourceMap;

pub fn run(global: &GlobalArgs, args: &CheckArgs) -> Result<(), Failure> {
    let text = read_source(global, args.entry.file())?;
    let mut sources = SourceMap::new();
    let entry = display_name(args.entry.file());
    check(
        &loader(global),
        &mut sources,
        &entry,
        Some(text),
        &real_toolbox(),
    )
    .map(drop)
    .map_err(|diagnostics| {
        report(global, &sources, &diagnostics);
        Failure::Program
    })
}
