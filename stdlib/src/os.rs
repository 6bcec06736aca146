//! The `os` module: files and commands of this host (`readfile`,
//! `readfilewait`, `file_exists` and `system` are reactive: the engine
//! re-evaluates when the file or the command's output changes), the
//! program's `args`, the distribution family, and `expand_home`.

use crate::native::{arg_str, io_message, Native};
use crate::os_probe::{read, read_failed};
use mcl_compiler::function::{CallContext, FunctionRegistry, Watch};
use mcl_compiler::types::Type;
use mcl_compiler::value::{CallError, Value};

const MODULE: &str = "os";

/// Families and the os-release ids that belong to them.
const FAMILIES: [(&str, &[&str]); 3] = [
    (
        "debian",
        &["debian", "ubuntu", "raspbian", "linuxmint", "devuan"],
    ),
    (
        "redhat",
        &[
            "rhel",
            "fedora",
            "centos",
            "rocky",
            "almalinux",
            "ol",
            "amzn",
        ],
    ),
    (
        "archlinux",
        &["arch", "archlinux", "manjaro", "endeavouros"],
    ),
];

pub(crate) fn register(registry: &mut FunctionRegistry) {
    registry.register(
        MODULE,
        "readfile",
        Native::new(
            "os.readfile",
            vec![Type::Str],
            Type::Str,
            |context, args| {
                let path = arg_str(&args, 0)?;
                // Watched even when missing, so that creating it re-evaluates.
                context.watch(Watch::File(path.to_owned()));
                read(context, path).map(Value::Str)
            },
        )
        .reactive(),
    );

    registry.register(
        MODULE,
        "readfilewait",
        Native::new(
            "os.readfilewait",
            vec![Type::Str],
            Type::Str,
            |context, args| {
                let path = arg_str(&args, 0)?;
                context.watch(Watch::File(path.to_owned()));
                // A missing file reads as "" until it appears (upstream's
                // way of waiting for it); other failures are errors.
                match context.host.read_file(path) {
                    Ok(text) => Ok(Value::Str(text)),
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                        Ok(Value::str(""))
                    }
                    Err(error) => Err(read_failed(path, &error)),
                }
            },
        )
        .reactive(),
    );

    registry.register(
        MODULE,
        "file_exists",
        Native::new(
            "os.file_exists",
            vec![Type::Str],
            Type::Bool,
            |context, args| {
                let path = arg_str(&args, 0)?;
                context.watch(Watch::File(path.to_owned()));
                Ok(Value::Bool(context.host.file_exists(path)))
            },
        )
        .reactive(),
    );

    registry.register(
        MODULE,
        "system",
        Native::new("os.system", vec![Type::Str], Type::Str, |context, args| {
            let command = arg_str(&args, 0)?;
            context.watch(Watch::Command(command.to_owned()));
            context
                .host
                .system(command)
                .map(Value::Str)
                .map_err(|error| {
                    CallError::catchable(format!(
                        "command {command:?} failed: {}",
                        io_message(&error)
                    ))
                })
        })
        .reactive(),
    );

    registry.register(
        MODULE,
        "args",
        Native::new("os.args", vec![], Type::list(Type::Str), |context, _| {
            Ok(Value::List(
                context.host.args().into_iter().map(Value::Str).collect(),
            ))
        }),
    );

    registry.register(
        MODULE,
        "family",
        Native::new("os.family", vec![], Type::Str, |context, _| {
            Ok(Value::str(family(context)))
        }),
    );

    for (family_name, _) in FAMILIES {
        registry.register(
            MODULE,
            &format!("is_family_{family_name}"),
            Native::new(
                &format!("os.is_family_{family_name}"),
                vec![],
                Type::Bool,
                move |context, _| Ok(Value::Bool(family(context) == family_name)),
            ),
        );
    }

    registry.register(
        MODULE,
        "expand_home",
        Native::new(
            "os.expand_home",
            vec![Type::Str],
            Type::Str,
            |context, args| {
                let path = arg_str(&args, 0)?;
                let rest = match path.strip_prefix('~') {
                    Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
                    _ => return Ok(Value::str(path)),
                };
                context.watch(Watch::Env(Some("HOME".to_owned())));
                match context.host.getenv("HOME") {
                    Some(home) => Ok(Value::Str(format!("{}{rest}", home.trim_end_matches('/')))),
                    None => Err(CallError::catchable(format!(
                        "cannot expand {path:?}: HOME is not set"
                    ))),
                }
            },
        )
        .reactive(),
    );
}

