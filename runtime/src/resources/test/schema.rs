//! `test`: a resource for testing the language and the engine, with one field
//! of every Go type upstream resources use, plus behaviour switches.
//!
//! Every Go integer width is an mcl `int` with the width's range, so `-1` into
//! `uint64` or `128` into `int8` is an error when the graph is built. Go
//! pointers (`boolptr`, `int8ptrptrptr`) are plain fields: in mcl every field
//! is optional already.

use crate::schemas::{basic_schema, boolean, field, integer, string, strings, IntWidth};
use mcl_compiler::schema::{FieldSchema, ResourceSchema};
use mcl_compiler::types::Type;

/// The fields that steer the resource rather than being data to show (the
/// resource logs only the others).
pub fn switches() -> Vec<FieldSchema> {
    vec![
        boolean("validatebool"),
        string("validateerror"),
        boolean("alwaysgroup"),
        boolean("comparefail"),
        string("sendvalue"),
        strings("expectrecv"),
        strings("onlyshow"),
        field("waitforerror", Type::Int),
        string("comment"),
    ]
}

pub fn schema() -> ResourceSchema {
    let mut schema = basic_schema(
        "test",
        vec![
            boolean("bool"),
            string("str"),
            integer("int", IntWidth::I64),
            integer("int8", IntWidth::I8),
            integer("int16", IntWidth::I16),
            integer("int32", IntWidth::I32),
            integer("int64", IntWidth::I64),
            integer("uint", IntWidth::U64),
            integer("uint8", IntWidth::U8),
            integer("uint16", IntWidth::U16),
            integer("uint32", IntWidth::U32),
            integer("uint64", IntWidth::U64),
            // Go's aliases: byte is uint8, rune is int32.
            integer("byte", IntWidth::U8),
            integer("rune", IntWidth::I32),
            field("float32", Type::Float),
            field("float64", Type::Float),
            boolean("boolptr"),
            string("stringptr"),
            integer("int64ptr", IntWidth::I64),
            integer("int8ptr", IntWidth::I8),
            integer("uint8ptr", IntWidth::U8),
            integer("int8ptrptrptr", IntWidth::I8),
            strings("slicestring"),
            field("mapintfloat", Type::map(Type::Int, Type::Float)),
            field(
                "mixedstruct",
                Type::structure(&[
                    ("somebool", Type::Bool),
                    ("somestr", Type::Str),
                    ("someint", Type::Int),
                    ("somefloat", Type::Float),
                ]),
            ),
            field("interface", Type::Variant),
            string("anotherstr"),
            field("func1", Type::func(vec![Type::Int], Type::Str)),
        ],
    );
    schema.fields.extend(switches());
    schema.sends = vec![("hello", Type::Str), ("answer", Type::Int)];
    schema.groupable = true;
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(name: &str) -> Option<(i128, i128)> {
        schema().field(name).and_then(|field| field.int_range)
    }

    #[test]
    fn fields_are_exactly_those_of_the_spec() {
        let names: Vec<&str> = schema().fields.iter().map(|field| field.name).collect();
        assert_eq!(
            names,
            [
                "bool",
                "str",
                "int",
                "int8",
                "int16",
                "int32",
                "int64",
                "uint",
                "uint8",
                "uint16",
                "uint32",
                "uint64",
                "byte",
                "rune",
                "float32",
                "float64",
                "boolptr",
                "stringptr",
                "int64ptr",
                "int8ptr",
                "uint8ptr",
                "int8ptrptrptr",
                "slicestring",
                "mapintfloat",
                "mixedstruct",
                "interface",
                "anotherstr",
                "func1",
                "validatebool",
                "validateerror",
                "alwaysgroup",
                "comparefail",
                "sendvalue",
                "expectrecv",
                "onlyshow",
                "waitforerror",
                "comment",
            ]
        );
    }

    #[test]
    fn integer_widths_are_range_checked() {
        assert_eq!(range("int8"), Some((-128, 127)));
        assert_eq!(range("int16"), Some((-32_768, 32_767)));
        assert_eq!(range("int32"), Some((-2_147_483_648, 2_147_483_647)));
        assert_eq!(range("int64"), None);
        assert_eq!(range("int"), None);
        assert_eq!(range("uint"), Some((0, i128::from(u64::MAX))));
        assert_eq!(range("uint8"), Some((0, 255)));
        assert_eq!(range("uint16"), Some((0, 65_535)));
        assert_eq!(range("uint32"), Some((0, 4_294_967_295)));
        assert_eq!(range("uint64"), Some((0, 18_446_744_073_709_551_615)));
        assert_eq!(range("byte"), range("uint8"));
        assert_eq!(range("rune"), range("int32"));
        assert_eq!(range("int8ptrptrptr"), range("int8"));
        assert_eq!(range("uint8ptr"), range("uint8"));
    }

    #[test]
    fn composite_fields_print_as_mcl_types() {
        let ty = |name: &str| {
            schema()
                .field(name)
                .map(|field| field.ty.to_string())
                .unwrap_or_default()
        };
        assert_eq!(ty("mapintfloat"), "map{int: float}");
        assert_eq!(
            ty("mixedstruct"),
            "struct{somebool bool; somestr str; someint int; somefloat float}"
        );
        assert_eq!(ty("func1"), "func(int) str");
        assert_eq!(ty("interface"), "variant");
        assert_eq!(ty("float32"), "float");
    }

    #[test]
    fn sends_hello_and_answer() {
        let schema = schema();
        assert_eq!(schema.send("hello"), Some(&Type::Str));
        assert_eq!(schema.send("answer"), Some(&Type::Int));
        assert!(schema.groupable);
    }
}
