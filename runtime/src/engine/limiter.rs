//! `Meta:limit` and `Meta:burst`: a token bucket on watch events.

use std::time::Instant;

pub(super) struct Limiter {
    /// Events per second; infinite means no limit.
    rate: f64,
    capacity: f64,
    tokens: f64,
    last: Option<Instant>,
}

impl Limiter {
    pub fn new(rate: f64, burst: i64) -> Limiter {
        let capacity = (burst.max(0) as f64).max(1.0);
        Limiter {
            rate,
            capacity,
            tokens: capacity,
            last: None,
        }
    }

    /// Whether an event at `now` may pass.
    pub fn allow(&mut self, now: Instant) -> bool {
        if !self.rate.is_finite() {
            return true;
        }
        if let Some(last) = self.last {
            let refill = now.duration_since(last).as_secs_f64() * self.rate;
            self.tokens = (self.tokens + refill).min(self.capacity);
        }
        self.last = Some(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn no_limit_lets_everything_through() {
        let mut limiter = Limiter::new(f64::INFINITY, 0);
        let now = Instant::now();
        assert!((0..1000).all(|_| limiter.allow(now)));
    }

    #[test]
    fn a_burst_then_the_rate() {
        let mut limiter = Limiter::new(1.0, 3);
        let start = Instant::now();
        assert!((0..3).all(|_| limiter.allow(start)));
        assert!(!limiter.allow(start));
        assert!(limiter.allow(start + Duration::from_millis(1100)));
    }
}
