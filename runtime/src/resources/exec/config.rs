//! The params of an `exec` resource, read from its spec and checked: the
//! commands (main, guards, done, watch) with their shells and directories,
//! the environment, the credentials, the timeout and the watched paths.
//!
//! Strings follow upstream: an empty `cmd`, `shell` or `cwd` is the same as
//! an undefined one, while `ifequals => ""` is a real expectation.

use super::process::{RunContext, RunningCommands};
use crate::resource::ResourceError;
use crate::spec::Fields;
use nix::unistd::{geteuid, Group, User};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// One command and how to start it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandLine {
    /// Which command this is (`cmd`, `ifcmd`...), for messages.
    pub role: &'static str,
    pub text: String,
    /// Extra arguments (only for the main command, never with a shell).
    pub args: Vec<String>,
    /// Run `shell -c text` instead of splitting `text` on whitespace.
    pub shell: Option<String>,
    pub cwd: Option<PathBuf>,
    /// `Meta:sensitive`: messages name the role, never the command line.
    pub redacted: bool,
}

impl CommandLine {
    /// The program and its arguments.
    pub fn argv(&self) -> Vec<String> {
        match &self.shell {
            Some(shell) => vec![shell.clone(), "-c".to_owned(), self.text.clone()],
            None => self
                .text
                .split_whitespace()
                .map(str::to_owned)
                .chain(self.args.iter().cloned())
                .collect(),
        }
    }

    /// The command as a person would type it, for logs and errors.
    pub fn display(&self) -> String {
        if self.redacted {
            return format!("[redacted {}]", self.role);
        }
        let mut shown = self.text.clone();
        for argument in &self.args {
            shown.push(' ');
            if argument.is_empty() || argument.contains(char::is_whitespace) {
                shown.push_str(&format!("{argument:?}"));
            } else {
                shown.push_str(argument);
            }
        }
        shown
    }
}

/// Who the commands run as; `None` keeps the agent's own id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Credentials {
    pub uid: Option<u32>,
    pub gid: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub cmd: CommandLine,
    pub if_cmd: Option<CommandLine>,
    /// With `ifcmd`: skip when it succeeded and printed exactly this.
    pub if_equals: Option<String>,
    pub nif_cmd: Option<CommandLine>,
    pub done_cmd: Option<CommandLine>,
    pub watch_cmd: Option<CommandLine>,
    /// The whole environment of every command (upstream: empty unless given).
    pub env: BTreeMap<String, String>,
    pub user: Option<String>,
    pub group: Option<String>,
    pub timeout: Option<Duration>,
    /// Bytes kept of each output stream; `None`: all.
    pub output_limit: Option<usize>,
    /// A handler: it runs only when a Notify edge delivers a refresh.
    pub refresh_only: bool,
    pub creates: Option<String>,
    pub watch_files: Vec<String>,
    pub mtimes: Vec<String>,
}

impl Config {
    /// Reads and checks the params of the exec named `name`.
    pub fn parse(name: &str, params: &Fields) -> Result<Config, ResourceError> {
        let params = Params(params);
        let text = params.text("cmd")?.unwrap_or_else(|| name.to_owned());
        if text.trim().is_empty() {
            return Err(ResourceError::invalid("the command is empty"));
        }
        let args = params.list("args")?;
        let shell = params.text("shell")?;
        if !args.is_empty() && shell.is_some() {
            return Err(ResourceError::invalid(
                "`args` cannot be used with a `shell`",
            ));
        }
        if !args.is_empty() && text.split_whitespace().count() > 1 {
            return Err(ResourceError::invalid(
                "`args` cannot be used when `cmd` has arguments already",
            ));
        }
        let cmd = CommandLine {
            role: "cmd",
            text,
            args,
            shell,
            cwd: params.text("cwd")?.map(PathBuf::from),
            redacted: false,
        };
        let if_cmd = params.command("ifcmd", "ifshell", "ifcwd")?;
        let if_equals = params.raw_text("ifequals")?;
        if if_equals.is_some() && if_cmd.is_none() {
            return Err(ResourceError::invalid("`ifequals` needs an `ifcmd`"));
        }

        let env = params.map("env")?;
        for key in env.keys() {
            check_variable_name(key)?;
        }
        let user = params.text("user")?;
        let group = params.text("group")?;
        if (user.is_some() || group.is_some()) && !geteuid().is_root() {
            return Err(ResourceError::invalid(
                "running commands as another `user` or `group` needs the agent to run as root",
            ));
        }
        let creates = params.text("creates")?;
        let watch_files = params.list("watchfiles")?;
        let mtimes = params.list("mtimes")?;
        for (field, path) in creates
            .iter()
            .map(|path| ("creates", path))
            .chain(watch_files.iter().map(|path| ("watchfiles", path)))
            .chain(mtimes.iter().map(|path| ("mtimes", path)))
        {
            if !path.starts_with('/') {
                return Err(ResourceError::invalid(format!(
                    "`{field}`: the path `{path}` must be absolute"
                )));
            }
        }
        Ok(Config {
            cmd,
            if_cmd,
            if_equals,
            nif_cmd: params.command("nifcmd", "nifshell", "nifcwd")?,
            done_cmd: params.command("donecmd", "doneshell", "donecwd")?,
            watch_cmd: params.command("watchcmd", "watchshell", "watchcwd")?,
            env,
            user,
            group,
            timeout: params
                .uint("timeout")?
                .filter(|seconds| *seconds > 0)
                .map(Duration::from_secs),
            refresh_only: params.0.get("refreshonly").and_then(Json::as_bool) == Some(true),
            output_limit: match params.uint("outputlimit")? {
                None => Some(super::process::OUTPUT_LIMIT),
                Some(0) => None,
                Some(bytes) => Some(usize::try_from(bytes).unwrap_or(usize::MAX)),
            },
            creates,
            watch_files,
            mtimes,
        })
    }

