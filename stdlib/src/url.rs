//! `net.url_parser`: the parts of an absolute URL, with upstream mgmt's field
//! set (`scheme`, `host`, `path`, `raw_query`). `host` keeps its `:port` and
//! drops any `user:password@`; `path` is percent-decoded; the fragment is
//! dropped. A URL without a scheme, or with a bad `%` escape, is a catchable
//! error.

use crate::native::{arg_str, Native};
use mcl_compiler::function::FunctionRegistry;
use mcl_compiler::types::Type;
use mcl_compiler::value::{CallError, Value};

pub(crate) fn register(registry: &mut FunctionRegistry) {
    let fields = [
        ("scheme", Type::Str),
        ("host", Type::Str),
        ("path", Type::Str),
        ("raw_query", Type::Str),
    ];
    registry.register(
        "net",
        "url_parser",
        Native::pure(
            "net.url_parser",
            vec![Type::Str],
            Type::structure(&fields),
            |args| {
                let url = arg_str(&args, 0)?;
                let parts = parse(url).map_err(|why| {
                    CallError::catchable(format!("cannot parse the URL {url:?}: {why}"))
                })?;
                Ok(Value::Struct(
                    [
                        ("scheme", parts.scheme),
                        ("host", parts.host),
                        ("path", parts.path),
                        ("raw_query", parts.raw_query),
                    ]
                    .into_iter()
                    .map(|(name, text)| (name.to_owned(), Value::Str(text)))
                    .collect(),
                ))
            },
        ),
    );
}

#[derive(Debug, PartialEq, Eq)]
struct Parts {
    scheme: String,
    host: String,
    path: String,
    raw_query: String,
}

fn parse(url: &str) -> Result<Parts, String> {
    let url = url.split_once('#').map_or(url, |(before, _)| before);
    let (scheme, rest) = url.split_once(':').ok_or("it has no scheme")?;
    let valid_scheme = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !valid_scheme {
        return Err("it has no scheme".to_owned());
    }
    let (rest, raw_query) = rest.split_once('?').unwrap_or((rest, ""));
    let (host, path) = match rest.strip_prefix("//") {
        Some(authority_and_path) => {
            let split = authority_and_path
                .find('/')
                .unwrap_or(authority_and_path.len());
            let (authority, path) = authority_and_path.split_at(split);
            let host = authority
                .rsplit_once('@')
                .map_or(authority, |(_, host)| host);
            (host, path)
        }
        // `mailto:ann@example.com` is opaque: neither host nor path.
        None if !rest.starts_with('/') => ("", ""),
        None => ("", rest),
    };
    Ok(Parts {
        scheme: scheme.to_ascii_lowercase(),
        host: host.to_owned(),
        path: percent_decode(path)?,
        raw_query: raw_query.to_owned(),
    })
}

fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let escape = text
                .get(index + 1..index + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or_else(|| format!("bad escape at byte {index} of the path"))?;
            out.push(escape);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the decoded path is not UTF-8".to_owned())
}

#[cfg(test)]
mod tests {
    use crate::testing::*;
    use mcl_compiler::value::Value;

    fn parsed(scheme: &str, host: &str, path: &str, raw_query: &str) -> Value {
        Value::Struct(vec![
            ("scheme".to_owned(), s(scheme)),
            ("host".to_owned(), s(host)),
            ("path".to_owned(), s(path)),
            ("raw_query".to_owned(), s(raw_query)),
        ])
    }

    #[test]
    fn a_full_url_splits_into_its_parts() {
        assert_eq!(
            ok(
                "net",
                "url_parser",
                vec![s("https://ann:pw@example.com:8443/a%20b/c?x=1&y=2#top")]
            ),
            parsed("https", "example.com:8443", "/a b/c", "x=1&y=2")
        );
        assert_eq!(
            ok("net", "url_parser", vec![s("file:///etc/hosts")]),
            parsed("file", "", "/etc/hosts", "")
        );
        assert_eq!(
            ok("net", "url_parser", vec![s("mailto:ann@example.com")]),
            parsed("mailto", "", "", "")
        );
    }

    #[test]
    fn no_scheme_or_a_bad_escape_is_catchable() {
        assert!(catchable("net", "url_parser", vec![s("example.com/x")]).contains("no scheme"));
        assert!(catchable("net", "url_parser", vec![s("/x")]).contains("no scheme"));
        assert!(catchable("net", "url_parser", vec![s("http://h/%zz")]).contains("bad escape"));
    }
}
