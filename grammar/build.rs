//! Generates the LALRPOP parser from `src/mcl.lalrpop`.
fn main() {
    lalrpop::Configuration::new()
        .use_cargo_dir_conventions()
        .emit_rerun_directives(true)
        .process()
        .expect("the mcl grammar must generate");
}
