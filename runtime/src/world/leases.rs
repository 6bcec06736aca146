//! The etcd leases of one session with the cluster: one per time to live,
//! granted when a key first needs it and renewed at a third of its TTL, so
//! that a host's keys on a lease vanish that long after the host dies.
//! The third is kept to the millisecond: a 2 s lease renewed only on whole
//! seconds could wait 2 s for its renewal and lapse under load.
//!
//! A host's exports take `--export-ttl`; a schedule volunteer takes its own
//! `ttl` (or the exports' when it has none).

use super::keys::{self, Parsed};
use etcd_client::{Client, LeaseKeepAliveStream, LeaseKeeper};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::time::Instant;

struct Lease {
    id: i64,
    keeper: LeaseKeeper,
    responses: LeaseKeepAliveStream,
    renewed: Instant,
}

/// How often the session looks for leases due: well under the shortest
/// renewal period, so a renewal is never late by more than this.
pub const RENEWAL_CHECK: Duration = Duration::from_millis(100);

#[derive(Default)]
pub struct Leases {
    by_ttl: BTreeMap<u64, Lease>,
}

/// The TTL a key is written with, if any: `export_ttl` for exports, the
/// volunteer's own `ttl` term (else `export_ttl`) for schedule volunteers.
pub fn ttl_of(key: &str, value: &str, export_ttl: Option<u64>) -> Option<u64> {
    match keys::parse(key) {
        Some(Parsed::Export { .. }) => export_ttl,
        Some(Parsed::Volunteer { .. }) => serde_json::from_str::<Json>(value)
            .ok()
            .and_then(|terms| terms.get("ttl").and_then(Json::as_u64))
            .filter(|ttl| *ttl > 0)
            .or(export_ttl),
        _ => None,
    }
}

impl Leases {
    pub fn is_empty(&self) -> bool {
        self.by_ttl.is_empty()
    }

    /// The lease of `ttl` seconds, granted now if this session has none.
    pub async fn id(&mut self, client: &mut Client, ttl: u64) -> Result<i64, String> {
        if let Some(lease) = self.by_ttl.get(&ttl) {
            return Ok(lease.id);
        }
        let granted = client
            .lease_grant(i64::try_from(ttl).unwrap_or(i64::MAX), None)
            .await
            .map_err(|problem| format!("cannot grant a lease of {ttl} s: {problem}"))?;
        let (keeper, responses) = client
            .lease_keep_alive(granted.id())
            .await
            .map_err(|problem| format!("cannot keep a lease of {ttl} s: {problem}"))?;
        self.by_ttl.insert(
            ttl,
            Lease {
                id: granted.id(),
                keeper,
                responses,
                renewed: Instant::now(),
            },
        );
        Ok(granted.id())
    }

    /// Renews each lease a third of its TTL after it was last renewed.
    pub async fn renew_due(&mut self) -> Result<(), String> {
        for (ttl, lease) in &mut self.by_ttl {
            if Instant::now() < lease.renewed + renewal_period(*ttl) {
                continue;
            }
            let sent = Instant::now();
            lease
                .keeper
                .keep_alive()
                .await
                .map_err(|problem| format!("cannot keep the lease of {ttl} s: {problem}"))?;
            match lease.responses.message().await {
                Ok(Some(response)) if response.ttl() > 0 => lease.renewed = sent,
                _ => return Err(format!("the lease of {ttl} s expired")),
            }
        }
        Ok(())
    }
}

/// How often a lease of `ttl` seconds is renewed: a third of its TTL.
fn renewal_period(ttl: u64) -> Duration {
    Duration::from_millis(ttl.saturating_mul(1000) / 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_is_renewed_at_a_third_of_its_ttl_to_the_millisecond() {
        assert_eq!(renewal_period(2), Duration::from_millis(666));
        assert_eq!(renewal_period(30), Duration::from_secs(10));
        assert!(RENEWAL_CHECK < renewal_period(1));
    }

    #[test]
    fn exports_take_the_agents_ttl_and_volunteers_their_own() {
        let export = keys::export("a", "file", "/x");
        let volunteer = keys::volunteer("a", "db");
        assert_eq!(ttl_of(&export, "{}", Some(5)), Some(5));
        assert_eq!(ttl_of(&export, "{}", None), None);
        assert_eq!(ttl_of(&volunteer, r#"{"ttl":2}"#, None), Some(2));
        assert_eq!(ttl_of(&volunteer, r#"{"ttl":2}"#, Some(5)), Some(2));
        assert_eq!(ttl_of(&volunteer, "{}", Some(5)), Some(5));
        assert_eq!(ttl_of(&volunteer, r#"{"ttl":0}"#, None), None);
        assert_eq!(ttl_of(&keys::kv("k"), "v", Some(5)), None);
    }
}
