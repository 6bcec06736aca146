//! `msg`: writes `body` to the agent's log and, when asked, to the systemd
//! journal and to syslog.
//!
//! The log level follows `priority` (`Emerg`, `Alert`, `Crit` and `Err` are
//! errors, `Warning` a warning, `Notice` and `Info` info, `Debug` debug;
//! undefined means `Info`, where upstream requires one). Each destination gets
//! the message once, again when a received value changes it, and again on
//! each refresh; a check that wrote somewhere reports `Changed`. Noop mode
//! writes nothing and says what it would write.
//!
//! The journal gets a native-protocol datagram on
//! `/run/systemd/journal/socket` with `MESSAGE`, `PRIORITY`,
//! `SYSLOG_IDENTIFIER=mgmt` and the `fields` (names upper-cased, as the
//! journal only accepts those). Syslog gets `<PRI>mgmt[PID]: body` (facility
//! user) on `/dev/log`. On a host without the socket the message is only in
//! the agent's log, with a warning, and the resource counts it as written; a
//! socket that exists but refuses the message fails the check. A journal
//! entry must fit in one datagram (large ones would need a memfd).

use crate::kind::ResourceKind;
use crate::resource::{ApplyContext, Outcome, Resource, ResourceError};
use crate::schemas::{basic_schema, boolean, field, one_of, string};
use crate::services::Services;
use crate::spec::ResourceSpec;
use mcl_compiler::schema::ResourceSchema;
use mcl_compiler::types::Type;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::io::{ErrorKind, Write};
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::Path;
use tracing::{debug, error, info, warn};

const JOURNAL_SOCKET: &str = "/run/systemd/journal/socket";
const SYSLOG_SOCKET: &str = "/dev/log";
const IDENTIFIER: &str = "mgmt";

/// The `msg` kind.
pub struct Kind;

impl ResourceKind for Kind {
    fn schema(&self) -> ResourceSchema {
        basic_schema(
            "msg",
            vec![
                string("body"),
                one_of("priority", &PRIORITIES),
                // Extra structured journal fields (upper case, no leading `_`).
                field("fields", Type::map(Type::Str, Type::Str)),
                boolean("journal"),
                boolean("syslog"),
            ],
        )
    }

    fn build(
        &self,
        spec: &ResourceSpec,
        _services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        let mut msg = Msg {
            id: spec.id(),
            body: String::new(),
            severity: 6,
            fields: BTreeMap::new(),
            journal: false,
            syslog: false,
            logged: false,
            journaled: false,
            syslogged: false,
        };
        for (field, value) in &spec.params {
            msg.set(field, value)?;
        }
        Ok(Box::new(msg))
    }
}

pub struct Msg {
    id: String,
    body: String,
    /// Syslog severity, 0 (`Emerg`) to 7 (`Debug`).
    severity: u8,
    fields: BTreeMap<String, String>,
    journal: bool,
    syslog: bool,
    /// Which destinations have the current message.
    logged: bool,
    journaled: bool,
    syslogged: bool,
}

/// The priorities, in syslog severity order.
const PRIORITIES: [&str; 8] = [
    "Emerg", "Alert", "Crit", "Err", "Warning", "Notice", "Info", "Debug",
];

impl Msg {
    fn set(&mut self, field: &str, value: &Json) -> Result<(), ResourceError> {
        let wrong = |wanted: &str| ResourceError::invalid(format!("`{field}` must be {wanted}"));
        match field {
            "body" => self.body = value.as_str().ok_or_else(|| wrong("a str"))?.to_owned(),
            "priority" => {
                let name = value.as_str().ok_or_else(|| wrong("a str"))?;
                let severity = PRIORITIES
                    .iter()
                    .position(|priority| *priority == name)
                    .ok_or_else(|| wrong(&format!("one of {}", PRIORITIES.join(", "))))?;
                self.severity = u8::try_from(severity).unwrap_or(6);
            }
            "fields" => {
                let entries = value.as_object().ok_or_else(|| wrong("a map{str: str}"))?;
                let mut fields = BTreeMap::new();
                for (name, text) in entries {
                    check_field_name(name)?;
                    let text = text.as_str().ok_or_else(|| wrong("a map{str: str}"))?;
                    fields.insert(name.to_ascii_uppercase(), text.to_owned());
                }
                self.fields = fields;
            }
            "journal" => self.journal = value.as_bool().ok_or_else(|| wrong("a bool"))?,
            "syslog" => self.syslog = value.as_bool().ok_or_else(|| wrong("a bool"))?,
            other => {
                return Err(ResourceError::invalid(format!(
                    "msg has no field `{other}`"
                )))
            }
        }
        Ok(())
    }

    fn log(&self) {
        let (id, body) = (&self.id, &self.body);
        match self.severity {
            0..=3 => error!("{id}: {body}"),
            4 => warn!("{id}: {body}"),
            5 | 6 => info!("{id}: {body}"),
            _ => debug!("{id}: {body}"),
        }
    }

    fn journal_entry(&self) -> Vec<u8> {
        let mut fields: Vec<(&str, String)> = vec![
            ("MESSAGE", self.body.clone()),
            ("PRIORITY", self.severity.to_string()),
            ("SYSLOG_IDENTIFIER", IDENTIFIER.to_owned()),
        ];
        fields.extend(
            self.fields
                .iter()
                .map(|(name, text)| (name.as_str(), text.clone())),
        );
        journal_entry(&fields)
    }

