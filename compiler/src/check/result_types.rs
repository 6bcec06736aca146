//! Core functions whose result type only their use fixes (upstream's
//! `encoding.decode_json(data) ?1`: `$port int = encoding.decode_json($text)`
//! decodes an int, `$ratio float = ...` a float). The arguments say nothing
//! about such a result, so the function itself cannot know what to build;
//! the checker records each call's result type, and the evaluator hands it
//! to the function through its call context.
//!
//! A result that nothing fixes is a `variant`, as a function of `variant`
//! result would give. Calls are told apart by their span: when one call,
//! inside a polymorphic function or class, gets a different result type at
//! different uses, that is an error asking for the type to be spelt out.

use super::{errors, Checker};
use crate::function::Signature;
use crate::types::unify::TypeId;
use crate::types::Type;
use mcl_grammar::Span;
use std::collections::{BTreeSet, HashMap};

/// A checked call whose result type its arguments leave open.
pub(super) struct ResultUse {
    pub span: Span,
    pub name: String,
    pub ret: TypeId,
    /// The generics that appear in the result only.
    pub free: Vec<TypeId>,
}

/// The result type of every call whose function needs to be told it, by
/// the call's span.
#[derive(Clone, Debug, Default)]
pub struct CallResultTypes(HashMap<Span, Type>);

impl CallResultTypes {
    pub fn get(&self, span: Span) -> Option<&Type> {
        self.0.get(&span)
    }
}

/// The numbers of the generics in the signature's result that none of its
/// parameters has.
pub(super) fn result_only_generics(signature: &Signature) -> Vec<u32> {
    let mut in_params = BTreeSet::new();
    for param in &signature.params {
        generics(param, &mut in_params);
    }
    let mut in_result = BTreeSet::new();
    generics(&signature.ret, &mut in_result);
    in_result.difference(&in_params).copied().collect()
}

fn generics(ty: &Type, found: &mut BTreeSet<u32>) {
    match ty {
        Type::Generic(number) => {
            found.insert(*number);
        }
        Type::List(element) => generics(element, found),
        Type::Map(key, value) => {
            generics(key, found);
            generics(value, found);
        }
        Type::Struct(fields) => fields.iter().for_each(|(_, ty)| generics(ty, found)),
        Type::Func(params, ret) => {
            params.iter().for_each(|param| generics(param, found));
            generics(ret, found);
        }
        Type::Bool | Type::Str | Type::Int | Type::Float | Type::Variant => {}
    }
}

impl Checker<'_> {
    /// Makes every result-only generic that nothing fixed a `variant`.
    pub(super) fn default_open_results(&mut self) {
        let variant = self.concrete(&Type::Variant);
        let open: Vec<TypeId> = self
            .result_uses
            .iter()
            .flat_map(|use_| use_.free.iter().copied())
            .collect();
        for id in open {
            if self.table.head(id).is_none() {
                // An unknown always unifies with a known type.
                let _ = self.table.unify(variant, id);
            }
        }
    }

    /// Each recorded call's result type; a call with two different ones is
    /// reported.
    pub(super) fn resolve_result_types(&mut self) -> CallResultTypes {
        let mut resolved: HashMap<Span, Type> = HashMap::new();
        let uses = std::mem::take(&mut self.result_uses);
        for use_ in uses {
            let ty = self.table.resolve_or_variant(use_.ret);
            match resolved.get(&use_.span) {
                Some(earlier) if *earlier != ty => {
                    let diagnostic =
                        errors::result_type_differs(&use_.name, earlier, &ty, use_.span);
                    self.error(diagnostic);
                }
                Some(_) => {}
                None => {
                    resolved.insert(use_.span, ty);
                }
            }
        }
        CallResultTypes(resolved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_generics_the_parameters_lack_are_open() {
        let decode = Signature::new(vec![Type::Str], Type::Generic(0));
        assert_eq!(result_only_generics(&decode), [0]);
        let history = Signature::new(vec![Type::Generic(0), Type::Int], Type::Generic(0));
        assert!(result_only_generics(&history).is_empty());
        let mixed = Signature::new(
            vec![Type::list(Type::Generic(0))],
            Type::map(Type::Generic(0), Type::Generic(1)),
        );
        assert_eq!(result_only_generics(&mixed), [1]);
    }
}
