//! `mgmt compile`: parse (and, once the compile pipeline lands, check and
//! evaluate) a program and print its resource graph.

use crate::cli::{CompileArgs, GlobalArgs};
use crate::source::{parse_or_report, read_source};
use crate::Failure;
use mcl_grammar::SourceMap;

pub fn run(global: &GlobalArgs, args: &CompileArgs) -> Result<(), Failure> {
    let text = read_source(&args.file)?;
    let mut sources = SourceMap::new();
    parse_or_report(global, &mut sources, &args.file, &text)?;
    Err(Failure::Run(anyhow::anyhow!(
        "{} parses, but type checking and evaluation are not yet available in this build",
        args.file.display()
    )))
}
