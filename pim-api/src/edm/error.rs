//! The one error type of the Edm accessors and strict parsers.
//!
//! Decoding a payload never produces an [`EdmError`] for the text-keeping types (they accept any
//! JSON string and validate lazily); it is returned by accessors such as
//! [`DateTimeOffset::to_datetime`](super::DateTimeOffset::to_datetime) and by the `FromStr`
//! impls, which validate.

/// Longest excerpt of the offending input kept in an error: hostile inputs can be megabytes long
/// and the error is meant for logs.
const MAX_INPUT_EXCERPT: usize = 64;

/// A value that is not a valid instance of an Edm primitive type, or that does not fit the
/// requested Rust type (e.g. a negative `Edm.Duration` asked for as `std::time::Duration`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Edm.{edm_type} value {input:?}: {reason}")]
pub struct EdmError {
    edm_type: &'static str,
    input: String,
    reason: &'static str,
}

impl EdmError {
    /// Builds an error for `input` of the Edm type `edm_type` (without the `Edm.` prefix).
    pub(crate) fn new(edm_type: &'static str, input: &str, reason: &'static str) -> Self {
        Self {
            edm_type,
            input: excerpt(input),
            reason,
        }
    }

    /// The Edm type name without the `Edm.` prefix, e.g. `"Duration"`.
    pub fn edm_type(&self) -> &'static str {
        self.edm_type
    }

    /// The offending input, cut to at most 64 characters (a `…` marks a cut).
    pub fn input(&self) -> &str {
        &self.input
    }

    /// Why the input was rejected, in a few words.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

/// Cuts `input` at a character boundary so an error never carries (or panics slicing) a
/// hostile multi-megabyte or non-ASCII string.
fn excerpt(input: &str) -> String {
    match input.char_indices().nth(MAX_INPUT_EXCERPT) {
        None => input.to_owned(),
        Some((cut, _)) => {
            let mut s = String::with_capacity(cut + 3);
            s.push_str(&input[..cut]);
            s.push('…');
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_and_non_ascii_inputs_are_cut_at_char_boundaries() {
        let long = "é".repeat(1000);
        let e = EdmError::new("Duration", &long, "garbage");
        assert_eq!(e.input().chars().count(), MAX_INPUT_EXCERPT + 1);
        assert!(e.input().ends_with('…'));
        assert!(e.to_string().starts_with("invalid Edm.Duration value"));
    }
}
