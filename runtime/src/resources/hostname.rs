//! `hostname`: the host's static, transient and pretty names, set through
//! systemd-hostnamed on the system bus and watched through its
//! `PropertiesChanged` signals, so a name changed by hand is put back.
//! `hostname` stands for each of the three that is not given.

use crate::dbus::hostnamed::{self, Name};
use crate::dbus::systemd::PROPERTIES;
use crate::dbus::{signals, Bus, Buses};
use crate::kind::ResourceKind;
use crate::resource::{ApplyContext, Outcome, Resource, ResourceError, WatchEvents, WatchGuard};
use crate::schemas::hostname;
use crate::services::Services;
use crate::spec::ResourceSpec;
use mcl_compiler::schema::ResourceSchema;
use serde_json::Value as Json;

/// The `hostname` kind.
pub struct Kind;

impl ResourceKind for Kind {
    fn schema(&self) -> ResourceSchema {
        hostname::schema()
    }

    fn build(
        &self,
        spec: &ResourceSpec,
        services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        Ok(Box::new(Hostname {
            wanted: wanted_names(spec),
            buses: services.buses.clone(),
        }))
    }
}

/// The names `spec` manages, static first.
fn wanted_names(spec: &ResourceSpec) -> Vec<(Name, String)> {
    let text = |field: &str| {
        spec.params
            .get(field)
            .and_then(Json::as_str)
            .map(str::to_owned)
    };
    let all = text("hostname");
    let wanted = |field: &str| text(field).or_else(|| all.clone());
    [
        (Name::Static, wanted("static_hostname")),
        (Name::Transient, wanted("transient_hostname")),
        (Name::Pretty, wanted("pretty_hostname")),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name, value?)))
    .collect()
}

pub struct Hostname {
    /// Each name that is managed, static first: hostnamed may derive the
    /// kernel's name from the static one.
    wanted: Vec<(Name, String)>,
    buses: Buses,
}

impl Resource for Hostname {
    fn validate(&self) -> Result<(), ResourceError> {
        for (name, value) in &self.wanted {
            // The pretty name is free text; the others are DNS labels.
            if *name != Name::Pretty && !valid_hostname(value) {
                return Err(ResourceError::invalid(format!(
                    "{value:?} is not a valid {}: 1 to 64 letters, digits, `-` and `.`, \
                     not starting or ending with `-` or `.`",
                    name.label()
                )));
            }
        }
        Ok(())
    }

    fn watch(&self, events: WatchEvents) -> Result<Option<WatchGuard>, ResourceError> {
        let task = signals::watch(&self.buses, events, |buses| async move {
            let connection = buses.connection(Bus::System).await?;
            let changed = signals::subscribe(
                &connection,
                hostnamed::PATH,
                PROPERTIES,
                Some("PropertiesChanged"),
            )
            .await?;
            Ok(vec![changed])
        })?;
        Ok(Some(Box::new(task)))
    }

    fn check_apply(&mut self, context: ApplyContext) -> Result<Outcome, ResourceError> {
        let buses = self.buses.clone();
        let current = self.buses.run(async move {
            let connection = buses.connection(Bus::System).await?;
            hostnamed::names(&connection).await
        })?;
        let differ: Vec<(Name, String)> = self
            .wanted
            .iter()
            .filter(|(name, value)| hostnamed::current(&current, *name) != value)
            .cloned()
            .collect();
        if differ.is_empty() {
            return Ok(Outcome::Correct);
        }
        let said = differ
            .iter()
            .map(|(name, value)| {
                format!(
                    "{} {:?} -> {value:?}",
                    name.label(),
                    hostnamed::current(&current, *name)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        if !context.apply {
            return Ok(Outcome::WouldChange(said));
        }
        let buses = self.buses.clone();
        self.buses.run(async move {
            let connection = buses.connection(Bus::System).await?;
            for (name, value) in differ {
                hostnamed::set(&connection, name, &value).await?;
            }
            Ok(())
        })?;
        Ok(Outcome::Changed(said))
    }
}

/// A hostname as the kernel and hostnamed accept it.
fn valid_hostname(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'.')
        && !name.starts_with(['-', '.'])
        && !name.ends_with(['-', '.'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames_are_checked_before_anything_runs() {
        assert!(valid_hostname("web-1.example"));
        assert!(!valid_hostname(""));
        assert!(!valid_hostname("-web"));
        assert!(!valid_hostname("web_1"));
        assert!(!valid_hostname(&"x".repeat(65)));
    }

    #[test]
    fn hostname_stands_for_the_names_not_given() {
        let params = [
            ("hostname".to_owned(), Json::from("web")),
            ("pretty_hostname".to_owned(), Json::from("Web server")),
        ]
        .into_iter()
        .collect();
        let spec = ResourceSpec::new("hostname", "h", params, "main.mcl:1:1");
        assert_eq!(
            wanted_names(&spec),
            vec![
                (Name::Static, "web".to_owned()),
                (Name::Transient, "web".to_owned()),
                (Name::Pretty, "Web server".to_owned()),
            ]
        );
    }
}
