//! What one check/apply found or did, turned into an [`Outcome`].
//!
//! Each difference is recorded twice-phrased: as done ("mode 0600 ->
//! 0644") and as it would be done in noop mode ("would change mode 0600 ->
//! 0644"). Long lists (a recursive copy) are cut short in the summary.

use crate::resource::{Outcome, ShowDiff};

/// At most this many changes are listed; the rest are counted.
const LISTED: usize = 20;

pub struct Report {
    apply: bool,
    changes: Vec<String>,
    /// Multi-line details (content diffs), shown after the summary in noop.
    details: Vec<String>,
    show_diff: ShowDiff,
}

impl Report {
    pub fn new(apply: bool) -> Report {
        Report {
            apply,
            changes: Vec::new(),
            details: Vec::new(),
            show_diff: ShowDiff::Auto,
        }
    }

    /// This report with `show` deciding which content diffs it shows.
    pub fn showing_diffs(mut self, show: ShowDiff) -> Report {
        self.show_diff = show;
        self
    }

    /// Whether a content diff may show the content, for a file others may
    /// (`public`) or may not read.
    pub fn shows_content(&self, public: bool) -> bool {
        match self.show_diff {
            ShowDiff::Always => true,
            ShowDiff::Auto => public,
            ShowDiff::Never => false,
        }
    }

    /// Whether changes are made (false: noop, only described).
    pub fn apply(&self) -> bool {
        self.apply
    }

    /// Records one difference, phrased as done or as it would be done.
    pub fn change(&mut self, done: impl Into<String>, would: impl Into<String>) {
        self.changes.push(if self.apply {
            done.into()
        } else {
            would.into()
        });
    }

    /// A diff, shown in noop mode only.
    pub fn detail(&mut self, text: String) {
        if !self.apply && !text.is_empty() {
            self.details.push(text);
        }
    }

    pub fn into_outcome(self) -> Outcome {
        if self.changes.is_empty() {
            return Outcome::Correct;
        }
        let mut summary = self
            .changes
            .iter()
            .take(LISTED)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ");
        if self.changes.len() > LISTED {
            summary.push_str(&format!("; and {} more", self.changes.len() - LISTED));
        }
        if self.apply {
            return Outcome::Changed(summary);
        }
        for detail in self.details {
            summary.push('\n');
            summary.push_str(detail.trim_end_matches('\n'));
        }
        Outcome::WouldChange(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes() {
        assert_eq!(Report::new(true).into_outcome(), Outcome::Correct);
        let mut done = Report::new(true);
        done.change("content replaced (3 bytes)", "would replace content");
        done.change("mode 0600 -> 0644", "would change mode 0600 -> 0644");
        done.detail("--- a\n+++ b\n".into());
        assert_eq!(
            done.into_outcome(),
            Outcome::Changed("content replaced (3 bytes); mode 0600 -> 0644".into())
        );
        let mut noop = Report::new(false);
        noop.change("x", "would replace content");
        noop.detail("--- a\n+++ b\n".into());
        assert_eq!(
            noop.into_outcome(),
            Outcome::WouldChange("would replace content\n--- a\n+++ b".into())
        );
    }

    #[test]
    fn long_lists_are_cut() {
        let mut report = Report::new(true);
        for index in 0..25 {
            report.change(format!("c{index}"), "");
        }
        let Outcome::Changed(text) = report.into_outcome() else {
            panic!()
        };
        assert!(text.ends_with("c19; and 5 more"), "{text}");
    }
}
