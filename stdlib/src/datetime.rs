//! The `datetime` module: `now()` (Unix seconds, reactive: it changes every
//! second), and `print`, `format`, `hour` and `weekday` of a Unix time in the
//! host's local time zone ([`Host::utc_offset`]).
//!
//! `format` takes Go's reference-time layouts (`2006-01-02 15:04:05 MST`),
//! implemented here from Go's table of layout words. Only the zone's offset is
//! known, not its abbreviation, so `MST` prints `UTC` at offset zero and the
//! numeric offset (`+0100`) elsewhere, as Go does for unnamed zones.
//!
//! [`Host::utc_offset`]: mcl_compiler::function::Host::utc_offset

use crate::native::{arg_int, arg_str, Native};
use mcl_compiler::function::{FunctionRegistry, Host, Watch};
use mcl_compiler::types::Type;
use mcl_compiler::value::Value;
use std::fmt::Write;

const MODULE: &str = "datetime";

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

pub(crate) fn register(registry: &mut FunctionRegistry) {
    registry.register(
        MODULE,
        "now",
        Native::new("datetime.now", vec![], Type::Int, |context, _| {
            context.watch(Watch::Clock { period_ms: 1000 });
            Ok(Value::Int(context.host.now_unix()))
        })
        .reactive(),
    );

    registry.register(
        MODULE,
        "print",
        Native::new(
            "datetime.print",
            vec![Type::Int],
            Type::Str,
            |context, args| {
                let time = LocalTime::at(context.host, arg_int(&args, 0)?);
                Ok(Value::Str(time.format("2006-01-02 15:04:05 -0700 MST")))
            },
        ),
    );

    registry.register(
        MODULE,
        "format",
        Native::new(
            "datetime.format",
            vec![Type::Int, Type::Str],
            Type::Str,
            |context, args| {
                let time = LocalTime::at(context.host, arg_int(&args, 0)?);
                Ok(Value::Str(time.format(arg_str(&args, 1)?)))
            },
        ),
    );

    registry.register(
        MODULE,
        "hour",
        Native::new(
            "datetime.hour",
            vec![Type::Int],
            Type::Int,
            |context, args| {
                let time = LocalTime::at(context.host, arg_int(&args, 0)?);
                Ok(Value::Int(time.hour))
            },
        ),
    );

    registry.register(
        MODULE,
        "weekday",
        Native::new(
            "datetime.weekday",
            vec![Type::Int],
            Type::Str,
            |context, args| {
                let time = LocalTime::at(context.host, arg_int(&args, 0)?);
                Ok(Value::Str(WEEKDAYS[time.weekday].to_lowercase()))
            },
        ),
    );
}

/// A Unix time broken down in a fixed offset from UTC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LocalTime {
    year: i64,
    /// 1 to 12.
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    /// 0 is Sunday.
    weekday: usize,
    /// 1 to 366.
    year_day: i64,
    /// Seconds east of UTC.
    offset: i64,
}

impl LocalTime {
    pub(crate) fn at(host: &dyn Host, unix: i64) -> LocalTime {
        LocalTime::new(unix, host.utc_offset(unix))
    }

    pub(crate) fn new(unix: i64, offset: i64) -> LocalTime {
        let local = unix.saturating_add(offset);
        let days = local.div_euclid(86_400);
        let seconds = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        LocalTime {
            year,
            month,
            day,
            hour: seconds / 3600,
            minute: seconds % 3600 / 60,
            second: seconds % 60,
            // 1970-01-01 was a Thursday.
            weekday: usize::try_from((days + 4).rem_euclid(7)).unwrap_or(0),
            year_day: days - days_from_civil(year, 1, 1) + 1,
            offset,
        }
    }

    /// The time written out in a Go layout.
    pub(crate) fn format(&self, layout: &str) -> String {
        let mut out = String::new();
        let mut rest = layout;
        while !rest.is_empty() {
            let (token, length) = next_token(rest);
            match token {
                Some(token) => self.write_token(token, &rest[..length], &mut out),
                None => out.push_str(&rest[..length]),
            }
            rest = &rest[length..];
        }
        out
    }

