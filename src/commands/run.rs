//! `mgmt run`: the agent. The engine is not built yet; the program is parsed
//! so that syntax errors are reported already.

use crate::cli::{GlobalArgs, RunArgs};
use crate::source::{parse_or_report, read_source};
use crate::Failure;
use mcl_grammar::SourceMap;

pub fn run(global: &GlobalArgs, args: &RunArgs) -> Result<(), Failure> {
    let text = read_source(&args.file)?;
    let mut sources = SourceMap::new();
    parse_or_report(global, &mut sources, &args.file, &text)?;
    Err(Failure::Run(anyhow::anyhow!(
        "{} parses, but the engine is not yet available in this build",
        args.file.display()
    )))
}
