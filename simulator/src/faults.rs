//! Fault injection: what can go wrong between a client and Graph, on purpose and
//! reproducibly.
//!
//! A [`FaultProfile`] gives each kind of fault a rate; every request draws one number from
//! a generator seeded with [`FaultProfile::seed`], so the same profile and the same order of
//! requests give the same faults. Faults differ in *when* they strike, which decides
//! whether a client may safely send the request again:
//!
//! | fault | when | what the client sees | did the service act? |
//! |---|---|---|---|
//! | `throttle` | before | 429 `TooManyRequests`, `Retry-After` | no |
//! | `unavailable` | before | 503 with `Retry-After` (Graph's throttling form) | no |
//! | `ambiguous` | after | 503 without `Retry-After` | **yes** |
//! | `gateway_timeout` | after | 504 | **yes** |
//! | `drop` | after | the connection closes mid-body | **yes** |
//! | `truncate` | after | a complete response whose JSON is cut short | **yes** |
//! | `slow` | before | the answer comes `slow_delay` later | — |
//!
//! Besides the random faults, [`RateLimit`] throttles like Graph's identity services do:
//! a token bucket per token (an app acting in the tenant) and one for the whole tenant,
//! answering 429 with the `Retry-After` after which the bucket has a token again.

use std::collections::HashMap;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Rates (0.0 to 1.0) and settings of injected faults. The default injects nothing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultProfile {
    /// Seed of the generator that decides which request gets which fault.
    pub seed: u64,
    /// 429 before processing.
    pub throttle: f64,
    /// 503 with `Retry-After` before processing.
    pub unavailable: f64,
    /// 503 without `Retry-After` after processing.
    pub ambiguous: f64,
    /// 504 after processing.
    pub gateway_timeout: f64,
    /// Connection dropped mid-body after processing.
    pub drop: f64,
    /// Body cut short after processing.
    pub truncate: f64,
    /// Delay before processing.
    pub slow: f64,
    /// How long a slow response waits (default 0).
    pub slow_delay_ms: u64,
    /// `Retry-After` of injected 429s and 503s, in seconds (0 means 1).
    pub retry_after_secs: u64,
    /// Only these methods get random faults (empty: all).
    pub methods: Vec<String>,
    /// Token-bucket throttling.
    pub rate_limit: Option<RateLimit>,
}

/// Token buckets: `capacity` requests at once, refilled at `per_second`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Burst size of each token's bucket.
    pub per_token_capacity: f64,
    /// Refill of each token's bucket, per second.
    pub per_token_per_second: f64,
    /// Burst size of the tenant's bucket.
    pub tenant_capacity: f64,
    /// Refill of the tenant's bucket, per second.
    pub tenant_per_second: f64,
}

/// The fault one request gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// 429 before processing (random).
    Throttle,
    /// 429 from the token buckets.
    RateLimited,
    /// 503 with `Retry-After` before processing.
    Unavailable,
    /// 503 without `Retry-After` after processing.
    Ambiguous,
    /// 504 after processing.
    GatewayTimeout,
    /// Connection dropped mid-body after processing.
    Drop,
    /// Body cut short after processing.
    Truncate,
    /// Answered late.
    Slow,
}

impl Fault {
    /// Whether the fault strikes before the service acts.
    pub fn before_processing(self) -> bool {
        matches!(
            self,
            Fault::Throttle | Fault::RateLimited | Fault::Unavailable | Fault::Slow
        )
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// Takes a token, or says how long until one is there.
    fn take(&mut self, capacity: f64, per_second: f64, now: Instant) -> Result<(), Duration> {
        let refill = now.saturating_duration_since(self.at).as_secs_f64() * per_second;
        self.tokens = (self.tokens + refill).min(capacity);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        if per_second <= 0.0 {
            return Err(Duration::from_secs(3600));
        }
        Err(Duration::from_secs_f64((1.0 - self.tokens) / per_second))
    }
}

/// The generator and buckets of a running simulator.
#[derive(Debug)]
pub struct FaultState {
    profile: FaultProfile,
    rng: StdRng,
    buckets: HashMap<String, Bucket>,
    tenant: Option<Bucket>,
}

impl FaultState {
    /// A fresh state for `profile`.
    pub fn new(profile: FaultProfile) -> Self {
        FaultState {
            rng: StdRng::seed_from_u64(profile.seed),
            profile,
            buckets: HashMap::new(),
            tenant: None,
        }
    }

