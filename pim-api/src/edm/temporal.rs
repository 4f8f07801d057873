//! `Edm.DateTimeOffset`, `Edm.Date` and `Edm.TimeOfDay`.
//!
//! # Design: keep the text, parse on demand
//!
//! Each type stores the exact string it was decoded from and writes it back unchanged, so
//! `0001-01-01T00:00:00Z`, `2021-07-26T18:08:03.1299669Z` (seven fractional digits),
//! `2018-06-05T05:42:31.000Z` and `2024-01-31T08:00:00-07:00` all round-trip byte for byte.
//! Decoding does **no validation**: it costs what decoding a `String` costs (one allocation
//! for a borrowed string, none for an owned one), which keeps generated models within the
//! benchmark budget, and it lets placeholder payloads from the docs
//! (`"createdDateTime": "String (timestamp)"`) decode and round-trip instead of failing the
//! whole entity. Validation happens in the accessors ([`DateTimeOffset::to_datetime`], ...),
//! which return a `Result` and never panic, and in `FromStr`, which is strict.
//!
//! Equality and hashing compare the text: `…00Z` and `…00.000Z` are different values on the
//! wire even though they name the same instant; compare the accessor results to compare
//! instants.
//!
//! The accepted grammar is OData ABNF's (`dateTimeOffsetValue`, `dateValue`,
//! `timeOfDayValue`): four-digit (or longer, no leading zero) years with an optional `-`,
//! optional seconds, 1 or more fractional digits (beyond nine they are truncated to chrono's
//! nanosecond resolution), `Z`/`z` or a `±hh:mm` offset, and a leap second `:60` in a
//! `DateTimeOffset`.

use super::error::EdmError;
use super::lex::{Cursor, digits_value, fraction_nanos, push_fraction, push_year};
use super::text::text_type;
use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc,
};
use std::str::FromStr;

/// An `Edm.DateTimeOffset`: the exact wire text of a timestamp with offset.
///
/// See the [module docs](self) for why the text is kept and validated lazily.
///
/// ```
/// use pim_api::edm::DateTimeOffset;
/// let t: DateTimeOffset = serde_json::from_str(r#""2021-07-26T18:08:03.1299669Z""#).unwrap();
/// assert_eq!(serde_json::to_string(&t).unwrap(), r#""2021-07-26T18:08:03.1299669Z""#);
/// assert_eq!(t.to_datetime().unwrap().timestamp_subsec_nanos(), 129_966_900);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateTimeOffset(String);

text_type!(DateTimeOffset, "DateTimeOffset");

impl DateTimeOffset {
    /// Parses the text as a timestamp with its offset as sent.
    pub fn to_datetime(&self) -> Result<DateTime<FixedOffset>, EdmError> {
        parse_date_time_offset(&self.0)
            .map_err(|reason| EdmError::new("DateTimeOffset", &self.0, reason))
    }

    /// Parses the text and converts it to UTC.
    pub fn to_utc(&self) -> Result<DateTime<Utc>, EdmError> {
        self.to_datetime().map(|t| t.with_timezone(&Utc))
    }

    /// Whether the text is a valid `Edm.DateTimeOffset`.
    pub fn is_valid(&self) -> bool {
        parse_date_time_offset(&self.0).is_ok()
    }

    /// Writes `t` in the canonical form: converted to UTC, RFC 3339 with `Z`, fractional
    /// seconds only when non-zero and with trailing zeros trimmed
    /// (`2024-01-31T08:00:00Z`, `2024-01-31T08:00:00.5Z`).
    pub fn from_datetime<Tz: TimeZone>(t: &DateTime<Tz>) -> Self {
        let utc = t.naive_utc();
        let mut out = String::with_capacity(30);
        push_date(&mut out, utc.date());
        out.push('T');
        push_time(&mut out, utc.time());
        out.push('Z');
        Self(out)
    }
}

impl From<DateTime<Utc>> for DateTimeOffset {
    fn from(t: DateTime<Utc>) -> Self {
        Self::from_datetime(&t)
    }
}