    /// `Meta:sensitive`: no command line appears in a message.
    pub fn redact(&mut self) {
        for line in std::iter::once(&mut self.cmd).chain(
            [
                &mut self.if_cmd,
                &mut self.nif_cmd,
                &mut self.done_cmd,
                &mut self.watch_cmd,
            ]
            .into_iter()
            .flatten(),
        ) {
            line.redacted = true;
        }
    }

    /// Whether anything decides each time if the command needs to run.
    pub fn has_guards(&self) -> bool {
        self.if_cmd.is_some() || self.nif_cmd.is_some() || self.creates.is_some()
    }

    /// The paths whose changes are events (a trailing `/`: a directory tree).
    pub fn watched_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.creates.iter().cloned().collect();
        paths.extend(self.watch_files.iter().cloned());
        paths.extend(self.mtimes.iter().cloned());
        paths
    }

    /// What every command runs with; user and group names are looked up
    /// now, as a `user` resource may have created them since the start.
    /// The children are registered in `running`.
    pub fn run_context(&self, running: &RunningCommands) -> Result<RunContext, ResourceError> {
        Ok(RunContext {
            env: self.env.clone(),
            credentials: self.credentials()?,
            timeout: self.timeout,
            running: running.clone(),
            output_limit: self.output_limit,
        })
    }

    fn credentials(&self) -> Result<Credentials, ResourceError> {
        let lookup = |what: &str, name: &str, error: nix::Error| {
            ResourceError::failed(format!("cannot look up the {what} `{name}`: {error}"))
        };
        let mut credentials = Credentials::default();
        if let Some(name) = &self.user {
            let user = match name.parse::<u32>() {
                Ok(uid) => User::from_uid(uid.into()),
                Err(_) => User::from_name(name),
            }
            .map_err(|error| lookup("user", name, error))?
            .ok_or_else(|| ResourceError::failed(format!("there is no user `{name}`")))?;
            credentials.uid = Some(user.uid.as_raw());
            // Never keep root's group when dropping to a user.
            credentials.gid = Some(user.gid.as_raw());
        }
        if let Some(name) = &self.group {
            let gid = match name.parse::<u32>() {
                Ok(gid) => gid,
                Err(_) => Group::from_name(name)
                    .map_err(|error| lookup("group", name, error))?
                    .ok_or_else(|| ResourceError::failed(format!("there is no group `{name}`")))?
                    .gid
                    .as_raw(),
            };
            credentials.gid = Some(gid);
        }
        Ok(credentials)
    }
}

/// Environment variable names as upstream accepts them: `[A-Za-z_][A-Za-z0-9_]*`.
fn check_variable_name(name: &str) -> Result<(), ResourceError> {
    let valid = name
        .bytes()
        .next()
        .is_some_and(|first| first == b'_' || first.is_ascii_alphabetic())
        && name
            .bytes()
            .all(|byte| byte == b'_' || byte.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(ResourceError::invalid(format!(
            "`env`: `{name}` is not a valid variable name"
        )))
    }
}

/// Typed access to the JSON params.
struct Params<'a>(&'a Fields);

