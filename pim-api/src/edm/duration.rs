//! `Edm.Duration`: an ISO 8601 day-time duration such as `PT9H`, `P365D`, `P1DT2H30M`,
//! `PT0.5S` or `-P1D`.
//!
//! Like the timestamp types, [`Duration`] keeps the exact text (so `PT36H` stays `PT36H` and
//! does not become `P1DT12H`) and validates on access; see [`super::temporal`] for the
//! rationale. The accepted grammar is OData's `durationValue`:
//! `[+|-] P [n D] [T [n H] [n M] [n[.fff…] S]]`, with at least one component, components in
//! that order and each at most once, and a fraction only on the seconds. Designators are
//! matched case-insensitively (the ABNF's literals are case-insensitive). Year, month and week
//! designators (`P1Y`, `P2M`, `P1W`) are rejected with their own error because an
//! `Edm.Duration` is a day-time duration: a month has no fixed length.

use super::error::EdmError;
use super::lex::{Cursor, digits_value, fraction_nanos, push_fraction};
use super::text::text_type;
use chrono::TimeDelta;
use std::fmt::Write as _;
use std::str::FromStr;

/// An `Edm.Duration`: the exact wire text of an ISO 8601 day-time duration.
///
/// ```
/// use pim_api::edm::Duration;
/// let d: Duration = serde_json::from_str(r#""PT1H45M""#).unwrap();
/// assert_eq!(d.to_std().unwrap().as_secs(), 6300);
/// assert_eq!(serde_json::to_string(&d).unwrap(), r#""PT1H45M""#);
/// assert_eq!(Duration::from(std::time::Duration::from_secs(365 * 86400)).as_str(), "P365D");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Duration(String);

text_type!(Duration, "Duration");

/// The components of a [`Duration`] exactly as written (not normalized: `PT36H` has
/// `hours == 36` and `days == 0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DurationParts {
    /// Whether the text starts with `-`.
    pub negative: bool,
    /// The `D` component.
    pub days: u64,
    /// The `H` component.
    pub hours: u64,
    /// The `M` component after `T`.
    pub minutes: u64,
    /// The whole seconds of the `S` component.
    pub seconds: u64,
    /// The fraction of the `S` component in nanoseconds (digits beyond nine are truncated).
    pub nanos: u32,
}

impl DurationParts {
    /// Total whole seconds, ignoring the sign; `None` if it does not fit in a `u64`.
    pub fn total_seconds(&self) -> Option<u64> {
        self.days
            .checked_mul(86_400)?
            .checked_add(self.hours.checked_mul(3_600)?)?
            .checked_add(self.minutes.checked_mul(60)?)?
            .checked_add(self.seconds)
    }
}

impl Duration {
    /// Parses the text into its components.
    pub fn parts(&self) -> Result<DurationParts, EdmError> {
        parse_duration(&self.0).map_err(|reason| EdmError::new("Duration", &self.0, reason))
    }

    /// The signed length as a `chrono::TimeDelta`; an error if the text is invalid or the
    /// length exceeds `TimeDelta`'s range (about 292 million years).
    pub fn to_time_delta(&self) -> Result<TimeDelta, EdmError> {
        let parts = self.parts()?;
        let out_of_range = || EdmError::new("Duration", &self.0, "duration out of range");
        let seconds = parts
            .total_seconds()
            .and_then(|s| i64::try_from(s).ok())
            .ok_or_else(out_of_range)?;
        let delta = TimeDelta::new(seconds, parts.nanos).ok_or_else(out_of_range)?;
        // TimeDelta's range is symmetric, so negation cannot overflow.
        Ok(if parts.negative { -delta } else { delta })
    }

    /// The length as a `std::time::Duration`; an error if the text is invalid or negative
    /// (`-PT0S` is zero and accepted) or does not fit.
    pub fn to_std(&self) -> Result<std::time::Duration, EdmError> {
        let parts = self.parts()?;
        let seconds = parts
            .total_seconds()
            .ok_or_else(|| EdmError::new("Duration", &self.0, "duration out of range"))?;
        if parts.negative && (seconds != 0 || parts.nanos != 0) {
            return Err(EdmError::new(
                "Duration",
                &self.0,
                "negative duration has no std::time::Duration",
            ));
        }
        // nanos < 1e9, so `new` cannot carry into (and overflow) the seconds.
        Ok(std::time::Duration::new(seconds, parts.nanos))
    }