impl From<DateTime<FixedOffset>> for DateTimeOffset {
    /// Normalizes to UTC (`Z`); keep the offset by using [`DateTimeOffset::from_raw`] with
    /// `t.to_rfc3339()` instead.
    fn from(t: DateTime<FixedOffset>) -> Self {
        Self::from_datetime(&t)
    }
}

impl FromStr for DateTimeOffset {
    type Err = EdmError;

    /// Validates `s` and keeps it verbatim.
    fn from_str(s: &str) -> Result<Self, EdmError> {
        let v = Self(s.to_owned());
        v.to_datetime()?;
        Ok(v)
    }
}

/// An `Edm.Date` (`2024-01-31`): the exact wire text, validated on access.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Date(String);

text_type!(Date, "Date");

impl Date {
    /// Parses the text as a calendar date.
    pub fn to_naive_date(&self) -> Result<NaiveDate, EdmError> {
        let mut c = Cursor::new(&self.0);
        parse_date(&mut c)
            .and_then(|d| if c.is_end() { Ok(d) } else { Err(TRAILING) })
            .map_err(|reason| EdmError::new("Date", &self.0, reason))
    }

    /// Whether the text is a valid `Edm.Date`.
    pub fn is_valid(&self) -> bool {
        self.to_naive_date().is_ok()
    }
}

impl From<NaiveDate> for Date {
    /// Writes `yyyy-mm-dd`.
    fn from(d: NaiveDate) -> Self {
        let mut out = String::with_capacity(10);
        push_date(&mut out, d);
        Self(out)
    }
}

impl FromStr for Date {
    type Err = EdmError;

    /// Validates `s` and keeps it verbatim.
    fn from_str(s: &str) -> Result<Self, EdmError> {
        let v = Self(s.to_owned());
        v.to_naive_date()?;
        Ok(v)
    }
}

/// An `Edm.TimeOfDay` (`08:00:00.000`, `08:00:00.0000000`, `08:00`): the exact wire text,
/// validated on access.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TimeOfDay(String);

text_type!(TimeOfDay, "TimeOfDay");

impl TimeOfDay {
    /// Parses the text as a time of day.
    pub fn to_naive_time(&self) -> Result<NaiveTime, EdmError> {
        let mut c = Cursor::new(&self.0);
        parse_time(&mut c, false)
            .and_then(|t| if c.is_end() { Ok(t) } else { Err(TRAILING) })
            .map_err(|reason| EdmError::new("TimeOfDay", &self.0, reason))
    }

    /// Whether the text is a valid `Edm.TimeOfDay`.
    pub fn is_valid(&self) -> bool {
        self.to_naive_time().is_ok()
    }
}

impl From<NaiveTime> for TimeOfDay {
    /// Writes `hh:mm:ss` plus a trimmed fraction when non-zero. `Edm.TimeOfDay` has no leap
    /// second, so chrono's leap-second representation is written as `hh:mm:59.999999999`.
    fn from(t: NaiveTime) -> Self {
        let t = if t.nanosecond() >= 1_000_000_000 {
            t.with_nanosecond(999_999_999).unwrap_or(t)
        } else {
            t
        };
        let mut out = String::with_capacity(18);
        push_time(&mut out, t);
        Self(out)
    }
}

impl FromStr for TimeOfDay {
    type Err = EdmError;

    /// Validates `s` and keeps it verbatim.
    fn from_str(s: &str) -> Result<Self, EdmError> {
        let v = Self(s.to_owned());
        v.to_naive_time()?;
        Ok(v)
    }
}

const TRAILING: &str = "unexpected text after the value";

