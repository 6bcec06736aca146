//! The formatter's promises, checked on whole programs: formatting is
//! idempotent, keeps the tree (spans aside), and keeps every comment in
//! order. The programs are the inline ones below, variants of them with a
//! comment added on or after every line, and every `.mcl` file under
//! `tests/corpus/` and `examples/` that parses. Golden pairs for single rules
//! live beside the formatter (`src/format/tests.rs`).

use mcl_grammar::ast::*;
use mcl_grammar::format::format_source;
use mcl_grammar::{parse_file, FileId, ParsedFile, Span};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const EVERY_FORM: &str = r#"
import "fmt"
import "lib.mcl" as lib
import "dir/" as *
$x = 42
$y []str = ["a", "b",]
if $x > 3 {
	print "big" {
		msg => "x is ${x}",
	}
} else if $x == 1 {
	$z = 1
} else {
	$z = 2
}
for $i, $v in $y {
	file "/tmp/${v}" { content => "hi", }
}
forkv $k, $v in {"a" => 1, "b" => 2,} {
	$w = $v
}
func add($a int, $b) int { $a + $b }
class base:inner($a, $b str) {
	noop "n" {}
}
include base:inner(1, "x") as alias
include mod.name
collect file ["/a", "/b"] { path => "/srv/a", }
File["/a"] -> Exec["b"] -> Svc["c"]
Exec["e"].stdout -> File["/f"].content
panic($x > 100)
http:server "s" {
	address => ":80",
	Meta:noop => true,
	Meta => struct{retry => 3,},
	Notify => $x > 1 ?: Svc["s"],
	Before => File["/x"],
	content => $x > 0 ?: "pos",
	str => "test resource field",
}
"#;

const EXPRESSIONS: &str = r#"
# Every expression form, some on one line and some spread out.
$bools = [true, false, not true]
$numbers = [0, -3, 2.5, -0.125, 1.0]
$text = "hi ${who} \${literal} $dollar \"quoted\" \\ \t"
$nested = {"a" => [1, 2], "b" => [], "c" => {"d" => struct{e => 1}}}
$spread = {
	"a" => 1, # first
	"b" => 2,
}
$record = struct{name => "x", port => 80,}
$call = fmt.printf("%s-%d", $text, len($nested))
$applied = func($x) { $x + 1 }(41)
$lambda = func($a, $b int) str {
	fmt.printf("%s%d", $a, $b)
}
$choice = if $b { 1 } else { 2 }
$chain = if $b {
	1
} else if $c {
	2
} else {
	3
}
$index = $list[0] <|> "fallback"
$field = $record->port <|> 80
$member = $x in $list
$math = ($a + $b) * $c / 2 - 1
$logic = not $a and $b or $c == $d or $d != $e
$compare = $a < $b and $a > $b and $a <= $b and $a >= $b
$mapped = iter.map($list, func($x) {
	$x * 2
})
$typed map{str: []int} = {}
$structured struct{a int; b func(int, x str) bool} = $s
$m = map.get($x)
"#;

const COMMENTED: &str = r#"# A file header.

# About the class.
class web($port int) { # trailing the brace
	# Before the resource.
	http:server "s" {
		# Before an entry.
		address => fmt.printf(":%d", $port), # trailing an entry

		# After a blank line.
		Meta:noop => true,
		# Before the closing brace.
	}
	$list = [
		1, # one
		# own line in a list
		2,
	]
	$total = $a + # inside an expression
		$b
} # trailing the class

# Between the class and the include.
include web(
	80, # the port
)
$empty = [
	# nothing here
]
if $x {
	# only a comment
} else {
	$y = 1
}
# At the very end.
"#;

/// Comments where the grammar allows them but the canonical layout has no
/// line for them: they move to the end of the line or into the next block.
const ODD_COMMENTS: &str = r#"if $a {
	$x = 1
}
# between the brace and else
else {
	$x = 2
} # after the else block
$b = # after the equals
	1
File["a"] -> # in an edge
	Exec["b"]
$t struct{a int # in a type
	b str} = $s
func f(
	# no parameters
) {
	# before the body
	1
	# after the body
}
include g(
	# no arguments
)
$v = if $c { # after then
	1 # the one
} # before else
else {
	2
}
$w = func($x) { # lambda
	$x
}
$p = ( # in parens
	1)
