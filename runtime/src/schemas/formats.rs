//! Formats of `str` fields that `mgmt compile` checks, so that a value no
//! run could use is refused at its field, with why: account names (a
//! file's `owner`, an exec's `user`) and systemd time spans (a cron's
//! `accuracysec`).

/// An account: a name, or a numeric id. Names are checked only for what
/// no account name can hold (local, LDAP and AD names differ too much for
/// more); the most common slip, Puppet users' `owner:group`, is named. An
/// empty value means unset and is never checked.
pub fn account(text: &str) -> Result<(), String> {
    if text.contains(':') {
        return Err(
            "an account name cannot hold `:`; the owner and the group are separate \
             fields (`owner => \"root\"`, `group => \"root\"`)"
                .to_owned(),
        );
    }
    if let Some(bad) = text
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || matches!(c, ',' | '/'))
    {
        return Err(format!("an account name cannot hold {bad:?}"));
    }
    if text.starts_with('-') {
        return Err("an account name cannot start with `-`".to_owned());
    }
    if text.bytes().all(|b| b.is_ascii_digit()) && text.parse::<u32>().is_err() {
        return Err("an id is at most 4294967294".to_owned());
    }
    if text == "4294967295" {
        return Err("4294967295 is the kernel's \"no id\", not an account".to_owned());
    }
    Ok(())
}

/// The units of systemd.time(7), each in microseconds.
const UNITS: &[(&[&str], f64)] = &[
    (&["usec", "us", "µs"], 1.0),
    (&["msec", "ms"], 1e3),
    (&["seconds", "second", "sec", "s"], 1e6),
    (&["minutes", "minute", "min", "m"], 60e6),
    (&["hours", "hour", "hr", "h"], 3600e6),
    (&["days", "day", "d"], 86400e6),
    (&["weeks", "week", "w"], 604800e6),
    (&["months", "month", "M"], 2629800e6),
    (&["years", "year", "y"], 31557600e6),
];

/// A systemd time span: `infinity`, or numbers each with an optional unit
/// (seconds without one), as `90`, `5min`, `1h 30m` or `1.5d`.
pub fn timespan(text: &str) -> Result<(), String> {
    let trimmed = text.trim();
    if trimmed == "infinity" {
        return Ok(());
    }
    let mut rest = trimmed;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..number_end];
        if number.parse::<f64>().is_err() {
            return Err(format!(
                "`{trimmed}` is not a time span: expected a number at `{rest}` \
                 (as `30s`, `5min` or `1h 30min`)"
            ));
        }
        rest = rest[number_end..].trim_start();
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.' || c.is_whitespace())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        if !unit.is_empty() && !UNITS.iter().any(|(names, _)| names.contains(&unit)) {
            return Err(format!(
                "`{trimmed}` is not a time span: `{unit}` is not a unit (usec, ms, s, \
                 min, h, d, w, M, y and their long names)"
            ));
        }
        rest = rest[unit_end..].trim_start();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts() {
        for good in [
            "root",
            "www-data",
            "nobody",
            "0",
            "65534",
            "Alice.Smith",
            "svc$",
        ] {
            assert_eq!(account(good), Ok(()), "{good}");
        }
        assert!(account("root:root")
            .unwrap_err()
            .contains("separate fields"));
        for bad in [
            "",
            "two words",
            "a,b",
            "a/b",
            "-x",
            "4294967296",
            "4294967295",
        ] {
            assert!(account(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn time_spans() {
        for good in [
            "90", "5min", "1h 30min", "1h30m", "1.5d", "2 weeks", "100ms", "infinity",
        ] {
            assert_eq!(timespan(good), Ok(()), "{good}");
        }
        assert!(timespan("5 lightyears")
            .unwrap_err()
            .contains("`lightyears` is not a unit"));
        for bad in ["soon", "h", "1..5s"] {
            assert!(timespan(bad).is_err(), "{bad}");
        }
    }
}
