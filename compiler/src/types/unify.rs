//! Unification over types with unknowns, as a union-find table.
//!
//! Every expression gets a [`TypeId`]; constraints merge ids. An `Error` node
//! unifies with anything, so one mistake is reported once instead of cascading.
//! Unification is near-linear: links are path-compressed on lookup, and
//! structures are only walked where both sides are known.

use super::Type;
use std::collections::HashMap;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(u32);

#[derive(Clone, Debug)]
enum Node {
    Unknown,
    Link(TypeId),
    Known(Head),
}

/// The outermost constructor of a known type, with its parts as ids.
#[derive(Clone, Debug)]
pub enum Head {
    Bool,
    Str,
    Int,
    Float,
    Variant,
    List(TypeId),
    Map(TypeId, TypeId),
    Struct(Vec<(String, TypeId)>),
    Func(Vec<TypeId>, TypeId),
    /// Stands for a type that was already wrong; agrees with everything.
    Error,
}

/// Two types that cannot be the same, printed for a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub expected: String,
    pub found: String,
}

#[derive(Default, Debug)]
pub struct TypeTable {
    nodes: Vec<Node>,
}

impl TypeTable {
    pub fn new() -> TypeTable {
        TypeTable::default()
    }

    fn push(&mut self, node: Node) -> TypeId {
        let id = TypeId(u32::try_from(self.nodes.len()).unwrap_or(u32::MAX));
        self.nodes.push(node);
        id
    }

    pub fn unknown(&mut self) -> TypeId {
        self.push(Node::Unknown)
    }

    pub fn error(&mut self) -> TypeId {
        self.push(Node::Known(Head::Error))
    }

    /// A fresh id for a concrete type; generics get fresh unknowns, shared
    /// within one call of this function through `generics`.
    pub fn instantiate(&mut self, ty: &Type, generics: &mut HashMap<u32, TypeId>) -> TypeId {
        let shape = match ty {
            Type::Bool => Head::Bool,
            Type::Str => Head::Str,
            Type::Int => Head::Int,
            Type::Float => Head::Float,
            Type::Variant => Head::Variant,
            Type::List(element) => Head::List(self.instantiate(element, generics)),
            Type::Map(key, value) => {
                let key = self.instantiate(key, generics);
                Head::Map(key, self.instantiate(value, generics))
            }
            Type::Struct(fields) => Head::Struct(
                fields
                    .iter()
                    .map(|(name, ty)| (name.clone(), self.instantiate(ty, generics)))
                    .collect(),
            ),
            Type::Func(params, ret) => {
                let params = params
                    .iter()
                    .map(|param| self.instantiate(param, generics))
                    .collect();
                Head::Func(params, self.instantiate(ret, generics))
            }
            Type::Generic(number) => {
                if let Some(id) = generics.get(number) {
                    return *id;
                }
                let id = self.unknown();
                generics.insert(*number, id);
                return id;
            }
        };
        self.push(Node::Known(shape))
    }

    /// A concrete type with no generics.
    pub fn concrete(&mut self, ty: &Type) -> TypeId {
        self.instantiate(ty, &mut HashMap::new())
    }

    pub fn list_of(&mut self, element: TypeId) -> TypeId {
        self.push(Node::Known(Head::List(element)))
    }

    pub fn map_of(&mut self, key: TypeId, value: TypeId) -> TypeId {
        self.push(Node::Known(Head::Map(key, value)))
    }

    pub fn struct_of(&mut self, fields: Vec<(String, TypeId)>) -> TypeId {
        self.push(Node::Known(Head::Struct(fields)))
    }

    pub fn func_of(&mut self, params: Vec<TypeId>, ret: TypeId) -> TypeId {
        self.push(Node::Known(Head::Func(params, ret)))
    }

    /// The representative of `id`'s class, compressing the path to it.
    pub fn find(&mut self, id: TypeId) -> TypeId {
        let mut root = id;
        while let Node::Link(next) = self.nodes[root.0 as usize] {
            root = next;
        }
        let mut current = id;
        while let Node::Link(next) = self.nodes[current.0 as usize] {
            self.nodes[current.0 as usize] = Node::Link(root);
            current = next;
        }
        root
    }

    fn shape(&mut self, id: TypeId) -> Option<Head> {
        let root = self.find(id);
        match &self.nodes[root.0 as usize] {
            Node::Known(shape) => Some(shape.clone()),
            _ => None,
        }
    }