impl Params<'_> {
    fn wrong(field: &str, wanted: &str) -> ResourceError {
        ResourceError::invalid(format!("`{field}` must be {wanted}"))
    }

    /// A string, kept even when empty.
    fn raw_text(&self, field: &str) -> Result<Option<String>, ResourceError> {
        match self.0.get(field) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(Self::wrong(field, "a str")),
        }
    }

    /// A non-empty string.
    fn text(&self, field: &str) -> Result<Option<String>, ResourceError> {
        Ok(self.raw_text(field)?.filter(|text| !text.is_empty()))
    }

    fn list(&self, field: &str) -> Result<Vec<String>, ResourceError> {
        match self.0.get(field) {
            None | Some(Json::Null) => Ok(Vec::new()),
            Some(Json::Array(items)) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<_>>()
                .ok_or_else(|| Self::wrong(field, "a []str")),
            Some(_) => Err(Self::wrong(field, "a []str")),
        }
    }

    fn map(&self, field: &str) -> Result<BTreeMap<String, String>, ResourceError> {
        match self.0.get(field) {
            None | Some(Json::Null) => Ok(BTreeMap::new()),
            Some(Json::Object(entries)) => entries
                .iter()
                .map(|(key, value)| value.as_str().map(|value| (key.clone(), value.to_owned())))
                .collect::<Option<_>>()
                .ok_or_else(|| Self::wrong(field, "a map{str: str}")),
            Some(_) => Err(Self::wrong(field, "a map{str: str}")),
        }
    }

    fn uint(&self, field: &str) -> Result<Option<u64>, ResourceError> {
        match self.0.get(field) {
            None | Some(Json::Null) => Ok(None),
            Some(value) => value
                .as_u64()
                .map(Some)
                .ok_or_else(|| Self::wrong(field, "a non-negative int")),
        }
    }

    /// A guard, done or watch command with its shell and directory.
    fn command(
        &self,
        role: &'static str,
        shell: &'static str,
        cwd: &'static str,
    ) -> Result<Option<CommandLine>, ResourceError> {
        let shell_value = self.text(shell)?;
        let cwd_value = self.text(cwd)?.map(PathBuf::from);
        let Some(text) = self.text(role)? else {
            for (field, set) in [(shell, shell_value.is_some()), (cwd, cwd_value.is_some())] {
                if set {
                    return Err(ResourceError::invalid(format!(
                        "`{field}` needs a `{role}`"
                    )));
                }
            }
            return Ok(None);
        };
        Ok(Some(CommandLine {
            role,
            text,
            args: Vec::new(),
            shell: shell_value,
            cwd: cwd_value,
            redacted: false,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(params: Json) -> Result<Config, ResourceError> {
        let params = params
            .as_object()
            .map(|map| map.clone().into_iter().collect())
            .unwrap_or_default();
        Config::parse("echo from the name", &params)
    }

    #[test]
    fn the_command_defaults_to_the_name_and_splits_on_whitespace() {
        let config = parse(json!({})).unwrap();
        assert_eq!(config.cmd.argv(), ["echo", "from", "the", "name"]);
        let config = parse(json!({"cmd": "printf", "args": ["%s\n", "a b"]})).unwrap();
        assert_eq!(config.cmd.argv(), ["printf", "%s\n", "a b"]);
        assert_eq!(config.cmd.display(), "printf \"%s\\n\" \"a b\"");
        let config = parse(json!({"cmd": "echo $HOME", "shell": "/bin/sh"})).unwrap();
        assert_eq!(config.cmd.argv(), ["/bin/sh", "-c", "echo $HOME"]);
    }

    #[test]
    fn contradictions_are_invalid() {
        let invalid = |params: Json| match parse(params) {
            Err(ResourceError::Invalid(message)) => message,
            other => panic!("expected invalid, got {other:?}"),
        };
        assert!(invalid(json!({"args": ["x"], "shell": "/bin/sh"})).contains("shell"));
        assert!(invalid(json!({"cmd": "ls -l", "args": ["/"]})).contains("arguments"));
        assert!(invalid(json!({"creates": "relative/path"})).contains("absolute"));
        assert!(invalid(json!({"mtimes": ["/ok", "nope"]})).contains("nope"));
        assert!(invalid(json!({"env": {"1X": "y"}})).contains("1X"));
        assert!(invalid(json!({"ifshell": "/bin/sh"})).contains("ifcmd"));
        assert!(invalid(json!({"ifequals": ""})).contains("ifcmd"));
        assert!(invalid(json!({"cmd": 3})).contains("str"));
    }

    #[test]
    fn guards_timeout_and_paths() {
        let config = parse(json!({
            "ifcmd": "true", "ifequals": "", "nifcmd": "false", "nifshell": "/bin/sh",
            "timeout": 0, "creates": "/a", "watchfiles": ["/b/"], "mtimes": ["/c"],
        }))
        .unwrap();
        assert!(config.has_guards());
        assert_eq!(config.if_equals.as_deref(), Some(""));
        assert_eq!(config.timeout, None);
        assert_eq!(config.watched_paths(), ["/a", "/b/", "/c"]);
        assert!(!parse(json!({"timeout": 5})).unwrap().has_guards());
    }
}