/// `debian`, `redhat`, `archlinux`, or "" when unknown.
fn family(context: &CallContext<'_>) -> &'static str {
    let ids = context.host.os_family();
    FAMILIES
        .iter()
        .find(|(_, members)| ids.iter().any(|id| members.contains(&id.as_str())))
        .map_or("", |(family, _)| family)
}

#[cfg(test)]
mod tests {
    use crate::testing::*;
    use crate::MemoryHost;
    use mcl_compiler::function::Watch;
    use mcl_compiler::value::{CallError, Value};

    #[test]
    fn readfile_reads_and_watches() {
        let host = MemoryHost::new().with_file("/etc/motd", "hello\n");
        let (value, watches) = call_on(&host, "os", "readfile", vec![s("/etc/motd")]);
        assert_eq!(value, Ok(s("hello\n")));
        assert_eq!(watches, [Watch::File("/etc/motd".to_owned())]);
        assert!(reactive("os", "readfile"));
    }

    #[test]
    fn a_missing_file_is_catchable_and_still_watched() {
        let (value, watches) = call_on(&MemoryHost::new(), "os", "readfile", vec![s("/etc/x")]);
        assert_eq!(
            value,
            Err(CallError::catchable(
                "cannot read /etc/x: No such file or directory"
            ))
        );
        assert_eq!(watches, [Watch::File("/etc/x".to_owned())]);
    }

    #[test]
    fn readfilewait_reads_a_missing_file_as_empty_and_watches_it() {
        let host = MemoryHost::new().with_file("/etc/motd", "hello\n");
        let (value, watches) = call_on(&host, "os", "readfilewait", vec![s("/etc/motd")]);
        assert_eq!(value, Ok(s("hello\n")));
        assert_eq!(watches, [Watch::File("/etc/motd".to_owned())]);
        let (value, watches) = call_on(&host, "os", "readfilewait", vec![s("/etc/x")]);
        assert_eq!(value, Ok(s("")));
        assert_eq!(watches, [Watch::File("/etc/x".to_owned())]);
        assert!(reactive("os", "readfilewait"));
    }

    #[test]
    fn file_exists_watches_the_path() {
        let host = MemoryHost::new().with_file("/a", "");
        assert_eq!(
            call_on(&host, "os", "file_exists", vec![s("/a")]).0,
            Ok(Value::Bool(true))
        );
        let (value, watches) = call_on(&host, "os", "file_exists", vec![s("/b")]);
        assert_eq!(value, Ok(Value::Bool(false)));
        assert_eq!(watches, [Watch::File("/b".to_owned())]);
        assert!(reactive("os", "file_exists"));
    }

    #[test]
    fn system_gives_the_last_line_and_watches_the_command() {
        let host = MemoryHost::new()
            .with_command("date", Ok("today".to_owned()))
            .with_command("false", Err("exit status: 1".to_owned()));
        let (value, watches) = call_on(&host, "os", "system", vec![s("date")]);
        assert_eq!(value, Ok(s("today")));
        assert_eq!(watches, [Watch::Command("date".to_owned())]);
        assert_eq!(
            call_on(&host, "os", "system", vec![s("false")]).0,
            Err(CallError::catchable(
                "command \"false\" failed: exit status: 1"
            ))
        );
        assert!(reactive("os", "system"));
    }

    #[test]
    fn args_come_from_the_host() {
        let host = MemoryHost::new().with_args(&["a", "b"]);
        assert_eq!(
            call_on(&host, "os", "args", vec![]).0,
            Ok(strs(&["a", "b"]))
        );
    }

    #[test]
    fn the_family_comes_from_os_release_ids() {
        let ubuntu = MemoryHost::new().with_os_family(&["ubuntu", "debian"]);
        assert_eq!(call_on(&ubuntu, "os", "family", vec![]).0, Ok(s("debian")));
        assert_eq!(
            call_on(&ubuntu, "os", "is_family_debian", vec![]).0,
            Ok(Value::Bool(true))
        );
        let fedora = MemoryHost::new().with_os_family(&["fedora"]);
        assert_eq!(call_on(&fedora, "os", "family", vec![]).0, Ok(s("redhat")));
        assert_eq!(
            call_on(&fedora, "os", "is_family_redhat", vec![]).0,
            Ok(Value::Bool(true))
        );
        assert_eq!(
            call_on(&fedora, "os", "is_family_archlinux", vec![]).0,
            Ok(Value::Bool(false))
        );
        let unknown = MemoryHost::new().with_os_family(&["alpine"]);
        assert_eq!(call_on(&unknown, "os", "family", vec![]).0, Ok(s("")));
    }

    #[test]
    fn expand_home_replaces_a_leading_tilde() {
        let host = MemoryHost::new().with_env("HOME", "/home/ann/");
        assert_eq!(
            call_on(&host, "os", "expand_home", vec![s("~/x")]).0,
            Ok(s("/home/ann/x"))
        );
        assert_eq!(
            call_on(&host, "os", "expand_home", vec![s("~bob/x")]).0,
            Ok(s("~bob/x"))
        );
        assert!(catchable("os", "expand_home", vec![s("~")]).contains("HOME is not set"));
    }
}
