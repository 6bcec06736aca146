//! Golden token dumps: each case prints every token with its byte range, then
//! comments and errors, and compares with a snapshot.

use super::*;
use crate::token::StrPart;
use std::fmt::Write;

fn dump(text: &str) -> String {
    let lexed = lex(text);
    let mut out = String::new();
    for (start, token, end) in lexed.tokens.iter() {
        let shown = match token {
            Token::Str(parts) => {
                let parts: Vec<String> = parts
                    .iter()
                    .map(|part| match part {
                        StrPart::Text(text) => format!("text({text:?})"),
                        StrPart::Var { name, start, end } => format!("var({name} @{start}..{end})"),
                    })
                    .collect();
                format!("Str[{}]", parts.join(", "))
            }
            other => format!("{other:?}"),
        };
        let _ = writeln!(out, "{start}..{end} {shown}");
    }
    for comment in &lexed.comments {
        let _ = writeln!(
            out,
            "comment {}..{} {:?}",
            comment.start, comment.end, comment.text
        );
    }
    for error in &lexed.errors {
        let _ = writeln!(out, "error {}..{} {:?}", error.start, error.end, error.kind);
    }
    out
}

#[test]
fn keywords_identifiers_and_punctuation() {
    insta::assert_snapshot!(dump(
        "if else for forkv in func class include import as panic collect and or not true false\n\
         bool str int float map struct variant\n\
         file http:server fmt.printf iter.map File Meta $x $ns.name $const.res.file.state.exists\n\
         ( ) [ ] { } , ; : . = => -> ?: <|> + - * / == != < > <= >="
    ));
}

#[test]
fn numbers_and_the_minus_that_belongs_to_them() {
    insta::assert_snapshot!(dump("$a = 42\n$b = -3\n$c = 2.5\n$d = $x -1\n$e = $x - 1\n$f = 9223372036854775807\n$g = 9223372036854775808\n"));
}

#[test]
fn every_escape_and_interpolation() {
    insta::assert_snapshot!(dump(
        r#"$s = "a\ab\bf\fn\nr\rt\tv\v\\\"\$ ${who} and ${ns.name}!$ $x"
$t = "multi
line"
$u = ""
"#
    ));
}

#[test]
fn string_errors_point_inside_the_string() {
    insta::assert_snapshot!(dump(
        "$a = \"bad \\q escape\"\n$b = \"${1 + 2}\"\n$c = \"open\n"
    ));
}

#[test]
fn newlines_inside_brackets_and_after_operators_vanish() {
    insta::assert_snapshot!(dump(
        "$l = [\n\t1,\n\t2,\n]\n\n\n$x = 1 +\n\t2\n$m = {\n\t\"a\" => 1,\n}\n"
    ));
}

#[test]
fn comments_go_aside() {
    insta::assert_snapshot!(dump("# head\n$x = 1 # trailing\n\t# indented\n"));
}

#[test]
fn bad_characters_are_reported_once_each() {
    insta::assert_snapshot!(dump("$x = 5 % 2\n$y = @\n$ = 1\n$bad_ = 2\n"));
}

#[test]
fn windows_line_endings_are_one_error() {
    let lexed = lex("$x = 1\r\n$y = 2\r\n$z = 3\r\n");
    assert_eq!(lexed.errors.len(), 1);
    assert_eq!(lexed.errors[0].kind, LexErrorKind::WindowsLineEnding);
    let lone = lex("$x = 1\r$y = 2\n");
    assert_eq!(lone.errors[0].kind, LexErrorKind::LoneCarriageReturn);
}

#[test]
fn import_star_ends_its_statement() {
    let lexed = lex("import \"x\" as *\n$y = 1\n");
    assert!(lexed
        .tokens
        .iter()
        .any(|(_, token, _)| *token == Token::Newline));
}

#[test]
fn mistakes_from_other_languages_are_one_error_with_the_meant_token() {
    let lexed = lex("$x = 'hi' && !$y || $z\n");
    let kinds: Vec<&LexErrorKind> = lexed.errors.iter().map(|error| &error.kind).collect();
    assert_eq!(
        kinds,
        [
            &LexErrorKind::SingleQuotedString,
            &LexErrorKind::ForeignOperator { meant: "and" },
            &LexErrorKind::ForeignOperator { meant: "not" },
            &LexErrorKind::ForeignOperator { meant: "or" },
        ]
    );
    let tokens: Vec<&Token> = lexed.tokens.iter().map(|(_, token, _)| token).collect();
    assert!(tokens.contains(&&Token::And) && tokens.contains(&&Token::Not));
    assert!(lex("$x = 1 != 2\n").errors.is_empty());
}

#[test]
fn a_run_of_bad_characters_is_one_error() {
    let lexed = lex("$x = @@@ + 1\n");
    assert_eq!(lexed.errors.len(), 1);
    assert_eq!((lexed.errors[0].start, lexed.errors[0].end), (5, 8));
}

#[test]
fn a_windows_line_ending_is_reported_at_its_carriage_return() {
    let lexed = lex("$x = 1\r\n");
    assert_eq!((lexed.errors[0].start, lexed.errors[0].end), (6, 7));
}

#[test]
fn a_string_left_open_on_its_line_is_cut_there() {
    let text = "$a = \"hello\n$b = \"world\"\n";
    let lexed = lex(text);
    assert_eq!(
        lexed.errors,
        [LexError {
            kind: LexErrorKind::UnclosedOnItsLine { runs_to: 18 },
            start: 5,
            end: 11,
        }]
    );
    let world = Token::Str(vec![StrPart::Text("world".to_owned())]);
    assert!(lexed.tokens.iter().any(|(_, token, _)| *token == world));
    // A string that really spans lines is left alone.
    assert!(lex("$a = \"multi\nline\" + \"x\"\n").errors.is_empty());
}

#[test]
fn brackets_know_how_far_they_reach() {
    let lexed = lex("$x = len([1, 2)\n$y = 3)\n");
    let open_paren = lexed.brackets[0];
    let open_square = lexed.brackets[1];
    assert_eq!((open_paren.open, open_paren.close), (8, Some(14)));
    assert_eq!((open_square.open, open_square.close), (9, None));
    assert_eq!(
        lexed.unclosed_around(14).map(|bracket| bracket.open),
        Some(9)
    );
    assert!(lexed.closes_nothing(22));
    assert_eq!(
        lex("$x = [1,\n").unclosed_around(9).map(|b| b.open),
        Some(5)
    );
}
