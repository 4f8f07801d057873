//! A fast path over a start tag's attributes, falling back to quick-xml for anything unusual.
//!
//! quick-xml's attribute iterator and value normalization walk every byte through generic,
//! recovering state machines; on Graph's metadata they were about a quarter of the reader's
//! time. CSDL attributes are almost always `name="value"` with nothing to unescape, so this
//! scanner reads exactly that shape and stops at the first thing it does not recognise, handing
//! the caller the offset where quick-xml's own iterator should take over. Because it accepts a
//! subset of what quick-xml accepts, and splits it the same way, the attributes it yields are
//! the ones quick-xml would yield: the reader's behaviour, errors included, does not change.
//! The differential tests below hold it to that.

/// quick-xml's notion of XML whitespace (`is_whitespace`).
const fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

// Word-at-a-time byte tests (eight bytes per step). Each mask has the high bit set in the
// bytes that match; bits above the first match may be spurious (borrows), but the lowest set
// bit is always exact, which is all `first` uses. Byte loops here exit at unpredictable
// points, and those branch misses, not the bytes, were the cost.
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Bytes of `w` equal to `b`.
const fn eq(w: u64, b: u8) -> u64 {
    let x = w ^ (ONES * b as u64);
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// Bytes of `w` below `n` (`n` ≤ 128).
const fn below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(ONES * n as u64) & !w & HIGHS
}

/// Index of the first marked byte of a mask.
const fn first(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// The first index from `i` whose byte `hit` marks, scanning `bytes` a word at a time and the
/// last few bytes one by one; `bytes.len()` when there is none.
fn find(
    bytes: &[u8],
    mut i: usize,
    hit: impl Fn(u64) -> u64,
    hit_byte: impl Fn(u8) -> bool,
) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let mask = hit(u64::from_le_bytes(word));
        if mask != 0 {
            return i + first(mask);
        }
        i += 8;
    }
    while i < bytes.len() && !hit_byte(bytes[i]) {
        i += 1;
    }
    i
}

/// The value of an attribute the scan returned: `raw` itself when `plain`, else what
/// quick-xml's attribute-value normalization makes of it (entities, whitespace).
pub(crate) fn value<'a>(
    key: &'a str,
    raw: &'a str,
    plain: bool,
) -> quick_xml::Result<std::borrow::Cow<'a, str>> {
    if plain {
        return Ok(std::borrow::Cow::Borrowed(raw));
    }
    quick_xml::events::attributes::Attribute {
        key: quick_xml::name::QName(key),
        value: std::borrow::Cow::Borrowed(raw),
    }
    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
}

/// One step of the scan.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step<'a> {
    /// A regular attribute. `raw` is the text between the quotes; when `plain` it needs no
    /// normalization and is the attribute's value as is.
    Attr {
        key: &'a str,
        raw: &'a str,
        plain: bool,
    },
    /// No more attributes.
    Done,
    /// The attribute starting at this offset of the tag is not in the fast shape: continue
    /// with `quick_xml::events::attributes::Attributes::new(tag, offset)`.
    Irregular(usize),
}

/// Walks the attributes of one start tag: the text between `<` and `>` (quick-xml's
/// `BytesStart` content), from the end of the element name.
pub(crate) struct AttrScan<'a> {
    /// The tag, or the whole document around it: word-at-a-time scans may look a word past
    /// the tag's end (never using what they see there) instead of finishing byte by byte.
    text: &'a str,
    tag_start: usize,
    end: usize,
    pos: usize,
}

impl<'a> AttrScan<'a> {
    /// Scans `tag` on its own.
    #[cfg(test)]
    pub(crate) fn new(tag: &'a str, name_len: usize) -> Self {
        Self::in_text(tag, 0..tag.len(), name_len)
    }

    /// Scans the tag at `tag` in `text`.
    pub(crate) fn in_text(text: &'a str, tag: std::ops::Range<usize>, name_len: usize) -> Self {
        let end = tag.end.min(text.len());
        Self {
            text,
            tag_start: tag.start,
            end,
            pos: tag.start.saturating_add(name_len).min(end),
        }
    }

