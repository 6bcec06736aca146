//! The `local` module: `vardir(path)`, a private directory of this agent for
//! programs to keep state in, `<vardir>/functions/<path>/`. The path must be
//! relative and end in `/`; a constant one is checked at compile time.
//!
//! The function only names the directory: functions do not change the host,
//! so a program that uses it creates it with a `file` resource.

use crate::native::{arg_str, Native};
use mcl_compiler::function::{FunctionRegistry, Signature};
use mcl_compiler::types::Type;
use mcl_compiler::value::{CallError, Value};

const MODULE: &str = "local";

pub(crate) fn register(registry: &mut FunctionRegistry) {
    registry.register(
        MODULE,
        "vardir",
        Native::shaped(
            "local.vardir",
            |shape| {
                if shape.arg_count() != 1 {
                    return Err(format!(
                        "`local.vardir` takes 1 argument, not {}",
                        shape.arg_count()
                    ));
                }
                if let Some(path) = shape.constant_str(0) {
                    validate(path)?;
                }
                Ok(Signature::new(vec![Type::Str], Type::Str))
            },
            |context, args| {
                let path = arg_str(&args, 0)?;
                validate(path).map_err(CallError::Fatal)?;
                let base = context.host.vardir();
                Ok(Value::Str(format!(
                    "{}/functions/{}",
                    base.trim_end_matches('/'),
                    path.trim_start_matches("./")
                )))
            },
        ),
    );
}

fn validate(path: &str) -> Result<(), String> {
    if path.starts_with('/') {
        Err(format!(
            "the path of `local.vardir` must be relative, not {path:?}"
        ))
    } else if !path.ends_with('/') || path == "/" {
        Err(format!(
            "the path of `local.vardir` names a directory and must end in `/`: {path:?}"
        ))
    } else if path.split('/').any(|part| part == "..") {
        Err(format!(
            "the path of `local.vardir` must stay inside it: {path:?}"
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::*;
    use crate::MemoryHost;
    use mcl_compiler::value::CallError;

    #[test]
    fn vardir_is_under_the_agents_directory() {
        let mut host = MemoryHost::new();
        host.vardir = "/var/lib/mgmt/".to_owned();
        assert_eq!(
            call_on(&host, "local", "vardir", vec![s("cache/")]).0,
            Ok(s("/var/lib/mgmt/functions/cache/"))
        );
    }

    #[test]
    fn bad_paths_are_refused() {
        let error = signature_for("local", "vardir", &[s("/abs/")]).unwrap_err();
        assert!(error.contains("must be relative"), "{error}");
        let error = signature_for("local", "vardir", &[s("file")]).unwrap_err();
        assert!(error.contains("must end in `/`"), "{error}");
        assert!(signature_for("local", "vardir", &[s("../up/")]).is_err());
        assert!(signature("local", "vardir", 1).is_ok());
        assert!(matches!(
            call("local", "vardir", vec![s("x")]),
            Err(CallError::Fatal(_))
        ));
    }
}
