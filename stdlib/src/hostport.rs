//! `net.split_hostport`: `host:port` (or `[v6-host]:port`) split in two,
//! with the rules of Go's `net.SplitHostPort`, which upstream mgmt calls:
//! the port is what follows the last colon (it may be empty or a service
//! name; it is not checked), and a host with colons must be in brackets.
//! Anything else is a catchable error saying what is wrong.

use crate::native::{arg_str, Native};
use mcl_compiler::function::FunctionRegistry;
use mcl_compiler::types::Type;
use mcl_compiler::value::{CallError, Value};

pub(crate) fn register(registry: &mut FunctionRegistry) {
    let fields = [("host", Type::Str), ("port", Type::Str)];
    registry.register(
        "net",
        "split_hostport",
        Native::pure(
            "net.split_hostport",
            vec![Type::Str],
            Type::structure(&fields),
            |args| {
                let address = arg_str(&args, 0)?;
                let (host, port) = split(address).map_err(|why| {
                    CallError::catchable(format!(
                        "cannot split {address:?} into host and port: {why}"
                    ))
                })?;
                Ok(Value::Struct(vec![
                    ("host".to_owned(), Value::str(host)),
                    ("port".to_owned(), Value::str(port)),
                ]))
            },
        ),
    );
}

/// The host (without brackets) and the port, or what is wrong.
fn split(address: &str) -> Result<(&str, &str), &'static str> {
    let Some(last_colon) = address.rfind(':') else {
        return Err("missing port");
    };
    let (host, host_start, host_end) = if let Some(bracketed) = address.strip_prefix('[') {
        let Some(close) = bracketed.find(']').map(|at| at + 1) else {
            return Err("missing `]`");
        };
        // The `]` must come just before the last colon.
        if close + 1 != last_colon {
            return Err(match address.as_bytes().get(close + 1) {
                Some(b':') => "too many colons",
                _ => "missing port",
            });
        }
        (&address[1..close], 1, close + 1)
    } else {
        let host = &address[..last_colon];
        if host.contains(':') {
            return Err("too many colons (an IPv6 host needs brackets: `[::1]:80`)");
        }
        (host, 0, 0)
    };
    if address[host_start..].contains('[') {
        return Err("unexpected `[`");
    }
    if address[host_end..].contains(']') {
        return Err("unexpected `]`");
    }
    Ok((host, &address[last_colon + 1..]))
}

#[cfg(test)]
mod tests {
    use super::split;
    use crate::testing::*;
    use mcl_compiler::value::Value;

    #[test]
    fn hosts_names_and_ipv6_in_brackets() {
        assert_eq!(split("example.com:80"), Ok(("example.com", "80")));
        assert_eq!(split("192.0.2.1:8080"), Ok(("192.0.2.1", "8080")));
        assert_eq!(split("[::1]:443"), Ok(("::1", "443")));
        assert_eq!(split("[fe80::1%eth0]:22"), Ok(("fe80::1%eth0", "22")));
        // As in Go: the parts may be empty, and the port is not checked.
        assert_eq!(split(":80"), Ok(("", "80")));
        assert_eq!(split("host:"), Ok(("host", "")));
        assert_eq!(split("host:http"), Ok(("host", "http")));
    }

    #[test]
    fn malformed_addresses_say_why() {
        assert_eq!(split("example.com"), Err("missing port"));
        assert!(split("::1:80").unwrap_err().starts_with("too many colons"));
        assert_eq!(split("[::1]"), Err("missing port"));
        assert_eq!(split("[::1]80"), Err("missing port"));
        assert_eq!(split("[::1]:80:90"), Err("too many colons"));
        assert_eq!(split("[::1:80"), Err("missing `]`"));
        assert_eq!(split("a[b:80"), Err("unexpected `[`"));
        assert_eq!(split("a]b:80"), Err("unexpected `]`"));
        assert_eq!(split("[a]]:80"), Err("missing port"));
    }

    #[test]
    fn the_function_gives_a_struct_or_a_catchable_error() {
        assert_eq!(
            ok("net", "split_hostport", vec![s("[::1]:443")]),
            Value::Struct(vec![
                ("host".to_owned(), s("::1")),
                ("port".to_owned(), s("443")),
            ])
        );
        assert_eq!(
            catchable("net", "split_hostport", vec![s("web")]),
            "cannot split \"web\" into host and port: missing port"
        );
    }
}