    /// The next attribute. After `Done` or `Irregular`, further calls keep returning it.
    pub(crate) fn step(&mut self) -> Step<'a> {
        let end = self.end;
        // Scans may read a word past the tag's end, no further: a hostile tag cannot make
        // one step search the rest of the document.
        let bytes = &self.text.as_bytes()[..(end + 8).min(self.text.len())];
        let mut i = self.pos;
        while i < end && is_space(bytes[i]) {
            i += 1;
        }
        if i >= end {
            self.pos = end;
            return Step::Done;
        }
        let start = i;
        let irregular = |this: &mut Self| {
            this.pos = start;
            Step::Irregular(start - this.tag_start)
        };
        // The key runs to `=` or whitespace, as quick-xml splits it: its first byte is part
        // of it whatever it is, even `=`. Other control bytes stop the word scan too and
        // are left to quick-xml.
        let key_end = find(
            bytes,
            start + 1,
            |w| eq(w, b'=') | below(w, 0x21),
            |b| b == b'=' || b < 0x21,
        );
        i = key_end;
        while i < end && is_space(bytes[i]) {
            i += 1;
        }
        if i >= end || bytes[i] != b'=' {
            return irregular(self);
        }
        i += 1;
        while i < end && is_space(bytes[i]) {
            i += 1;
        }
        let quote = match bytes.get(i) {
            Some(&q @ (b'"' | b'\'')) if i < end => q,
            _ => return irregular(self),
        };
        let value_start = i + 1;
        // The first byte that is the closing quote or something attribute-value
        // normalization (XML 1.0 §3.3.3) would change: `&`, tab, CR, LF (other control
        // bytes are caught too and only cost a call to quick-xml's normalizer).
        let stop = find(
            bytes,
            value_start,
            |w| eq(w, quote) | eq(w, b'&') | below(w, 0x0E),
            |b| b == quote || b == b'&' || b < 0x0E,
        );
        let (value_end, plain) = match bytes.get(stop) {
            Some(&b) if b == quote => (stop, true),
            Some(_) if stop < end => match memchr::memchr(quote, &bytes[stop..end]) {
                Some(k) => (stop + k, false),
                None => return irregular(self),
            },
            _ => return irregular(self),
        };
        if value_end >= end {
            return irregular(self);
        }
        self.pos = value_end + 1;
        // Every boundary above sits next to an ASCII byte, so the slices are on char
        // boundaries; `get` keeps that a checked fact rather than an assumption.
        match (
            self.text.get(start..key_end),
            self.text.get(value_start..value_end),
        ) {
            (Some(key), Some(raw)) => Step::Attr { key, raw, plain },
            _ => irregular(self),
        }
    }
}

#[cfg(test)]
mod tests {

    use proptest::prelude::*;
    use quick_xml::XmlVersion;
    use quick_xml::events::attributes::Attributes;

    use super::*;

    /// What quick-xml makes of the attributes from `offset`: each (key, normalized value), or
    /// the error message where it stops.
    fn quick_xml_view(tag: &str, offset: usize) -> Vec<Result<(String, String), String>> {
        let mut out = Vec::new();
        let mut attrs = Attributes::new(tag, offset);
        attrs.with_checks(false);
        for attr in attrs {
            match attr {
                Ok(attr) => match attr.normalized_value(XmlVersion::Implicit1_0) {
                    Ok(v) => out.push(Ok((attr.key.0.to_string(), v.into_owned()))),
                    Err(e) => out.push(Err(e.to_string())),
                },
                Err(e) => {
                    out.push(Err(e.to_string()));
                    break;
                }
            }
        }
        out
    }

    /// The same through the fast scan with quick-xml taking over where it stops, as the
    /// reader does.
    fn fast_view(tag: &str, name_len: usize) -> Vec<Result<(String, String), String>> {
        fast_view_in(tag, "", name_len)
    }

    /// [`fast_view`] with the tag followed by `after` in the scanned text, as in a document.
    fn fast_view_in(
        tag: &str,
        after: &str,
        name_len: usize,
    ) -> Vec<Result<(String, String), String>> {
        let text = format!("{tag}{after}");
        let mut out = Vec::new();
        let mut scan = AttrScan::in_text(&text, 0..tag.len(), name_len);
        loop {
            match scan.step() {
                Step::Attr { key, raw, plain } => {
                    let value = value(key, raw, plain);
                    match value {
                        Ok(v) => out.push(Ok((key.to_string(), v.into_owned()))),
                        Err(e) => out.push(Err(e.to_string())),
                    }
                }
                Step::Done => return out,
                Step::Irregular(offset) => {
                    out.extend(quick_xml_view(tag, offset));
                    return out;
                }
            }
        }
    }