    /// The profile in force.
    pub fn profile(&self) -> &FaultProfile {
        &self.profile
    }

    /// `Retry-After` of injected faults.
    pub fn retry_after(&self) -> u64 {
        self.profile.retry_after_secs.max(1)
    }

    /// The slow delay.
    pub fn slow_delay(&self) -> Duration {
        Duration::from_millis(self.profile.slow_delay_ms)
    }

    /// Decides the fault of one request (by `token`, with `method`), if any. A rate-limit
    /// refusal carries its `Retry-After` in seconds.
    pub fn decide(&mut self, token: Option<&str>, method: &str) -> Option<(Fault, Option<u64>)> {
        self.decide_at(token, method, Instant::now())
    }

    fn decide_at(
        &mut self,
        token: Option<&str>,
        method: &str,
        now: Instant,
    ) -> Option<(Fault, Option<u64>)> {
        if let Some(limit) = self.profile.rate_limit {
            let tenant = self.tenant.get_or_insert(Bucket {
                tokens: limit.tenant_capacity,
                at: now,
            });
            let mut wait = tenant
                .take(limit.tenant_capacity, limit.tenant_per_second, now)
                .err();
            if wait.is_none()
                && let Some(t) = token
            {
                let bucket = self.buckets.entry(t.to_owned()).or_insert(Bucket {
                    tokens: limit.per_token_capacity,
                    at: now,
                });
                wait = bucket
                    .take(limit.per_token_capacity, limit.per_token_per_second, now)
                    .err();
            }
            if let Some(wait) = wait {
                return Some((
                    Fault::RateLimited,
                    Some(wait.as_secs_f64().ceil().max(1.0) as u64),
                ));
            }
        }
        let p = &self.profile;
        if !p.methods.is_empty() && !p.methods.iter().any(|m| m.eq_ignore_ascii_case(method)) {
            return None;
        }
        let draw: f64 = self.rng.random();
        let mut edge = 0.0;
        for (rate, fault) in [
            (p.throttle, Fault::Throttle),
            (p.unavailable, Fault::Unavailable),
            (p.ambiguous, Fault::Ambiguous),
            (p.gateway_timeout, Fault::GatewayTimeout),
            (p.drop, Fault::Drop),
            (p.truncate, Fault::Truncate),
            (p.slow, Fault::Slow),
        ] {
            edge += rate.clamp(0.0, 1.0);
            if draw < edge {
                return Some((fault, None));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_faults() {
        let profile = FaultProfile {
            seed: 7,
            throttle: 0.1,
            ambiguous: 0.02,
            ..FaultProfile::default()
        };
        let run = || {
            let mut s = FaultState::new(profile.clone());
            (0..1000)
                .map(|_| s.decide(None, "POST"))
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        let throttled = a
            .iter()
            .filter(|f| matches!(f, Some((Fault::Throttle, _))))
            .count();
        assert!((60..=140).contains(&throttled), "{throttled}");
    }

    #[test]
    fn method_filter_and_default_profile() {
        let mut s = FaultState::new(FaultProfile {
            throttle: 1.0,
            methods: vec!["POST".into()],
            ..FaultProfile::default()
        });
        assert_eq!(s.decide(None, "GET"), None);
        assert_eq!(s.decide(None, "post"), Some((Fault::Throttle, None)));
        let mut none = FaultState::new(FaultProfile::default());
        assert!((0..100).all(|_| none.decide(None, "GET").is_none()));
    }

    #[test]
    fn buckets_refill_and_say_when() {
        let t0 = Instant::now();
        let mut s = FaultState::new(FaultProfile {
            rate_limit: Some(RateLimit {
                per_token_capacity: 2.0,
                per_token_per_second: 0.5,
                tenant_capacity: 100.0,
                tenant_per_second: 100.0,
            }),
            ..FaultProfile::default()
        });
        assert_eq!(s.decide_at(Some("a"), "GET", t0), None);
        assert_eq!(s.decide_at(Some("a"), "GET", t0), None);
        assert_eq!(
            s.decide_at(Some("a"), "GET", t0),
            Some((Fault::RateLimited, Some(2)))
        );
        // Another app has its own bucket.
        assert_eq!(s.decide_at(Some("b"), "GET", t0), None);
        assert_eq!(
            s.decide_at(Some("a"), "GET", t0 + Duration::from_secs(2)),
            None
        );
    }
}
