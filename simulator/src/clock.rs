//! The simulator's clock: wall time plus an offset, which tests can move forward or freeze.
//!
//! Everything in the simulated service that depends on time (provisioning delays, the start
//! and end of schedules, the five-minute minimum before a deactivation, `createdDateTime`
//! values) reads this clock, never the system clock, so a test can skip an eight-hour
//! activation in one call instead of waiting for it. Time-dependent state is brought up to
//! date lazily, on the next request after the clock moved (see [`crate::pim`]).
//!
//! Throttling (`Retry-After`) and injected slowness are about real waiting by a real client,
//! so they use tokio's clock, not this one.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// A shareable handle on the simulated time. Cloning it shares the same clock.
#[derive(Clone, Debug, Default)]
pub struct SimClock {
    state: Arc<Mutex<ClockState>>,
}

#[derive(Debug, Default)]
struct ClockState {
    /// Added to the system time while the clock runs.
    offset: TimeDelta,
    /// The time shown while the clock is frozen.
    frozen_at: Option<DateTime<Utc>>,
}

impl SimClock {
    /// A clock that shows the system time.
    pub fn new() -> Self {
        Self::default()
    }

    /// The simulated time now, to the microsecond (Graph writes at most seven fractional
    /// digits; some clients reject more).
    pub fn now(&self) -> DateTime<Utc> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let now = state.frozen_at.unwrap_or_else(|| {
            Utc::now()
                .checked_add_signed(state.offset)
                .unwrap_or(DateTime::<Utc>::MAX_UTC)
        });
        now.duration_trunc(TimeDelta::microseconds(1))
            .unwrap_or(now)
    }

    /// Moves the clock forward by `by` (frozen or not). A provisioning delay, an expiry or
    /// the end of the minimum activation time that now lies in the past takes effect on the
    /// next request.
    pub fn advance(&self, by: std::time::Duration) {
        let by = TimeDelta::from_std(by).unwrap_or(TimeDelta::MAX);
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match &mut state.frozen_at {
            Some(at) => *at = at.checked_add_signed(by).unwrap_or(*at),
            None => state.offset = state.offset.checked_add(&by).unwrap_or(state.offset),
        }
    }

    /// Stops the clock at the current simulated time: nothing that depends on time changes
    /// until [`advance`](Self::advance) or [`resume`](Self::resume).
    pub fn freeze(&self) {
        let now = self.now();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.frozen_at.get_or_insert(now);
    }

    /// Lets a frozen clock run again from the time it shows.
    pub fn resume(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(at) = state.frozen_at.take() {
            state.offset = at - Utc::now();
        }
    }

    /// Whether the clock is frozen.
    pub fn is_frozen(&self) -> bool {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.frozen_at.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn frozen_clock_moves_only_when_advanced() {
        let clock = SimClock::new();
        clock.freeze();
        let t0 = clock.now();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(clock.now(), t0);
        clock.advance(Duration::from_secs(3600));
        assert_eq!(clock.now() - t0, TimeDelta::hours(1));
        clock.resume();
        assert!(!clock.is_frozen());
        assert!(clock.now() >= t0 + TimeDelta::hours(1));
    }

    #[test]
    fn running_clock_keeps_its_offset() {
        let clock = SimClock::new();
        clock.advance(Duration::from_secs(86_400));
        let ahead = clock.now() - Utc::now();
        assert!(ahead > TimeDelta::hours(23), "{ahead}");
        // An absurd advance saturates instead of panicking.
        clock.advance(Duration::MAX);
        let _ = clock.now();
    }
}
