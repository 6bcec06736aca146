//! Resource statements, collect, body entries, metaparameters and edges,
//! checked against the kinds' schemas.

use super::{errors, Checker, TypeScope};
use crate::context::kind_of_edge_name;
use crate::facts::Definition;
use crate::graph::meta::{meta_param_type, META_PARAMS};
use crate::schema::ResourceSchema;
use crate::scope::did_you_mean;
use crate::types::unify::{Head, TypeId};
use crate::types::Type;
use mcl_grammar::ast::{BodyEntry, BodyEntryKind, EdgeHalf, EdgeTarget, Expr, Resource};
use mcl_grammar::Span;
use std::collections::HashMap;
use std::rc::Rc;

impl<'a> Checker<'a> {
    pub(super) fn check_resource(
        &mut self,
        scope: &Rc<TypeScope<'a>>,
        resource: &'a Resource,
        collect: bool,
    ) {
        let schema = self.schema(&resource.kind.name, resource.kind.span);
        let name_type = self.expr(scope, &resource.name);
        if collect {
            self.check_collect_names(name_type, resource.name.span);
        } else {
            self.check_name_type(
                name_type,
                resource.name.span,
                "a resource name is a str or a []str",
            );
        }
        self.check_body(scope, schema, &resource.body);
    }

    fn schema(&mut self, kind: &str, span: Span) -> Option<&'a ResourceSchema> {
        let kinds = self.context.kinds;
        let schema = kinds.schema(kind);
        if schema.is_none() {
            let known = kinds.kinds();
            let suggestion = did_you_mean(kind, known.iter().copied());
            self.error(errors::unknown_kind(kind, span, suggestion));
        }
        schema
    }

    /// A str, or a []str for one resource per element.
    fn check_name_type(&mut self, found: TypeId, span: Span, what: &str) {
        let expected = match self.table.head(found) {
            Some(Head::List(_)) => {
                let string = self.concrete(&Type::Str);
                self.table.list_of(string)
            }
            _ => self.concrete(&Type::Str),
        };
        self.expect(expected, found, span, what);
    }

    /// `str`, `[]str`, or `[]struct{name str; host str}` as `collect.res` returns.
    fn check_collect_names(&mut self, found: TypeId, span: Span) {
        if let Some(Head::List(element)) = self.table.head(found) {
            if let Some(Head::Struct(_)) = self.table.head(element) {
                let expected = self.concrete(&Type::list(Type::structure(&[
                    ("name", Type::Str),
                    ("host", Type::Str),
                ])));
                self.expect(
                    expected,
                    found,
                    span,
                    "collect takes names, or the structs `collect.res` returns",
                );
                return;
            }
        }
        self.check_name_type(
            found,
            span,
            "collect takes a str, a []str or []struct{name str; host str}",
        );
    }

    fn check_body(
        &mut self,
        scope: &Rc<TypeScope<'a>>,
        schema: Option<&'a ResourceSchema>,
        body: &'a [BodyEntry],
    ) {
        let mut seen: HashMap<String, Span> = HashMap::new();
        for entry in body {
            if let Some(condition) = &entry.condition {
                let found = self.expr(scope, condition);
                let bool_type = self.concrete(&Type::Bool);
                self.expect(
                    bool_type,
                    found,
                    condition.span,
                    "the condition before `?:` is a bool",
                );
            }
            match &entry.kind {
                BodyEntryKind::Field { name, value } => {
                    // Conditional fields may repeat: `a => $x ?: 1, a => $y ?: 2`.
                    if entry.condition.is_none() {
                        if let Some(first) = seen.insert(name.name.clone(), name.span) {
                            self.error(errors::duplicate_field(&name.name, first, name.span));
                        }
                    }
                    let found = self.expr(scope, value);
                    let Some(schema) = schema else { continue };
                    match schema.field(&name.name) {
                        Some(field) => {
                            self.define(
                                name.span,
                                Definition::Field {
                                    kind: schema.kind,
                                    field: field.name,
                                },
                            );
                            if field.ty != Type::Variant {
                                let expected = self.concrete(&field.ty);
                                let agrees = self.expect_lazy(expected, found, value.span, || {
                                    format!(
                                        "the `{}` field of `{}` has this type",
                                        field.name, schema.kind
                                    )
                                });
                                if !agrees && field.ty == Type::Str {
                                    self.hint_quoting(value, &name.name);
                                }
                            }
                        }
                        None => {
                            let names: Vec<&str> =
                                schema.fields.iter().map(|field| field.name).collect();
                            let suggestion = did_you_mean(&name.name, names.iter().copied());
                            self.error(errors::unknown_field(
                                &name.name,
                                schema.kind,
                                name.span,
                                suggestion,
                            ));
                        }
                    }
                }
                BodyEntryKind::Edge { target, .. } => {
                    self.check_edge_target(scope, target);
                }
                BodyEntryKind::MetaParam { name, value } => {
                    let found = self.expr(scope, value);
                    self.check_meta_param(&name.name, name.span, found, value.span);
                }
                BodyEntryKind::Meta { value } => self.check_meta_struct(scope, value),
            }
        }
    }

    /// `mode => 0644` where a string is wanted: the number was meant as text.
    fn hint_quoting(&mut self, value: &Expr, field: &str) {
        let mcl_grammar::ast::ExprKind::Int(number) = &value.kind else {
            return;
        };
        // The int lost a mode's leading zero (`0644` is 644): put it back.
        let octal =
            (0..=7777).contains(number) && number.to_string().bytes().all(|digit| digit <= b'7');
        let text = if field == "mode" && octal {
            format!("{number:04}")
        } else {
            number.to_string()
        };
        if let Some(last) = self.diagnostics.pop() {
            self.diagnostics
                .push(last.with_help(format!("this is an int: quote it, `{field} => \"{text}\"`")));
        }
    }

    fn check_meta_param(&mut self, name: &str, name_span: Span, found: TypeId, value_span: Span) {
        match meta_param_type(name) {
            Some(ty) => {
                let expected = self.concrete(&ty);
                self.expect_lazy(expected, found, value_span, || {
                    format!("`Meta:{name}` has this type")
                });
            }
            None => {
                let suggestion = did_you_mean(name, META_PARAMS.iter().copied());
                self.error(errors::unknown_meta(name, name_span, suggestion));
            }
        }
    }

    /// `Meta => struct{...}`: each field is a metaparameter; missing ones keep their defaults.
    fn check_meta_struct(&mut self, scope: &Rc<TypeScope<'a>>, value: &'a Expr) {
        if let mcl_grammar::ast::ExprKind::Struct(fields) = &value.kind {
            for (name, field_value) in fields {
                let found = self.expr(scope, field_value);
                self.check_meta_param(&name.name, name.span, found, field_value.span);
            }
            return;
        }
        let found = self.expr(scope, value);
        match self.table.head(found) {
            Some(Head::Struct(fields)) => {
                for (name, ty) in fields {
                    self.check_meta_param(&name, value.span, ty, value.span);
                }
            }
            Some(Head::Error) => {}
            _ => {
                let shown = self.table.display(found);
                self.error(errors::meta_not_struct(&shown, value.span));
            }
        }
    }

    fn check_edge_target(
        &mut self,
        scope: &Rc<TypeScope<'a>>,
        target: &'a EdgeTarget,
    ) -> Option<&'a ResourceSchema> {
        let kind = kind_of_edge_name(&target.kind.name);
        let schema = self.schema(&kind, target.kind.span);
        let found = self.expr(scope, &target.name);
        self.check_name_type(
            found,
            target.name.span,
            "an edge names a resource by a str or a []str",
        );
        schema
    }

    pub(super) fn check_edge_stmt(&mut self, scope: &Rc<TypeScope<'a>>, halves: &'a [EdgeHalf]) {
        let schemas: Vec<Option<&ResourceSchema>> = halves
            .iter()
            .map(|half| self.check_edge_target(scope, &half.target))
            .collect();
        let has_fields = halves.iter().any(|half| half.field.is_some());
        if !has_fields {
            return;
        }
        if halves.len() != 2 || halves.iter().any(|half| half.field.is_none()) {
            self.error(errors::send_recv_shape(
                halves[0].span.to(halves[halves.len() - 1].span),
            ));
            return;
        }
        let (Some(sender), Some(receiver)) = (schemas[0], schemas[1]) else {
            return;
        };
        let (Some(sent), Some(received)) = (&halves[0].field, &halves[1].field) else {
            return;
        };
        let Some(sent_type) = sender.send(&sent.name) else {
            let names: Vec<&str> = sender.sends.iter().map(|(name, _)| *name).collect();
            self.error(errors::unknown_send(
                &sent.name,
                sender.kind,
                &names,
                sent.span,
            ));
            return;
        };
        if !receiver.receives {
            self.error(errors::cannot_receive(receiver.kind, received.span));
            return;
        }
        let Some(field) = receiver.field(&received.name) else {
            let names: Vec<&str> = receiver.fields.iter().map(|field| field.name).collect();
            let suggestion = did_you_mean(&received.name, names.iter().copied());
            self.error(errors::unknown_field(
                &received.name,
                receiver.kind,
                received.span,
                suggestion,
            ));
            return;
        };
        if *sent_type == Type::Variant || field.ty == Type::Variant {
            return;
        }
        let expected = self.concrete(&field.ty);
        let found = self.concrete(sent_type);
        self.expect_lazy(expected, found, sent.span, || {
            format!("`{}.{}` receives a {}", receiver.kind, field.name, field.ty)
        });
    }
}
