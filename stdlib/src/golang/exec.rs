//! Running a parsed template over mcl values, as Go's text/template runs
//! over the values mgmt hands it: struct fields are read by their name or its
//! Title-cased form (`.port` or `.Port`), maps with str keys by key, and
//! values print as Go's `%v` prints them. A field or key the data lacks is
//! an error naming it and its line and column (Go would print `<no value>`
//! for the key); `index` still gives nil for a missing key, so a template
//! can test for one (`{{if index .tags "env"}}`).
//!
//! Functions are Go's built-ins (`and or not len index slice print printf
//! println eq ne lt le gt ge html urlquery`) and every core function that
//! does not change over time, named `module_function` (`strings_to_upper`)
//! or by its plain name for the built-ins of mcl (`contains`).

use super::parse::{Command, Field, Node, Operand, Pipeline};
use super::problem::Problem;
use crate::printf::{self, go_value, title, Style};
use mcl_compiler::function::{CallContext, CallShape, Function, FunctionRegistry};
use mcl_compiler::value::{CallError, Value};
use std::sync::Arc;

/// The most text one template may produce.
const MAX_OUTPUT: usize = 16 << 20;
/// The most loop iterations one template may run.
const MAX_STEPS: usize = 10_000_000;

/// A template value; `None` is Go's nil (a missing map key, `nil`).
type Datum = Option<Value>;

enum Flow {
    Normal,
    Break,
    Continue,
}

pub(crate) struct Exec<'a, 'c> {
    pub context: &'a CallContext<'c>,
    pub functions: &'a FunctionRegistry,
    vars: Vec<(String, Datum)>,
    out: String,
    steps: usize,
}

type Run<T> = Result<T, Problem>;
/// The result of a helper whose failures the caller places in the template.
type Plain<T> = Result<T, String>;

impl<'a, 'c> Exec<'a, 'c> {
    pub(crate) fn new(
        context: &'a CallContext<'c>,
        functions: &'a FunctionRegistry,
    ) -> Exec<'a, 'c> {
        Exec {
            context,
            functions,
            vars: Vec::new(),
            out: String::new(),
            steps: 0,
        }
    }

    pub(crate) fn run(mut self, nodes: &[Node], data: Datum) -> Run<String> {
        self.vars.push(("$".to_owned(), data.clone()));
        match self.list(nodes, &data)? {
            Flow::Normal => Ok(self.out),
            Flow::Break | Flow::Continue => Err(Problem::from(
                "break or continue outside of range".to_owned(),
            )),
        }
    }

    fn list(&mut self, nodes: &[Node], dot: &Datum) -> Run<Flow> {
        for node in nodes {
            let flow = self.node(node, dot)?;
            if !matches!(flow, Flow::Normal) {
                return Ok(flow);
            }
            if self.out.len() > MAX_OUTPUT {
                return Err(Problem::from(format!(
                    "the output is longer than {MAX_OUTPUT} bytes"
                )));
            }
        }
        Ok(Flow::Normal)
    }

    /// Runs `body` with the variables declared inside it dropped afterwards.
    fn scoped<T>(&mut self, body: impl FnOnce(&mut Self) -> Run<T>) -> Run<T> {
        let depth = self.vars.len();
        let result = body(self);
        self.vars.truncate(depth);
        result
    }

