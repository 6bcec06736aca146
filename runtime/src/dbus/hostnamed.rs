//! systemd-hostnamed (`org.freedesktop.hostname1`): the host's static,
//! transient and pretty names.

use super::failed;
use crate::resource::ResourceError;
use std::collections::HashMap;
use zbus::wire::OwnedVariant;
use zbus::Connection;

pub const SERVICE: &str = "org.freedesktop.hostname1";
pub const PATH: &str = "/org/freedesktop/hostname1";
const INTERFACE: &str = "org.freedesktop.hostname1";

/// One of the three names and the method that sets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Name {
    Static,
    /// The kernel's hostname.
    Transient,
    Pretty,
}

impl Name {
    pub const ALL: [Name; 3] = [Name::Static, Name::Transient, Name::Pretty];

    /// The property that holds it.
    fn property(self) -> &'static str {
        match self {
            Name::Static => "StaticHostname",
            Name::Transient => "Hostname",
            Name::Pretty => "PrettyHostname",
        }
    }

    fn setter(self) -> &'static str {
        match self {
            Name::Static => "SetStaticHostname",
            Name::Transient => "SetHostname",
            Name::Pretty => "SetPrettyHostname",
        }
    }

    /// How the log and the fields call it.
    pub fn label(self) -> &'static str {
        match self {
            Name::Static => "static hostname",
            Name::Transient => "transient hostname",
            Name::Pretty => "pretty hostname",
        }
    }
}

/// The three names as hostnamed has them.
pub async fn names(connection: &Connection) -> Result<HashMap<String, String>, ResourceError> {
    let properties: HashMap<String, OwnedVariant> = connection
        .call_method(
            Some(SERVICE),
            PATH,
            Some(super::systemd::PROPERTIES),
            "GetAll",
            &(INTERFACE,),
        )
        .await
        .and_then(|reply| reply.body().deserialize())
        .map_err(|problem| failed("reading the host's names from hostnamed", problem))?;
    Ok(Name::ALL
        .iter()
        .map(|name| {
            let value = properties
                .get(name.property())
                .and_then(|value| String::try_from(value.clone()).ok())
                .unwrap_or_default();
            (name.property().to_owned(), value)
        })
        .collect())
}

/// The current value of `name` in what [`names`] returned.
pub fn current(names: &HashMap<String, String>, name: Name) -> &str {
    names.get(name.property()).map_or("", String::as_str)
}

/// Sets `name` to `value` (never asking the user for authorisation).
pub async fn set(connection: &Connection, name: Name, value: &str) -> Result<(), ResourceError> {
    connection
        .call_method(
            Some(SERVICE),
            PATH,
            Some(INTERFACE),
            name.setter(),
            &(value, false),
        )
        .await
        .map(drop)
        .map_err(|problem| {
            failed(
                format!("setting the {} to {value:?}", name.label()),
                problem,
            )
        })
}