$s = "multi
line" # after a string
$q = [$a, # first
	$b]
"#;

/// Every span in the tree set to the default, so that trees compare on
/// content alone.
/// Shared parts of the tree (`Arc`) are copied on write by `Arc::make_mut`.
fn strip_spans(program: &mut Program) {
    program.span = Span::default();
    Arc::make_mut(&mut program.body)
        .iter_mut()
        .for_each(strip_stmt);
}

fn strip_ident(ident: &mut Ident) {
    ident.span = Span::default();
}

fn strip_block(block: &mut Block) {
    block.span = Span::default();
    Arc::make_mut(&mut block.stmts)
        .iter_mut()
        .for_each(strip_stmt);
}

fn strip_if(if_stmt: &mut IfStmt) {
    strip_expr(&mut if_stmt.condition);
    strip_block(&mut if_stmt.then);
    match &mut if_stmt.otherwise {
        Some(ElseStmt::Block(block)) => strip_block(block),
        Some(ElseStmt::If(chained, span)) => {
            *span = Span::default();
            strip_if(chained);
        }
        None => {}
    }
}

fn strip_param(param: &mut Param) {
    param.span = Span::default();
    strip_ident(&mut param.name);
    param.ty.iter_mut().for_each(strip_type);
}

fn strip_stmt(stmt: &mut Stmt) {
    stmt.span = Span::default();
    match &mut stmt.kind {
        StmtKind::Bind { name, ty, value } => {
            strip_ident(name);
            ty.iter_mut().for_each(strip_type);
            strip_expr(value);
        }
        StmtKind::If(if_stmt) => strip_if(if_stmt),
        StmtKind::For {
            index,
            value,
            list: collection,
            body,
        }
        | StmtKind::ForKv {
            key: index,
            value,
            map: collection,
            body,
        } => {
            strip_ident(index);
            strip_ident(value);
            strip_expr(collection);
            strip_block(body);
        }
        StmtKind::Func(func) => {
            strip_ident(&mut func.name);
            func.params.iter_mut().for_each(strip_param);
            func.ret.iter_mut().for_each(strip_type);
            strip_expr(&mut func.body);
        }
        StmtKind::Class(class) => {
            strip_ident(&mut class.name);
            class.params.iter_mut().flatten().for_each(strip_param);
            strip_block(&mut class.body);
        }
        StmtKind::Include { name, args, alias } => {
            strip_ident(name);
            args.iter_mut().flatten().for_each(strip_expr);
            alias.iter_mut().for_each(strip_ident);
        }
        StmtKind::Import { path, alias } => {
            path.span = Span::default();
            match alias {
                Some(ImportAlias::Name(name)) => strip_ident(name),
                Some(ImportAlias::Star(span)) => *span = Span::default(),
                None => {}
            }
        }
        StmtKind::Resource(resource) | StmtKind::Collect(resource) => strip_resource(resource),
        StmtKind::Edge(halves) => {
            for half in halves {
                half.span = Span::default();
                strip_target(&mut half.target);
                half.field.iter_mut().for_each(strip_ident);
            }
        }
        StmtKind::Panic(value) => strip_expr(value),
    }
}

fn strip_resource(resource: &mut Resource) {
    resource.body_span = Span::default();
    strip_ident(&mut resource.kind);
    strip_expr(&mut resource.name);
    for entry in &mut resource.body {
        entry.span = Span::default();
        entry
            .condition
            .iter_mut()
            .for_each(|condition| strip_expr(condition));
        match &mut entry.kind {
            BodyEntryKind::Field { name, value } | BodyEntryKind::MetaParam { name, value } => {
                strip_ident(name);
                strip_expr(value);
            }
            BodyEntryKind::Edge {
                keyword, target, ..
            } => {
                *keyword = Span::default();
                strip_target(target);
            }
            BodyEntryKind::Meta { value } => strip_expr(value),
        }
    }
}

fn strip_target(target: &mut EdgeTarget) {
    target.span = Span::default();
    strip_ident(&mut target.kind);
    strip_expr(&mut target.name);
}