    fn write_token(&self, token: Token, text: &str, out: &mut String) {
        let month_name = MONTHS[usize::try_from(self.month - 1).unwrap_or(0)];
        let hour12 = if self.hour % 12 == 0 {
            12
        } else {
            self.hour % 12
        };
        let _ = match token {
            Token::LongMonth => write!(out, "{month_name}"),
            Token::Month => write!(out, "{}", &month_name[..3]),
            Token::NumMonth => write!(out, "{}", self.month),
            Token::ZeroMonth => write!(out, "{:02}", self.month),
            Token::LongWeekday => write!(out, "{}", WEEKDAYS[self.weekday]),
            Token::Weekday => write!(out, "{}", &WEEKDAYS[self.weekday][..3]),
            Token::Day => write!(out, "{}", self.day),
            Token::UnderDay => write!(out, "{:>2}", self.day),
            Token::ZeroDay => write!(out, "{:02}", self.day),
            Token::UnderYearDay => write!(out, "{:>3}", self.year_day),
            Token::ZeroYearDay => write!(out, "{:03}", self.year_day),
            Token::Hour => write!(out, "{:02}", self.hour),
            Token::Hour12 => write!(out, "{hour12}"),
            Token::ZeroHour12 => write!(out, "{hour12:02}"),
            Token::Minute => write!(out, "{}", self.minute),
            Token::ZeroMinute => write!(out, "{:02}", self.minute),
            Token::Second => write!(out, "{}", self.second),
            Token::ZeroSecond => write!(out, "{:02}", self.second),
            Token::LongYear => write!(out, "{:04}", self.year),
            Token::Year => write!(out, "{:02}", self.year.rem_euclid(100)),
            Token::Pm => write!(out, "{}", if self.hour >= 12 { "PM" } else { "AM" }),
            Token::LowerPm => write!(out, "{}", if self.hour >= 12 { "pm" } else { "am" }),
            Token::ZoneName => {
                if self.offset == 0 {
                    write!(out, "UTC")
                } else {
                    write!(out, "{}", offset_text(self.offset, true, false))
                }
            }
            Token::Offset {
                utc_z,
                colons,
                minutes,
                seconds,
            } => {
                if utc_z && self.offset == 0 {
                    write!(out, "Z")
                } else {
                    let mut text = offset_text(self.offset, minutes, colons);
                    if seconds {
                        let abs = self.offset.abs();
                        let _ = write!(text, "{}{:02}", if colons { ":" } else { "" }, abs % 60);
                    }
                    write!(out, "{text}")
                }
            }
            // Whole seconds: `.000` prints zeros, `.999` prints nothing.
            Token::Fraction { zeros } => {
                if zeros {
                    write!(out, "{}{}", &text[..1], "0".repeat(text.len() - 1))
                } else {
                    Ok(())
                }
            }
        };
    }
}

/// `+hh`, `+hhmm` or `+hh:mm`.
fn offset_text(offset: i64, minutes: bool, colons: bool) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let abs = offset.abs();
    let mut text = format!("{sign}{:02}", abs / 3600);
    if minutes {
        let _ = write!(
            text,
            "{}{:02}",
            if colons { ":" } else { "" },
            abs % 3600 / 60
        );
    }
    text
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekday,
    Weekday,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    Pm,
    LowerPm,
    ZoneName,
    Offset {
        utc_z: bool,
        colons: bool,
        minutes: bool,
        seconds: bool,
    },
    Fraction {
        zeros: bool,
    },
}

/// The layout word at the start of `layout` and its length, or `None` and
/// the length of the literal character there. Mirrors Go's `nextStdChunk`.
fn next_token(layout: &str) -> (Option<Token>, usize) {
    let bytes = layout.as_bytes();
    let starts = |word: &str| layout.starts_with(word);
    let lower_after = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_lowercase);
    let token = match bytes[0] {
        b'J' if starts("January") => Some((Token::LongMonth, 7)),
        b'J' if starts("Jan") && !lower_after(3) => Some((Token::Month, 3)),
        b'M' if starts("Monday") => Some((Token::LongWeekday, 6)),
        b'M' if starts("Mon") && !lower_after(3) => Some((Token::Weekday, 3)),
        b'M' if starts("MST") => Some((Token::ZoneName, 3)),
        b'0' if starts("002") => Some((Token::ZeroYearDay, 3)),
        b'0' => match bytes.get(1) {
            Some(b'1') => Some((Token::ZeroMonth, 2)),
            Some(b'2') => Some((Token::ZeroDay, 2)),
            Some(b'3') => Some((Token::ZeroHour12, 2)),
            Some(b'4') => Some((Token::ZeroMinute, 2)),
            Some(b'5') => Some((Token::ZeroSecond, 2)),
            Some(b'6') => Some((Token::Year, 2)),
            _ => None,
        },
        b'1' if starts("15") => Some((Token::Hour, 2)),
        b'1' => Some((Token::NumMonth, 1)),
        b'2' if starts("2006") => Some((Token::LongYear, 4)),
        b'2' => Some((Token::Day, 1)),
        b'_' if starts("__2") => Some((Token::UnderYearDay, 3)),
        // `_2006` is a literal underscore before a year.
        b'_' if starts("_2") && !starts("_2006") => Some((Token::UnderDay, 2)),
        b'3' => Some((Token::Hour12, 1)),
        b'4' => Some((Token::Minute, 1)),
        b'5' => Some((Token::Second, 1)),
        b'P' if starts("PM") => Some((Token::Pm, 2)),
        b'p' if starts("pm") => Some((Token::LowerPm, 2)),
        b'-' | b'Z' => offset_token(layout),
        b'.' | b',' => fraction_token(bytes),
        _ => None,
    };
    match token {
        Some((token, length)) => (Some(token), length),
        None => (None, layout.chars().next().map_or(1, char::len_utf8)),
    }
}

