//! `fmt.printf(format, args...)`: its signature comes from the constant
//! format string, one parameter per verb (`%s` str, `%d` int, `%f` float,
//! `%t` bool, `%q` str, `%v` any type), so a wrong argument is a type error
//! at compile time, not a surprise in the output. The formatting itself is
//! [`crate::printf`].

use crate::native::{arg_str, count, Native};
use crate::printf::{self, Style};
use mcl_compiler::function::{CallShape, FunctionRegistry, Signature};
use mcl_compiler::types::Type;
use mcl_compiler::value::{CallError, Value};

pub(crate) fn register(registry: &mut FunctionRegistry) {
    registry.register(
        "fmt",
        "printf",
        Native::shaped("fmt.printf", signature, |_, args| {
            let format = arg_str(&args, 0)?;
            let pieces = printf::parse(format).map_err(CallError::Fatal)?;
            printf::render(&pieces, &args[1..], Style::Mcl)
                .map(Value::Str)
                .map_err(CallError::Fatal)
        }),
    );
}

fn signature(shape: CallShape<'_>) -> Result<Signature, String> {
    if shape.arg_count() == 0 {
        return Err("`fmt.printf` needs a format string as its first argument".to_owned());
    }
    let Some(format) = shape.constant_str(0) else {
        if let Some(value) = &shape.constants[0] {
            return Err(format!("the format must be a str, not {value}"));
        }
        // A format known only when the program runs (`"hello ${x} %s"`):
        // any arguments, their verbs checked then.
        let mut params = vec![Type::Str];
        params.extend(
            (1..shape.arg_count())
                .map(|index| Type::Generic(u32::try_from(index).unwrap_or(u32::MAX))),
        );
        return Ok(Signature {
            params,
            ret: Type::Str,
        });
    };
    let pieces = printf::parse(format).map_err(|error| format!("bad format: {error}"))?;
    let verbs: Vec<_> = printf::verbs(&pieces).collect();
    let given = shape.arg_count() - 1;
    if verbs.len() != given {
        let list: Vec<String> = verbs
            .iter()
            .map(|spec| format!("`{}`", spec.text))
            .collect();
        let which = if list.is_empty() {
            String::new()
        } else {
            format!(" ({})", list.join(", "))
        };
        return Err(format!(
            "the format has {}{which} but {} {} given",
            count(verbs.len(), "verb"),
            count(given, "value"),
            if given == 1 { "is" } else { "are" }
        ));
    }
    let mut params = vec![Type::Str];
    let mut generic = 0;
    for (index, spec) in verbs.iter().enumerate() {
        let position = index + 2;
        let ty = match spec.ty() {
            Some(ty) => ty,
            None => {
                generic += 1;
                Type::Generic(generic)
            }
        };
        if let Some(Some(constant)) = shape.constants.get(index + 1) {
            if let Some(needed) = spec.ty() {
                if !suits(&needed, constant) {
                    return Err(format!(
                        "`{}` in the format needs {}, but argument {position} is {constant}",
                        spec.text,
                        article(&needed)
                    ));
                }
            }
        }
        params.push(ty);
    }
    Ok(Signature::new(params, Type::Str))
}

fn suits(ty: &Type, value: &Value) -> bool {
    matches!(
        (ty, value),
        (Type::Str, Value::Str(_))
            | (Type::Int, Value::Int(_))
            | (Type::Float, Value::Float(_))
            | (Type::Bool, Value::Bool(_))
    )
}

fn article(ty: &Type) -> String {
    match ty {
        Type::Int => "an int".to_owned(),
        other => format!("a {other}"),
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::*;
    use mcl_compiler::types::Type;
    use mcl_compiler::value::Value;

    #[test]
    fn the_signature_follows_the_format() {
        let signature = signature_for(
            "fmt",
            "printf",
            &[s("%s:%d %v %f %t %q %v"), s("a"), Value::Int(1)],
        );
        // Only the first two arguments are given: a count error.
        assert!(signature.is_err());
        let constants = [Some(s("%s:%d %v %v")), None, None, None, None];
        let signature = crate::testing::signature_for_shape("fmt", "printf", &constants).unwrap();
        assert_eq!(
            signature.params,
            [
                Type::Str,
                Type::Str,
                Type::Int,
                Type::Generic(1),
                Type::Generic(2)
            ]
        );
        assert_eq!(signature.ret, Type::Str);
    }

    #[test]
    fn printf_formats_its_arguments() {
        assert_eq!(
            ok(
                "fmt",
                "printf",
                vec![
                    s("%s has %d cpus, load %f, ok=%t, %v, %q, 100%%"),
                    s("h1"),
                    Value::Int(2),
                    Value::Float(0.5),
                    Value::Bool(true),
                    ints(&[1, 2]),
                    s("q")
                ]
            ),
            s(r#"h1 has 2 cpus, load 0.5, ok=true, [1, 2], "q", 100%"#)
        );
    }

    #[test]
    fn a_wrong_count_names_the_verbs() {
        let error = signature_for("fmt", "printf", &[s("%s and %d"), s("x")]).unwrap_err();
        assert_eq!(
            error,
            "the format has 2 verbs (`%s`, `%d`) but 1 value is given"
        );
    }

    #[test]
    fn a_constant_of_the_wrong_type_names_the_verb_and_position() {
        let error = signature_for("fmt", "printf", &[s("%s %d"), s("x"), s("y")]).unwrap_err();
        assert_eq!(
            error,
            "`%d` in the format needs an int, but argument 3 is \"y\""
        );
    }

    #[test]
    fn formats_must_be_valid_and_may_be_known_only_at_run_time() {
        // An interpolated format (`"hello ${x} %s"`) is known only when the
        // program runs: any arguments, checked then (upstream accepts it).
        let dynamic = signature("fmt", "printf", 3).expect("accepted");
        assert_eq!(dynamic.params[0], Type::Str);
        assert_eq!(dynamic.params.len(), 3);
        assert!(matches!(dynamic.params[1], Type::Generic(_)));
        assert_ne!(dynamic.params[1], dynamic.params[2]);
        let error = signature_for("fmt", "printf", &[s("%x"), Value::Int(1)]).unwrap_err();
        assert!(error.contains("`%x` at byte 0"), "{error}");
        assert!(signature("fmt", "printf", 0).is_err());
    }
}
