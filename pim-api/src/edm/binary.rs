//! `Edm.Binary`: base64url text kept verbatim, with a tolerant decoder.
//!
//! OData JSON writes binary values base64url-encoded (RFC 4648 §5); servers and docs also use
//! the standard alphabet, with or without `=` padding. [`Binary`] keeps whatever text arrived
//! (so it round-trips) and [`Binary::decode`] accepts either alphabet with or without padding.
//! Values built from bytes are written base64url **with** padding: still valid base64url
//! per the OData ABNF, and also accepted by .NET decoders that insist on padding.

use super::error::EdmError;
use super::text::text_type;
use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use std::str::FromStr;

/// An `Edm.Binary` value, kept as its base64 text.
///
/// ```
/// use pim_api::edm::Binary;
/// let b = Binary::from_bytes(&[0xfb, 0xff]);
/// assert_eq!(b.as_str(), "-_8=");
/// assert_eq!(Binary::from_raw("+/8").decode().unwrap(), vec![0xfb, 0xff]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Binary(String);

text_type!(Binary, "Binary");

const TOLERANT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const URL_SAFE_TOLERANT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, TOLERANT);
const STANDARD_TOLERANT: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, TOLERANT);
const URL_SAFE_PADDED: GeneralPurpose =
    GeneralPurpose::new(&alphabet::URL_SAFE, GeneralPurposeConfig::new());

impl Binary {
    /// Encodes `bytes` as padded base64url.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(URL_SAFE_PADDED.encode(bytes))
    }

    /// Decodes the text: base64url or standard base64, padding optional. A text mixing both
    /// alphabets (`-` and `+`) is rejected.
    pub fn decode(&self) -> Result<Vec<u8>, EdmError> {
        let url_chars = self.0.bytes().any(|b| b == b'-' || b == b'_');
        let std_chars = self.0.bytes().any(|b| b == b'+' || b == b'/');
        let engine = match (url_chars, std_chars) {
            (true, true) => {
                return Err(EdmError::new(
                    "Binary",
                    &self.0,
                    "mixes the base64url and standard base64 alphabets",
                ));
            }
            (false, true) => &STANDARD_TOLERANT,
            _ => &URL_SAFE_TOLERANT,
        };
        engine
            .decode(&self.0)
            .map_err(|_| EdmError::new("Binary", &self.0, "not valid base64url or base64"))
    }

    /// Whether the text decodes.
    pub fn is_valid(&self) -> bool {
        self.decode().is_ok()
    }
}

impl From<&[u8]> for Binary {
    fn from(bytes: &[u8]) -> Self {
        Self::from_bytes(bytes)
    }
}

impl From<Vec<u8>> for Binary {
    fn from(bytes: Vec<u8>) -> Self {
        Self::from_bytes(&bytes)
    }
}

impl FromStr for Binary {
    type Err = EdmError;

    /// Validates `s` and keeps it verbatim.
    fn from_str(s: &str) -> Result<Self, EdmError> {
        let v = Self(s.to_owned());
        v.decode()?;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_alphabets_with_or_without_padding() {
        for text in ["SGVsbG8", "SGVsbG8=", "SGVsbG8"] {
            assert_eq!(Binary::from_raw(text).decode().unwrap(), b"Hello");
        }
        assert_eq!(Binary::from_raw("").decode().unwrap(), b"");
        assert_eq!(Binary::from_raw("-_8").decode().unwrap(), [0xfb, 0xff]);
        assert_eq!(Binary::from_raw("+/8=").decode().unwrap(), [0xfb, 0xff]);
        for bad in ["-+8=", "é", "SGVsbG8===", "S", "SGVsbG8*"] {
            assert!(Binary::from_raw(bad).decode().is_err(), "{bad:?}");
        }
    }
}
