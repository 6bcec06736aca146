//! `test`: a resource for testing the language and the engine. It changes
//! nothing on the host; its switches make it misbehave on purpose.
//!
//! - `validatebool => true` or a non-empty `validateerror` fail validation
//!   (the latter with its text).
//! - `expectrecv`: the fields it must have received values for, by the time
//!   of each check; receiving others or missing one fails the check (upstream
//!   compares only how many).
//! - `waitforerror => N`: the first N checks fail (a negative N: every check),
//!   to exercise retries; upstream has no such switch.
//! - `onlyshow`: which fields a check logs (all that are set by default).
//! - `alwaysgroup` and `comparefail` are for grouping and graph comparison,
//!   which happen before a resource runs; here they do nothing.
//!
//! Every check logs what it received and whether a refresh came, reports
//! `Correct` (as upstream), and from then on the resource sends `hello`
//! (`sendvalue`, or `""`) and `answer` (42). It receives any of its fields.
//! Integer ranges were checked when the graph was built.

mod schema;

use crate::kind::ResourceKind;
use crate::resource::{ApplyContext, Outcome, Resource, ResourceError};
use crate::services::Services;
use crate::spec::{Fields, ResourceSpec};
use mcl_compiler::schema::ResourceSchema;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;
use tracing::{debug, info};

/// The fields that steer the resource rather than being data to show,
/// declared once with the schema.
static SWITCHES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| schema::switches().iter().map(|field| field.name).collect());

/// The `test` kind: `alwaysgroup` and `comparefail` steer the engine.
pub struct Kind;

impl ResourceKind for Kind {
    fn schema(&self) -> ResourceSchema {
        schema::schema()
    }

    fn build(
        &self,
        spec: &ResourceSpec,
        _services: &Services,
    ) -> Result<Box<dyn Resource>, ResourceError> {
        if let Some(field) = spec.params.keys().find(|field| !is_field(field)) {
            return Err(ResourceError::invalid(format!(
                "test has no field `{field}`"
            )));
        }
        Ok(Box::new(Test {
            id: spec.id(),
            params: spec.params.clone(),
            received: BTreeSet::new(),
            failures: 0,
            checked: false,
        }))
    }

    fn joins_group(&self, spec: &ResourceSpec) -> bool {
        spec.bool_param("alwaysgroup") == Some(true)
    }

    /// `comparefail`: never the same as the running one, so always replaced.
    fn keeps_when_unchanged(&self, spec: &ResourceSpec) -> bool {
        spec.bool_param("comparefail") != Some(true)
    }
}

pub struct Test {
    id: String,
    params: Fields,
    /// Every field a value was received for.
    received: BTreeSet<String>,
    /// Failures so far caused by `waitforerror`.
    failures: i64,
    checked: bool,
}

impl Test {
    fn text(&self, field: &str) -> Option<&str> {
        self.params.get(field).and_then(Json::as_str)
    }

    fn list(&self, field: &str) -> Option<BTreeSet<String>> {
        self.params
            .get(field)
            .and_then(Json::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_owned))
                    .collect()
            })
    }
}

fn is_field(field: &str) -> bool {
    static SCHEMA: LazyLock<ResourceSchema> = LazyLock::new(schema::schema);
    SCHEMA.field(field).is_some()
}

impl Resource for Test {
    fn validate(&self) -> Result<(), ResourceError> {
        if self.params.get("validatebool") == Some(&Json::Bool(true)) {
            return Err(ResourceError::invalid("`validatebool` is true"));
        }
        match self.text("validateerror") {
            Some(message) if !message.is_empty() => Err(ResourceError::invalid(format!(
                "`validateerror` is set: {message}"
            ))),
            _ => Ok(()),
        }
    }

    fn check_apply(&mut self, context: ApplyContext) -> Result<Outcome, ResourceError> {
        let id = &self.id;
        if context.refresh {
            info!("{id}: received a notification");
        }
        if let Some(expected) = self.list("expectrecv") {
            if expected != self.received {
                return Err(ResourceError::failed(format!(
                    "expected to receive {expected:?}, received {:?}",
                    self.received
                )));
            }
        }
        let wait = self
            .params
            .get("waitforerror")
            .and_then(Json::as_i64)
            .unwrap_or(0);
        if wait < 0 || self.failures < wait {
            self.failures += 1;
            return Err(ResourceError::failed(format!(
                "failing on purpose (failure {} of `waitforerror => {wait}`)",
                self.failures
            )));
        }
        let only = self.list("onlyshow");
        for (field, value) in &self.params {
            let shown = only.as_ref().is_none_or(|only| only.contains(field));
            if shown && !SWITCHES.contains(&field.as_str()) {
                info!("{id}: {field}: {value}");
            }
        }
        self.checked = true;
        Ok(Outcome::Correct)
    }

    fn sent(&self) -> BTreeMap<String, Json> {
        if !self.checked {
            return BTreeMap::new();
        }
        let hello = self.text("sendvalue").unwrap_or_default();
        BTreeMap::from([
            ("hello".to_owned(), Json::from(hello)),
            ("answer".to_owned(), Json::from(42)),
        ])
    }

    fn receive(&mut self, field: &str, value: Json) -> Result<(), ResourceError> {
        if !is_field(field) {
            return Err(ResourceError::invalid(format!(
                "test has no field `{field}`"
            )));
        }
        if self.params.get(field) == Some(&value) {
            debug!("{}: received `{field}` (unchanged)", self.id);
        } else {
            info!("{}: received `{field}`: {value}", self.id);
        }
        self.received.insert(field.to_owned());
        self.params.insert(field.to_owned(), value);
        Ok(())
    }
}
