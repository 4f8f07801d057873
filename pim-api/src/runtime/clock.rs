//! Time source for retries and token expiry.
//!
//! The retry loop needs three things from time: "now" on the wall clock (to turn a
//! `Retry-After: <HTTP date>` into a delay, and to judge token expiry), a monotonic
//! instant (to enforce the total retry budget), and a way to sleep. Putting them behind
//! [`Clock`] lets tests substitute a virtual clock whose sleeps return immediately, so the
//! retry tests run in milliseconds while asserting exact delays.

use std::{
    fmt,
    future::Future,
    pin::Pin,
    time::{Duration, Instant, SystemTime},
};

/// A source of time and sleeps. See the [module docs](self).
///
/// Implementations must be cheap to call; the client calls them on every retry decision.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;
    /// A monotonic instant, used to measure elapsed time across retries.
    fn instant(&self) -> Instant;
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>>;
}

/// The real clock: `SystemTime::now`, `Instant::now` and `tokio::time::sleep`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn instant(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        Box::pin(tokio::time::sleep(duration))
    }
}
