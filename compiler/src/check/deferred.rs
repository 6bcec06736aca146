//! Checks that need a type to be known before they can run: arithmetic on an
//! unknown, indexing and field access on an unknown, `in`, `==` on functions,
//! map keys. They are retried as unification learns more.

use super::{errors, Checker};
use crate::types::unify::{Head, TypeId};
use crate::types::Type;
use mcl_grammar::ast::BinaryOp;
use mcl_grammar::Span;

/// A check and whether an unused binding produced it (then it is dropped,
/// not reported, if it can never be decided).
pub(super) struct Queued {
    check: Deferred,
    lenient: bool,
}

pub(super) enum Deferred {
    Numeric {
        ty: TypeId,
        op: BinaryOp,
        allow_str: bool,
        span: Span,
    },
    Comparable {
        ty: TypeId,
        op: BinaryOp,
        span: Span,
    },
    Hashable {
        ty: TypeId,
        span: Span,
    },
    Index {
        base: TypeId,
        index: TypeId,
        result: TypeId,
        span: Span,
        index_span: Span,
    },
    Field {
        base: TypeId,
        field: String,
        result: TypeId,
        span: Span,
        base_span: Span,
        /// Under `<|>`: a missing field is a run-time error the fallback catches.
        missing_ok: bool,
    },
    In {
        needle: TypeId,
        haystack: TypeId,
        span: Span,
    },
}

/// Whether a deferred check was decided (reported or passed) or must wait.
enum Outcome {
    Done,
    Wait,
}

