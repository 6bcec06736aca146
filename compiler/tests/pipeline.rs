//! The compile pipeline end to end in memory (load, check, evaluate), with a
//! few small functions and kinds defined here so that the compiler is tested
//! on its own; the full corpus with the real function library and resource
//! kinds runs at the workspace root.

use mcl_compiler::compile::{compile, CompileOptions, Toolbox};
use mcl_compiler::diagnostics::Diagnostic;
use mcl_compiler::function::{CallContext, CallShape, Function, FunctionRegistry, Host, Signature};
use mcl_compiler::graph::{to_text, ResourceGraph};
use mcl_compiler::load::MemoryLoader;
use mcl_compiler::schema::{FieldSchema, ResourceKinds, ResourceSchema};
use mcl_compiler::types::Type;
use mcl_compiler::value::{CallError, Value};
use mcl_grammar::SourceMap;
use std::collections::BTreeMap;
use std::sync::Arc;

struct Len;

impl Function for Len {
    fn signature(&self, _: CallShape<'_>) -> Result<Signature, String> {
        Ok(Signature::new(vec![Type::Generic(0)], Type::Int))
    }
    fn check(&self, params: &[Type], _: &Type) -> Result<(), String> {
        match params[0] {
            Type::Str | Type::List(_) | Type::Map(..) => Ok(()),
            ref other => Err(format!("`len` takes a str, list or map, not {other}")),
        }
    }
    fn call(&self, _: &CallContext<'_>, args: Vec<Value>) -> Result<Value, CallError> {
        Ok(Value::Int(match &args[0] {
            Value::Str(text) => text.chars().count() as i64,
            Value::List(items) => items.len() as i64,
            Value::Map(map) => map.len() as i64,
            _ => 0,
        }))
    }
}

/// `readfile(path) str`: fails catchably, like a missing file.
struct ReadFile;

impl Function for ReadFile {
    fn signature(&self, _: CallShape<'_>) -> Result<Signature, String> {
        Ok(Signature::new(vec![Type::Str], Type::Str))
    }
    fn call(&self, _: &CallContext<'_>, args: Vec<Value>) -> Result<Value, CallError> {
        Err(CallError::catchable(format!(
            "cannot read {}",
            args[0].as_str().unwrap_or("")
        )))
    }
}

/// `apply(list, f)`: calls a lambda on each element.
struct MapList;

impl Function for MapList {
    fn signature(&self, _: CallShape<'_>) -> Result<Signature, String> {
        Ok(Signature::new(
            vec![
                Type::list(Type::Generic(0)),
                Type::func(vec![Type::Generic(0)], Type::Generic(1)),
            ],
            Type::list(Type::Generic(1)),
        ))
    }
    fn call(&self, _: &CallContext<'_>, args: Vec<Value>) -> Result<Value, CallError> {
        let function = args[1]
            .as_func()
            .cloned()
            .ok_or_else(|| CallError::Fatal("no function".into()))?;
        let items = args[0].as_list().unwrap_or_default().to_vec();
        items
            .into_iter()
            .map(|item| function.call(vec![item]))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::List)
    }
}

/// `conv.parse(text) ?1`: the text as the type its use wants, which only the
/// checker knows and the evaluator hands over in the call context.
struct ParseAs;

impl Function for ParseAs {
    fn signature(&self, _: CallShape<'_>) -> Result<Signature, String> {
        Ok(Signature::new(vec![Type::Str], Type::Generic(0)))
    }
    fn call(&self, context: &CallContext<'_>, args: Vec<Value>) -> Result<Value, CallError> {
        let text = args[0].as_str().unwrap_or_default();
        let not_one = |what| CallError::catchable(format!("{text:?} is not {what}"));
        match context.result_type() {
            Some(Type::Int) => text.parse().map(Value::Int).map_err(|_| not_one("an int")),
            Some(Type::Float) => text
                .parse()
                .map(Value::Float)
                .map_err(|_| not_one("a float")),
            _ => Ok(Value::str(text)),
        }
    }
}

