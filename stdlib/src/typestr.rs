//! mcl types written as strings (`"struct{name str; ports []int}"`), as
//! `encoding.decode_json` takes them: a small parser from text to [`Type`].

use mcl_compiler::types::Type;

/// The type a string spells, or why it spells none.
pub(crate) fn parse_type(text: &str) -> Result<Type, String> {
    let tokens = tokenize(text)?;
    let mut parser = Parser { tokens, at: 0 };
    let ty = parser.ty(0)?;
    match parser.tokens.get(parser.at) {
        None => Ok(ty),
        Some(token) => Err(format!("unexpected `{token}` after the type {ty}")),
    }
}

fn tokenize(text: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '[' => {
                if chars.next_if(|(_, c)| *c == ']').is_none() {
                    return Err(format!(
                        "`[` at {at} must be followed by `]` (a list is `[]T`)"
                    ));
                }
                tokens.push("[]".to_owned());
            }
            '{' | '}' | ':' | ';' | '(' | ')' | ',' => tokens.push(c.to_string()),
            c if c.is_ascii_lowercase() => {
                let mut word = c.to_string();
                while let Some((_, c)) = chars
                    .next_if(|(_, c)| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                {
                    word.push(c);
                }
                tokens.push(word);
            }
            other => return Err(format!("unexpected `{other}` at {at}")),
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<String>,
    at: usize,
}

const MAX_DEPTH: usize = 64;

impl Parser {
    fn next(&mut self) -> Option<String> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.at).map(String::as_str)
    }

    fn expect(&mut self, wanted: &str) -> Result<(), String> {
        match self.next() {
            Some(token) if token == wanted => Ok(()),
            Some(token) => Err(format!("expected `{wanted}`, found `{token}`")),
            None => Err(format!("expected `{wanted}` at the end")),
        }
    }

    fn ty(&mut self, depth: usize) -> Result<Type, String> {
        if depth > MAX_DEPTH {
            return Err("the type is nested too deeply".to_owned());
        }
        let Some(token) = self.next() else {
            return Err("a type is missing".to_owned());
        };
        Ok(match token.as_str() {
            "bool" => Type::Bool,
            "str" => Type::Str,
            "int" => Type::Int,
            "float" => Type::Float,
            "variant" => Type::Variant,
            "[]" => Type::list(self.ty(depth + 1)?),
            "map" => {
                self.expect("{")?;
                let key = self.ty(depth + 1)?;
                self.expect(":")?;
                let value = self.ty(depth + 1)?;
                self.expect("}")?;
                Type::map(key, value)
            }
            "struct" => {
                self.expect("{")?;
                let mut fields: Vec<(String, Type)> = Vec::new();
                while self.peek() != Some("}") {
                    let Some(name) = self.next() else {
                        return Err("the struct type is not closed with `}`".to_owned());
                    };
                    if fields.iter().any(|(field, _)| *field == name) {
                        return Err(format!("the struct type has two fields named `{name}`"));
                    }
                    let ty = self.ty(depth + 1)?;
                    fields.push((name, ty));
                    if self.peek() == Some(";") {
                        self.next();
                    } else if self.peek() != Some("}") {
                        return Err("struct fields are separated by `;`".to_owned());
                    }
                }
                self.next();
                Type::Struct(fields)
            }
            "func" => {
                self.expect("(")?;
                let mut params = Vec::new();
                while self.peek() != Some(")") {
                    // A parameter may be named: `func(a int) str`.
                    if let (Some(name), Some(next)) = (self.peek(), self.tokens.get(self.at + 1)) {
                        if !is_type_start(name) && is_type_start(next) {
                            self.next();
                        }
                    }
                    params.push(self.ty(depth + 1)?);
                    match self.peek() {
                        Some(",") => {
                            self.next();
                        }
                        Some(")") => {}
                        _ => return Err("function parameters are separated by `,`".to_owned()),
                    }
                }
                self.next();
                Type::func(params, self.ty(depth + 1)?)
            }
            other => return Err(format!("`{other}` is not a type")),
        })
    }
}

fn is_type_start(token: &str) -> bool {
    matches!(
        token,
        "bool" | "str" | "int" | "float" | "variant" | "[]" | "map" | "struct" | "func"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_round_trip_through_their_display() {
        for text in [
            "bool",
            "[]str",
            "map{str: []int}",
            "struct{name str; ports []int}",
            "struct{}",
            "func(int, str) float",
            "[]map{int: struct{a variant}}",
        ] {
            assert_eq!(parse_type(text).unwrap().to_string(), text);
        }
        assert_eq!(
            parse_type("func(a int) str").unwrap().to_string(),
            "func(int) str"
        );
        assert_eq!(
            parse_type("struct{a int;}").unwrap().to_string(),
            "struct{a int}"
        );
    }

    #[test]
    fn bad_types_say_why() {
        assert_eq!(parse_type("string").unwrap_err(), "`string` is not a type");
        assert!(parse_type("map{str int}")
            .unwrap_err()
            .contains("expected `:`"));
        assert!(parse_type("[]").unwrap_err().contains("missing"));
        assert!(parse_type("int int").unwrap_err().contains("unexpected"));
        assert!(parse_type("struct{a int; a str}")
            .unwrap_err()
            .contains("two fields"));
        assert!(parse_type(&"[]".repeat(100)).is_err());
    }
}
