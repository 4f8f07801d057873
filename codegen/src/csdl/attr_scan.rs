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

/// Bytes attribute-value normalization (XML 1.0 §3.3.3) would change.
static NORMALIZE: [bool; 256] = {
    let mut table = [false; 256];
    table[b'&' as usize] = true;
    table[b'\t' as usize] = true;
    table[b'\r' as usize] = true;
    table[b'\n' as usize] = true;
    table
};

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

/// Walks the attributes of one start tag. `tag` is the text between `<` and `>` (quick-xml's
/// `BytesStart` content); scanning starts after the element name.
pub(crate) struct AttrScan<'a> {
    tag: &'a str,
    pos: usize,
}

impl<'a> AttrScan<'a> {
    pub(crate) fn new(tag: &'a str, name_len: usize) -> Self {
        Self { tag, pos: name_len }
    }

    /// The next attribute. After `Done` or `Irregular`, further calls keep returning it.
    pub(crate) fn step(&mut self) -> Step<'a> {
        let bytes = self.tag.as_bytes();
        let mut i = self.pos;
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() {
            self.pos = i;
            return Step::Done;
        }
        let start = i;
        let irregular = |this: &mut Self| {
            this.pos = start;
            Step::Irregular(start)
        };
        // The key runs to `=` or whitespace, as quick-xml splits it: its first byte is part
        // of it whatever it is, even `=`.
        i += 1;
        while i < bytes.len() && bytes[i] != b'=' && !is_space(bytes[i]) {
            i += 1;
        }
        let key_end = i;
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'=' {
            return irregular(self);
        }
        i += 1;
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        let quote = match bytes.get(i) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return irregular(self),
        };
        let value_start = i + 1;
        // Values run from a few bytes (`true`) to kilobytes (descriptions): SIMD searches for
        // the closing quote and for anything to normalize beat a byte loop on the long ones.
        let Some(len) = memchr::memchr(quote, &bytes[value_start..]) else {
            return irregular(self);
        };
        let value_end = value_start + len;
        let value = &bytes[value_start..value_end];
        let plain = if value.len() < 16 {
            !value.iter().any(|&b| NORMALIZE[usize::from(b)])
        } else {
            memchr::memchr3(b'&', b'\n', b'\t', value).is_none()
                && memchr::memchr(b'\r', value).is_none()
        };
        self.pos = value_end + 1;
        // Every boundary above sits next to an ASCII byte, so the slices are on char
        // boundaries; `get` keeps that a checked fact rather than an assumption.
        match (
            self.tag.get(start..key_end),
            self.tag.get(value_start..value_end),
        ) {
            (Some(key), Some(raw)) => Step::Attr { key, raw, plain },
            _ => irregular(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

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
        let mut out = Vec::new();
        let mut scan = AttrScan::new(tag, name_len);
        loop {
            match scan.step() {
                Step::Attr { key, raw, plain } => {
                    let value = if plain {
                        Ok(Cow::Borrowed(raw))
                    } else {
                        quick_xml::events::attributes::Attribute {
                            key: quick_xml::name::QName(key),
                            value: Cow::Borrowed(raw),
                        }
                        .normalized_value(XmlVersion::Implicit1_0)
                    };
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
                    assert_eq!(fast_view(&e, name_len), quick_xml_view(&e, name_len));
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
    }
}