    fn syslog_line(&self) -> Vec<u8> {
        let priority = 8 + u32::from(self.severity); // facility user (1)
        format!(
            "<{priority}>{IDENTIFIER}[{}]: {}",
            std::process::id(),
            self.body
        )
        .into_bytes()
    }
}

/// Journal field names: letters, digits and `_`, starting with a letter.
fn check_field_name(name: &str) -> Result<(), ResourceError> {
    let valid = name
        .bytes()
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && name
            .bytes()
            .all(|byte| byte == b'_' || byte.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(ResourceError::invalid(format!(
            "`fields`: `{name}` is not a journal field name (letters, digits and `_`, starting with a letter)"
        )))
    }
}

/// The journal's native protocol: `KEY=value` lines, or for a value with a
/// newline `KEY`, a newline, its length as 64-bit little endian, the value.
fn journal_entry(fields: &[(&str, String)]) -> Vec<u8> {
    let mut entry = Vec::new();
    for (name, value) in fields {
        entry.extend_from_slice(name.as_bytes());
        if value.contains('\n') {
            entry.push(b'\n');
            entry.extend_from_slice(&(value.len() as u64).to_le_bytes());
        } else {
            entry.push(b'=');
        }
        entry.extend_from_slice(value.as_bytes());
        entry.push(b'\n');
    }
    entry
}

/// Whether the message reached the socket (`false`: there is none).
fn deliver(socket: &str, message: &[u8], what: &str) -> Result<bool, ResourceError> {
    if !Path::new(socket).exists() {
        return Ok(false);
    }
    let failed = |error: std::io::Error| {
        ResourceError::failed(match error.raw_os_error() {
            Some(code) if code == nix::libc::EMSGSIZE => {
                format!("the message is too large for one {what} datagram on `{socket}`")
            }
            _ => format!("cannot write to the {what} on `{socket}`: {error}"),
        })
    };
    let sent = UnixDatagram::unbound().and_then(|datagram| datagram.send_to(message, socket));
    match sent {
        Ok(_) => Ok(true),
        // Some syslog daemons listen on a stream socket instead.
        Err(error) if error.raw_os_error() == Some(nix::libc::EPROTOTYPE) => {
            let mut stream = UnixStream::connect(socket).map_err(failed)?;
            stream.write_all(message).map_err(failed)?;
            stream.write_all(b"\n").map_err(failed)?;
            Ok(true)
        }
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(false),
        Err(error) => Err(failed(error)),
    }
}

impl Resource for Msg {
    fn check_apply(&mut self, context: ApplyContext) -> Result<Outcome, ResourceError> {
        if context.refresh {
            (self.logged, self.journaled, self.syslogged) = (false, false, false);
        }
        let mut places = Vec::new();
        if !self.logged {
            places.push("the log");
        }
        if self.journal && !self.journaled {
            places.push("the journal");
        }
        if self.syslog && !self.syslogged {
            places.push("syslog");
        }
        if places.is_empty() {
            return Ok(Outcome::Correct);
        }
        let places = places.join(", ");
        if !context.apply {
            return Ok(Outcome::WouldChange(format!(
                "would write {:?} to {places}",
                self.body
            )));
        }
        if !self.logged {
            self.log();
            self.logged = true;
        }
        if self.journal && !self.journaled {
            if !deliver(JOURNAL_SOCKET, &self.journal_entry(), "journal")? {
                warn!("{}: no systemd journal on this host ({JOURNAL_SOCKET}); the message is only in the log", self.id);
            }
            self.journaled = true;
        }
        if self.syslog && !self.syslogged {
            if !deliver(SYSLOG_SOCKET, &self.syslog_line(), "syslog")? {
                warn!(
                    "{}: no syslog on this host ({SYSLOG_SOCKET}); the message is only in the log",
                    self.id
                );
            }
            self.syslogged = true;
        }
        // The message itself is on the log line above.
        Ok(Outcome::Changed(format!("wrote the message to {places}")))
    }

    fn receive(&mut self, field: &str, value: Json) -> Result<(), ResourceError> {
        let (body, severity, fields) = (self.body.clone(), self.severity, self.fields.clone());
        self.set(field, &value)?;
        if (body, severity, fields) != (self.body.clone(), self.severity, self.fields.clone()) {
            (self.logged, self.journaled, self.syslogged) = (false, false, false);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_entries_use_the_binary_form_for_multiline_values() {
        let entry = journal_entry(&[("MESSAGE", "a\nb".to_owned()), ("PRIORITY", "6".to_owned())]);
        let mut expected = b"MESSAGE\n".to_vec();
        expected.extend_from_slice(&3u64.to_le_bytes());
        expected.extend_from_slice(b"a\nb\nPRIORITY=6\n");
        assert_eq!(entry, expected);
    }

    #[test]
    fn messages_reach_a_datagram_socket() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("socket");
        let listener = UnixDatagram::bind(&path).unwrap();
        let path = path.display().to_string();
        assert!(deliver(&path, b"PRIORITY=3\n", "journal").unwrap());
        let mut buffer = [0; 64];
        let count = listener.recv(&mut buffer).unwrap();
        assert_eq!(&buffer[..count], b"PRIORITY=3\n");
        let missing = directory.path().join("missing").display().to_string();
        assert!(!deliver(&missing, b"x", "journal").unwrap());
    }

    #[test]
    fn field_names_are_checked() {
        assert!(check_field_name("SOME_field2").is_ok());
        for name in ["_HIDDEN", "2X", "a-b", ""] {
            assert!(check_field_name(name).is_err(), "{name}");
        }
    }
}
