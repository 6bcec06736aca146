//! The `golang` module: `template(text)` and `template(text, vars)` render a
//! Go text/template with `vars` as its data (`{{.}}`, `{{.field}}`,
//! `{{range}}`, `{{if}}`, pipelines, `printf`...). The parser and the
//! evaluator are in `golang/`; see [`exec`] for how mcl values look from a
//! template. A template that does not parse, or fails while running, is a
//! catchable error naming the line (and the column, for a field or map key
//! the data lacks).

mod exec;
mod parse;
mod position;
mod problem;

use crate::native::{arg, arg_str, count, Native};
use mcl_compiler::function::{FunctionRegistry, Signature};
use mcl_compiler::types::Type;
use mcl_compiler::value::CallError;
use mcl_compiler::value::Value;

const MODULE: &str = "golang";

/// Registers `golang.template`; it may call every function registered
/// before it, so it comes last.
pub(crate) fn register(registry: &mut FunctionRegistry) {
    let functions = registry.clone();
    registry.register(
        MODULE,
        "template",
        Native::shaped(
            "golang.template",
            |shape| match shape.arg_count() {
                1 => Ok(Signature::new(vec![Type::Str], Type::Str)),
                2 => Ok(Signature::new(vec![Type::Str, Type::Generic(0)], Type::Str)),
                other => Err(format!(
                    "`golang.template` takes the template text and optionally its data, not {}",
                    count(other, "argument")
                )),
            },
            move |context, args| {
                let text = arg_str(&args, 0)?;
                let data = match args.len() {
                    2 => Some(arg(&args, 1)?.clone()),
                    _ => None,
                };
                render(text, data, context, &functions)
            },
        ),
    );
}

fn render(
    text: &str,
    data: Option<Value>,
    context: &mcl_compiler::function::CallContext<'_>,
    functions: &FunctionRegistry,
) -> Result<Value, CallError> {
    let nodes =
        parse::parse(text).map_err(|error| CallError::catchable(format!("template: {error}")))?;
    exec::Exec::new(context, functions)
        .run(&nodes, data)
        .map(Value::Str)
        .map_err(|error| CallError::catchable(format!("template: {error}")))
}

#[cfg(test)]
mod tests {
    use crate::testing::*;
    use mcl_compiler::value::Value;
    use std::collections::BTreeMap;

    fn render(text: &str, data: Value) -> String {
        match call("golang", "template", vec![s(text), data]) {
            Ok(Value::Str(out)) => out,
            other => panic!("{text}: {other:?}"),
        }
    }

    fn fails(text: &str, data: Value) -> String {
        catchable("golang", "template", vec![s(text), data])
    }

    fn host() -> Value {
        let mut tags = BTreeMap::new();
        tags.insert(s("env"), s("prod"));
        tags.insert(s("tier"), s("web"));
        Value::Struct(vec![
            ("name".to_owned(), s("web1")),
            ("port".to_owned(), Value::Int(80)),
            ("load".to_owned(), Value::Float(0.5)),
            ("admins".to_owned(), strs(&["ann", "bob"])),
            ("tags".to_owned(), Value::Map(tags)),
            ("enabled".to_owned(), Value::Bool(true)),
        ])
    }

    #[test]
    fn plain_text_and_dot() {
        assert_eq!(ok("golang", "template", vec![s("hello")]), s("hello"));
        assert_eq!(render("x={{.}}", Value::Int(3)), "x=3");
        assert_eq!(render("{{.}}", strs(&["a", "b"])), "[a b]");
        assert_eq!(render("{{.}}", Value::Float(2.0)), "2");
    }