fn strip_expr(expr: &mut Expr) {
    expr.span = Span::default();
    match &mut expr.kind {
        ExprKind::Bool(_) | ExprKind::Int(_) | ExprKind::Float(_) => {}
        ExprKind::Str(segments) => {
            for segment in segments {
                if let StrSegment::Var(name) = segment {
                    strip_ident(name);
                }
            }
        }
        ExprKind::List(elements) => elements.iter_mut().for_each(strip_expr),
        ExprKind::Map(entries) => {
            for (key, value) in entries {
                strip_expr(key);
                strip_expr(value);
            }
        }
        ExprKind::Struct(fields) => {
            for (name, value) in fields {
                strip_ident(name);
                strip_expr(value);
            }
        }
        ExprKind::Var(name) => strip_ident(name),
        ExprKind::Call { name, args } => {
            strip_ident(name);
            args.iter_mut().for_each(strip_expr);
        }
        ExprKind::Apply { function, args } => {
            strip_expr(function);
            args.iter_mut().for_each(strip_expr);
        }
        ExprKind::Lambda { params, ret, body } => {
            Arc::make_mut(params).iter_mut().for_each(strip_param);
            ret.iter_mut().for_each(|ty| strip_type(ty));
            strip_expr(Arc::make_mut(body));
        }
        ExprKind::If {
            condition,
            then,
            otherwise,
        } => {
            strip_expr(condition);
            strip_expr(then);
            strip_expr(otherwise);
        }
        ExprKind::Index { base, index } => {
            strip_expr(base);
            strip_expr(index);
        }
        ExprKind::Field { base, field } => {
            strip_expr(base);
            strip_ident(field);
        }
        ExprKind::Unary { operand, .. } => strip_expr(operand),
        ExprKind::Binary { left, right, .. } => {
            strip_expr(left);
            strip_expr(right);
        }
        ExprKind::Paren(inner) => strip_expr(inner),
    }
}

fn strip_type(ty: &mut TypeExpr) {
    ty.span = Span::default();
    match &mut ty.kind {
        TypeKind::Bool | TypeKind::Str | TypeKind::Int | TypeKind::Float | TypeKind::Variant => {}
        TypeKind::List(element) => strip_type(element),
        TypeKind::Map(key, value) => {
            strip_type(key);
            strip_type(value);
        }
        TypeKind::Struct(fields) => {
            for (name, field) in fields {
                strip_ident(name);
                strip_type(field);
            }
        }
        TypeKind::Func(arguments, ret) => {
            for (name, argument) in arguments {
                name.iter_mut().for_each(strip_ident);
                strip_type(argument);
            }
            strip_type(ret);
        }
    }
}

fn without_spans(parsed: &ParsedFile) -> Program {
    let mut program = parsed.program.clone();
    strip_spans(&mut program);
    program
}

fn comment_texts(parsed: &ParsedFile) -> Vec<String> {
    parsed
        .comments
        .iter()
        .map(|comment| comment.text.trim_end().to_owned())
        .collect()
}

/// Formats `text` (which must parse) and checks the three promises; returns
/// the formatted text.
#[track_caller]
fn check_promises(name: &str, text: &str) -> String {
    let parsed = parse_file(FileId(0), text)
        .unwrap_or_else(|errors| panic!("{name} does not parse: {errors:#?}"));
    let formatted = format_source(&parsed, text);
    let reparsed = parse_file(FileId(0), &formatted).unwrap_or_else(|errors| {
        panic!("{name}: the formatted text does not parse: {errors:#?}\n{formatted}")
    });
    assert_eq!(
        without_spans(&reparsed),
        without_spans(&parsed),
        "{name}: formatting changed the tree\n--- input\n{text}\n--- output\n{formatted}"
    );
    assert_eq!(
        comment_texts(&reparsed),
        comment_texts(&parsed),
        "{name}: formatting lost or reordered comments\n{formatted}"
    );
    let again = format_source(&reparsed, &formatted);
    assert_eq!(
        again, formatted,
        "{name}: formatting is not idempotent\n--- input\n{text}"
    );
    assert!(
        formatted.is_empty() || (formatted.ends_with('\n') && !formatted.ends_with("\n\n")),
        "{name}: the output must end in exactly one newline"
    );
    formatted
}

