//! Which etcd endpoint the next session uses, and how long to wait first.
//!
//! A session talks to one endpoint. A client balanced over all of them kept
//! sending requests to a member that had died (each new session picked it
//! again at random), so a lost session moves on to the next endpoint
//! instead. The wait doubles only once every endpoint has failed in turn,
//! and starts again from the shortest once a session has synced.

use std::time::Duration;

const BACKOFF_FIRST: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(10);

pub struct Failover {
    endpoints: Vec<String>,
    current: usize,
    /// Sessions lost in a row without reaching their first sync.
    failed_in_a_row: usize,
    backoff: Duration,
}

impl Failover {
    pub fn new(endpoints: Vec<String>) -> Failover {
        Failover {
            endpoints,
            current: 0,
            failed_in_a_row: 0,
            backoff: BACKOFF_FIRST,
        }
    }

    /// The endpoint the next session connects to.
    pub fn endpoint(&self) -> &str {
        self.endpoints.get(self.current).map_or("", String::as_str)
    }

    /// A session ended; `synced` if it had read everything and written its
    /// keys. Moves to the next endpoint and says how long to wait first.
    pub fn lost(&mut self, synced: bool) -> Duration {
        if synced {
            self.failed_in_a_row = 0;
            self.backoff = BACKOFF_FIRST;
        }
        let wait = self.backoff;
        self.failed_in_a_row += usize::from(!synced);
        if self.failed_in_a_row >= self.endpoints.len().max(1) {
            self.failed_in_a_row = 0;
            self.backoff = (self.backoff * 2).min(BACKOFF_MAX);
        }
        self.current = (self.current + 1) % self.endpoints.len().max(1);
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three() -> Failover {
        Failover::new(vec!["a".into(), "b".into(), "c".into()])
    }

    #[test]
    fn a_lost_session_moves_to_the_next_endpoint_and_wraps() {
        let mut failover = three();
        let mut seen = vec![failover.endpoint().to_owned()];
        for _ in 0..3 {
            failover.lost(false);
            seen.push(failover.endpoint().to_owned());
        }
        assert_eq!(seen, ["a", "b", "c", "a"]);
    }

    #[test]
    fn the_wait_doubles_only_after_every_endpoint_failed_in_turn() {
        let mut failover = three();
        let waits: Vec<u128> = (0..7).map(|_| failover.lost(false).as_millis()).collect();
        assert_eq!(waits, [250, 250, 250, 500, 500, 500, 1000]);
    }

    #[test]
    fn a_synced_session_starts_the_wait_again_from_the_shortest() {
        let mut failover = three();
        for _ in 0..6 {
            failover.lost(false);
        }
        assert_eq!(failover.lost(true), BACKOFF_FIRST);
        assert_eq!(failover.lost(false), BACKOFF_FIRST);
    }

    #[test]
    fn one_endpoint_waits_longer_each_time_up_to_the_most() {
        let mut failover = Failover::new(vec!["a".into()]);
        let waits: Vec<u128> = (0..8).map(|_| failover.lost(false).as_millis()).collect();
        assert_eq!(waits, [250, 500, 1000, 2000, 4000, 8000, 10000, 10000]);
        assert_eq!(failover.endpoint(), "a");
    }
}
