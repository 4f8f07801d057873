//! A tiny byte cursor shared by the hand-written parsers of the temporal types.
//!
//! The parsers work on bytes, not chars, so that slicing can never land inside a multi-byte
//! character (non-ASCII input simply fails to match a digit or a designator), and every
//! number is accumulated with checked arithmetic so huge inputs are errors, not panics.

/// A read position in an ASCII grammar.
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(s: &'a str) -> Self {
        Self {
            bytes: s.as_bytes(),
            pos: 0,
        }
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    pub(crate) fn is_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// Skips the next byte (the caller has peeked it).
    pub(crate) fn bump(&mut self) {
        self.pos = self.pos.saturating_add(1).min(self.bytes.len());
    }

    /// Consumes `c` if it is next.
    pub(crate) fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consumes `c` or its ASCII upper/lower-case twin if it is next.
    pub(crate) fn eat_ignore_case(&mut self, c: u8) -> bool {
        match self.peek() {
            Some(b) if b.eq_ignore_ascii_case(&c) => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    /// Consumes exactly `n` ASCII digits and returns their value (`n` is at most 4 here, so
    /// the value cannot overflow).
    pub(crate) fn fixed_digits(&mut self, n: usize) -> Option<u32> {
        let end = self.pos.checked_add(n)?;
        let run = self.bytes.get(self.pos..end)?;
        if !run.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.pos = end;
        Some(
            run.iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')),
        )
    }

    /// Consumes the longest run of ASCII digits (possibly empty).
    pub(crate) fn digit_run(&mut self) -> &'a [u8] {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        &self.bytes[start..self.pos]
    }
}

/// Value of a run of ASCII digits, `None` on overflow.
pub(crate) fn digits_value(run: &[u8]) -> Option<u64> {
    run.iter().try_fold(0u64, |acc, d| {
        acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// Nanoseconds of a fractional-seconds digit run: the first nine digits count, further digits
/// (OData allows twelve) are below chrono's resolution and are truncated.
pub(crate) fn fraction_nanos(run: &[u8]) -> u32 {
    let mut nanos = 0u32;
    for i in 0..9 {
        let d = run.get(i).map_or(0, |d| u32::from(d - b'0'));
        nanos = nanos * 10 + d;
    }
    nanos
}

/// Appends `.ddd` for `nanos`, with trailing zeros trimmed (nothing when `nanos` is 0): the
/// shortest text that round-trips, which is also how Graph itself writes fractions.
pub(crate) fn push_fraction(out: &mut String, nanos: u32) {
    if nanos == 0 {
        return;
    }
    let digits = format!("{nanos:09}");
    out.push('.');
    out.push_str(digits.trim_end_matches('0'));
}

/// Appends an OData year: four digits with leading zeros, more digits when needed, `-` for
/// years before year 0.
pub(crate) fn push_year(out: &mut String, year: i32) {
    use std::fmt::Write as _;
    if year < 0 {
        out.push('-');
    }
    // Writing to a String cannot fail.
    let _ = write!(out, "{:04}", year.unsigned_abs());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fraction_digits_are_scaled_and_truncated() {
        assert_eq!(fraction_nanos(b"5"), 500_000_000);
        assert_eq!(fraction_nanos(b"1299669"), 129_966_900);
        assert_eq!(fraction_nanos(b"123456789999"), 123_456_789);
        let mut s = String::new();
        push_fraction(&mut s, 129_966_900);
        assert_eq!(s, ".1299669");
    }

    #[test]
    fn digits_value_overflows_to_none() {
        assert_eq!(digits_value(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(digits_value(b"18446744073709551616"), None);
    }
}
