//! The `mode` field: octal (`"0644"`, `"644"`, `"1777"`) or symbolic
//! (`"u=rw,go=r"`, `"u+x"`, `"a-w"`, `"ug=rwx,o="`) permissions.
//!
//! A symbolic mode is resolved against a base: the current permissions of
//! the path when it exists, else the permissions it would be created with.
//! `=` clauses make a mode independent of the base; `+` and `-` clauses only
//! pin the bits they name, which keeps them idempotent. This module only
//! parses and computes bits; it never touches the file system.

use std::fmt;

/// Permission and special bits (`chmod` range).
pub const MODE_MASK: u32 = 0o7777;

/// A parsed `mode` field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// All twelve bits, as given.
    Octal(u32),
    /// Clauses applied left to right to a base mode.
    Symbolic(Vec<Clause>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    /// The `u`/`g`/`o` classes the clause touches (all three when none is
    /// written, or for `a`).
    who: Who,
    actions: Vec<Action>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Who {
    user: bool,
    group: bool,
    other: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operator {
    Set,
    Add,
    Remove,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Permissions {
    read: bool,
    write: bool,
    execute: bool,
    /// `X`: execute only for directories or when some execute bit is set.
    conditional_execute: bool,
    /// `s`: set-user-id (for `u`) and set-group-id (for `g`).
    set_id: bool,
    /// `t`: sticky (for `o` or all).
    sticky: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Action {
    operator: Operator,
    permissions: Permissions,
}

/// Why a `mode` string was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModeError(String);

impl fmt::Display for ModeError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl Mode {
    pub fn parse(text: &str) -> Result<Mode, ModeError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ModeError("mode is empty".into()));
        }
        if text.bytes().all(|byte| byte.is_ascii_digit()) {
            return parse_octal(text).map(Mode::Octal);
        }
        text.split(',')
            .map(parse_clause)
            .collect::<Result<Vec<_>, _>>()
            .map(Mode::Symbolic)
    }

    /// The wanted bits, given the `base` bits and whether the path is a
    /// directory (for `X`).
    pub fn resolve(&self, base: u32, is_dir: bool) -> u32 {
        match self {
            Mode::Octal(bits) => *bits,
            Mode::Symbolic(clauses) => clauses
                .iter()
                .fold(base & MODE_MASK, |mode, clause| clause.apply(mode, is_dir)),
        }
    }
}

/// `0644`-style text for logs and messages.
pub fn format_mode(bits: u32) -> String {
    format!("{:04o}", bits & MODE_MASK)
}

fn parse_octal(text: &str) -> Result<u32, ModeError> {
    let bad = || {
        ModeError(format!(
            "`{text}` is not an octal mode (digits 0-7, at most 7777)"
        ))
    };
    if text.len() > 5 || (text.len() == 5 && !text.starts_with('0')) {
        return Err(bad());
    }
    let bits = u32::from_str_radix(text, 8).map_err(|_| bad())?;
    if bits > MODE_MASK {
        return Err(bad());
    }
    Ok(bits)
}

fn parse_clause(text: &str) -> Result<Clause, ModeError> {
    let syntax = |why: &str| {
        ModeError(format!(
            "`{text}` is not a symbolic mode clause ({why}); write e.g. `u=rw,go=r`, `u+x` or `a-w`"
        ))
    };
    let mut chars = text.chars().peekable();
    let mut who = Who::default();
    while let Some(&letter) = chars.peek() {
        match letter {
            'u' => who.user = true,
            'g' => who.group = true,
            'o' => who.other = true,
            'a' => {
                who = Who {
                    user: true,
                    group: true,
                    other: true,
                }
            }
            _ => break,
        }
        chars.next();
    }
    if who == Who::default() {
        // POSIX would mask with the umask here; a declarative mode is exact.
        who = Who {
            user: true,
            group: true,
            other: true,
        };
    }
    let mut actions = Vec::new();
    while let Some(operator) = chars.next() {
        let operator = match operator {
            '=' => Operator::Set,
            '+' => Operator::Add,
            '-' => Operator::Remove,
            other => return Err(syntax(&format!("unexpected `{other}`"))),
        };
        let mut permissions = Permissions::default();
        while let Some(&letter) = chars.peek() {
            match letter {
                'r' => permissions.read = true,
                'w' => permissions.write = true,
                'x' => permissions.execute = true,
                'X' => permissions.conditional_execute = true,
                's' => permissions.set_id = true,
                't' => permissions.sticky = true,
                'u' | 'g' | 'o' => {
                    return Err(syntax("copying permissions from a class is not supported"))
                }
                '=' | '+' | '-' => break,
                other => return Err(syntax(&format!("unknown permission `{other}`"))),
            }
            chars.next();
        }
        actions.push(Action {
            operator,
            permissions,
        });
    }
    if actions.is_empty() {
        return Err(syntax("missing `=`, `+` or `-`"));
    }
    Ok(Clause { who, actions })
}

impl Clause {
    fn apply(&self, mut mode: u32, is_dir: bool) -> u32 {
        for action in &self.actions {
            let bits = self.bits(action.permissions, mode, is_dir);
            mode = match action.operator {
                Operator::Add => mode | bits,
                Operator::Remove => mode & !bits,
                Operator::Set => (mode & !self.class_mask()) | bits,
            };
        }
        mode
    }

    /// Every bit `=` resets for these classes.
    fn class_mask(&self) -> u32 {
        let mut mask = 0;
        if self.who.user {
            mask |= 0o4700;
        }
        if self.who.group {
            mask |= 0o2070;
        }
        if self.who.other {
            mask |= 0o1007;
        }
        mask
    }

    fn bits(&self, permissions: Permissions, mode: u32, is_dir: bool) -> u32 {
        let execute = permissions.execute
            || (permissions.conditional_execute && (is_dir || mode & 0o111 != 0));
        let mut rwx = 0;
        if permissions.read {
            rwx |= 0o4;
        }
        if permissions.write {
            rwx |= 0o2;
        }
        if execute {
            rwx |= 0o1;
        }
        let mut bits = 0;
        if self.who.user {
            bits |= rwx << 6;
            if permissions.set_id {
                bits |= 0o4000;
            }
        }
        if self.who.group {
            bits |= rwx << 3;
            if permissions.set_id {
                bits |= 0o2000;
            }
        }
        if self.who.other {
            bits |= rwx;
            if permissions.sticky {
                bits |= 0o1000;
            }
        }
        bits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(text: &str, base: u32) -> u32 {
        Mode::parse(text).unwrap().resolve(base, false)
    }

    #[test]
    fn octal_forms() {
        assert_eq!(Mode::parse("0644"), Ok(Mode::Octal(0o644)));
        assert_eq!(Mode::parse("644"), Ok(Mode::Octal(0o644)));
        assert_eq!(Mode::parse("1777"), Ok(Mode::Octal(0o1777)));
        assert_eq!(Mode::parse("00755"), Ok(Mode::Octal(0o755)));
        assert_eq!(Mode::parse("7"), Ok(Mode::Octal(0o7)));
        assert_eq!(Mode::parse(" 0600 "), Ok(Mode::Octal(0o600)));
        assert_eq!(resolve("0644", 0o777), 0o644);
    }

    #[test]
    fn octal_errors() {
        for bad in ["0648", "9", "17777", "123456", "77777"] {
            assert!(Mode::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn symbolic_set_is_exact() {
        assert_eq!(resolve("u=rw,go=r", 0o777), 0o644);
        assert_eq!(resolve("u=rw,go=r", 0), 0o644);
        assert_eq!(resolve("ug=rwx,o=", 0o7777 & !0o7000), 0o770);
        assert_eq!(resolve("a=r", 0o755), 0o444);
        assert_eq!(resolve("u=rwx,g=rx,o=", 0o600), 0o750);
    }

    #[test]
    fn symbolic_add_and_remove_keep_other_bits() {
        assert_eq!(resolve("u+x", 0o644), 0o744);
        assert_eq!(resolve("a-w", 0o664), 0o444);
        assert_eq!(resolve("go-rwx", 0o755), 0o700);
        assert_eq!(resolve("+x", 0o644), 0o755);
        assert_eq!(resolve("u+x-w", 0o644), 0o544);
        assert_eq!(resolve("u=rw", 0o755), 0o655);
        // Idempotent: applying twice gives the same bits.
        assert_eq!(resolve("u+x", resolve("u+x", 0o600)), 0o700);
    }

    #[test]
    fn special_bits() {
        assert_eq!(resolve("u+s", 0o755), 0o4755);
        assert_eq!(resolve("g+s", 0o755), 0o2755);
        assert_eq!(resolve("+t", 0o777), 0o1777);
        assert_eq!(resolve("o+t", 0o777), 0o1777);
        assert_eq!(resolve("u+t", 0o777), 0o777);
        assert_eq!(resolve("u=rwx", 0o4755), 0o755);
        assert_eq!(resolve("a=rwx", 0o1777), 0o777);
    }

    #[test]
    fn conditional_execute() {
        let mode = Mode::parse("a+X").unwrap();
        assert_eq!(mode.resolve(0o644, false), 0o644);
        assert_eq!(mode.resolve(0o744, false), 0o755);
        assert_eq!(mode.resolve(0o644, true), 0o755);
    }

    #[test]
    fn symbolic_errors_say_what_is_wrong() {
        let message = Mode::parse("u=rw,go=q").unwrap_err().to_string();
        assert!(message.contains("unknown permission `q`"), "{message}");
        let message = Mode::parse("u").unwrap_err().to_string();
        assert!(message.contains("missing"), "{message}");
        assert!(Mode::parse("").is_err());
        assert!(Mode::parse("u=rw,").is_err());
        assert!(Mode::parse("g=u").is_err());
        assert!(Mode::parse("x+r").is_err());
        assert!(Mode::parse("0o644").is_err());
    }

    #[test]
    fn formats_four_digits() {
        assert_eq!(format_mode(0o644), "0644");
        assert_eq!(format_mode(0o100644), "0644");
        assert_eq!(format_mode(0o1777), "1777");
    }
}
