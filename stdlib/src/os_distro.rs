//! `os.parse_distro_uid`: a distribution id in upstream mgmt's
//! `<distro><version>-<arch>` form (`fedora39-x86_64`, `debian12-aarch64`)
//! split into its parts. Upstream's `distro` functions are this one parser;
//! the running host's distribution is `os.family()`. A text of another form
//! gives three empty fields, as upstream's does, so programs can test
//! `->distro == ""` instead of catching an error.

use crate::native::{arg_str, Native};
use mcl_compiler::function::FunctionRegistry;
use mcl_compiler::types::Type;
use mcl_compiler::value::Value;

pub(crate) fn register(registry: &mut FunctionRegistry) {
    let fields = [
        ("distro", Type::Str),
        ("version", Type::Str),
        ("arch", Type::Str),
    ];
    registry.register(
        "os",
        "parse_distro_uid",
        Native::pure(
            "os.parse_distro_uid",
            vec![Type::Str],
            Type::structure(&fields),
            |args| {
                let (distro, version, arch) = parse(arg_str(&args, 0)?).unwrap_or_default();
                Ok(Value::Struct(vec![
                    ("distro".to_owned(), Value::str(distro)),
                    ("version".to_owned(), Value::str(version)),
                    ("arch".to_owned(), Value::str(arch)),
                ]))
            },
        ),
    );
}

/// Distro, version and arch: the name before the first `-` ends in the
/// version's digits; none of the three may be empty.
fn parse(uid: &str) -> Option<(&str, &str, &str)> {
    let (name_and_version, arch) = uid.split_once('-')?;
    let distro = name_and_version.trim_end_matches(|c: char| c.is_ascii_digit());
    let version = &name_and_version[distro.len()..];
    (!distro.is_empty() && !version.is_empty() && !arch.is_empty())
        .then_some((distro, version, arch))
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::testing::*;
    use mcl_compiler::value::Value;

    #[test]
    fn the_three_parts() {
        assert_eq!(parse("fedora39-x86_64"), Some(("fedora", "39", "x86_64")));
        assert_eq!(parse("debian12-aarch64"), Some(("debian", "12", "aarch64")));
        // Only the first `-` separates the arch.
        assert_eq!(parse("centos8-x86-64"), Some(("centos", "8", "x86-64")));
    }

    #[test]
    fn other_forms_have_no_parts() {
        for uid in ["fedora39", "fedora-x86_64", "39-x86_64", "fedora39-", ""] {
            assert_eq!(parse(uid), None, "{uid:?}");
        }
    }

    #[test]
    fn the_function_gives_empty_fields_for_other_forms() {
        let empty = Value::Struct(vec![
            ("distro".to_owned(), s("")),
            ("version".to_owned(), s("")),
            ("arch".to_owned(), s("")),
        ]);
        assert_eq!(ok("os", "parse_distro_uid", vec![s("rocky")]), empty);
        assert_eq!(
            ok("os", "parse_distro_uid", vec![s("fedora39-x86_64")]),
            Value::Struct(vec![
                ("distro".to_owned(), s("fedora")),
                ("version".to_owned(), s("39")),
                ("arch".to_owned(), s("x86_64")),
            ])
        );
    }
}
