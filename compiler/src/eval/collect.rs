//! `collect kind $names { ... }`: the resources other hosts (or this one)
//! exported to this host, as they are in the shared store now, with the
//! body's fields on top. The evaluation watches the store, so it runs again
//! when any host's exports of the kind change.

use super::{EvalCore, Failure, ValueScope};
use crate::diagnostics::{Diagnostic, Severity};
use crate::fields::Fields;
use crate::function::Watch;
use crate::value::Value;
use crate::value_json::value_from_json;
use crate::world::{exports_key, Export};
use mcl_grammar::ast::Resource;
use mcl_grammar::Span;
use std::rc::Rc;

/// One name the statement asks for, and the exporting host if it says.
struct Wanted {
    name: String,
    host: Option<String>,
}

impl EvalCore {
    pub(super) fn run_collect(
        &self,
        scope: &Rc<ValueScope>,
        resource: &Resource,
    ) -> Result<(), Failure> {
        let wanted = self.collect_targets(scope, resource)?;
        let mut body = self.run_body(scope, resource)?;
        // A collected resource is never exported again.
        body.meta.export.clear();
        let kind = &resource.kind.name;
        if let Ok(mut watches) = self.watches.lock() {
            watches.push(Watch::Store(exports_key(kind)));
        }
        let exports = self.inputs.world.exports(kind);
        let hostname = &self.inputs.hostname;
        for target in wanted {
            let matching: Vec<&Export> = exports
                .iter()
                .filter(|export| {
                    export.name == target.name
                        && export.is_for(hostname)
                        && target.host.as_ref().is_none_or(|host| *host == export.host)
                })
                .collect();
            let Some(first) = matching.first() else {
                continue;
            };
            if let Some(other) = matching.iter().find(|other| other.params != first.params) {
                self.warn(two_exports(kind, first, other, resource.name.span));
                continue;
            }
            let Some(mut params) = self.exported_params(first, resource.name.span) else {
                continue;
            };
            params.extend(body.params.iter().map(|(k, v)| (k.clone(), v.clone())));
            self.record_resource(resource, target.name, params, &body)?;
        }
        Ok(())
    }

    /// The names (and hosts) a collect statement's name evaluates to: a
    /// `str`, a `[]str`, or `[]struct{name str; host str}` as `collect.res`
    /// returns.
    fn collect_targets(
        &self,
        scope: &Rc<ValueScope>,
        resource: &Resource,
    ) -> Result<Vec<Wanted>, Failure> {
        let value = self
            .expr(scope, &resource.name)
            .map_err(|failure| self.uncaught(failure, resource.name.span))?;
        let items = match value {
            Value::List(items) => items,
            single => vec![single],
        };
        Ok(items
            .into_iter()
            .filter_map(|item| match item {
                Value::Str(name) => Some(Wanted { name, host: None }),
                other => Some(Wanted {
                    name: other.field("name")?.as_str()?.to_owned(),
                    host: other
                        .field("host")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                }),
            })
            .collect())
    }

    /// An export's fields as values of its kind's field types, each located
    /// at the collect statement; `None` (with a warning) when they do not fit.
    fn exported_params(&self, export: &Export, span: Span) -> Option<Fields<(Value, Span)>> {
        let schema = self.inputs.kinds.schema(&export.kind)?;
        let mut params = Fields::default();
        for (field, json) in &export.params {
            let converted = match schema.field(field) {
                Some(field_schema) => value_from_json(json, &field_schema.ty),
                None => Err(format!("{} has no field `{field}`", export.kind)),
            };
            match converted {
                Ok(value) => {
                    params.insert(field.clone(), (value, span));
                }
                Err(problem) => {
                    self.warn(unfit_export(export, field, &problem, span));
                    return None;
                }
            }
        }
        Some(params)
    }

    fn warn(&self, diagnostic: Diagnostic) {
        self.state.borrow_mut().warnings.push(diagnostic);
    }
}

fn warning(code: &'static str, message: String, span: Span, label: &str) -> Diagnostic {
    let mut diagnostic = Diagnostic::error(code, message, span, label);
    diagnostic.severity = Severity::Warning;
    diagnostic
}

fn unfit_export(export: &Export, field: &str, problem: &str, span: Span) -> Diagnostic {
    warning(
        "W0401",
        format!(
            "skipped {}[{}] exported by host `{}`: field `{field}`: {problem}",
            export.kind, export.name, export.host
        ),
        span,
        "collected here",
    )
    .with_note("the rest of the graph keeps running; the exporting host runs a different program or version")
}

fn two_exports(kind: &str, first: &Export, other: &Export, span: Span) -> Diagnostic {
    warning(
        "W0402",
        format!(
            "skipped {kind}[{}]: hosts `{}` and `{}` export it with different fields",
            first.name, first.host, other.host
        ),
        span,
        "collected here",
    )
    .with_help("collect by host: the names of `collect.res(\"kind\")` say which host exported each")
}