    /// Whether the text is a valid `Edm.Duration`.
    pub fn is_valid(&self) -> bool {
        parse_duration(&self.0).is_ok()
    }

    /// Writes `delta` in canonical form: whole days as `nD`, the rest as `T…H…M…S` with zero
    /// components left out, a trimmed fraction on the seconds, and `PT0S` for zero
    /// (`P1DT2H30M`, `PT9H`, `-PT0.5S`).
    pub fn from_time_delta(delta: TimeDelta) -> Self {
        let negative = delta < TimeDelta::zero();
        let abs = delta.abs();
        // `abs` is non-negative, so both casts are lossless.
        let seconds = abs.num_seconds() as u64;
        let nanos = abs.subsec_nanos() as u32;
        Self(format_canonical(negative, seconds, nanos))
    }
}

impl From<TimeDelta> for Duration {
    fn from(delta: TimeDelta) -> Self {
        Self::from_time_delta(delta)
    }
}

impl From<std::time::Duration> for Duration {
    /// Writes the canonical form, as [`Duration::from_time_delta`] does.
    fn from(d: std::time::Duration) -> Self {
        Self(format_canonical(false, d.as_secs(), d.subsec_nanos()))
    }
}

impl FromStr for Duration {
    type Err = EdmError;

    /// Validates `s` and keeps it verbatim.
    fn from_str(s: &str) -> Result<Self, EdmError> {
        let v = Self(s.to_owned());
        v.parts()?;
        Ok(v)
    }
}

fn format_canonical(negative: bool, seconds: u64, nanos: u32) -> String {
    let mut out = String::with_capacity(16);
    if negative {
        out.push('-');
    }
    out.push('P');
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (hours, minutes, secs) = (rest / 3_600, rest % 3_600 / 60, rest % 60);
    // Writing to a String cannot fail.
    if days > 0 {
        let _ = write!(out, "{days}D");
    }
    if hours > 0 || minutes > 0 || secs > 0 || nanos > 0 || days == 0 {
        out.push('T');
        if hours > 0 {
            let _ = write!(out, "{hours}H");
        }
        if minutes > 0 {
            let _ = write!(out, "{minutes}M");
        }
        if secs > 0 || nanos > 0 || (days == 0 && hours == 0 && minutes == 0) {
            let _ = write!(out, "{secs}");
            push_fraction(&mut out, nanos);
            out.push('S');
        }
    }
    out
}