#[test]
fn every_statement_form_keeps_its_promises() {
    check_promises("EVERY_FORM", EVERY_FORM);
}

#[test]
fn every_expression_form_keeps_its_promises() {
    check_promises("EXPRESSIONS", EXPRESSIONS);
}

#[test]
fn commented_program_keeps_its_promises() {
    check_promises("COMMENTED", COMMENTED);
}

#[test]
fn odd_comments_move_but_survive() {
    let expected = r#"if $a {
	$x = 1
} else {
	# between the brace and else
	$x = 2
} # after the else block
$b = 1 # after the equals
File["a"] -> Exec["b"] # in an edge
$t struct{a int; b str} = $s # in a type
func f(
	# no parameters
) {
	# before the body
	1
	# after the body
}
include g(
	# no arguments
)
$v = if $c { # after then
	1 # the one
} else { # before else
	2
}
$w = func($x) { # lambda
	$x
}
$p = (1) # in parens
$s = "multi\nline" # after a string
$q = [
	$a, # first
	$b,
]
"#;
    assert_eq!(check_promises("ODD_COMMENTS", ODD_COMMENTS), expected);
}

#[test]
fn commented_program_layout() {
    let expected = r#"# A file header.

# About the class.
class web($port int) { # trailing the brace
	# Before the resource.
	http:server "s" {
		# Before an entry.
		address => fmt.printf(":%d", $port), # trailing an entry

		# After a blank line.
		Meta:noop => true,
		# Before the closing brace.
	}
	$list = [
		1, # one
		# own line in a list
		2,
	]
	$total = $a + $b # inside an expression
} # trailing the class

# Between the class and the include.
include web(
	80, # the port
)
$empty = [
	# nothing here
]
if $x {
	# only a comment
} else {
	$y = 1
}
# At the very end.
"#;
    assert_eq!(check_promises("COMMENTED", COMMENTED), expected);
}

