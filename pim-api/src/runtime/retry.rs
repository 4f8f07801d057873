//! Retry policy: which failures are retried, and how long to wait.
//!
//! Graph throttles aggressively (HTTP 429 with `Retry-After`) and its gateways
//! occasionally answer 503/504. The client retries those, plus transport failures, within
//! the bounds of a [`RetryPolicy`]:
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | [`max_retries`](RetryPolicy::max_retries) | 4 | retries after the first attempt (so at most 5 requests) |
//! | [`initial_delay`](RetryPolicy::initial_delay) | 0.5 s | backoff cap for the first retry |
//! | [`max_delay`](RetryPolicy::max_delay) | 30 s | backoff cap never grows past this |
//! | [`max_elapsed`](RetryPolicy::max_elapsed) | 120 s | total budget, measured from the first attempt: no retry is started whose delay would end after it, and no attempt runs past it (each attempt's timeout is capped by what is left), so a call takes at most this long |
//!
//! When the server sends `Retry-After` (seconds or an HTTP date) that delay is used as
//! is — retrying earlier than asked only earns another 429 — but if it would overrun the
//! total budget the client gives up at once and returns the error (whose
//! [`retry_after`](crate::runtime::Error::retry_after) says how long the server wanted).
//! Otherwise the delay is exponential backoff with *full jitter*:
//! `random(0 ..= min(max_delay, initial_delay * 2^retry))`, which spreads out clients that
//! were throttled together.
//!
//! What is retried depends on whether the service can have acted on the request. A GET
//! may be repeated whatever happened; a POST (a PIM schedule request, say) only when the
//! service said it did not process it, because repeating one it did process files a second
//! request (or fails with `RoleAssignmentExists` although the first one worked):
//!
//! | failure | idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS) | POST, PATCH |
//! |---|---|---|
//! | HTTP 429 | retried | retried: throttled requests are not processed |
//! | HTTP 503 with `Retry-After` | retried | retried: Graph's throttling form, not processed |
//! | HTTP 503 without `Retry-After` | retried | **not retried**: it may have been processed |
//! | HTTP 504, or a timeout or transport failure after sending | retried | **not retried** |
//! | connect failure (nothing reached the server) | retried | retried |
//!
//! A non-idempotent request that is not retried fails with an error whose
//! [`is_retryable`](crate::runtime::Error::is_retryable) is `true`: the caller knows the
//! failure was transient and can look up whether the request took effect before sending it
//! again.
//!
//! Paging follow-up requests (`@odata.nextLink`) are GETs and go through the same loop.

use std::time::{Duration, SystemTime};

use rand::Rng;
use reqwest::Method;

use super::error::{Error, ErrorKind};

/// Bounds and timing of retries. See the [module docs](self) for semantics and defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_delay: Duration,
    max_delay: Duration,
    max_elapsed: Duration,
    jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_elapsed: Duration::from_secs(120),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// The default policy (4 retries, 0.5 s initial, 30 s max delay, 120 s total).
    pub fn new() -> Self {
        Self::default()
    }

    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Sets the number of retries after the first attempt.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Sets the backoff cap of the first retry (doubled for each further retry).
    pub fn initial_delay(mut self, d: Duration) -> Self {
        self.initial_delay = d;
        self
    }

    /// Sets the maximum computed backoff delay.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// Sets the total time budget for one logical request, retries and waits included: the
    /// longest a call can take, whatever the server does.
    pub fn max_elapsed(mut self, d: Duration) -> Self {
        self.max_elapsed = d;
        self
    }

    /// Enables (default) or disables jitter. Without jitter the delay is exactly the
    /// exponential cap, which is useful for deterministic tests.
    pub fn jitter(mut self, enabled: bool) -> Self {
        self.jitter = enabled;
        self
    }

    /// The configured number of retries.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The configured total budget.
    pub fn elapsed_budget(&self) -> Duration {
        self.max_elapsed
    }

    /// The backoff delay before retry number `retry` (0-based): full jitter over
    /// `min(max_delay, initial_delay * 2^retry)`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
        let cap = self
            .initial_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        if !self.jitter || cap.is_zero() {
            return cap;
        }
        let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rand::rng().random_range(0..=nanos))
    }

    /// Decides whether `err`, from attempt number `attempt` (1-based) of a request with
    /// `method`, should be retried, and after what delay. `elapsed` is the time since the
    /// first attempt started. Returns `None` to give up.
    pub(crate) fn next_delay(
        &self,
        err: &Error,
        method: &Method,
        attempt: u32,
        elapsed: Duration,
    ) -> Option<Duration> {
        if attempt > self.max_retries || !should_retry(err, method) {
            return None;
        }
        let delay = err
            .retry_after()
            .unwrap_or_else(|| self.backoff(attempt - 1));
        if elapsed.saturating_add(delay) > self.max_elapsed {
            return None;
        }
        Some(delay)
    }
}

/// The retry classification described in the [module docs](self).
fn should_retry(err: &Error, method: &Method) -> bool {
    match err.kind() {
        ErrorKind::Api => match err.status().map(|s| s.as_u16()) {
            Some(429) => true,
            Some(503) => is_idempotent(method) || err.retry_after().is_some(),
            Some(504) => is_idempotent(method),
            _ => false,
        },
        ErrorKind::Transport | ErrorKind::Timeout => err.is_connect() || is_idempotent(method),
        _ => false,
    }
}

/// RFC 9110 idempotent methods.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

/// Parses a `Retry-After` value: delay-seconds (whole, or decimal as Graph writes them
/// inside `$batch` responses: `0.249`) or an HTTP date (relative to `now`; a date in the
/// past means "now"). Returns `None` for anything else. Absurdly large second counts
/// saturate rather than overflow; the total budget then stops the retry.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs));
    }
    let decimal = value.split_once('.').is_some_and(|(whole, frac)| {
        !whole.is_empty()
            && !frac.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && frac.bytes().all(|b| b.is_ascii_digit())
    });
    if decimal {
        let secs: f64 = value.parse().ok()?;
        return Some(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("0.249", now),
            Some(Duration::from_millis(249))
        );
        assert_eq!(
            parse_retry_after("1.5", now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(parse_retry_after(".5", now), None);
        assert_eq!(parse_retry_after("-1.5", now), None);
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(7)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let p = RetryPolicy::new().jitter(false);
        assert_eq!(p.backoff(0), Duration::from_millis(500));
        assert_eq!(p.backoff(1), Duration::from_secs(1));
        assert_eq!(p.backoff(3), Duration::from_secs(4));
        assert_eq!(p.backoff(10), Duration::from_secs(30));
        assert_eq!(p.backoff(u32::MAX), Duration::from_secs(30));
        let p = RetryPolicy::new();
        for retry in 0..40 {
            let d = p.backoff(retry);
            assert!(d <= Duration::from_secs(30));
            assert!(d <= Duration::from_millis(500) * (1 << retry.min(10)));
        }
    }

    #[test]
    fn post_is_not_retried_after_send() {
        let timeout = Error::new(ErrorKind::Timeout, "t");
        let p = RetryPolicy::new();
        assert!(
            p.next_delay(&timeout, &Method::GET, 1, Duration::ZERO)
                .is_some()
        );
        assert!(
            p.next_delay(&timeout, &Method::POST, 1, Duration::ZERO)
                .is_none()
        );
        assert!(
            p.next_delay(&timeout, &Method::GET, 5, Duration::ZERO)
                .is_none()
        );
        assert!(
            p.next_delay(&timeout, &Method::GET, 1, Duration::from_secs(200))
                .is_none()
        );
    }
}