struct Kinds(BTreeMap<&'static str, ResourceSchema>);

impl ResourceKinds for Kinds {
    fn schema(&self, kind: &str) -> Option<&ResourceSchema> {
        self.0.get(kind)
    }
    fn kinds(&self) -> Vec<&'static str> {
        self.0.keys().copied().collect()
    }
}

fn kinds() -> Kinds {
    let schema =
        |kind, fields: Vec<FieldSchema>, sends: Vec<(&'static str, Type)>| ResourceSchema {
            kind,
            fields,
            name_field: None,
            sends,
            groupable: false,
            autoedges: None,
            check: None,
            receives: true,
        };
    let mut map = BTreeMap::new();
    map.insert(
        "file",
        schema(
            "file",
            vec![
                FieldSchema::new("path", Type::Str),
                FieldSchema::new("content", Type::Str),
                FieldSchema::new("mode", Type::Str),
                FieldSchema::new("state", Type::Str).with_values(&["exists", "absent"]),
            ],
            vec![],
        ),
    );
    map.insert(
        "exec",
        schema(
            "exec",
            vec![
                FieldSchema::new("cmd", Type::Str),
                FieldSchema::new("shell", Type::Str),
            ],
            vec![("output", Type::Str), ("code", Type::Int)],
        ),
    );
    map.insert(
        "test",
        schema(
            "test",
            vec![
                FieldSchema::new("int8", Type::Int).with_range(-128, 127),
                FieldSchema::new("slicestring", Type::list(Type::Str)),
            ],
            vec![],
        ),
    );
    Kinds(map)
}

struct NoHost;

impl Host for NoHost {
    fn now_unix(&self) -> i64 {
        0
    }
    fn utc_offset(&self, _: i64) -> i64 {
        0
    }
    fn hostname(&self) -> String {
        "h1".into()
    }
    fn read_file(&self, _: &str) -> std::io::Result<String> {
        Err(std::io::ErrorKind::NotFound.into())
    }
    fn file_exists(&self, _: &str) -> bool {
        false
    }
    fn getenv(&self, _: &str) -> Option<String> {
        None
    }
    fn environment(&self) -> BTreeMap<String, String> {
        BTreeMap::new()
    }
    fn system(&self, _: &str) -> std::io::Result<String> {
        Ok(String::new())
    }
    fn cpu_count(&self) -> i64 {
        1
    }
    fn uptime(&self) -> i64 {
        0
    }
    fn load(&self) -> (f64, f64, f64) {
        (0.0, 0.0, 0.0)
    }
    fn os_family(&self) -> Vec<String> {
        vec![]
    }
    fn args(&self) -> Vec<String> {
        vec![]
    }
    fn vardir(&self) -> String {
        "/var/lib/mgmt".into()
    }
}

fn toolbox() -> Toolbox {
    let mut functions = FunctionRegistry::new();
    functions.register("", "len", Len);
    functions.register("os", "readfile", ReadFile);
    functions.register("iter", "map", MapList);
    functions.register("conv", "parse", ParseAs);
    Toolbox {
        functions: Arc::new(functions),
        kinds: Arc::new(kinds()),
        host: Arc::new(NoHost),
        world: mcl_compiler::world::empty(),
    }
}

fn run(files: &[(&str, &str)]) -> Result<ResourceGraph, (Vec<Diagnostic>, SourceMap)> {
    let mut loader = MemoryLoader::new();
    for (path, text) in files {
        loader = loader.with(path, text);
    }
    let mut sources = SourceMap::new();
    let options = CompileOptions {
        hostname: "h1".into(),
        autoedges: false,
    };
    compile(
        &loader,
        &mut sources,
        files[0].0,
        None,
        &toolbox(),
        &options,
    )
    .map(|evaluation| evaluation.graph)
    .map_err(|diagnostics| (diagnostics, sources))
}

fn graph(text: &str) -> String {
    match run(&[("main.mcl", text)]) {
        Ok(graph) => to_text(&graph),
        Err((diagnostics, sources)) => panic!(
            "unexpected errors:\n{}",
            mcl_compiler::diagnostics::render_human(&sources, &diagnostics)
        ),
    }
}