/// Each inline program with one comment added, in turn, on its own line
/// before every line and at the end of every line: wherever a comment can
/// stand, the promises must still hold.
#[test]
fn a_comment_anywhere_keeps_the_promises() {
    let mut checked = 0;
    for (name, program) in [
        ("EVERY_FORM", EVERY_FORM),
        ("EXPRESSIONS", EXPRESSIONS),
        ("COMMENTED", COMMENTED),
        ("ODD_COMMENTS", ODD_COMMENTS),
    ] {
        let lines: Vec<&str> = program.lines().collect();
        for position in 0..lines.len() {
            let indentation: String = lines[position]
                .chars()
                .take_while(|character| character.is_whitespace())
                .collect();
            let mut before = lines.clone();
            let own_line = format!("{indentation}# added {position}");
            before.insert(position, &own_line);
            let mut after = lines.clone();
            let trailing = format!("{} # added {position}", lines[position]);
            after[position] = &trailing;
            for variant in [before.join("\n"), after.join("\n")] {
                if parse_file(FileId(0), &variant).is_ok() {
                    check_promises(
                        &format!("{name} with a comment at line {position}"),
                        &variant,
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} variants parsed");
}

/// The same programs spread out with a line break after every comma and
/// opening bracket, and formatted output re-indented with spaces.
#[test]
fn layout_changes_keep_the_promises() {
    for (name, program) in [("EVERY_FORM", EVERY_FORM), ("EXPRESSIONS", EXPRESSIONS)] {
        // Lines with a comment are left alone: a break would end the comment.
        let spread: Vec<String> = program
            .lines()
            .map(|line| match line.contains('#') {
                true => line.to_owned(),
                false => line
                    .replace(", ", ",\n")
                    .replace('[', "[\n")
                    .replace('(', "(\n"),
            })
            .collect();
        check_promises(&format!("{name} spread out"), &spread.join("\n"));
        let formatted = check_promises(name, program);
        let indented = formatted.replace('\t', "    ");
        assert_eq!(check_promises(name, &indented), formatted);
    }
}

/// Each inline program with one line removed, in turn: whatever still parses
/// (an unbalanced block does not) is one more program to check.
#[test]
fn every_line_removed_in_turn_keeps_the_promises() {
    for (name, program) in [
        ("EVERY_FORM", EVERY_FORM),
        ("EXPRESSIONS", EXPRESSIONS),
        ("COMMENTED", COMMENTED),
        ("ODD_COMMENTS", ODD_COMMENTS),
    ] {
        let lines: Vec<&str> = program.lines().collect();
        for position in 0..lines.len() {
            let mut shorter = lines.clone();
            shorter.remove(position);
            let variant = shorter.join("\n");
            if parse_file(FileId(0), &variant).is_ok() {
                check_promises(&format!("{name} without line {position}"), &variant);
            }
        }
    }
}

/// What may stand between two elements of a generated expression: the
/// separators decide the layout, the comments test their placement.
const SEPARATORS: &[&str] = &[", ", ",", ",\n", " ,\n\t", ", # note\n", ",\n# own line\n"];

/// Expressions built from every form, nested at random, with random line
/// breaks and comments between elements. Some do not parse (comparisons do
/// not chain); those are skipped.
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(
        &[
            "$a",
            "$ns.b",
            "1",
            "-2",
            "2.50",
            "true",
            "\"s ${x} \\$ \\${y}\"",
            "\"\"",
            "[]",
            "{}",
            "struct{}",
        ][..],
    )
    .prop_map(str::to_owned);
    leaf.prop_recursive(4, 48, 4, |inner| {
        let separator = prop::sample::select(SEPARATORS);
        prop_oneof![
            (
                prop::collection::vec(inner.clone(), 1..4),
                separator.clone()
            )
                .prop_map(|(items, sep)| format!("[{}]", items.join(sep))),
            (
                prop::collection::vec((inner.clone(), inner.clone()), 1..3),
                separator.clone()
            )
                .prop_map(|(pairs, sep)| {
                    let entries: Vec<String> = pairs
                        .iter()
                        .map(|(key, value)| format!("{key} => {value}"))
                        .collect();
                    format!("{{{}}}", entries.join(sep))
                }),
            (inner.clone(), separator.clone())
                .prop_map(|(value, sep)| format!("struct{{f => {value}{sep}g => 1}}")),
            (prop::collection::vec(inner.clone(), 0..3), separator)
                .prop_map(|(args, sep)| format!("fmt.printf({})", args.join(sep))),
            inner.clone().prop_map(|value| format!("({value})")),
            inner.clone().prop_map(|value| format!("not {value}")),
            inner.clone().prop_map(|value| format!("{value}[0]")),
            inner.clone().prop_map(|value| format!("{value}->port")),
            inner
                .clone()
                .prop_map(|value| format!("func($x int) {{ {value} }}")),
            inner
                .clone()
                .prop_map(|value| format!("func($x) {{\n{value}\n}}(1)")),
            (
                inner.clone(),
                inner.clone(),
                prop::sample::select(&["+", "-", "*", "/", "<|>", "and", "or", "==", "in"][..])
            )
                .prop_map(|(left, right, op)| format!("{left} {op} {right}")),
            (inner.clone(), inner.clone(), any::<bool>()).prop_map(|(then, otherwise, spread)| {
                match spread {
                    true => format!("if $c {{\n{then}\n}} else {{ {otherwise} }}"),
                    false => format!("if $c {{ {then} }} else {{ {otherwise} }}"),
                }
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_programs_keep_the_promises(
        value in expression(),
        name in expression(),
    ) {
        let program = format!(
            "$v = {value}\nfile {name} {{\n\tcontent => {value}, # c\n}}\n"
        );
        if parse_file(FileId(0), &program).is_ok() {
            check_promises("generated", &program);
        }
    }
}

fn mcl_files(directory: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            mcl_files(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "mcl") {
            found.push(path);
        }
    }
}

/// Every `.mcl` file of the corpus and the examples that parses. The
/// directories fill up as the project grows; files that do not parse are
/// the parser's tests, not the formatter's.
#[test]
fn corpus_and_examples_keep_their_promises() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    mcl_files(&root.join("tests/corpus"), &mut files);
    mcl_files(&root.join("examples"), &mut files);
    files.sort();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if parse_file(FileId(0), &text).is_ok() {
            check_promises(&path.display().to_string(), &text);
        }
    }
}