fn parse_duration(s: &str) -> Result<DurationParts, &'static str> {
    const ORDER: &str = "components must be in the order D, T, H, M, S, each at most once";
    let mut c = Cursor::new(s);
    let mut parts = DurationParts {
        negative: c.eat(b'-'),
        ..DurationParts::default()
    };
    if !parts.negative {
        c.eat(b'+');
    }
    if !c.eat_ignore_case(b'P') {
        return Err("expected 'P' (ISO 8601 duration)");
    }
    let mut any = false;
    // Date part: only days are allowed.
    if c.peek().is_some_and(|b| b.is_ascii_digit()) {
        let run = c.digit_run();
        if c.peek() == Some(b'.') {
            return Err("a fraction is allowed only on the seconds");
        }
        match c.peek().map(|b| b.to_ascii_uppercase()) {
            Some(b'D') => {
                c.eat_ignore_case(b'D');
                parts.days = digits_value(run).ok_or("days out of range")?;
                any = true;
            }
            Some(b'Y' | b'M' | b'W') => {
                return Err(
                    "year, month and week designators are not allowed (Edm.Duration is day-time only)",
                );
            }
            _ => return Err("expected 'D' after the number of days"),
        }
    } else if matches!(
        c.peek().map(|b| b.to_ascii_uppercase()),
        Some(b'Y' | b'M' | b'W' | b'D')
    ) {
        return Err("expected a number before the designator");
    }
    if c.eat_ignore_case(b'T') {
        let mut last = 0; // 1 = H, 2 = M, 3 = S
        let mut any_time = false;
        while !c.is_end() {
            let run = c.digit_run();
            if run.is_empty() {
                return Err("expected a number before the designator");
            }
            let mut nanos = None;
            if c.eat(b'.') {
                let frac = c.digit_run();
                if frac.is_empty() {
                    return Err("expected digits after the decimal point");
                }
                nanos = Some(fraction_nanos(frac));
            }
            let value = digits_value(run).ok_or("component out of range");
            let (rank, slot) = match c.peek().map(|b| b.to_ascii_uppercase()) {
                Some(b'H') => (1, &mut parts.hours),
                Some(b'M') => (2, &mut parts.minutes),
                Some(b'S') => (3, &mut parts.seconds),
                Some(b'D') => return Err(ORDER),
                _ => return Err("expected 'H', 'M' or 'S' after a number"),
            };
            if rank <= last {
                return Err(ORDER);
            }
            if nanos.is_some() && rank != 3 {
                return Err("a fraction is allowed only on the seconds");
            }
            c.bump();
            *slot = value?;
            parts.nanos = nanos.unwrap_or(0);
            last = rank;
            any_time = true;
        }
        if !any_time {
            return Err("'T' must be followed by at least one of H, M, S");
        }
        any = true;
    }
    if !c.is_end() {
        return Err("unexpected text in the duration");
    }
    if !any {
        return Err("a duration needs at least one component");
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(s: &str) -> DurationParts {
        Duration::from_raw(s).parts().unwrap()
    }

    #[test]
    fn components_as_written() {
        assert_eq!(parts("PT9H").hours, 9);
        assert_eq!(parts("P365D").days, 365);
        let p = parts("P1DT2H30M");
        assert_eq!((p.days, p.hours, p.minutes, p.seconds), (1, 2, 30, 0));
        let p = parts("-PT1.5S");
        assert!(p.negative);
        assert_eq!((p.seconds, p.nanos), (1, 500_000_000));
        assert_eq!(parts("PT36H").hours, 36);
        assert_eq!(parts("pt1h").hours, 1);
    }

    #[test]
    fn rejects_bad_text() {
        for bad in [
            "", "P", "PT", "-", "-P", "+", "P1", "PT1", "P1Y", "P2M", "P1W", "P1DT", "PT1S1M",
            "PT1H1H", "PT1.5H", "P1.5D", "T1H", "1D", "PT-1H", "P1DT1D", "PT1H ", " PT1H", "PTH",
            "P D", "PT1é", "Ｐ1D", "String",
        ] {
            assert!(
                Duration::from_raw(bad).parts().is_err(),
                "{bad:?} should be rejected"
            );
        }
        let e = Duration::from_raw("P1Y").parts().unwrap_err();
        assert!(e.reason().contains("year, month and week"), "{e}");
    }

    #[test]
    fn huge_values_are_errors() {
        let huge = format!("P{}D", "9".repeat(30));
        assert!(Duration::from_raw(&huge).parts().is_err());
        let big = format!("P{}D", u64::MAX);
        assert!(Duration::from_raw(&big).parts().is_ok());
        assert!(Duration::from_raw(&big).to_time_delta().is_err());
        assert!(Duration::from_raw(&big).to_std().is_err());
    }

    #[test]
    fn canonical_forms() {
        let f = |s: u64, n: u32| Duration::from(std::time::Duration::new(s, n)).into_string();
        assert_eq!(f(0, 0), "PT0S");
        assert_eq!(f(9 * 3600, 0), "PT9H");
        assert_eq!(f(365 * 86400, 0), "P365D");
        assert_eq!(f(86400 + 2 * 3600 + 30 * 60, 0), "P1DT2H30M");
        assert_eq!(f(6300, 0), "PT1H45M");
        assert_eq!(f(0, 500_000_000), "PT0.5S");
        assert_eq!(f(86400, 1), "P1DT0.000000001S");
        assert_eq!(
            Duration::from(TimeDelta::days(-1)).as_str(),
            "-P1D",
            "negative deltas keep their sign"
        );
        assert_eq!(
            Duration::from(TimeDelta::milliseconds(-1500)).as_str(),
            "-PT1.5S"
        );
    }
}