impl Checker<'_> {
    /// Makes an operation's result the error type, so that the mistake
    /// already reported causes no second error where the result is used.
    fn poison(&mut self, result: TypeId) {
        let error = self.table.error();
        let _ = self.table.unify(result, error);
    }

    /// Runs a check now if its types are known enough, or queues it.
    pub(super) fn defer(&mut self, check: Deferred) {
        if let Outcome::Wait = self.try_deferred(&check) {
            let lenient = self.lenient > 0;
            self.deferred.push(Queued { check, lenient });
        }
    }

    /// Runs every deferred check that can be decided now, until none can.
    pub(super) fn settle_deferred(&mut self) {
        loop {
            let waiting = std::mem::take(&mut self.deferred);
            let before = waiting.len();
            let mut still = Vec::with_capacity(before);
            for queued in waiting {
                if let Outcome::Wait = self.try_deferred(&queued.check) {
                    still.push(queued);
                }
            }
            let progressed = still.len() < before;
            // Checks added while running (none today) stay queued too.
            still.append(&mut self.deferred);
            self.deferred = still;
            if !progressed || self.deferred.is_empty() {
                break;
            }
        }
    }

    /// What is still waiting at the end can never be decided: ambiguous.
    pub(super) fn report_unresolved_deferred(&mut self) {
        let waiting = std::mem::take(&mut self.deferred);
        if !self.diagnostics.is_empty() {
            return;
        }
        if let Some(Queued { check, .. }) = waiting.iter().find(|queued| !queued.lenient) {
            let span = match check {
                Deferred::Numeric { span, .. }
                | Deferred::Comparable { span, .. }
                | Deferred::Hashable { span, .. }
                | Deferred::Index { span, .. }
                | Deferred::Field { span, .. }
                | Deferred::In { span, .. } => *span,
            };
            self.error(errors::ambiguous_expression(span));
        }
    }

    fn try_deferred(&mut self, check: &Deferred) -> Outcome {
        match check {
            Deferred::Numeric {
                ty,
                op,
                allow_str,
                span,
            } => match self.table.head(*ty) {
                None => Outcome::Wait,
                Some(Head::Int | Head::Float | Head::Error | Head::Variant) => Outcome::Done,
                Some(Head::Str) if *allow_str => Outcome::Done,
                Some(_) => {
                    let shown = self.table.display(*ty);
                    self.error(errors::operator_type(
                        op.symbol(),
                        &shown,
                        *allow_str,
                        *span,
                    ));
                    Outcome::Done
                }
            },
            Deferred::Comparable { ty, op, span } => match self.table.head(*ty) {
                None => Outcome::Wait,
                Some(Head::Func(..)) => {
                    self.error(errors::compare_functions(op.symbol(), *span));
                    Outcome::Done
                }
                Some(_) => Outcome::Done,
            },
            Deferred::Hashable { ty, span } => match self.table.resolve(*ty) {
                None => {
                    if matches!(
                        self.table.head(*ty),
                        Some(Head::Func(..) | Head::List(_) | Head::Map(..))
                    ) {
                        let shown = self.table.display(*ty);
                        self.error(errors::unhashable_key(&shown, *span));
                        Outcome::Done
                    } else if self.table.head(*ty).is_none() {
                        Outcome::Wait
                    } else {
                        Outcome::Done
                    }
                }
                Some(resolved) => {
                    if !resolved.is_hashable() {
                        self.error(errors::unhashable_key(&resolved.to_string(), *span));
                    }
                    Outcome::Done
                }
            },
            Deferred::Index {
                base,
                index,
                result,
                span,
                index_span,
            } => match self.table.head(*base) {
                None => Outcome::Wait,
                Some(Head::List(element)) => {
                    let int = self.table.concrete(&Type::Int);
                    self.expect(int, *index, *index_span, "a list index is an int");
                    self.expect(
                        *result,
                        element,
                        *span,
                        "the list's elements have this type",
                    );
                    Outcome::Done
                }
                Some(Head::Map(key, value)) => {
                    self.expect(key, *index, *index_span, "the map's keys have this type");
                    self.expect(*result, value, *span, "the map's values have this type");
                    Outcome::Done
                }
                Some(Head::Error | Head::Variant) => {
                    self.poison(*result);
                    Outcome::Done
                }
                Some(_) => {
                    let shown = self.table.display(*base);
                    self.error(errors::not_indexable(&shown, *span));
                    self.poison(*result);
                    Outcome::Done
                }
            },
            Deferred::Field {
                base,
                field,
                result,
                span,
                base_span,
                missing_ok,
            } => match self.table.head(*base) {
                None => Outcome::Wait,
                Some(Head::Struct(fields)) => {
                    match fields.iter().find(|(name, _)| name == field) {
                        Some((_, ty)) => {
                            self.expect(*result, *ty, *span, "the struct field has this type");
                        }
                        None if *missing_ok => {}
                        None => {
                            let names: Vec<&str> =
                                fields.iter().map(|(name, _)| name.as_str()).collect();
                            let shown = self.table.display(*base);
                            self.error(errors::no_such_field(field, &shown, &names, *span));
                            self.poison(*result);
                        }
                    }
                    Outcome::Done
                }
                Some(Head::Error | Head::Variant) => {
                    self.poison(*result);
                    Outcome::Done
                }
                Some(_) => {
                    let shown = self.table.display(*base);
                    self.error(errors::not_a_struct(field, &shown, *base_span));
                    self.poison(*result);
                    Outcome::Done
                }
            },
            Deferred::In {
                needle,
                haystack,
                span,
            } => match self.table.head(*haystack) {
                None => Outcome::Wait,
                Some(Head::List(element)) => {
                    self.expect(
                        element,
                        *needle,
                        *span,
                        "`in` looks for an element of the list's type",
                    );
                    Outcome::Done
                }
                Some(Head::Map(key, _)) => {
                    self.expect(
                        key,
                        *needle,
                        *span,
                        "`in` looks for a key of the map's type",
                    );
                    Outcome::Done
                }
                Some(Head::Str) => {
                    let string = self.table.concrete(&Type::Str);
                    self.expect(string, *needle, *span, "`in` on a str looks for a str");
                    Outcome::Done
                }
                Some(Head::Error | Head::Variant) => Outcome::Done,
                Some(_) => {
                    let shown = self.table.display(*haystack);
                    self.error(errors::not_a_container(&shown, *span));
                    Outcome::Done
                }
            },
        }
    }
}
