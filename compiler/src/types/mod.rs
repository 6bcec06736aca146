//! mcl types (spec §4) as the rest of the compiler sees them: concrete types,
//! plus numbered generics in the signatures of polymorphic built-ins.
//!
//! Inference works on its own representation with unknowns
//! ([`unify::TypeTable`]); this module is the stable, printable form used by
//! function signatures, resource schemas and error messages.

pub mod unify;

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    Bool,
    Str,
    Int,
    Float,
    /// Any value; used by a few resource fields and functions.
    Variant,
    List(Box<Type>),
    Map(Box<Type>, Box<Type>),
    /// Fields in declaration order.
    Struct(Vec<(String, Type)>),
    Func(Vec<Type>, Box<Type>),
    /// A placeholder in a polymorphic signature, instantiated per call site.
    Generic(u32),
}

impl Type {
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    pub fn map(key: Type, value: Type) -> Type {
        Type::Map(Box::new(key), Box::new(value))
    }

    pub fn func(params: Vec<Type>, ret: Type) -> Type {
        Type::Func(params, Box::new(ret))
    }

    pub fn structure(fields: &[(&str, Type)]) -> Type {
        Type::Struct(
            fields
                .iter()
                .map(|(name, ty)| ((*name).to_owned(), ty.clone()))
                .collect(),
        )
    }

    /// Map keys must be comparable values: no functions.
    pub fn is_hashable(&self) -> bool {
        match self {
            // As in Go (upstream): slices, maps and functions are no keys.
            Type::Func(..) | Type::List(_) | Type::Map(..) => false,
            Type::Struct(fields) => fields.iter().all(|(_, ty)| ty.is_hashable()),
            _ => true,
        }
    }
}

impl fmt::Display for Type {
    /// mcl syntax: `[]str`, `map{str: int}`, `struct{a int; b str}`, `func(int) str`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Str => f.write_str("str"),
            Type::Int => f.write_str("int"),
            Type::Float => f.write_str("float"),
            Type::Variant => f.write_str("variant"),
            Type::List(element) => write!(f, "[]{element}"),
            Type::Map(key, value) => write!(f, "map{{{key}: {value}}}"),
            Type::Struct(fields) => {
                f.write_str("struct{")?;
                for (index, (name, ty)) in fields.iter().enumerate() {
                    if index > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{name} {ty}")?;
                }
                f.write_str("}")
            }
            Type::Func(params, ret) => {
                f.write_str("func(")?;
                for (index, param) in params.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{param}")?;
                }
                write!(f, ") {ret}")
            }
            Type::Generic(number) => write!(f, "?{number}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_print_in_mcl_syntax() {
        let ty = Type::func(
            vec![
                Type::list(Type::Str),
                Type::map(Type::Str, Type::Int),
                Type::structure(&[("a", Type::Int), ("b", Type::Str)]),
            ],
            Type::Bool,
        );
        assert_eq!(
            ty.to_string(),
            "func([]str, map{str: int}, struct{a int; b str}) bool"
        );
    }
}
