//! What an editor asks a checked program: the type of the expression under
//! the cursor and where the name under the cursor is defined.

use mcl_compiler::compile::{check, check_with_facts, CheckedProgram};
use mcl_compiler::facts::Definition;
use mcl_compiler::load::MemoryLoader;
use mcl_compiler::types::Type;
use mcl_grammar::{FileId, SourceMap, Span};
use std::sync::Arc;

const PROGRAM: &str = r#"import "fmt"
import "strings"

$greeting = "hello"
func twice($x) {
  $x + $x
}
func same($v) {
  $v
}
class shout($n) {
  print "shout" {
    msg => fmt.printf("%d %s", twice($n), strings.to_lower($greeting)),
  }
}
include shout(21)
$label = same("x") + fmt.printf("%d", same(1))
file "/tmp/facts" {
  content => $greeting + $label,
  mode => "0644",
}
"#;

struct Checked {
    program: CheckedProgram,
    file: FileId,
}

impl Checked {
    fn new() -> Checked {
        let toolbox = mgmt::toolbox::toolbox(Arc::new(mcl_stdlib::MemoryHost::new()));
        let mut sources = SourceMap::new();
        let program = check_with_facts(
            &MemoryLoader::default(),
            &mut sources,
            "main.mcl",
            Some(PROGRAM.to_owned()),
            &toolbox,
        )
        .unwrap_or_else(|diagnostics| panic!("the program checks: {diagnostics:?}"));
        let (file, _) = sources
            .files()
            .find(|(_, source)| source.name() == "main.mcl")
            .expect("the entry file is in the source map");
        Checked { program, file }
    }

    /// The byte offset of the `nth` (from 0) occurrence of `needle`, plus `into`.
    fn at(&self, needle: &str, nth: usize, into: usize) -> u32 {
        let start = PROGRAM
            .match_indices(needle)
            .nth(nth)
            .unwrap_or_else(|| panic!("`{needle}` occurs {} times", nth + 1))
            .0;
        u32::try_from(start + into).expect("small program")
    }

    fn types(&self, needle: &str, nth: usize, into: usize) -> (String, Vec<Type>) {
        let (span, types) = self
            .program
            .type_at(self.file, self.at(needle, nth, into))
            .expect("an expression there");
        (text(span).to_owned(), types)
    }

    fn definition(&self, needle: &str, nth: usize, into: usize) -> (String, Definition) {
        let (span, definition) = self
            .program
            .definition_at(self.file, self.at(needle, nth, into))
            .expect("a name there");
        (text(span).to_owned(), definition.clone())
    }
}

fn text(span: Span) -> &'static str {
    &PROGRAM[span.start as usize..span.end as usize]
}

fn source_text(definition: &Definition) -> &'static str {
    match definition {
        Definition::Source(span) => text(*span),
        other => panic!("not a declaration in the program: {other:?}"),
    }
}

#[test]
fn the_innermost_expression_has_its_type() {
    let checked = Checked::new();
    assert_eq!(
        checked.types("\"hello\"", 0, 1),
        ("\"hello\"".to_owned(), vec![Type::Str])
    );
    assert_eq!(
        checked.types("twice($n)", 0, 1),
        ("twice($n)".to_owned(), vec![Type::Int])
    );
    assert_eq!(
        checked.types("$x + $x", 0, 3),
        ("$x + $x".to_owned(), vec![Type::Int])
    );
    assert_eq!(checked.types("0644", 0, 0).1, vec![Type::Str]);
    assert_eq!(
        checked.types("content => ", 0, 12),
        ("$greeting".to_owned(), vec![Type::Str])
    );
}

#[test]
fn a_polymorphic_function_body_has_each_type_it_was_used_with() {
    let checked = Checked::new();
    let (shown, types) = checked.types("  $v\n", 0, 3);
    assert_eq!(shown, "$v");
    assert_eq!(types, vec![Type::Str, Type::Int]);
}

#[test]
fn names_lead_to_their_definitions() {
    let checked = Checked::new();
    let (used, greeting) = checked.definition("$greeting", 1, 2);
    assert_eq!(used, "$greeting");
    assert_eq!(source_text(&greeting), "$greeting");
    assert_eq!(greeting, checked.definition("$greeting", 2, 1).1);
    let Definition::Source(declared) = greeting else {
        unreachable!()
    };
    assert_eq!(
        declared.start as usize,
        PROGRAM.find("$greeting =").unwrap()
    );

    let (_, twice) = checked.definition("twice($n)", 0, 2);
    assert_eq!(source_text(&twice), "twice");

    let (_, parameter) = checked.definition("$x + $x", 0, 6);
    assert_eq!(source_text(&parameter), "$x");

    let (_, class) = checked.definition("include shout", 0, 9);
    assert_eq!(source_text(&class), "shout");
    let Definition::Source(class) = class else {
        unreachable!()
    };
    assert_eq!(class.start as usize, PROGRAM.find("shout($n)").unwrap());

    assert_eq!(
        checked.definition("fmt.printf", 0, 5).1,
        Definition::Core("fmt.printf".into())
    );
    assert_eq!(
        checked.definition("\"strings\"", 0, 3).1,
        Definition::Core("strings".into())
    );
    assert_eq!(
        checked.definition("content", 0, 2).1,
        Definition::Field {
            kind: "file",
            field: "content"
        }
    );
}

#[test]
fn positions_outside_any_name_have_no_definition() {
    let checked = Checked::new();
    assert_eq!(checked.program.definition_at(checked.file, 0), None);
    assert!(checked
        .program
        .facts()
        .is_some_and(|facts| facts.expressions() > 20));
}

#[test]
fn a_plain_check_keeps_no_facts() {
    let toolbox = mgmt::toolbox::toolbox(Arc::new(mcl_stdlib::MemoryHost::new()));
    let mut sources = SourceMap::new();
    let program = check(
        &MemoryLoader::default(),
        &mut sources,
        "main.mcl",
        Some(PROGRAM.to_owned()),
        &toolbox,
    )
    .expect("the program checks");
    assert!(program.facts().is_none());
    assert_eq!(program.type_at(FileId(0), 60), None);
}