    fn node(&mut self, node: &Node, dot: &Datum) -> Run<Flow> {
        match node {
            Node::Text(text) => self.out.push_str(text),
            Node::Action { line, pipe } => {
                let value = self.pipeline(pipe, dot).map_err(|error| at(*line, error))?;
                if pipe.vars.is_empty() {
                    self.out.push_str(&show(&value));
                }
            }
            Node::If {
                line,
                pipe,
                then,
                otherwise,
            } => {
                return self.scoped(|exec| {
                    let value = exec.pipeline(pipe, dot).map_err(|error| at(*line, error))?;
                    if truth(&value) {
                        exec.list(then, dot)
                    } else {
                        exec.list(otherwise, dot)
                    }
                })
            }
            Node::With {
                line,
                pipe,
                then,
                otherwise,
            } => {
                return self.scoped(|exec| {
                    let value = exec.pipeline(pipe, dot).map_err(|error| at(*line, error))?;
                    if truth(&value) {
                        exec.list(then, &value)
                    } else {
                        exec.list(otherwise, dot)
                    }
                })
            }
            Node::Range {
                line,
                pipe,
                then,
                otherwise,
            } => return self.scoped(|exec| exec.range(*line, pipe, then, otherwise, dot)),
            Node::Break { .. } => return Ok(Flow::Break),
            Node::Continue { .. } => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn range(
        &mut self,
        line: usize,
        pipe: &Pipeline,
        then: &[Node],
        otherwise: &[Node],
        dot: &Datum,
    ) -> Run<Flow> {
        // The declaration binds the element, not the whole collection.
        let collection = Pipeline {
            vars: Vec::new(),
            assign: false,
            commands: pipe.commands.clone(),
        };
        let value = self
            .pipeline(&collection, dot)
            .map_err(|error| at(line, error))?;
        let items: Vec<(Value, Value)> = match &value {
            None => Vec::new(),
            Some(Value::List(values)) => values
                .iter()
                .enumerate()
                .map(|(index, value)| (Value::Int(index as i64), value.clone()))
                .collect(),
            Some(Value::Map(map)) => map
                .iter()
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect(),
            Some(Value::Int(count)) => {
                if usize::try_from(*count).unwrap_or(0) > MAX_STEPS {
                    return Err(at(line, format!("range over {count} is too long")));
                }
                (0..*count)
                    .map(|index| (Value::Int(index), Value::Int(index)))
                    .collect()
            }
            Some(other) => {
                return Err(at(
                    line,
                    format!("range can't iterate over {}", show(&Some(other.clone()))),
                ))
            }
        };
        if items.is_empty() {
            return self.list(otherwise, dot);
        }
        for (key, element) in items {
            self.steps += 1;
            if self.steps > MAX_STEPS {
                return Err(at(line, format!("more than {MAX_STEPS} loop iterations")));
            }
            let flow = self.scoped(|exec| {
                match pipe.vars.as_slice() {
                    [] => {}
                    [value] => exec.vars.push((value.clone(), Some(element.clone()))),
                    [index, value, ..] => {
                        exec.vars.push((index.clone(), Some(key)));
                        exec.vars.push((value.clone(), Some(element.clone())));
                    }
                }
                exec.list(then, &Some(element))
            })?;
            if matches!(flow, Flow::Break) {
                break;
            }
        }
        Ok(Flow::Normal)
    }

    fn pipeline(&mut self, pipe: &Pipeline, dot: &Datum) -> Run<Datum> {
        let mut value: Option<Datum> = None;
        for command in &pipe.commands {
            value = Some(self.command(command, dot, value)?);
        }
        let value = value.unwrap_or(None);
        if let Some(first) = pipe.vars.first() {
            if pipe.assign {
                let Some(slot) = self.vars.iter_mut().rev().find(|(name, _)| name == first) else {
                    return Err(Problem::from(format!("undefined variable {first}")));
                };
                slot.1 = value.clone();
            } else {
                self.vars.push((first.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    /// One command; `piped` is the previous command's value, passed as the
    /// last argument.
    fn command(&mut self, command: &Command, dot: &Datum, piped: Option<Datum>) -> Run<Datum> {
        let (first, rest) = command
            .operands
            .split_first()
            .ok_or_else(|| "empty command".to_owned())?;
        if let Operand::Function(name) = first {
            return self.call(name, rest, dot, piped);
        }
        if !rest.is_empty() || piped.is_some() {
            return Err(Problem::from(format!(
                "{} is not a function and takes no arguments",
                describe(first)
            )));
        }
        self.operand(first, dot)
    }

    fn operand(&mut self, operand: &Operand, dot: &Datum) -> Run<Datum> {
        match operand {
            Operand::Dot(chain) => walk(dot.clone(), chain),
            Operand::Var(name, chain) => {
                let Some((_, value)) = self.vars.iter().rev().find(|(var, _)| var == name) else {
                    return Err(Problem::from(format!("undefined variable {name}")));
                };
                walk(value.clone(), chain)
            }
            Operand::Literal(value) => Ok(Some(value.clone())),
            Operand::Nil => Ok(None),
            Operand::Pipe(pipe, chain) => {
                let value = self.pipeline(pipe, dot)?;
                walk(value, chain)
            }
            Operand::Function(name) => self.call(name, &[], dot, None),
        }
    }

    fn call(
        &mut self,
        name: &str,
        operands: &[Operand],
        dot: &Datum,
        piped: Option<Datum>,
    ) -> Run<Datum> {
        // `and` and `or` stop at the first value that decides them.
        if name == "and" || name == "or" {
            let mut last = None;
            let count = operands.len() + usize::from(piped.is_some());
            if count == 0 {
                return Err(Problem::from(format!("{name} needs at least one argument")));
            }
            for operand in operands {
                let value = self.operand(operand, dot)?;
                if truth(&value) == (name == "or") {
                    return Ok(value);
                }
                last = value;
            }
            return Ok(match piped {
                Some(value) => value,
                None => last,
            });
        }
        let mut args = Vec::with_capacity(operands.len() + 1);
        for operand in operands {
            args.push(self.operand(operand, dot)?);
        }
        args.extend(piped);
        if let Some(result) = builtin(name, &args) {
            return result.map_err(Problem::from);
        }
        let function = self
            .lookup(name)
            .ok_or_else(|| format!("function `{name}` is not defined"))?;
        self.call_core(name, function.as_ref(), args)
    }

    /// A core function by its template name: `len`-like plain names for the
    /// built-ins, `module_function` for the others (`golang_strings_x` for
    /// nested modules).
    fn lookup(&self, name: &str) -> Option<Arc<dyn Function>> {
        if let Some(function) = self.functions.get("", name) {
            return Some(function);
        }
        for (at, _) in name.match_indices('_') {
            let (module, function) = (&name[..at], &name[at + 1..]);
            if let Some(found) = self
                .functions
                .get(module, function)
                .or_else(|| self.functions.get(&module.replace('_', "/"), function))
            {
                return Some(found);
            }
        }
        None
    }

    fn call_core(&self, name: &str, function: &dyn Function, args: Vec<Datum>) -> Run<Datum> {
        if function.reactive() {
            return Err(Problem::from(format!(
                "`{name}` changes over time and cannot be used in a template"
            )));
        }
        let constants = vec![None; args.len()];
        let signature = function
            .signature(CallShape {
                constants: &constants,
            })
            .map_err(|error| format!("{name}: {error}"))?;
        if signature.params.len() != args.len() {
            return Err(Problem::from(format!(
                "`{name}` takes {}, not {}",
                crate::native::count(signature.params.len(), "argument"),
                args.len()
            )));
        }
        let values = args
            .into_iter()
            .map(|arg| arg.ok_or_else(|| format!("`{name}` cannot take nil")))
            .collect::<Plain<Vec<Value>>>()?;
        match function.call(self.context, values) {
            Ok(value) => Ok(Some(value)),
            Err(CallError::Catchable(message) | CallError::Fatal(message)) => {
                Err(Problem::from(format!("{name}: {message}")))
            }
        }
    }
}

fn at(line: usize, error: impl Into<Problem>) -> Problem {
    error.into().on_line(line)
}

/// `a.b` for a chain of fields.
fn names(chain: &[Field]) -> String {
    chain
        .iter()
        .map(|field| field.name.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

fn describe(operand: &Operand) -> String {
    match operand {
        Operand::Dot(chain) if chain.is_empty() => "`.`".to_owned(),
        Operand::Dot(chain) => format!("`.{}`", names(chain)),
        Operand::Var(name, chain) if chain.is_empty() => format!("`{name}`"),
        Operand::Var(name, chain) => format!("`{name}.{}`", names(chain)),
        Operand::Literal(value) => format!("the constant {value}"),
        Operand::Nil => "nil".to_owned(),
        Operand::Pipe(..) => "a parenthesized value".to_owned(),
        Operand::Function(name) => format!("`{name}`"),
    }
}

/// Reads a chain of fields from a value. A struct field or a map key that
/// the data lacks is an error at that field (Go's default would print
/// `<no value>` for the key; see docs/functions.md for why this does not).
fn walk(mut value: Datum, chain: &[Field]) -> Run<Datum> {
    for Field { name, at } in chain {
        let fail = |message: String| Err(Problem::at(*at, message));
        value = match &value {
            Some(Value::Struct(fields)) => match struct_field(fields, name) {
                Some(field) => Some(field.clone()),
                None => return fail(format!("the struct has no field {name:?}")),
            },
            Some(Value::Map(map)) => match map.get(&Value::str(name.clone())) {
                Some(found) => Some(found.clone()),
                None => return fail(format!("the map has no key {name:?}")),
            },
            Some(other) => {
                return fail(format!(
                    "can't evaluate field {name} of {}",
                    show(&Some(other.clone()))
                ))
            }
            None => return fail(format!("can't evaluate field {name} of a missing value")),
        };
    }
    Ok(value)
}

/// A struct field by its name or its Title-cased form, as mgmt reads them.
fn struct_field<'v>(fields: &'v [(String, Value)], name: &str) -> Option<&'v Value> {
    fields
        .iter()
        .find(|(field, _)| field == name)
        .or_else(|| fields.iter().find(|(field, _)| title(field) == name))
        .map(|(_, value)| value)
}

/// Go's truth: false, 0, "", nil and empty collections are false.
fn truth(value: &Datum) -> bool {
    match value {
        None => false,
        Some(Value::Bool(value)) => *value,
        Some(Value::Int(value)) => *value != 0,
        Some(Value::Float(value)) => *value != 0.0,
        Some(Value::Str(text)) => !text.is_empty(),
        Some(Value::List(values)) => !values.is_empty(),
        Some(Value::Map(map)) => !map.is_empty(),
        Some(Value::Struct(_) | Value::Func(_)) => true,
    }
}

fn show(value: &Datum) -> String {
    match value {
        Some(value) => go_value(value),
        None => "<no value>".to_owned(),
    }
}

/// Go's template built-ins (but `and`/`or`); `None` when `name` is none.
fn builtin(name: &str, args: &[Datum]) -> Option<Plain<Datum>> {
    let count = |wanted: usize| -> Plain<()> {
        if args.len() == wanted {
            Ok(())
        } else {
            Err(format!(
                "{name} takes {}, not {}",
                crate::native::count(wanted, "argument"),
                args.len()
            ))
        }
    };
    Some(match name {
        "not" => count(1).map(|()| Some(Value::Bool(!truth(&args[0])))),
        "len" => count(1).and_then(|()| match &args[0] {
            Some(Value::Str(text)) => Ok(Some(Value::Int(text.len() as i64))),
            Some(Value::List(values)) => Ok(Some(Value::Int(values.len() as i64))),
            Some(Value::Map(map)) => Ok(Some(Value::Int(map.len() as i64))),
            other => Err(format!("len of {}", show(other))),
        }),
        "index" => index(args),
        "slice" => slice(args),
        "print" => Ok(Some(Value::Str(sprint(args, false)))),
        "println" => Ok(Some(Value::Str(sprint(args, true)))),
        "printf" => sprintf(args),
        "eq" => compare_any(args),
        "ne" => count(2)
            .and_then(|()| compare_any(args))
            .map(|equal| Some(Value::Bool(!truth(&equal)))),
        "lt" | "le" | "gt" | "ge" => count(2).and_then(|()| order(name, &args[0], &args[1])),
        "html" => Ok(Some(Value::Str(html(&sprint(args, false))))),
        "urlquery" => Ok(Some(Value::Str(urlquery(&sprint(args, false))))),
        _ => return None,
    })
}

fn index(args: &[Datum]) -> Plain<Datum> {
    let Some((first, keys)) = args.split_first() else {
        return Err("index needs a value to index".to_owned());
    };
    let mut value = first.clone();
    for key in keys {
        value = match (&value, key) {
            (Some(Value::List(values)), Some(Value::Int(at))) => {
                let found = usize::try_from(*at).ok().and_then(|at| values.get(at));
                match found {
                    Some(found) => Some(found.clone()),
                    None => return Err(format!("index out of range: {at}")),
                }
            }
            (Some(Value::Map(map)), Some(key)) => map.get(key).cloned(),
            (Some(Value::Struct(fields)), Some(Value::Str(name))) => Some(
                struct_field(fields, name)
                    .ok_or_else(|| format!("the struct has no field {name:?}"))?
                    .clone(),
            ),
            (value, key) => return Err(format!("can't index {} with {}", show(value), show(key))),
        };
    }
    Ok(value)
}

fn slice(args: &[Datum]) -> Plain<Datum> {
    let Some((first, bounds)) = args.split_first() else {
        return Err("slice needs a value to slice".to_owned());
    };
    let bounds: Vec<usize> = bounds
        .iter()
        .map(|bound| match bound {
            Some(Value::Int(at)) => {
                usize::try_from(*at).map_err(|_| format!("slice index {at} is negative"))
            }
            other => Err(format!("slice index {} is not an int", show(other))),
        })
        .collect::<Plain<_>>()?;
    let length = match first {
        Some(Value::Str(text)) => text.len(),
        Some(Value::List(values)) => values.len(),
        other => return Err(format!("can't slice {}", show(other))),
    };
    let (low, high) = match bounds.as_slice() {
        [] => (0, length),
        [low] => (*low, length),
        [low, high] => (*low, *high),
        _ => return Err("slice takes at most two indexes here".to_owned()),
    };
    if low > high || high > length {
        return Err(format!(
            "slice [{low}:{high}] is out of range for length {length}"
        ));
    }
    Ok(match first {
        Some(Value::Str(text)) => Some(Value::str(
            text.get(low..high)
                .ok_or_else(|| "slice would split a character".to_owned())?,
        )),
        Some(Value::List(values)) => Some(Value::List(values[low..high].to_vec())),
        _ => None,
    })
}

/// Go's `fmt.Sprint` (spaces between operands when neither is a string) or
/// `fmt.Sprintln` (spaces always, and a newline).
fn sprint(args: &[Datum], line: bool) -> String {
    let mut out = String::new();
    for (index, arg) in args.iter().enumerate() {
        let is_str = |value: &Datum| matches!(value, Some(Value::Str(_)));
        if index > 0 && (line || (!is_str(arg) && !is_str(&args[index - 1]))) {
            out.push(' ');
        }
        out.push_str(&show(arg));
    }
    if line {
        out.push('\n');
    }
    out
}

fn sprintf(args: &[Datum]) -> Plain<Datum> {
    let Some((Some(Value::Str(format)), rest)) = args.split_first() else {
        return Err("printf needs a format string".to_owned());
    };
    let pieces = printf::parse(format)?;
    let values = rest
        .iter()
        .map(|arg| {
            arg.clone()
                .ok_or_else(|| "printf cannot print nil".to_owned())
        })
        .collect::<Plain<Vec<Value>>>()?;
    printf::render(&pieces, &values, Style::Go).map(|text| Some(Value::Str(text)))
}

/// `eq x y...`: whether `x` equals any of the others.
fn compare_any(args: &[Datum]) -> Plain<Datum> {
    let Some((first, others)) = args.split_first() else {
        return Err("eq needs two arguments".to_owned());
    };
    if others.is_empty() {
        return Err("eq needs two arguments".to_owned());
    }
    for other in others {
        comparable(first, other)?;
        if first == other {
            return Ok(Some(Value::Bool(true)));
        }
    }
    Ok(Some(Value::Bool(false)))
}

fn comparable(x: &Datum, y: &Datum) -> Plain<()> {
    match (x, y) {
        (None, _) | (_, None) => Ok(()),
        (Some(Value::Bool(_)), Some(Value::Bool(_)))
        | (Some(Value::Int(_)), Some(Value::Int(_)))
        | (Some(Value::Float(_)), Some(Value::Float(_)))
        | (Some(Value::Str(_)), Some(Value::Str(_))) => Ok(()),
        (x, y) => Err(format!(
            "incompatible types for comparison: {} and {}",
            show(x),
            show(y)
        )),
    }
}

fn order(name: &str, x: &Datum, y: &Datum) -> Plain<Datum> {
    use std::cmp::Ordering;
    let ordering = match (x, y) {
        (Some(Value::Int(x)), Some(Value::Int(y))) => x.cmp(y),
        (Some(Value::Float(x)), Some(Value::Float(y))) => x
            .partial_cmp(y)
            .ok_or_else(|| "NaN is not ordered".to_owned())?,
        (Some(Value::Str(x)), Some(Value::Str(y))) => x.cmp(y),
        (x, y) => return Err(format!("{name} cannot order {} and {}", show(x), show(y))),
    };
    let result = match name {
        "lt" => ordering == Ordering::Less,
        "le" => ordering != Ordering::Greater,
        "gt" => ordering == Ordering::Greater,
        _ => ordering != Ordering::Less,
    };
    Ok(Some(Value::Bool(result)))
}

/// Go's `template.HTMLEscapeString`.
fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#39;"),
            '"' => out.push_str("&#34;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Go's `url.QueryEscape`.
fn urlquery(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte))
            }
            b' ' => out.push('+'),
            byte => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}
