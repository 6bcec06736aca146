//! The `net` module: MAC address checks and formatting, and the parts of a
//! CIDR address (`192.0.2.5/24`): its IP, prefix length, mask, network,
//! first usable and last address, and whether an IP is inside it
//! (`ip_in_cidr`). Malformed input is a catchable error.

use crate::native::{arg_str, Native};
use mcl_compiler::function::FunctionRegistry;
use mcl_compiler::types::Type;
use mcl_compiler::value::{CallError, Value};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

const MODULE: &str = "net";

fn str_function(
    registry: &mut FunctionRegistry,
    name: &'static str,
    body: fn(&str) -> Result<String, CallError>,
) {
    registry.register(
        MODULE,
        name,
        Native::pure(
            &format!("{MODULE}.{name}"),
            vec![Type::Str],
            Type::Str,
            move |args| body(arg_str(&args, 0)?).map(Value::Str),
        ),
    );
}

pub(crate) fn register(registry: &mut FunctionRegistry) {
    registry.register(
        MODULE,
        "is_mac",
        Native::pure("net.is_mac", vec![Type::Str], Type::Bool, |args| {
            // Only the canonical form: six lowercase hex pairs and colons.
            let mac = arg_str(&args, 0)?;
            Ok(Value::Bool(
                parse_mac(mac).is_some_and(|octets| format_mac(&octets, ':') == mac),
            ))
        }),
    );
    str_function(registry, "macfmt", |mac| mac_in(mac, ':'));
    str_function(registry, "oldmacfmt", |mac| mac_in(mac, '-'));
    str_function(registry, "cidr_to_ip", |cidr| {
        Ok(parse_cidr(cidr)?.0.to_string())
    });
    str_function(registry, "cidr_to_prefix", |cidr| {
        Ok(parse_cidr(cidr)?.1.to_string())
    });
    str_function(registry, "cidr_to_mask", |cidr| {
        let (ip, prefix) = parse_cidr(cidr)?;
        Ok(with_bits(ip, mask_bits(ip, prefix)).to_string())
    });
    str_function(registry, "cidr_to_network", |cidr| {
        let (ip, prefix) = parse_cidr(cidr)?;
        Ok(format!("{}/{prefix}", network(ip, prefix)))
    });
    str_function(registry, "cidr_to_first", |cidr| {
        let (ip, prefix) = parse_cidr(cidr)?;
        let first = bits(network(ip, prefix)) + 1;
        if first > bits(last(ip, prefix)) {
            return Err(CallError::catchable(format!(
                "{cidr} has no usable address after its network address"
            )));
        }
        Ok(with_bits(ip, first).to_string())
    });
    registry.register(
        MODULE,
        "ip_in_cidr",
        Native::pure(
            "net.ip_in_cidr",
            vec![Type::Str, Type::Str],
            Type::Bool,
            |args| {
                let text = arg_str(&args, 0)?;
                let ip: IpAddr = text
                    .parse()
                    .map_err(|_| CallError::catchable(format!("invalid IP address {text:?}")))?;
                let (base, prefix) = parse_cidr(arg_str(&args, 1)?)?;
                // An IPv4 address is never inside an IPv6 network, nor the reverse.
                Ok(Value::Bool(
                    ip.is_ipv4() == base.is_ipv4() && network(ip, prefix) == network(base, prefix),
                ))
            },
        ),
    );
    str_function(registry, "cidr_to_last", |cidr| {
        let (ip, prefix) = parse_cidr(cidr)?;
        Ok(last(ip, prefix).to_string())
    });
}

/// Six octets written as hex pairs separated by all-colons or all-hyphens.
fn parse_mac(mac: &str) -> Option<[u8; 6]> {
    if mac.len() != 17 {
        return None;
    }
    let separator = mac.chars().nth(2)?;
    if separator != ':' && separator != '-' {
        return None;
    }
    let mut octets = [0u8; 6];
    let mut parts = mac.split(separator);
    for octet in &mut octets {
        let part = parts.next()?;
        if part.len() != 2 {
            return None;
        }
        *octet = u8::from_str_radix(part, 16).ok()?;
    }
    parts.next().is_none().then_some(octets)
}

fn format_mac(octets: &[u8; 6], separator: char) -> String {
    octets
        .iter()
        .map(|octet| format!("{octet:02x}"))
        .collect::<Vec<_>>()
        .join(&separator.to_string())
}

fn mac_in(mac: &str, separator: char) -> Result<String, CallError> {
    parse_mac(mac)
        .map(|octets| format_mac(&octets, separator))
        .ok_or_else(|| CallError::catchable(format!("{mac:?} is not a MAC address")))
}

fn parse_cidr(cidr: &str) -> Result<(IpAddr, u32), CallError> {
    let invalid =
        || CallError::catchable(format!("{cidr:?} is not a CIDR address like 192.0.2.1/24"));
    let (ip, prefix) = cidr.trim().split_once('/').ok_or_else(invalid)?;
    let ip: IpAddr = ip.parse().map_err(|_| invalid())?;
    if prefix.is_empty() || !prefix.bytes().all(|byte| byte.is_ascii_digit()) || prefix.len() > 3 {
        return Err(invalid());
    }
    let prefix: u32 = prefix.parse().map_err(|_| invalid())?;
    if prefix > width(ip) {
        return Err(invalid());
    }
    Ok((ip, prefix))
}