    #[test]
    fn regular_attributes_are_read_without_quick_xml() {
        let tag = r#"Property Name="id" Type = 'Edm.String'	Nullable="false""#;
        let mut scan = AttrScan::new(tag, 8);
        assert_eq!(
            scan.step(),
            Step::Attr {
                key: "Name",
                raw: "id",
                plain: true
            }
        );
        assert_eq!(
            scan.step(),
            Step::Attr {
                key: "Type",
                raw: "Edm.String",
                plain: true
            }
        );
        assert_eq!(
            scan.step(),
            Step::Attr {
                key: "Nullable",
                raw: "false",
                plain: true
            }
        );
        assert_eq!(scan.step(), Step::Done);
        assert_eq!(scan.step(), Step::Done);
    }

    #[test]
    fn values_to_normalize_and_other_quotes_are_flagged_or_kept() {
        let tag = r#"A b="x &amp; y" c='say "hi"' d="l1
l2""#;
        let mut scan = AttrScan::new(tag, 1);
        assert!(matches!(
            scan.step(),
            Step::Attr {
                key: "b",
                plain: false,
                ..
            }
        ));
        assert_eq!(
            scan.step(),
            Step::Attr {
                key: "c",
                raw: r#"say "hi""#,
                plain: true
            }
        );
        assert!(matches!(
            scan.step(),
            Step::Attr {
                key: "d",
                plain: false,
                ..
            }
        ));
        assert_eq!(fast_view(tag, 1), quick_xml_view(tag, 1));
    }

    #[test]
    fn irregular_shapes_hand_over_at_the_attribute_start() {
        for (tag, at) in [
            ("A b", 2),
            ("A b=", 2),
            ("A b=x", 2),
            ("A b=\"open", 2),
            ("A ok='1' b c='2'", 9),
            ("A ok='1'   =\"v\"", 11),
        ] {
            let mut scan = AttrScan::new(tag, 1);
            let step = loop {
                match scan.step() {
                    Step::Attr { .. } => continue,
                    other => break other,
                }
            };
            assert_eq!(step, Step::Irregular(at), "{tag}");
            assert_eq!(fast_view(tag, 1), quick_xml_view(tag, 1), "{tag}");
        }
    }

    #[test]
    fn agrees_with_quick_xml_on_every_tag_of_a_real_file() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/upstream/beta-2026-08-04.csdl");
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("skipping: cannot read {}", path.display());
            return;
        };
        let mut reader = quick_xml::Reader::from_str(&text);
        let mut tags = 0;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                    let name_len = e.name().0.len();
                    let tag: &str = &e;
                    let end = (tag.as_ptr() as usize - text.as_ptr() as usize) + tag.len();
                    let after = text.get(end..(end + 16).min(text.len())).unwrap_or("");
                    assert_eq!(
                        fast_view_in(tag, after, name_len),
                        quick_xml_view(tag, name_len)
                    );
                    tags += 1;
                }
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(err) => panic!("{err}"),
            }
        }
        assert!(tags > 10_000, "{tags}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// Tags made of the bytes that matter to the attribute grammar agree with quick-xml.
        #[test]
        fn agrees_with_quick_xml_on_arbitrary_tags(
            body in proptest::collection::vec(
                prop::sample::select(vec![
                    "a", "b", "=", " ", "\t", "\n", "\r", "\"", "'", "&", "&amp;", "&lt;",
                    "&#x41;", "&bogus;", "é", "<", ">", ":", "x=\"1\"", "y='2'",
                ]),
                0..24,
            )
        ) {
            let tag = format!("T{}", body.concat());
            prop_assert_eq!(fast_view(&tag, 1), quick_xml_view(&tag, 1));
        }

        /// What follows the tag in the document never leaks into its attributes.
        #[test]
        fn text_after_the_tag_is_never_read_into_it(
            body in proptest::collection::vec(
                prop::sample::select(vec!["a", "=", " ", "\"", "'", "&amp;", "\t", "x=\"1\""]),
                0..16,
            ),
            after in proptest::collection::vec(
                prop::sample::select(vec!["a", "=", " ", "\"", "'", "&", ">", "\n"]),
                0..24,
            )
        ) {
            let tag = format!("T{}", body.concat());
            prop_assert_eq!(fast_view_in(&tag, &after.concat(), 1), quick_xml_view(&tag, 1));
        }
    }
}
