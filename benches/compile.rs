//! Compile time of generated programs: load, check and evaluate into a
//! graph. Two shapes: resources made by loops over classes (a program that
//! does not grow with N) and resources written out one by one (a program of N
//! statements), each at 1,000, 10,000 and 100,000 resources, to show that
//! compile time stays near linear.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mcl_compiler::compile::{compile, CompileOptions, Toolbox};
use mcl_compiler::load::MemoryLoader;
use mcl_grammar::SourceMap;
use std::fmt::Write;
use std::sync::Arc;
use std::time::Duration;

/// `resources` resources from a class included in a loop: each include makes
/// a directory, a file in it and an exec, with an edge and an autoedge.
fn looped(resources: usize) -> String {
    let includes = resources / 3;
    format!(
        r#"import "fmt"
import "iter"

class site($name str, $port int) {{
	$root = "/srv/${{name}}/"
	file $root {{
		state => $const.res.file.state.exists,
	}}
	file "${{root}}index.html" {{
		content => fmt.printf("%s listens on %d\n", $name, $port),
		mode => "0644",
		Notify => Exec["reload-${{name}}"],
	}}
	exec "reload-${{name}}" {{
		cmd => "/bin/true",
		Meta:retry => 2,
	}}
}}

for $i, $n in iter.range({includes}) {{
	include site(fmt.printf("site%d", $n), 8000 + $n)
}}
"#
    )
}

/// `resources` file resources written out, with a binding each.
fn written_out(resources: usize) -> String {
    let mut program = String::with_capacity(resources * 80);
    for index in 0..resources {
        let _ = writeln!(
            program,
            "$content{index} = \"file {index}\\n\"\nfile \"/tmp/bench/{index}\" {{\n\tcontent => $content{index},\n\tmode => \"0644\",\n}}"
        );
    }
    program
}

fn toolbox() -> Toolbox {
    mgmt::toolbox::toolbox(Arc::new(mcl_stdlib::MemoryHost::new()))
}

fn compile_once(toolbox: &Toolbox, text: &str) -> usize {
    let loader = MemoryLoader::new().with("main.mcl", text);
    let mut sources = SourceMap::new();
    let options = CompileOptions {
        hostname: "bench".to_owned(),
        autoedges: true,
    };
    match compile(&loader, &mut sources, "main.mcl", None, toolbox, &options) {
        Ok(evaluation) => evaluation.graph.len(),
        Err(diagnostics) => panic!("the generated program must compile: {diagnostics:?}"),
    }
}

fn bench_compile(criterion: &mut Criterion) {
    let toolbox = toolbox();
    for (shape, generate) in [
        ("looped", looped as fn(usize) -> String),
        ("written_out", written_out),
    ] {
        let mut group = criterion.benchmark_group(format!("compile_{shape}"));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(5));
        for resources in [1_000, 10_000, 100_000] {
            let program = generate(resources);
            let built = compile_once(&toolbox, &program);
            assert!(
                built + 3 >= resources,
                "{shape}: {built} resources for {resources}"
            );
            group.throughput(Throughput::Elements(resources as u64));
            group.bench_with_input(
                BenchmarkId::from_parameter(resources),
                &program,
                |bencher, program| {
                    bencher.iter(|| compile_once(&toolbox, program));
                },
            );
        }
        group.finish();
    }
}

criterion_group!(benches, bench_compile);
criterion_main!(benches);