/// The codes of the errors, each with its `line:column`.
fn errors(files: &[(&str, &str)]) -> Vec<String> {
    match run(files) {
        Ok(graph) => panic!("compiled, expected errors:\n{}", to_text(&graph)),
        Err((diagnostics, sources)) => diagnostics
            .iter()
            .map(|diagnostic| {
                let span = diagnostic.primary_span().unwrap_or_default();
                let file = sources.get(span.file).expect("the span's file is known");
                let (line, column) = file.line_column(span.start as usize);
                format!("{} {line}:{column}", diagnostic.code)
            })
            .collect(),
    }
}

fn error(text: &str) -> Vec<String> {
    errors(&[("main.mcl", text)])
}

#[test]
fn bindings_resolve_in_any_order() {
    let text = "file \"/tmp/${name}\" {\n\tcontent => $greeting,\n}\n$greeting = \"hi ${name}\"\n$name = \"x\"\n";
    assert_eq!(graph(text), "Vertex: file[/tmp/x]\n");
}

#[test]
fn loops_expand_one_resource_per_element() {
    let text = "for $i, $n in [\"a\", \"b\"] {\n\tfile \"/${n}\" {}\n}\nforkv $k, $v in {\"c\" => 1} {\n\tfile \"/${k}\" {}\n}\n";
    assert_eq!(
        graph(text),
        "Vertex: file[/a]\nVertex: file[/b]\nVertex: file[/c]\n"
    );
}

#[test]
fn names_as_lists_and_edges() {
    let text = "file [\"/a\", \"/b\"] {\n\tBefore => Exec[\"e\"],\n}\nexec \"e\" {}\nExec[\"e\"] -> File[\"/c\"]\nfile \"/c\" {}\n";
    assert_eq!(
        graph(text),
        "Edge: exec[e] -> file[/c]\nEdge: file[/a] -> exec[e]\nEdge: file[/b] -> exec[e]\nVertex: exec[e]\nVertex: file[/a]\nVertex: file[/b]\nVertex: file[/c]\n"
    );
}

#[test]
fn classes_take_different_argument_types_per_include() {
    let text = "class c($x) {\n\t$size = len($x)\n\tfile \"/${name}\" {}\n\t$name = \"f${n}\"\n\t$n = \"1\"\n}\ninclude c(\"abc\") as one\ninclude c([1, 2]) as two\n$total = $one.size + $two.size\nfile \"/total\" {\n\tcontent => if $total == 5 { \"five\" } else { \"other\" },\n}\n";
    assert_eq!(graph(text), "Vertex: file[/f1]\nVertex: file[/total]\n");
}

#[test]
fn named_functions_are_polymorphic_and_lambdas_are_not() {
    let ok = "func id($x) { $x }\n$a = id(1) + 1\n$b = id(\"s\") + \"t\"\nfile \"/${b}\" {}\n";
    assert_eq!(graph(ok), "Vertex: file[/st]\n");
    let bad = "$id = func($x) { $x }\n$a = $id(1)\n$b = $id(\"s\")\n";
    assert_eq!(error(bad), vec!["E0301 3:10"]);
}

#[test]
fn lambdas_are_called_by_functions() {
    let text = "import \"iter\"\n$names = iter.map([1, 2], func($i) { \"/n${s}\" })\n$s = \"x\"\nfile $names {}\n";
    assert_eq!(graph(text), "Vertex: file[/nx]\n");
}

#[test]
fn only_the_taken_branch_runs_and_except_catches() {
    let text = "import \"os\"\n$c = os.readfile(\"/nope\") <|> \"fallback\"\nif false {\n\tfile os.readfile(\"/nope\") {}\n} else {\n\tfile \"/${c}\" {}\n}\n$l = [1][5] <|> 7\n";
    assert_eq!(graph(text), "Vertex: file[/fallback]\n");
}

#[test]
fn uncaught_errors_name_their_origin() {
    let text = "import \"os\"\n$c = os.readfile(\"/nope\")\nfile \"/a\" {\n\tcontent => $c,\n}\n";
    assert_eq!(error(text), vec!["E0401 2:6"]);
}

