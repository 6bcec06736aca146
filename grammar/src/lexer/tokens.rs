//! The lexer's tokens, kept in chunks: a single vector grows by doubling
//! (a 3.4 MB program of 50,000 resources had room for 1,048,576 tokens of
//! 48 bytes), and the parser, reading the chunks in order, frees each one
//! once read, so the tokens do not all stay alive beside the syntax tree
//! the parser builds from them.

use crate::token::Token;

/// A token with its byte range: `(start, token, end)`.
pub type Triple = (usize, Token, usize);

/// The first chunk is small (most files are); each next one is twice as
/// large, up to this many tokens.
const FIRST_CHUNK: usize = 64;
const LARGEST_CHUNK: usize = 8192;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tokens {
    chunks: Vec<Vec<Triple>>,
}

impl Tokens {
    pub fn push(&mut self, token: Triple) {
        if let Some(last) = self.chunks.last_mut() {
            if last.len() < last.capacity() {
                last.push(token);
                return;
            }
        }
        let size = self
            .chunks
            .last()
            .map_or(FIRST_CHUNK, |last| (last.capacity() * 2).min(LARGEST_CHUNK));
        let mut chunk = Vec::with_capacity(size);
        chunk.push(token);
        self.chunks.push(chunk);
    }

    /// The tokens in order.
    pub fn iter(&self) -> impl Iterator<Item = &Triple> {
        self.chunks.iter().flatten()
    }

    /// The last two tokens: `(before the last, the last)`.
    pub fn last_two(&self) -> (Option<&Token>, Option<&Token>) {
        let mut from_end = self
            .chunks
            .iter()
            .rev()
            .flat_map(|chunk| chunk.iter().rev());
        let last = from_end.next().map(|(_, token, _)| token);
        let before = from_end.next().map(|(_, token, _)| token);
        (before, last)
    }
}

impl IntoIterator for Tokens {
    type Item = Triple;
    /// Each chunk is dropped, its memory freed, once it is read.
    type IntoIter = std::iter::Flatten<std::vec::IntoIter<Vec<Triple>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.chunks.into_iter().flatten()
    }
}

impl FromIterator<Triple> for Tokens {
    fn from_iter<I: IntoIterator<Item = Triple>>(tokens: I) -> Tokens {
        let mut all = Tokens::default();
        for token in tokens {
            all.push(token);
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_keep_order_and_the_last_two() {
        let tokens: Tokens = (0..20_000).map(|at| (at, Token::Comma, at + 1)).collect();
        assert!(tokens.iter().map(|(at, _, _)| *at).eq(0..20_000));
        assert!(tokens
            .clone()
            .into_iter()
            .map(|(at, _, _)| at)
            .eq(0..20_000));
        let mut two = Tokens::default();
        assert_eq!(two.last_two(), (None, None));
        two.push((0, Token::As, 2));
        assert_eq!(two.last_two(), (None, Some(&Token::As)));
        two.push((3, Token::Star, 4));
        assert_eq!(two.last_two(), (Some(&Token::As), Some(&Token::Star)));
    }
}