    pub fn is_error(&mut self, id: TypeId) -> bool {
        matches!(self.shape(id), Some(Head::Error))
    }

    /// Makes `expected` and `found` the same type, or says why they cannot be.
    pub fn unify(&mut self, expected: TypeId, found: TypeId) -> Result<(), Mismatch> {
        if self.unify_inner(expected, found) {
            Ok(())
        } else {
            Err(Mismatch {
                expected: self.display(expected),
                found: self.display(found),
            })
        }
    }

    fn unify_inner(&mut self, a: TypeId, b: TypeId) -> bool {
        let a = self.find(a);
        let b = self.find(b);
        if a == b {
            return true;
        }
        let a_shape = self.shape(a);
        let b_shape = self.shape(b);
        match (a_shape, b_shape) {
            (None, _) => {
                if self.occurs(a, b) {
                    return false;
                }
                self.nodes[a.0 as usize] = Node::Link(b);
                true
            }
            (_, None) => {
                if self.occurs(b, a) {
                    return false;
                }
                self.nodes[b.0 as usize] = Node::Link(a);
                true
            }
            (Some(Head::Error), _) | (_, Some(Head::Error)) => true,
            (Some(Head::Variant), _) | (_, Some(Head::Variant)) => true,
            (Some(left), Some(right)) => {
                let same = match (left, right) {
                    (Head::Bool, Head::Bool)
                    | (Head::Str, Head::Str)
                    | (Head::Int, Head::Int)
                    | (Head::Float, Head::Float) => true,
                    (Head::List(x), Head::List(y)) => self.unify_inner(x, y),
                    (Head::Map(xk, xv), Head::Map(yk, yv)) => {
                        self.unify_inner(xk, yk) && self.unify_inner(xv, yv)
                    }
                    (Head::Struct(x), Head::Struct(y)) => {
                        x.len() == y.len()
                            && x.iter().zip(&y).all(|((xn, _), (yn, _))| xn == yn)
                            && x.iter()
                                .zip(&y)
                                .all(|((_, xt), (_, yt))| self.unify_inner(*xt, *yt))
                    }
                    (Head::Func(xp, xr), Head::Func(yp, yr)) => {
                        xp.len() == yp.len()
                            && xp.iter().zip(&yp).all(|(x, y)| self.unify_inner(*x, *y))
                            && self.unify_inner(xr, yr)
                    }
                    _ => false,
                };
                if same {
                    // Share one node from now on, so later lookups are short.
                    self.nodes[a.0 as usize] = Node::Link(b);
                }
                same
            }
        }
    }

    /// Whether the unknown `var` appears inside `ty` (which would make an
    /// infinite type, such as a function applied to itself).
    fn occurs(&mut self, var: TypeId, ty: TypeId) -> bool {
        let ty = self.find(ty);
        if ty == var {
            return true;
        }
        match self.shape(ty) {
            Some(Head::List(element)) => self.occurs(var, element),
            Some(Head::Map(key, value)) => self.occurs(var, key) || self.occurs(var, value),
            Some(Head::Struct(fields)) => fields.iter().any(|(_, field)| self.occurs(var, *field)),
            Some(Head::Func(params, ret)) => {
                params.iter().any(|param| self.occurs(var, *param)) || self.occurs(var, ret)
            }
            _ => false,
        }
    }

    /// The concrete type, if nothing in it is still unknown. Error parts
    /// resolve to `Variant` (their error was reported already).
    pub fn resolve(&mut self, id: TypeId) -> Option<Type> {
        Some(match self.shape(id)? {
            Head::Bool => Type::Bool,
            Head::Str => Type::Str,
            Head::Int => Type::Int,
            Head::Float => Type::Float,
            Head::Variant | Head::Error => Type::Variant,
            Head::List(element) => Type::list(self.resolve(element)?),
            Head::Map(key, value) => Type::map(self.resolve(key)?, self.resolve(value)?),
            Head::Struct(fields) => Type::Struct(
                fields
                    .into_iter()
                    .map(|(name, field)| Some((name, self.resolve(field)?)))
                    .collect::<Option<_>>()?,
            ),
            Head::Func(params, ret) => Type::func(
                params
                    .into_iter()
                    .map(|param| self.resolve(param))
                    .collect::<Option<_>>()?,
                self.resolve(ret)?,
            ),
        })
    }

