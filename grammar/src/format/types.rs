//! Type annotations, always on one line: `[]str`, `map{str: int}`,
//! `struct{a int; b str}`, `func(a int, str) bool`.
//!
//! A comment inside a type is left to the printer, which writes it at the
//! next line break.

use crate::ast::{TypeExpr, TypeKind};

pub(super) fn type_text(ty: &TypeExpr) -> String {
    let mut out = String::new();
    write_type(&mut out, ty);
    out
}

fn write_type(out: &mut String, ty: &TypeExpr) {
    match &ty.kind {
        TypeKind::Bool => out.push_str("bool"),
        TypeKind::Str => out.push_str("str"),
        TypeKind::Int => out.push_str("int"),
        TypeKind::Float => out.push_str("float"),
        TypeKind::Variant => out.push_str("variant"),
        TypeKind::List(element) => {
            out.push_str("[]");
            write_type(out, element);
        }
        TypeKind::Map(key, value) => {
            out.push_str("map{");
            write_type(out, key);
            out.push_str(": ");
            write_type(out, value);
            out.push('}');
        }
        TypeKind::Struct(fields) => {
            out.push_str("struct{");
            for (position, (name, field)) in fields.iter().enumerate() {
                if position > 0 {
                    out.push_str("; ");
                }
                out.push_str(&name.name);
                out.push(' ');
                write_type(out, field);
            }
            out.push('}');
        }
        TypeKind::Func(arguments, ret) => {
            out.push_str("func(");
            for (position, (name, argument)) in arguments.iter().enumerate() {
                if position > 0 {
                    out.push_str(", ");
                }
                if let Some(name) = name {
                    out.push_str(&name.name);
                    out.push(' ');
                }
                write_type(out, argument);
            }
            out.push_str(") ");
            write_type(out, ret);
        }
    }
}