#[test]
fn duplicates_merge_when_identical() {
    let same = "file \"/a\" { mode => \"0644\", }\nfile \"/a\" { mode => \"0644\", }\n";
    assert_eq!(graph(same), "Vertex: file[/a]\n");
    let different = "file \"/a\" { mode => \"0644\", }\nfile \"/a\" { mode => \"0600\", }\n";
    assert_eq!(error(different), vec!["E0403 2:21"]);
}

#[test]
fn mistakes_in_names_are_located_with_suggestions() {
    assert_eq!(error("$name = \"x\"\nfile $nme {}\n"), vec!["E0201 2:6"]);
    assert_eq!(
        error("file \"/a\" {\n\tcontnet => \"x\",\n}\n"),
        vec!["E0215 2:2"]
    );
    assert_eq!(error("fiel \"/a\" {}\n"), vec!["E0214 1:1"]);
    assert_eq!(
        error("file \"/a\" {\n\tMeta:nop => true,\n}\n"),
        vec!["E0216 2:7"]
    );
    assert_eq!(error("$x = strings.to_upper(\"a\")\n"), vec!["E0204 1:6"]);
    assert_eq!(error("import \"nosuchmodule\"\n"), vec!["E0205 1:8"]);
}

#[test]
fn types_are_checked_against_fields_and_operators() {
    assert_eq!(
        error("file \"/a\" {\n\tcontent => 42,\n}\n"),
        vec!["E0301 2:13"]
    );
    assert_eq!(error("$x = true + 1\n"), vec!["E0301 1:13"]);
    assert_eq!(error("$x = true + false\n"), vec!["E0303 1:6"]);
    assert_eq!(error("$x = len(5)\n"), vec!["E0305 1:6"]);
    assert_eq!(error("$x = [1, \"a\"]\n"), vec!["E0301 1:10"]);
}

#[test]
fn a_wrong_value_under_an_annotation_is_one_error() {
    assert_eq!(
        error("func size() int { \"big\" }\n$x = size() + 1\n"),
        vec!["E0301 1:19"]
    );
    assert_eq!(error("$x int = \"a\"\n$y = $x + 1\n"), vec!["E0301 1:10"]);
    assert_eq!(error("$x = \"a\" and \"b\"\n"), vec!["E0301 1:6"]);
}

#[test]
fn cycles_and_recursion_are_refused_with_their_path() {
    assert_eq!(error("$a = $b\n$b = $a\n"), vec!["E0210 1:1"]);
    assert_eq!(
        error("func f($x) { f($x) }\n$y = f(1)\n"),
        vec!["E0211 1:14"]
    );
    assert_eq!(
        error("file \"/a\" { Before => File[\"/b\"], }\nfile \"/b\" { Before => File[\"/a\"], }\n"),
        vec!["E0409 1:1"]
    );
}

#[test]
fn ambiguous_types_are_reported() {
    // An unused binding of unknown type harms nothing; a used one whose type
    // nothing fixes is an error.
    assert_eq!(graph("$unused = []\n"), "");
    assert_eq!(
        error("$l = []\n$first = $l[0]\n$copy = $first\n"),
        vec!["E0302 2:10"]
    );
}

#[test]
fn integer_fields_are_range_checked() {
    assert_eq!(
        error("test \"t\" {\n\tint8 => 300,\n}\n"),
        vec!["E0405 2:10"]
    );
    assert_eq!(
        graph("test \"t\" {\n\tint8 => -128,\n}\n"),
        "Vertex: test[t]\n"
    );
}

#[test]
fn edges_to_unknown_resources_are_errors() {
    assert_eq!(
        error("file \"/a\" {}\nFile[\"/a\"] -> File[\"/b\"]\n"),
        vec!["E0404 2:15"]
    );
}

#[test]
fn send_recv_is_typed() {
    let ok = "exec \"e\" {}\nfile \"/f\" {}\nExec[\"e\"].output -> File[\"/f\"].content\n";
    assert_eq!(
        graph(ok),
        "Edge: exec[e] -> file[/f]\nVertex: exec[e]\nVertex: file[/f]\n"
    );
    let bad = "exec \"e\" {}\nfile \"/f\" {}\nExec[\"e\"].code -> File[\"/f\"].content\n";
    assert_eq!(error(bad), vec!["E0301 3:11"]);
    let unknown = "exec \"e\" {}\nfile \"/f\" {}\nExec[\"e\"].nope -> File[\"/f\"].content\n";
    assert_eq!(error(unknown), vec!["E0217 3:11"]);
}

