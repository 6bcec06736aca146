//! The `os` functions about user accounts, read from `/etc/passwd` through
//! the host's `read_file`: `user_exists(user)`, `uid(user)` and
//! `home(user)`. Each watches the file, so adding or removing an account
//! re-evaluates the program. Accounts known only to NSS (LDAP, sssd) are not
//! seen, as upstream mgmt's own watcher does not see them either.

use crate::native::{arg_str, Native};
use crate::os_probe::read;
use mcl_compiler::function::{CallContext, FunctionRegistry, Watch};
use mcl_compiler::types::Type;
use mcl_compiler::value::{CallError, Value};

const MODULE: &str = "os";
const PASSWD: &str = "/etc/passwd";

/// One line of `/etc/passwd`: `name:password:uid:gid:gecos:home:shell`.
struct Account<'a> {
    uid: &'a str,
    home: &'a str,
}

pub(crate) fn register(registry: &mut FunctionRegistry) {
    registry.register(
        MODULE,
        "user_exists",
        Native::new(
            "os.user_exists",
            vec![Type::Str],
            Type::Bool,
            |context, args| {
                let user = arg_str(&args, 0)?;
                let passwd = passwd(context)?;
                Ok(Value::Bool(account(&passwd, user).is_some()))
            },
        )
        .reactive(),
    );

    registry.register(
        MODULE,
        "uid",
        Native::new("os.uid", vec![Type::Str], Type::Str, |context, args| {
            let user = arg_str(&args, 0)?;
            let passwd = passwd(context)?;
            let account = account(&passwd, user).ok_or_else(|| no_user(user))?;
            // A str, as upstream returns it (Go's `user.User.Uid`).
            Ok(Value::str(account.uid))
        })
        .reactive(),
    );

    registry.register(
        MODULE,
        "home",
        Native::new("os.home", vec![Type::Str], Type::Str, |context, args| {
            let user = arg_str(&args, 0)?;
            let passwd = passwd(context)?;
            let home = account(&passwd, user).ok_or_else(|| no_user(user))?.home;
            // Directories end in `/` in this language's paths.
            Ok(Value::Str(if home.ends_with('/') {
                home.to_owned()
            } else {
                format!("{home}/")
            }))
        })
        .reactive(),
    );
}

/// The account database, watched (also when it cannot be read).
fn passwd(context: &CallContext<'_>) -> Result<String, CallError> {
    context.watch(Watch::File(PASSWD.to_owned()));
    read(context, PASSWD)
}

/// The account named `user`; lines that are not whole accounts are skipped.
fn account<'a>(passwd: &'a str, user: &str) -> Option<Account<'a>> {
    passwd
        .lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.len() >= 7 && fields[0] == user)
        .map(|fields| Account {
            uid: fields[2],
            home: fields[5],
        })
}

fn no_user(user: &str) -> CallError {
    CallError::catchable(format!("no user {user:?} in {PASSWD}"))
}

#[cfg(test)]
mod tests {
    use crate::testing::*;
    use crate::MemoryHost;
    use mcl_compiler::function::Watch;
    use mcl_compiler::value::{CallError, Value};

    fn host() -> MemoryHost {
        MemoryHost::new().with_file(
            "/etc/passwd",
            "root:x:0:0:root:/root:/bin/bash\n\
             # not an account\n\
             ann:x:1000:1000:Ann:/home/ann/:/bin/sh\n",
        )
    }

    #[test]
    fn user_exists_reads_and_watches_the_account_database() {
        let (value, watches) = call_on(&host(), "os", "user_exists", vec![s("ann")]);
        assert_eq!(value, Ok(Value::Bool(true)));
        assert_eq!(watches, [Watch::File("/etc/passwd".to_owned())]);
        assert_eq!(
            call_on(&host(), "os", "user_exists", vec![s("bob")]).0,
            Ok(Value::Bool(false))
        );
        // An empty name is no account, not an error (as upstream).
        assert_eq!(
            call_on(&host(), "os", "user_exists", vec![s("")]).0,
            Ok(Value::Bool(false))
        );
        assert!(reactive("os", "user_exists"));
    }

    #[test]
    fn an_unreadable_database_is_catchable_and_still_watched() {
        let (value, watches) = call_on(&MemoryHost::new(), "os", "user_exists", vec![s("ann")]);
        assert_eq!(
            value,
            Err(CallError::catchable(
                "cannot read /etc/passwd: No such file or directory"
            ))
        );
        assert_eq!(watches, [Watch::File("/etc/passwd".to_owned())]);
    }

    #[test]
    fn uid_is_a_str_and_an_unknown_user_is_catchable() {
        assert_eq!(call_on(&host(), "os", "uid", vec![s("root")]).0, Ok(s("0")));
        assert_eq!(
            call_on(&host(), "os", "uid", vec![s("ann")]).0,
            Ok(s("1000"))
        );
        assert_eq!(
            call_on(&host(), "os", "uid", vec![s("bob")]).0,
            Err(CallError::catchable("no user \"bob\" in /etc/passwd"))
        );
        assert!(reactive("os", "uid"));
    }

    #[test]
    fn home_ends_with_a_slash() {
        assert_eq!(
            call_on(&host(), "os", "home", vec![s("root")]).0,
            Ok(s("/root/"))
        );
        assert_eq!(
            call_on(&host(), "os", "home", vec![s("ann")]).0,
            Ok(s("/home/ann/"))
        );
        let (value, watches) = call_on(&host(), "os", "home", vec![s("bob")]);
        assert_eq!(
            value,
            Err(CallError::catchable("no user \"bob\" in /etc/passwd"))
        );
        assert_eq!(watches, [Watch::File("/etc/passwd".to_owned())]);
    }
}