    /// The type with every unknown part read as `variant`: what a value of a
    /// type that nothing fixed (an empty list's elements) can safely be.
    pub fn resolve_or_variant(&mut self, id: TypeId) -> Type {
        match self.shape(id) {
            None | Some(Head::Variant | Head::Error) => Type::Variant,
            Some(Head::Bool) => Type::Bool,
            Some(Head::Str) => Type::Str,
            Some(Head::Int) => Type::Int,
            Some(Head::Float) => Type::Float,
            Some(Head::List(element)) => Type::list(self.resolve_or_variant(element)),
            Some(Head::Map(key, value)) => {
                Type::map(self.resolve_or_variant(key), self.resolve_or_variant(value))
            }
            Some(Head::Struct(fields)) => Type::Struct(
                fields
                    .into_iter()
                    .map(|(name, field)| (name, self.resolve_or_variant(field)))
                    .collect(),
            ),
            Some(Head::Func(params, ret)) => Type::func(
                params
                    .into_iter()
                    .map(|param| self.resolve_or_variant(param))
                    .collect(),
                self.resolve_or_variant(ret),
            ),
        }
    }

    /// Whether the type is fully known (no unknown anywhere inside).
    pub fn is_known(&mut self, id: TypeId) -> bool {
        self.resolve(id).is_some()
    }

    /// The outermost constructor of the type, if known; its parts are ids.
    pub fn head(&mut self, id: TypeId) -> Option<Head> {
        self.shape(id)
    }

    /// mcl syntax with `?` for what is not known yet.
    pub fn display(&mut self, id: TypeId) -> String {
        let mut out = String::new();
        self.write_type(id, &mut out);
        out
    }

    fn write_type(&mut self, id: TypeId, out: &mut String) {
        match self.shape(id) {
            None => out.push('?'),
            Some(Head::Bool) => out.push_str("bool"),
            Some(Head::Str) => out.push_str("str"),
            Some(Head::Int) => out.push_str("int"),
            Some(Head::Float) => out.push_str("float"),
            Some(Head::Variant) => out.push_str("variant"),
            Some(Head::Error) => out.push('?'),
            Some(Head::List(element)) => {
                out.push_str("[]");
                self.write_type(element, out);
            }
            Some(Head::Map(key, value)) => {
                out.push_str("map{");
                self.write_type(key, out);
                out.push_str(": ");
                self.write_type(value, out);
                out.push('}');
            }
            Some(Head::Struct(fields)) => {
                out.push_str("struct{");
                for (index, (name, field)) in fields.iter().enumerate() {
                    if index > 0 {
                        out.push_str("; ");
                    }
                    let _ = write!(out, "{name} ");
                    self.write_type(*field, out);
                }
                out.push('}');
            }
            Some(Head::Func(params, ret)) => {
                out.push_str("func(");
                for (index, param) in params.iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    self.write_type(*param, out);
                }
                out.push_str(") ");
                self.write_type(ret, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknowns_take_the_shape_they_meet() {
        let mut table = TypeTable::new();
        let element = table.unknown();
        let list = table.list_of(element);
        let strings = table.concrete(&Type::list(Type::Str));
        table.unify(list, strings).unwrap();
        assert_eq!(table.resolve(element), Some(Type::Str));
    }

    #[test]
    fn mismatches_print_both_sides() {
        let mut table = TypeTable::new();
        let unknown = table.unknown();
        let expected = table.map_of(unknown, unknown);
        let found = table.concrete(&Type::map(Type::Str, Type::Int));
        let error = table.unify(expected, found).unwrap_err();
        assert_eq!(error.found, "map{str: int}");
    }

    #[test]
    fn errors_agree_with_everything() {
        let mut table = TypeTable::new();
        let error = table.error();
        let int = table.concrete(&Type::Int);
        assert!(table.unify(error, int).is_ok());
    }

    #[test]
    fn infinite_types_are_refused() {
        let mut table = TypeTable::new();
        let unknown = table.unknown();
        let list = table.list_of(unknown);
        assert!(table.unify(unknown, list).is_err());
    }

    #[test]
    fn generics_are_shared_within_one_instantiation() {
        let mut table = TypeTable::new();
        let mut generics = HashMap::new();
        let signature = Type::func(vec![Type::Generic(0)], Type::list(Type::Generic(0)));
        let id = table.instantiate(&signature, &mut generics);
        let Some(Head::Func(params, ret)) = table.head(id) else {
            panic!("a function")
        };
        let int = table.concrete(&Type::Int);
        table.unify(params[0], int).unwrap();
        assert_eq!(table.resolve(ret), Some(Type::list(Type::Int)));
    }
}