fn offset_token(layout: &str) -> Option<(Token, usize)> {
    let utc_z = layout.starts_with('Z');
    let body = &layout[1..];
    let forms = [
        ("070000", false, true, true),
        ("07:00:00", true, true, true),
        ("0700", false, true, false),
        ("07:00", true, true, false),
        ("07", false, false, false),
    ];
    forms.iter().find_map(|(form, colons, minutes, seconds)| {
        body.starts_with(form).then_some((
            Token::Offset {
                utc_z,
                colons: *colons,
                minutes: *minutes,
                seconds: *seconds,
            },
            form.len() + 1,
        ))
    })
}

fn fraction_token(bytes: &[u8]) -> Option<(Token, usize)> {
    let digit = *bytes.get(1)?;
    if digit != b'0' && digit != b'9' {
        return None;
    }
    let mut end = 1;
    while bytes.get(end) == Some(&digit) {
        end += 1;
    }
    // A run of the digit followed by another digit is not a fraction.
    if bytes.get(end).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some((
        Token::Fraction {
            zeros: digit == b'0',
        },
        end,
    ))
}

/// Year, month and day of a count of days since 1970-01-01 (the proleptic
/// Gregorian calendar; Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Days since 1970-01-01 of a date (the inverse of [`civil_from_days`]).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::LocalTime;
    use crate::testing::*;
    use crate::MemoryHost;
    use mcl_compiler::function::Watch;
    use mcl_compiler::value::Value;

    /// 2009-11-10 23:04:05 UTC, a Tuesday.
    const T: i64 = 1_257_894_245;

    #[test]
    fn now_reads_the_clock_and_watches_it() {
        let host = MemoryHost::new().with_time(T);
        let (value, watches) = call_on(&host, "datetime", "now", vec![]);
        assert_eq!(value, Ok(Value::Int(T)));
        assert_eq!(watches, [Watch::Clock { period_ms: 1000 }]);
        assert!(reactive("datetime", "now"));
        assert!(!reactive("datetime", "print"));
    }

    #[test]
    fn print_is_gos_time_string() {
        assert_eq!(
            ok("datetime", "print", vec![Value::Int(T)]),
            s("2009-11-10 23:04:05 +0000 UTC")
        );
        let host = MemoryHost::new().with_utc_offset(3600);
        let (value, _) = call_on(&host, "datetime", "print", vec![Value::Int(T)]);
        assert_eq!(value, Ok(s("2009-11-11 00:04:05 +0100 +0100")));
    }

    #[test]
    fn format_takes_go_layouts() {
        let time = LocalTime::new(T, 0);
        assert_eq!(
            time.format("2006-01-02T15:04:05Z07:00"),
            "2009-11-10T23:04:05Z"
        );
        assert_eq!(
            time.format("Mon Jan _2 3:4:5 PM 06"),
            "Tue Nov 10 11:4:5 PM 09"
        );
        assert_eq!(
            time.format("Monday, January 2 (day 002)"),
            "Tuesday, November 10 (day 314)"
        );
        assert_eq!(time.format("15:04:05.000 .999|"), "23:04:05.000 |");
        assert_eq!(time.format("Janet"), "Janet");
        let east = LocalTime::new(T, -(5 * 3600 + 30 * 60));
        assert_eq!(
            east.format("-0700 -07:00 -07 Z0700"),
            "-0530 -05:30 -05 -0530"
        );
        assert_eq!(
            ok(
                "datetime",
                "format",
                vec![Value::Int(0), s("2006/01/02 pm")]
            ),
            s("1970/01/01 am")
        );
    }

    #[test]
    fn dates_before_the_epoch_and_leap_days() {
        assert_eq!(
            LocalTime::new(-1, 0).format("2006-01-02 15:04:05"),
            "1969-12-31 23:59:59"
        );
        assert_eq!(
            LocalTime::new(951_782_400, 0).format("2006-01-02 002"),
            "2000-02-29 060"
        );
    }

    #[test]
    fn hour_and_weekday_are_local() {
        assert_eq!(ok("datetime", "hour", vec![Value::Int(T)]), Value::Int(23));
        assert_eq!(ok("datetime", "weekday", vec![Value::Int(T)]), s("tuesday"));
        let host = MemoryHost::new().with_utc_offset(2 * 3600);
        assert_eq!(
            call_on(&host, "datetime", "hour", vec![Value::Int(T)]).0,
            Ok(Value::Int(1))
        );
        assert_eq!(
            call_on(&host, "datetime", "weekday", vec![Value::Int(T)]).0,
            Ok(s("wednesday"))
        );
    }
}