    #[test]
    fn fields_by_name_or_title() {
        assert_eq!(render("{{.name}}:{{.Port}}", host()), "web1:80");
        assert_eq!(render("{{.tags.env}}", host()), "prod");
        assert_eq!(
            render(r#"{{index .tags "tier"}} {{index .admins 1}}"#, host()),
            "web bob"
        );
    }

    #[test]
    fn a_field_or_key_the_data_lacks_is_an_error_where_it_is_written() {
        assert_eq!(
            fails("{{.nope}}", host()),
            "template: line 1, column 3: the struct has no field \"nope\""
        );
        // Not Go's default `<no value>`: the key, and where it is asked for.
        assert_eq!(
            fails("a\n {{ .tags.env }} {{ .tags.nope }}", host()),
            "template: line 2, column 26: the map has no key \"nope\""
        );
        assert_eq!(
            fails("{{ with .tags }}{{ .tier }}{{ .region }}{{ end }}", host()),
            "template: line 1, column 31: the map has no key \"region\""
        );
        assert!(fails("{{ if .tags.nope }}x{{ end }}", host()).contains("column 12"));
        // `index` is the way to ask for a key that may be missing.
        assert_eq!(
            render(
                r#"{{ if index .tags "nope" }}yes{{ else }}no{{ end }}"#,
                host()
            ),
            "no"
        );
    }

    #[test]
    fn range_if_else_and_with() {
        assert_eq!(
            render("{{range .admins}}<{{.}}>{{end}}", host()),
            "<ann><bob>"
        );
        assert_eq!(
            render("{{range $i, $a := .admins}}{{$i}}={{$a}} {{end}}", host()),
            "0=ann 1=bob "
        );
        assert_eq!(
            render("{{range $k, $v := .tags}}{{$k}}:{{$v}};{{end}}", host()),
            "env:prod;tier:web;"
        );
        assert_eq!(
            render("{{range .}}x{{else}}empty{{end}}", strs(&[])),
            "empty"
        );
        assert_eq!(render("{{if .enabled}}on{{else}}off{{end}}", host()), "on");
        assert_eq!(
            render(
                "{{if eq .port 443}}tls{{else if eq .port 80}}plain{{end}}",
                host()
            ),
            "plain"
        );
        assert_eq!(render("{{with .tags}}{{.env}}{{end}}", host()), "prod");
        assert_eq!(
            render(
                "{{range .}}{{if eq . 3}}{{break}}{{end}}{{.}}{{end}}",
                ints(&[1, 2, 3, 4])
            ),
            "12"
        );
    }

    #[test]
    fn pipelines_printf_and_variables() {
        assert_eq!(render(r#"{{printf "%d" .port}}"#, host()), "80");
        assert_eq!(render(r#"{{.name | printf "%s!"}}"#, host()), "web1!");
        assert_eq!(
            render(r#"{{printf "%.2f|%5s|%v" .load "ab" .admins}}"#, host()),
            "0.50|   ab|[ann bob]"
        );
        assert_eq!(render("{{$n := len .admins}}{{$n}}", host()), "2");
        assert_eq!(render("{{$x := 1}}{{$x = 2}}{{$x}}", host()), "2");
        assert_eq!(render(r#"{{print "a" 1 2 "b"}}"#, host()), "a1 2b");
        assert_eq!(
            render("{{and .enabled .port}} {{or 0 \"\" .name}}", host()),
            "80 web1"
        );
        assert_eq!(
            render("{{not .enabled}} {{lt 1 2}} {{ge .port 100}}", host()),
            "false true false"
        );
    }

    #[test]
    fn core_functions_by_module_name() {
        assert_eq!(render("{{strings_to_upper .name}}", host()), "WEB1");
        assert_eq!(render("{{.name | strings_to_upper}}", host()), "WEB1");
        assert_eq!(render(r#"{{contains "bob" .admins}}"#, host()), "true");
        assert!(fails("{{datetime_now}}", host()).contains("changes over time"));
        assert!(fails("{{nosuch_thing 1}}", host()).contains("`nosuch_thing` is not defined"));
    }

    #[test]
    fn whitespace_trimming() {
        assert_eq!(
            render("{{range .admins -}}\n  {{.}}\n{{- end}}", host()),
            "annbob"
        );
    }

    #[test]
    fn errors_are_catchable_and_name_the_line() {
        assert_eq!(
            fails("a\n{{if .x}}", host()),
            "template: line 2: `if` has no matching `end`"
        );
        assert_eq!(
            fails("{{.port.x}}", host()),
            "template: line 1, column 8: can't evaluate field x of 80"
        );
        assert!(fails("{{index .admins 5}}", host()).contains("index out of range"));
        assert!(
            fails("{{range .enabled}}{{end}}", host()).contains("range can't iterate over true")
        );
        assert!(fails(r#"{{printf "%d" .name}}"#, host()).contains("cannot print"));
        assert!(fails("{{$y}}", host()).contains("undefined variable $y"));
    }

    #[test]
    fn the_signature_takes_any_data() {
        let two = signature("golang", "template", 2).unwrap();
        assert_eq!(two.params[1], mcl_compiler::types::Type::Generic(0));
        assert!(signature("golang", "template", 0).is_err());
        assert!(signature("golang", "template", 3).is_err());
    }
}
