//! Why running a template failed, and where: the line of the action that
//! failed, or, for a field or key the data lacks, the exact line and column
//! of its `.name`. The one place that turns it into text is `Display`.

use super::position::Position;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Problem {
    pub message: String,
    place: Place,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Place {
    Unknown,
    Line(usize),
    At(Position),
}

impl Problem {
    /// A problem at an exact place of the template.
    pub(crate) fn at(position: Position, message: String) -> Problem {
        Problem {
            message,
            place: Place::At(position),
        }
    }

    /// Places the problem on the line of the action it happened in, unless
    /// it knows a more exact place.
    pub(crate) fn on_line(mut self, line: usize) -> Problem {
        if self.place == Place::Unknown {
            self.place = Place::Line(line);
        }
        self
    }
}

impl From<String> for Problem {
    fn from(message: String) -> Problem {
        Problem {
            message,
            place: Place::Unknown,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.place {
            Place::Unknown => write!(f, "{}", self.message),
            Place::Line(line) => write!(f, "line {line}: {}", self.message),
            Place::At(position) => write!(f, "{position}: {}", self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_place_wins_over_the_line() {
        let exact = Problem::at(Position { line: 2, column: 5 }, "no key".to_owned());
        assert_eq!(exact.on_line(1).to_string(), "line 2, column 5: no key");
        let plain = Problem::from("too long".to_owned());
        assert_eq!(plain.clone().to_string(), "too long");
        assert_eq!(plain.on_line(3).to_string(), "line 3: too long");
    }
}