/// `yyyy-mm-dd` with OData's year rules.
fn parse_date(c: &mut Cursor<'_>) -> Result<NaiveDate, &'static str> {
    let negative = c.eat(b'-');
    let run = c.digit_run();
    if run.len() < 4 {
        return Err("expected a year of at least four digits");
    }
    if run.len() > 4 && run[0] == b'0' {
        return Err("a year of more than four digits must not start with 0");
    }
    // chrono's range ends at year 262143; longer runs cannot be valid and must not overflow.
    if run.len() > 6 {
        return Err("year out of range");
    }
    let year = digits_value(run)
        .and_then(|y| i32::try_from(y).ok())
        .ok_or("year out of range")?;
    let year = if negative { -year } else { year };
    if !c.eat(b'-') {
        return Err("expected '-' after the year");
    }
    let month = c.fixed_digits(2).ok_or("expected a two-digit month")?;
    if !c.eat(b'-') {
        return Err("expected '-' after the month");
    }
    let day = c.fixed_digits(2).ok_or("expected a two-digit day")?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or("no such calendar date")
}

/// `hh:mm[:ss[.fff…]]`; `allow_leap` admits second 60 (RFC 3339 timestamps only).
fn parse_time(c: &mut Cursor<'_>, allow_leap: bool) -> Result<NaiveTime, &'static str> {
    let hour = c.fixed_digits(2).ok_or("expected a two-digit hour")?;
    if !c.eat(b':') {
        return Err("expected ':' after the hour");
    }
    let minute = c.fixed_digits(2).ok_or("expected two-digit minutes")?;
    let (mut second, mut nanos) = (0, 0);
    if c.eat(b':') {
        second = c.fixed_digits(2).ok_or("expected two-digit seconds")?;
        if c.eat(b'.') {
            let run = c.digit_run();
            if run.is_empty() {
                return Err("expected digits after the decimal point");
            }
            nanos = fraction_nanos(run);
        }
    }
    if hour > 23 {
        return Err("hour out of range");
    }
    if minute > 59 {
        return Err("minutes out of range");
    }
    if second == 60 && allow_leap {
        // chrono represents a leap second as second 59 with nanoseconds >= 1e9.
        second = 59;
        nanos += 1_000_000_000;
    } else if second > 59 {
        return Err("seconds out of range");
    }
    NaiveTime::from_hms_nano_opt(hour, minute, second, nanos).ok_or("invalid time")
}

fn parse_date_time_offset(s: &str) -> Result<DateTime<FixedOffset>, &'static str> {
    let mut c = Cursor::new(s);
    let date = parse_date(&mut c)?;
    if !c.eat_ignore_case(b'T') {
        return Err("expected 'T' between date and time");
    }
    let time = parse_time(&mut c, true)?;
    let offset_seconds = if c.eat_ignore_case(b'Z') {
        0
    } else {
        let sign = if c.eat(b'+') {
            1
        } else if c.eat(b'-') {
            -1
        } else {
            return Err("expected 'Z' or a '+hh:mm'/'-hh:mm' offset");
        };
        let hours = c
            .fixed_digits(2)
            .ok_or("expected a two-digit offset hour")?;
        if !c.eat(b':') {
            return Err("expected ':' in the offset");
        }
        let minutes = c
            .fixed_digits(2)
            .ok_or("expected two-digit offset minutes")?;
        if hours > 23 || minutes > 59 {
            return Err("offset out of range");
        }
        // At most 23*3600+59*60, so the cast is lossless.
        sign * (hours * 3600 + minutes * 60) as i32
    };
    if !c.is_end() {
        return Err(TRAILING);
    }
    let offset = FixedOffset::east_opt(offset_seconds).ok_or("offset out of range")?;
    let local = NaiveDateTime::new(date, time);
    // checked, unlike `from_local_datetime`, which panics past chrono's range.
    let utc = local
        .checked_sub_offset(offset)
        .ok_or("timestamp out of range")?;
    Ok(DateTime::from_naive_utc_and_offset(utc, offset))
}

fn push_date(out: &mut String, d: NaiveDate) {
    use std::fmt::Write as _;
    push_year(out, d.year());
    let _ = write!(out, "-{:02}-{:02}", d.month(), d.day());
}

fn push_time(out: &mut String, t: NaiveTime) {
    use std::fmt::Write as _;
    let nanos = t.nanosecond();
    // A leap second is stored as second 59 with nanoseconds >= 1e9; write it as :60.
    let (second, nanos) = if nanos >= 1_000_000_000 {
        (60, nanos - 1_000_000_000)
    } else {
        (t.second(), nanos)
    };
    let _ = write!(out, "{:02}:{:02}:{:02}", t.hour(), t.minute(), second);
    push_fraction(out, nanos);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dto(s: &str) -> Result<DateTime<FixedOffset>, EdmError> {
        DateTimeOffset::from_raw(s).to_datetime()
    }

    #[test]
    fn accepts_graph_forms() {
        assert_eq!(dto("0001-01-01T00:00:00Z").unwrap().year(), 1);
        assert_eq!(
            dto("2021-07-27T14:03:04.4Z").unwrap().nanosecond(),
            400_000_000
        );
        let t = dto("2024-01-31T08:00:00-07:00").unwrap();
        assert_eq!(t.offset().local_minus_utc(), -7 * 3600);
        assert_eq!(
            t.with_timezone(&Utc).to_rfc3339(),
            "2024-01-31T15:00:00+00:00"
        );
        assert!(
            dto("2024-01-31T08:00Z").is_ok(),
            "seconds are optional in OData"
        );
        assert!(dto("2016-12-31T23:59:60Z").is_ok(), "leap second");
        assert!(dto("-0001-01-01T00:00:00Z").is_ok());
        assert!(dto("12024-01-01T00:00:00Z").is_ok());
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "String (timestamp)",
            "2024-01-31",
            "2024-01-31T",
            "2024-01-31T08:00:00",
            "2024-13-01T00:00:00Z",
            "2024-02-30T00:00:00Z",
            "2024-01-31T24:00:00Z",
            "2024-01-31T08:00:00.Z",
            "2024-01-31T08:00:00Z ",
            "2024-01-31T08:00:00+24:00",
            "02024-01-31T08:00:00Z",
            "999999999999999999999-01-31T08:00:00Z",
            "2024-01-31T08:00:00é",
            "２０２４-01-31T08:00:00Z",
        ] {
            assert!(dto(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn extremes_of_chronos_range_are_errors_not_panics() {
        assert!(dto("262143-12-31T23:59:59-23:59").is_err());
        assert!(dto("-262144-01-01T00:00:00+23:59").is_err());
    }

    #[test]
    fn canonical_form_from_chrono() {
        let t = dto("2024-01-31T08:00:00.5000-07:00").unwrap();
        assert_eq!(DateTimeOffset::from(t).as_str(), "2024-01-31T15:00:00.5Z");
        let min = dto("0001-01-01T00:00:00Z").unwrap();
        assert_eq!(DateTimeOffset::from(min).as_str(), "0001-01-01T00:00:00Z");
        let leap = dto("2016-12-31T23:59:60.25Z").unwrap();
        assert_eq!(
            DateTimeOffset::from(leap).as_str(),
            "2016-12-31T23:59:60.25Z"
        );
    }

    #[test]
    fn date_and_time_of_day() {
        assert_eq!(
            Date::from_raw("2024-01-31").to_naive_date().unwrap(),
            NaiveDate::from_ymd_opt(2024, 1, 31).unwrap()
        );
        assert!(
            Date::from_raw("2024-01-31T00:00:00Z")
                .to_naive_date()
                .is_err()
        );
        let t = TimeOfDay::from_raw("08:00:00.000").to_naive_time().unwrap();
        assert_eq!(t, NaiveTime::from_hms_opt(8, 0, 0).unwrap());
        assert!(TimeOfDay::from_raw("08:00:60").to_naive_time().is_err());
        assert_eq!(TimeOfDay::from(t).as_str(), "08:00:00");
        let leap = NaiveTime::from_hms_nano_opt(23, 59, 59, 1_500_000_000).unwrap();
        let written = TimeOfDay::from(leap);
        assert_eq!(written.as_str(), "23:59:59.999999999");
        assert!(written.is_valid());
    }
}