#[test]
fn local_modules_are_imported() {
    let main = "import \"lib.mcl\"\nimport \"dir/\" as d\ninclude lib.web(\"/srv\")\nfile \"/${d.name}\" {}\n";
    let lib = "class web($root) {\n\tfile $root {}\n}\n";
    let dir = "$name = \"from-dir\"\n";
    let graph = run(&[("main.mcl", main), ("lib.mcl", lib), ("dir/main.mcl", dir)])
        .map(|graph| to_text(&graph));
    assert_eq!(
        graph.ok().as_deref(),
        Some("Vertex: file[/from-dir]\nVertex: file[/srv]\n")
    );
    assert_eq!(
        errors(&[
            ("main.mcl", "import \"lib.mcl\"\n"),
            ("lib.mcl", "file \"/a\" {}\n")
        ]),
        vec!["E0208 1:1"]
    );
    assert_eq!(
        errors(&[("main.mcl", "import \"missing.mcl\"\n")]),
        vec!["E0206 1:8"]
    );
}

#[test]
fn nested_classes_are_included_through_their_outer_instance() {
    let text = "class outer($s) {\n\t$middle = \"m-${s}\"\n}\nclass outer:extra {\n\tfile \"/${middle}\" {}\n}\nclass outer:extra:deepest {\n\tfile \"/deep\" {}\n}\ninclude outer(\"x\") as o\ninclude o.extra as e\ninclude e.deepest\n";
    assert_eq!(graph(text), "Vertex: file[/deep]\nVertex: file[/m-x]\n");
}

#[test]
fn a_missing_field_is_catchable_under_except() {
    let text = "$s = struct{a => \"x\"}\nfile \"/${v}\" {}\n$v = $s->b <|> \"fallback\"\n";
    assert_eq!(graph(text), "Vertex: file[/fallback]\n");
    assert_eq!(
        error("$s = struct{a => 1}\n$v = $s->b + 1\n"),
        vec!["E0307 2:10"]
    );
}

#[test]
fn constants_and_hostname() {
    let text = "file \"/${hostname}\" {\n\tstate => $const.res.file.state.absent,\n}\n";
    assert_eq!(graph(text), "Vertex: file[/h1]\n");
    assert_eq!(
        error("$x = $const.res.file.state.nope\n"),
        vec!["E0219 1:6"]
    );
}

#[test]
fn panics_stop_the_run() {
    assert_eq!(error("panic(\"broken\")\n"), vec!["E0402 1:7"]);
    assert_eq!(graph("panic(false)\npanic(\"\")\n"), "");
}

#[test]
fn a_result_type_only_the_use_fixes_reaches_the_function() {
    let text = "import \"conv\"\n\
        func twice($x float) float { $x + $x }\n\
        $int int = conv.parse(\"2\")\n\
        $float = twice(conv.parse(\"2\"))\n\
        if $int == 2 {\n\tfile \"/int\" {}\n}\n\
        if $float == 4.0 {\n\tfile \"/float\" {}\n}\n\
        file conv.parse(\"/str\") {}\n";
    assert_eq!(
        graph(text),
        "Vertex: file[/float]\nVertex: file[/int]\nVertex: file[/str]\n"
    );
    // Fixed by nothing, the result is a `variant`, not an ambiguity.
    let open = "import \"conv\"\n$v = conv.parse(\"/v\")\n$w = $v\nfile \"/f\" {}\n";
    assert_eq!(graph(open), "Vertex: file[/f]\n");
}

#[test]
fn one_call_with_two_result_types_is_an_error() {
    let text = "import \"conv\"\n\
        func parse($t) { conv.parse($t) }\n\
        $a int = parse(\"1\")\n\
        $b float = parse(\"2\")\n\
        if $a == 1 and $b == 2.0 {\n\tfile \"/f\" {}\n}\n";
    assert_eq!(error(text), vec!["E0302 2:18"]);
}