fn width(ip: IpAddr) -> u32 {
    match ip {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

fn bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(ip) => u128::from(u32::from(ip)),
        IpAddr::V6(ip) => u128::from(ip),
    }
}

/// An address of the same family as `like`, from its bits.
fn with_bits(like: IpAddr, value: u128) -> IpAddr {
    match like {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(u32::try_from(value).unwrap_or(u32::MAX))),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(value)),
    }
}

/// The mask of a prefix length, as the address's bits.
fn mask_bits(ip: IpAddr, prefix: u32) -> u128 {
    let width = width(ip);
    let all = if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    let host = if prefix == 0 {
        all
    } else {
        (1u128 << (width - prefix)) - 1
    };
    all & !host
}

fn network(ip: IpAddr, prefix: u32) -> IpAddr {
    with_bits(ip, bits(ip) & mask_bits(ip, prefix))
}

fn last(ip: IpAddr, prefix: u32) -> IpAddr {
    let width = width(ip);
    let all = if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    with_bits(ip, bits(ip) | (all & !mask_bits(ip, prefix)))
}

#[cfg(test)]
mod tests {
    use crate::testing::*;
    use mcl_compiler::value::Value;

    #[test]
    fn ip_in_cidr_compares_networks_of_one_family() {
        let inside = |ip: &str, cidr: &str| ok("net", "ip_in_cidr", vec![s(ip), s(cidr)]);
        assert_eq!(inside("192.0.2.77", "192.0.2.5/24"), Value::Bool(true));
        assert_eq!(inside("192.0.3.1", "192.0.2.0/24"), Value::Bool(false));
        assert_eq!(inside("2001:db8::1", "2001:db8::/32"), Value::Bool(true));
        assert_eq!(inside("192.0.2.1", "2001:db8::/32"), Value::Bool(false));
        assert!(
            catchable("net", "ip_in_cidr", vec![s("nope"), s("192.0.2.0/24")])
                .contains("invalid IP address")
        );
        assert!(!catchable("net", "ip_in_cidr", vec![s("192.0.2.1"), s("x")]).is_empty());
    }

    #[test]
    fn is_mac_wants_the_canonical_form() {
        assert_eq!(
            ok("net", "is_mac", vec![s("00:1a:2b:3c:4d:5e")]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("net", "is_mac", vec![s("00:1A:2B:3C:4D:5E")]),
            Value::Bool(false)
        );
        assert_eq!(
            ok("net", "is_mac", vec![s("00-1a-2b-3c-4d-5e")]),
            Value::Bool(false)
        );
        assert_eq!(ok("net", "is_mac", vec![s("nope")]), Value::Bool(false));
    }

    #[test]
    fn macs_are_reformatted() {
        assert_eq!(
            ok("net", "macfmt", vec![s("00-1A-2B-3C-4D-5E")]),
            s("00:1a:2b:3c:4d:5e")
        );
        assert_eq!(
            ok("net", "oldmacfmt", vec![s("00:1a:2b:3c:4d:5e")]),
            s("00-1a-2b-3c-4d-5e")
        );
        assert_eq!(
            catchable("net", "macfmt", vec![s("00:1a")]),
            "\"00:1a\" is not a MAC address"
        );
    }

    #[test]
    fn cidr_parts() {
        let cidr = || vec![s("192.0.2.5/24")];
        assert_eq!(ok("net", "cidr_to_ip", cidr()), s("192.0.2.5"));
        assert_eq!(ok("net", "cidr_to_prefix", cidr()), s("24"));
        assert_eq!(ok("net", "cidr_to_mask", cidr()), s("255.255.255.0"));
        assert_eq!(ok("net", "cidr_to_network", cidr()), s("192.0.2.0/24"));
        assert_eq!(ok("net", "cidr_to_first", cidr()), s("192.0.2.1"));
        assert_eq!(ok("net", "cidr_to_last", cidr()), s("192.0.2.255"));
        assert_eq!(
            ok("net", "cidr_to_mask", vec![s("10.0.0.1/0")]),
            s("0.0.0.0")
        );
        assert_eq!(
            ok("net", "cidr_to_last", vec![s("10.0.0.1/32")]),
            s("10.0.0.1")
        );
        assert!(catchable("net", "cidr_to_first", vec![s("10.0.0.1/32")]).contains("no usable"));
    }

    #[test]
    fn ipv6_cidrs() {
        let cidr = || vec![s("2001:db8::1/64")];
        assert_eq!(ok("net", "cidr_to_ip", cidr()), s("2001:db8::1"));
        assert_eq!(
            ok("net", "cidr_to_mask", cidr()),
            s("ffff:ffff:ffff:ffff::")
        );
        assert_eq!(ok("net", "cidr_to_network", cidr()), s("2001:db8::/64"));
        assert_eq!(
            ok("net", "cidr_to_last", cidr()),
            s("2001:db8::ffff:ffff:ffff:ffff")
        );
        assert_eq!(
            ok("net", "cidr_to_last", vec![s("::/0")]),
            s("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
        );
    }

    #[test]
    fn bad_cidrs_are_catchable() {
        for bad in [
            "192.0.2.5",
            "192.0.2.5/33",
            "300.0.0.1/8",
            "1.2.3.4/+1",
            "x/8",
        ] {
            assert!(
                catchable("net", "cidr_to_ip", vec![s(bad)]).contains("is not a CIDR address"),
                "{bad}"
            );
        }
    }
}
