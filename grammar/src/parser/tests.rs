use super::*;
use crate::ast::*;

fn parse(text: &str) -> Program {
    match parse_file(FileId(0), text) {
        Ok(parsed) => parsed.program,
        Err(errors) => panic!("{text:?} failed: {errors:#?}"),
    }
}

fn errors(text: &str) -> Vec<SyntaxError> {
    match parse_file(FileId(0), text) {
        Ok(_) => panic!("{text:?} parsed"),
        Err(errors) => errors,
    }
}

#[test]
fn every_statement_form_parses() {
    let program = parse(
        r#"
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
"#,
    );
    assert_eq!(program.body.len(), 17);
}

#[test]
fn precedence_follows_the_table() {
    let expr = parse_expression(FileId(0), "$a <|> $b or $c and not $d == 1 + 2 * 3").unwrap();
    let ExprKind::Binary { op, .. } = &expr.kind else {
        panic!("{expr:?}")
    };
    assert_eq!(*op, BinaryOp::Except);
}

#[test]
fn newlines_end_statements() {
    let errs = errors("$x = 1 $y = 2\n");
    assert_eq!(errs.len(), 1, "{errs:#?}");
}

#[test]
fn missing_comma_in_body_is_one_error() {
    let errs = errors("file \"/a\" {\n\tcontent => \"x\"\n\tmode => \"0644\",\n}\n");
    assert_eq!(errs.len(), 1, "{errs:#?}");
}

#[test]
fn three_mistakes_three_errors() {
    let errs = errors("$a = 1 +\n$b = )\n$c = 3\n$d = ]\n$e = %\n");
    assert_eq!(errs.len(), 3, "{errs:#?}");
}
