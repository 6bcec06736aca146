//! Parsing Go text/template source into a tree of [`Node`]s.
//!
//! Covers the language that configuration templates use: text and `{{...}}`
//! actions with `{{-`/`-}}` trimming and `{{/* comments */}}`; pipelines of
//! commands joined by `|`; operands `.`, `.field.chain`, `$`, `$var.field`,
//! literals (strings, raw strings, numbers, `true`, `false`, `nil`),
//! function names and parenthesised pipelines; variable declarations and
//! assignments; and `if`/`else if`/`else`, `range` (with `$i, $v :=`),
//! `with`, `break`, `continue` and `end`. `define`, `template` and `block`
//! (named templates) are refused with a message saying so.

use super::position::{Lines, Position};
use mcl_compiler::value::Value;

/// A parsed template, or a message with the line it concerns.
pub(crate) type Parsed<T> = Result<T, String>;

/// How deeply blocks and parentheses may nest.
const MAX_DEPTH: usize = 100;

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    Text(String),
    /// `{{pipeline}}`: prints its value, unless it declares variables.
    Action {
        line: usize,
        pipe: Pipeline,
    },
    If {
        line: usize,
        pipe: Pipeline,
        then: Vec<Node>,
        otherwise: Vec<Node>,
    },
    With {
        line: usize,
        pipe: Pipeline,
        then: Vec<Node>,
        otherwise: Vec<Node>,
    },
    Range {
        line: usize,
        pipe: Pipeline,
        then: Vec<Node>,
        otherwise: Vec<Node>,
    },
    Break {
        line: usize,
    },
    Continue {
        line: usize,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Pipeline {
    /// Variables declared (`$x :=`) or assigned (`$x =`) with its value.
    pub vars: Vec<String>,
    pub assign: bool,
    pub commands: Vec<Command>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Command {
    pub operands: Vec<Operand>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Operand {
    /// `.` followed by fields: `.`, `.a`, `.a.b`.
    Dot(Vec<Field>),
    /// `$`, `$x`, `$x.a`.
    Var(String, Vec<Field>),
    Function(String),
    Literal(Value),
    Nil,
    /// `(pipeline)`, possibly followed by fields.
    Pipe(Box<Pipeline>, Vec<Field>),
}

/// One `.name` of a field chain, and where its `.` is, so that a field or
/// key the data lacks is reported exactly there.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Field {
    pub name: String,
    pub at: Position,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Field(Field),
    Dot,
    Var(String),
    Ident(String),
    Literal(Value),
    Nil,
    Pipe,
    Open,
    Close,
    Declare,
    Assign,
    Comma,
}

/// A token and whether whitespace came before it (`.a.b` is one operand,
/// `.a .b` two).
#[derive(Clone, Debug)]
struct Spaced {
    token: Token,
    spaced: bool,
}

enum Item {
    Text(String),
    Action { line: usize, tokens: Vec<Spaced> },
}

pub(crate) fn parse(source: &str) -> Parsed<Vec<Node>> {
    let items = split(source, &Lines::new(source))?;
    let mut parser = Parser { items, at: 0 };
    let (nodes, end) = parser.list(0)?;
    match end {
        End::Eof => Ok(nodes),
        End::Else(line) | End::ElseAction(line, _) => {
            Err(format!("line {line}: `else` outside of if, with or range"))
        }
        End::Closed(line) => Err(format!(
            "line {line}: `end` without a matching if, with or range"
        )),
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Splits the source into text and tokenized actions, applying trim markers
/// and dropping comments.
fn split(source: &str, lines: &Lines<'_>) -> Parsed<Vec<Item>> {
    let mut items = Vec::new();
    let mut rest = source;
    let mut trim_next = false;
    while !rest.is_empty() {
        let line = source[..source.len() - rest.len()].matches('\n').count() + 1;
        let Some(open) = rest.find("{{") else {
            push_text(&mut items, rest, trim_next);
            break;
        };
        let mut text = &rest[..open];
        let mut inside = &rest[open + 2..];
        if inside.starts_with('-') && inside[1..].starts_with(is_space) {
            text = text.trim_end_matches(is_space);
            inside = &inside[1..];
        }
        push_text(&mut items, text, trim_next);
        let action_line = line + rest[..open].matches('\n').count();
        let trimmed = inside.trim_start_matches(is_space);
        if trimmed.starts_with("/*") {
            let Some(close) = trimmed.find("*/") else {
                return Err(format!("line {action_line}: unclosed comment"));
            };
            let after = trimmed[close + 2..].trim_start_matches(is_space);
            if let Some(after) = after.strip_prefix("-}}") {
                trim_next = true;
                rest = after;
            } else if let Some(after) = after.strip_prefix("}}") {
                trim_next = false;
                rest = after;
            } else {
                return Err(format!("line {action_line}: a comment must end the action"));
            }
            continue;
        }
        let base = source.len() - inside.len();
        let (tokens, after, trim) =
            lex_action(inside, action_line, |at| lines.position(base + at))?;
        items.push(Item::Action {
            line: action_line,
            tokens,
        });
        trim_next = trim;
        rest = after;
    }
    Ok(items)
}

fn push_text(items: &mut Vec<Item>, text: &str, trim_start: bool) {
    let text = if trim_start {
        text.trim_start_matches(is_space)
    } else {
        text
    };
    if !text.is_empty() {
        items.push(Item::Text(text.to_owned()));
    }
}

/// The tokens of one action, the source after its `}}`, and whether it
/// ended with a trim marker; `position` places a byte of the action's text
/// in the whole template.
fn lex_action(
    source: &str,
    line: usize,
    position: impl Fn(usize) -> Position,
) -> Parsed<(Vec<Spaced>, &str, bool)> {
    let error = |message: &str| Err(format!("line {line}: {message}"));
    let mut tokens = Vec::new();
    let mut chars = source.char_indices().peekable();
    let mut spaced = true;
    while let Some(&(at, c)) = chars.peek() {
        let rest = &source[at..];
        if rest.starts_with("}}") {
            return Ok((tokens, &source[at + 2..], false));
        }
        if is_space(c) {
            let after = rest.trim_start_matches(is_space);
            if let Some(after) = after.strip_prefix("-}}") {
                return Ok((tokens, after, true));
            }
            chars.next();
            spaced = true;
            continue;
        }
        let token = match c {
            '|' => single(&mut chars, Token::Pipe),
            '(' => single(&mut chars, Token::Open),
            ')' => single(&mut chars, Token::Close),
            ',' => single(&mut chars, Token::Comma),
            '=' => single(&mut chars, Token::Assign),
            ':' => {
                chars.next();
                if chars.next_if(|(_, c)| *c == '=').is_none() {
                    return error("expected `:=`");
                }
                Token::Declare
            }
            '.' => {
                chars.next();
                let name = word(&mut chars);
                if name.is_empty() {
                    if chars.peek().is_some_and(|(_, c)| c.is_ascii_digit()) {
                        return error("a number must start with a digit");
                    }
                    Token::Dot
                } else {
                    Token::Field(Field {
                        name,
                        at: position(at),
                    })
                }
            }
            '$' => {
                chars.next();
                Token::Var(format!("${}", word(&mut chars)))
            }
            '"' => Token::Literal(Value::Str(quoted(&mut chars, line)?)),
            '`' => {
                chars.next();
                let mut text = String::new();
                loop {
                    match chars.next() {
                        Some((_, '`')) => break,
                        Some((_, c)) => text.push(c),
                        None => return error("unterminated raw string"),
                    }
                }
                Token::Literal(Value::Str(text))
            }
            c if c.is_ascii_digit() || c == '-' || c == '+' => number(&mut chars, line)?,
            c if c.is_alphabetic() || c == '_' => {
                let name = word(&mut chars);
                match name.as_str() {
                    "true" => Token::Literal(Value::Bool(true)),
                    "false" => Token::Literal(Value::Bool(false)),
                    "nil" => Token::Nil,
                    _ => Token::Ident(name),
                }
            }
            other => return error(&format!("unexpected `{other}` in an action")),
        };
        tokens.push(Spaced { token, spaced });
        spaced = false;
    }
    error("unclosed action: `}}` is missing")
}

type Chars<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

fn single(chars: &mut Chars<'_>, token: Token) -> Token {
    chars.next();
    token
}

fn word(chars: &mut Chars<'_>) -> String {
    let mut name = String::new();
    while let Some((_, c)) = chars.next_if(|(_, c)| c.is_alphanumeric() || *c == '_') {
        name.push(c);
    }
    name
}

fn quoted(chars: &mut Chars<'_>, line: usize) -> Parsed<String> {
    chars.next();
    let mut text = String::new();
    let bad = |what: &str| format!("line {line}: {what} in a string");
    loop {
        let Some((_, c)) = chars.next() else {
            return Err(bad("unterminated quote"));
        };
        match c {
            '"' => return Ok(text),
            '\n' => return Err(bad("a newline")),
            '\\' => {
                let Some((_, escape)) = chars.next() else {
                    return Err(bad("unterminated quote"));
                };
                let digits = |chars: &mut Chars<'_>, count: usize| -> Option<char> {
                    let hex: String = (0..count)
                        .filter_map(|_| chars.next().map(|(_, c)| c))
                        .collect();
                    u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                };
                text.push(match escape {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'v' => '\u{b}',
                    '\\' => '\\',
                    '"' => '"',
                    '\'' => '\'',
                    'x' => digits(chars, 2).ok_or_else(|| bad("a bad \\x escape"))?,
                    'u' => digits(chars, 4).ok_or_else(|| bad("a bad \\u escape"))?,
                    'U' => digits(chars, 8).ok_or_else(|| bad("a bad \\U escape"))?,
                    other => return Err(bad(&format!("the unknown escape `\\{other}`"))),
                });
            }
            c => text.push(c),
        }
    }
}

fn number(chars: &mut Chars<'_>, line: usize) -> Parsed<Token> {
    let mut text = String::new();
    while let Some((_, c)) =
        chars.next_if(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-'))
    {
        // A sign is part of the number only at its start or after an exponent.
        if matches!(c, '+' | '-') && !(text.is_empty() || text.ends_with(['e', 'E'])) {
            return Err(format!("line {line}: bad number syntax: `{text}{c}`"));
        }
        text.push(c);
    }
    let plain = text.replace('_', "");
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(digits) => (-1, digits),
        None => (1, plain.strip_prefix('+').unwrap_or(&plain)),
    };
    let integer = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i64::from_str_radix(hex, 16).ok()
    } else {
        digits.parse::<i64>().ok()
    };
    if let Some(value) = integer {
        return Ok(Token::Literal(Value::Int(sign * value)));
    }
    match plain.parse::<f64>() {
        Ok(value)
            if value.is_finite()
                && !digits.is_empty()
                && digits.starts_with(|c: char| c.is_ascii_digit()) =>
        {
            Ok(Token::Literal(Value::Float(value)))
        }
        _ => Err(format!("line {line}: bad number syntax: `{text}`")),
    }
}

/// How a list of nodes ended.
enum End {
    Eof,
    /// `{{end}}`.
    Closed(usize),
    Else(usize),
    /// `{{else if ...}}` or `{{else with ...}}`: the keyword's tokens.
    ElseAction(usize, Vec<Spaced>),
}

struct Parser {
    items: Vec<Item>,
    at: usize,
}

impl Parser {
    fn list(&mut self, depth: usize) -> Parsed<(Vec<Node>, End)> {
        if depth > MAX_DEPTH {
            return Err("the template nests too deeply".to_owned());
        }
        let mut nodes = Vec::new();
        while self.at < self.items.len() {
            let item = std::mem::replace(&mut self.items[self.at], Item::Text(String::new()));
            self.at += 1;
            let (line, tokens) = match item {
                Item::Text(text) => {
                    nodes.push(Node::Text(text));
                    continue;
                }
                Item::Action { line, tokens } => (line, tokens),
            };
            let keyword = match tokens.first().map(|spaced| &spaced.token) {
                Some(Token::Ident(name)) => name.clone(),
                _ => String::new(),
            };
            let rest = tokens.get(1..).unwrap_or_default().to_vec();
            match keyword.as_str() {
                "end" => {
                    expect_empty(&rest, line, "end")?;
                    return Ok((nodes, End::Closed(line)));
                }
                "else" => {
                    if rest.is_empty() {
                        return Ok((nodes, End::Else(line)));
                    }
                    return Ok((nodes, End::ElseAction(line, rest)));
                }
                "if" | "with" | "range" => nodes.push(self.block(&keyword, line, &rest, depth)?),
                "break" => {
                    expect_empty(&rest, line, "break")?;
                    nodes.push(Node::Break { line });
                }
                "continue" => {
                    expect_empty(&rest, line, "continue")?;
                    nodes.push(Node::Continue { line });
                }
                "define" | "template" | "block" => {
                    return Err(format!(
                        "line {line}: `{keyword}` (named templates) is not supported"
                    ))
                }
                _ => nodes.push(Node::Action {
                    line,
                    pipe: pipeline(&tokens, line, true, depth)?,
                }),
            }
        }
        Ok((nodes, End::Eof))
    }

    /// An `if`, `with` or `range` block, whose keyword was just read.
    fn block(
        &mut self,
        keyword: &str,
        line: usize,
        tokens: &[Spaced],
        depth: usize,
    ) -> Parsed<Node> {
        if tokens.is_empty() {
            return Err(format!("line {line}: missing value for {keyword}"));
        }
        let pipe = pipeline(tokens, line, true, depth)?;
        if keyword == "range" && pipe.vars.len() > 2 {
            return Err(format!("line {line}: range takes at most two variables"));
        }
        if keyword != "range" && pipe.vars.len() > 1 {
            return Err(format!("line {line}: {keyword} takes at most one variable"));
        }
        let (then, end) = self.list(depth + 1)?;
        let otherwise = match end {
            End::Eof => return Err(format!("line {line}: `{keyword}` has no matching `end`")),
            End::Closed(_) => Vec::new(),
            End::Else(_) => {
                let (otherwise, end) = self.list(depth + 1)?;
                match end {
                    End::Closed(_) => otherwise,
                    End::Eof => {
                        return Err(format!("line {line}: `{keyword}` has no matching `end`"))
                    }
                    End::Else(at) | End::ElseAction(at, _) => {
                        return Err(format!("line {at}: a second `else` in one `{keyword}`"))
                    }
                }
            }
            End::ElseAction(at, chained) => {
                // `{{else if x}}` is `{{else}}{{if x}}...{{end}}` sharing the end.
                let next = match chained.first().map(|spaced| &spaced.token) {
                    Some(Token::Ident(name)) if name == "if" || name == "with" => name.clone(),
                    _ => {
                        return Err(format!(
                            "line {at}: expected `else`, `else if` or `else with`"
                        ))
                    }
                };
                vec![self.block(&next, at, &chained[1..], depth + 1)?]
            }
        };
        Ok(match keyword {
            "if" => Node::If {
                line,
                pipe,
                then,
                otherwise,
            },
            "with" => Node::With {
                line,
                pipe,
                then,
                otherwise,
            },
            _ => Node::Range {
                line,
                pipe,
                then,
                otherwise,
            },
        })
    }
}

fn expect_empty(tokens: &[Spaced], line: usize, keyword: &str) -> Parsed<()> {
    if tokens.is_empty() {
        Ok(())
    } else {
        Err(format!("line {line}: unexpected words after `{keyword}`"))
    }
}

/// A pipeline, with its variable declaration when `declarations` allows one.
fn pipeline(tokens: &[Spaced], line: usize, declarations: bool, depth: usize) -> Parsed<Pipeline> {
    if depth > MAX_DEPTH {
        return Err(format!("line {line}: the pipeline nests too deeply"));
    }
    let mut vars = Vec::new();
    let mut assign = false;
    let mut at = 0;
    // `$x :=`, `$x =`, `$i, $v :=`
    let mut names = Vec::new();
    let mut scan = 0;
    while let Some(Token::Var(name)) = tokens.get(scan).map(|spaced| &spaced.token) {
        names.push(name.clone());
        match tokens.get(scan + 1).map(|spaced| &spaced.token) {
            Some(Token::Comma) => scan += 2,
            Some(Token::Declare) | Some(Token::Assign) => {
                assign = matches!(tokens[scan + 1].token, Token::Assign);
                vars = names;
                at = scan + 2;
                break;
            }
            _ => break,
        }
    }
    if !vars.is_empty() && !declarations {
        return Err(format!(
            "line {line}: variables cannot be declared inside parentheses"
        ));
    }
    let mut commands = Vec::new();
    let mut current = Vec::new();
    while at < tokens.len() {
        let token = &tokens[at].token;
        at += 1;
        let operand = match token {
            Token::Pipe => {
                if current.is_empty() {
                    return Err(format!("line {line}: missing command before `|`"));
                }
                commands.push(Command {
                    operands: std::mem::take(&mut current),
                });
                continue;
            }
            Token::Dot => Operand::Dot(fields(tokens, &mut at)),
            Token::Field(field) => {
                let mut chain = vec![field.clone()];
                chain.extend(fields(tokens, &mut at));
                Operand::Dot(chain)
            }
            Token::Var(name) => Operand::Var(name.clone(), fields(tokens, &mut at)),
            Token::Ident(name) => Operand::Function(name.clone()),
            Token::Literal(value) => Operand::Literal(value.clone()),
            Token::Nil => Operand::Nil,
            Token::Open => {
                let start = at;
                let mut level = 1;
                while at < tokens.len() && level > 0 {
                    match tokens[at].token {
                        Token::Open => level += 1,
                        Token::Close => level -= 1,
                        _ => {}
                    }
                    at += 1;
                }
                if level > 0 {
                    return Err(format!("line {line}: unclosed `(`"));
                }
                let inner = pipeline(&tokens[start..at - 1], line, false, depth + 1)?;
                if inner.commands.is_empty() {
                    return Err(format!("line {line}: empty parentheses"));
                }
                Operand::Pipe(Box::new(inner), fields(tokens, &mut at))
            }
            Token::Close => return Err(format!("line {line}: unexpected `)`")),
            Token::Declare | Token::Assign | Token::Comma => {
                return Err(format!("line {line}: unexpected `:=`, `=` or `,`"))
            }
        };
        current.push(operand);
    }
    if !current.is_empty() {
        commands.push(Command { operands: current });
    } else if !commands.is_empty() {
        return Err(format!("line {line}: missing command after `|`"));
    }
    if commands.is_empty() {
        return Err(format!("line {line}: missing value"));
    }
    Ok(Pipeline {
        vars,
        assign,
        commands,
    })
}

/// Field names that follow an operand without a space: `.a.b`, `$x.a`.
fn fields(tokens: &[Spaced], at: &mut usize) -> Vec<Field> {
    let mut chain = Vec::new();
    while let Some(Spaced {
        token: Token::Field(field),
        spaced: false,
    }) = tokens.get(*at)
    {
        chain.push(field.clone());
        *at += 1;
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_pipe(source: &str) -> Pipeline {
        match parse(source).unwrap().remove(0) {
            Node::Action { pipe, .. } => pipe,
            other => panic!("not an action: {other:?}"),
        }
    }

    #[test]
    fn text_and_trimming() {
        let nodes = parse("a  {{- 1 -}}  b").unwrap();
        assert_eq!(nodes[0], Node::Text("a".to_owned()));
        assert_eq!(nodes[2], Node::Text("b".to_owned()));
        assert_eq!(parse("x {{/* note */}} y").unwrap().len(), 2);
        assert_eq!(
            parse("x {{- /* note */ -}} y").unwrap(),
            [Node::Text("x".to_owned()), Node::Text("y".to_owned())]
        );
    }

    #[test]
    fn operands_and_pipelines() {
        let pipe = first_pipe("{{ .a.b .c | printf \"%s\" $x.y (len .) }}");
        assert_eq!(pipe.commands.len(), 2);
        let field = |name: &str, column| Field {
            name: name.to_owned(),
            at: Position { line: 1, column },
        };
        assert_eq!(
            pipe.commands[0].operands,
            [
                Operand::Dot(vec![field("a", 4), field("b", 6)]),
                Operand::Dot(vec![field("c", 9)])
            ]
        );
        assert_eq!(pipe.commands[1].operands.len(), 4);
        assert_eq!(
            first_pipe("{{-3}}").commands[0].operands,
            [Operand::Literal(Value::Int(-3))]
        );
        assert_eq!(
            first_pipe("{{ 1.5 }}").commands[0].operands,
            [Operand::Literal(Value::Float(1.5))]
        );
        assert_eq!(
            first_pipe("{{ 0x1F }}").commands[0].operands,
            [Operand::Literal(Value::Int(31))]
        );
        assert_eq!(
            first_pipe(r#"{{ "a\tb" }}"#).commands[0].operands,
            [Operand::Literal(Value::str("a\tb"))]
        );
    }

    #[test]
    fn fields_know_their_line_and_column() {
        let nodes = parse("a\n  {{ if .x }}\nç{{ $v.y.z }}{{ end }}").unwrap();
        let Node::If { pipe, then, .. } = &nodes[1] else {
            panic!("an if: {nodes:?}")
        };
        let Operand::Dot(chain) = &pipe.commands[0].operands[0] else {
            panic!("a field")
        };
        assert_eq!(chain[0].at, Position { line: 2, column: 9 });
        let Node::Action { pipe, .. } = &then[1] else {
            panic!("an action: {then:?}")
        };
        let Operand::Var(_, chain) = &pipe.commands[0].operands[0] else {
            panic!("a variable")
        };
        assert_eq!(chain[1].at, Position { line: 3, column: 9 });
    }

    #[test]
    fn declarations() {
        let pipe = first_pipe("{{ $x := 1 }}");
        assert_eq!(pipe.vars, ["$x"]);
        assert!(!pipe.assign);
        assert!(first_pipe("{{ $x = 2 }}").assign);
        match &parse("{{ range $i, $v := . }}{{ end }}").unwrap()[0] {
            Node::Range { pipe, .. } => assert_eq!(pipe.vars, ["$i", "$v"]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn blocks_nest_and_chain() {
        let nodes = parse("{{if .a}}A{{else if .b}}B{{else}}C{{end}}").unwrap();
        let Node::If { otherwise, .. } = &nodes[0] else {
            panic!("an if")
        };
        assert!(matches!(&otherwise[0], Node::If { .. }));
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            parse("a\n{{ if . }}").unwrap_err(),
            "line 2: `if` has no matching `end`"
        );
        assert_eq!(
            parse("{{ end }}").unwrap_err(),
            "line 1: `end` without a matching if, with or range"
        );
        assert!(parse("{{ .a ").unwrap_err().contains("unclosed action"));
        assert!(parse("{{ \"abc }}")
            .unwrap_err()
            .contains("unterminated quote"));
        assert!(parse("{{ define \"x\" }}{{ end }}")
            .unwrap_err()
            .contains("not supported"));
        assert!(parse("{{ ( }}").unwrap_err().contains("unclosed"));
        assert!(parse("{{ | }}").unwrap_err().contains("missing command"));
        assert!(parse(&"{{if 1}}".repeat(200)).is_err());
    }
}
