//! What checking learned about a program, kept for editors and tools: the
//! type of every expression and what every name use refers to, queried by
//! position (`type_at`, `definition_at`).
//!
//! The checker records a type variable per expression as it goes (a push
//! per expression; the compile path pays nothing more) and the variables are
//! resolved only when asked. A function or class checked at several uses
//! (they are polymorphic) can give one expression several types; all are
//! kept, in the order first seen.

use crate::types::unify::{TypeId, TypeTable};
use crate::types::Type;
use mcl_grammar::{FileId, Span};
use std::cell::RefCell;

/// What a name use refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Definition {
    /// A declaration in the program: a variable, parameter, function, class
    /// or include alias, at the span of its name.
    Source(Span),
    /// A core function, as written (`fmt.printf`, `len`), or a core module
    /// an import names (`golang/strings`).
    Core(String),
    /// A local module an import names: its file.
    Module(FileId),
    /// A field of a resource kind (`file` `content`); its meaning is in the
    /// kind's schema.
    Field {
        kind: &'static str,
        field: &'static str,
    },
    /// `$hostname`, which the host provides.
    Hostname,
}

/// The facts of one checked program.
#[derive(Debug, Default)]
pub struct ProgramFacts {
    /// `(expression span, type variable)`, in checking order.
    types: Vec<(Span, TypeId)>,
    /// `(use span, definition)`, in checking order.
    definitions: Vec<(Span, Definition)>,
    /// Resolves the type variables; resolving compresses paths, hence the cell.
    table: RefCell<TypeTable>,
}

impl ProgramFacts {
    pub(crate) fn new(
        types: Vec<(Span, TypeId)>,
        definitions: Vec<(Span, Definition)>,
        table: TypeTable,
    ) -> ProgramFacts {
        ProgramFacts {
            types,
            definitions,
            table: RefCell::new(table),
        }
    }

    /// The innermost expression at byte `offset` of `file`, with its types
    /// (several where a polymorphic function or class gave it several; an
    /// unknown part reads `variant`). `None` outside any expression.
    pub fn type_at(&self, file: FileId, offset: u32) -> Option<(Span, Vec<Type>)> {
        let span = innermost(self.types.iter().map(|(span, _)| *span), file, offset)?;
        let mut table = self.table.borrow_mut();
        let mut found: Vec<Type> = Vec::new();
        for (_, id) in self.types.iter().filter(|(other, _)| *other == span) {
            let ty = table.resolve_or_variant(*id);
            if !found.contains(&ty) {
                found.push(ty);
            }
        }
        Some((span, found))
    }

    /// What the innermost name use at byte `offset` of `file` refers to.
    pub fn definition_at(&self, file: FileId, offset: u32) -> Option<(Span, &Definition)> {
        let span = innermost(self.definitions.iter().map(|(span, _)| *span), file, offset)?;
        self.definitions
            .iter()
            .find(|(other, _)| *other == span)
            .map(|(span, definition)| (*span, definition))
    }

    /// How many expression types were recorded (for tests and statistics).
    pub fn expressions(&self) -> usize {
        self.types.len()
    }
}

/// The shortest of `spans` in `file` that contains `offset` (an offset at a
/// span's end counts, as an editor's cursor just after a name does).
fn innermost(spans: impl Iterator<Item = Span>, file: FileId, offset: u32) -> Option<Span> {
    spans
        .filter(|span| span.file == file && span.start <= offset && offset <= span.end)
        .min_by_key(|span| (span.end - span.start, span.start))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize, end: usize) -> Span {
        Span::new(FileId(0), start, end)
    }

    #[test]
    fn the_innermost_span_wins() {
        let spans = [span(0, 20), span(5, 10), span(6, 9), span(30, 40)];
        let find = |offset| innermost(spans.iter().copied(), FileId(0), offset);
        assert_eq!(find(7), Some(span(6, 9)));
        assert_eq!(find(5), Some(span(5, 10)));
        assert_eq!(find(15), Some(span(0, 20)));
        assert_eq!(find(25), None);
        assert_eq!(innermost(spans.iter().copied(), FileId(1), 7), None);
    }

    #[test]
    fn polymorphic_types_are_all_kept_once() {
        let mut table = TypeTable::new();
        let int = table.concrete(&Type::Int);
        let str_ = table.concrete(&Type::Str);
        let again = table.concrete(&Type::Int);
        let facts = ProgramFacts::new(
            vec![(span(1, 2), int), (span(1, 2), str_), (span(1, 2), again)],
            Vec::new(),
            table,
        );
        assert_eq!(
            facts.type_at(FileId(0), 1),
            Some((span(1, 2), vec![Type::Int, Type::Str]))
        );
    }
}
