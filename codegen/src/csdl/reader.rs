//! Stage 1: CSDL XML text → raw [`Document`], streaming with quick-xml.
//!
//! One pass over the events, a recursive-descent function per element kind. The reader never
//! fails and never panics: malformed XML, missing or invalid attributes and unknown elements
//! become diagnostics, and the document holds everything read up to the problem. Elements are
//! matched by local name; the prefix is ignored because CSDL identifies elements by namespace
//! and Graph uses a default namespace for `edm` (CSDL-02).
//!
//! Speed matters (the benchmark compares this stage plus `model` with quick-xml's bare event
//! loop): attribute values are borrowed from the input unless they contain escapes, positions
//! are stored as byte offsets, and line:column is only computed for diagnostics.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

use super::attr_scan::{self, AttrScan, Step};
use super::*;
use crate::diag::{Code, Diagnostic, LineIndex, Pos, Sink};

/// Limits that keep hostile inputs bounded.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    /// Inputs larger than this are rejected with a diagnostic (default 512 MiB).
    pub max_bytes: usize,
    /// Elements nested deeper than this inside annotation expressions are skipped with an
    /// error, so hostile nesting cannot exhaust the stack (default 128).
    pub max_depth: u32,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_bytes: 512 << 20,
            max_depth: 128,
        }
    }
}

/// What the reader produced: the document (possibly partial) and every problem found.
#[derive(Debug, Clone)]
pub struct Parsed<'a> {
    /// The document as far as it could be read; it borrows from the source text.
    pub document: Document<'a>,
    /// Problems, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses CSDL from raw bytes, reporting invalid UTF-8 with its position.
pub fn parse_bytes(bytes: &[u8], options: ReadOptions) -> Parsed<'_> {
    // Validation is a pass over every byte: simdutf8 does it several times faster than the
    // standard library on Graph's text (whose descriptions are full of non-ASCII quotes). Its
    // fast validator says only whether the input is valid, so the standard one is asked
    // where it is not.
    let checked = match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(_) => std::str::from_utf8(bytes),
    };
    match checked {
        Ok(text) => parse(text, options),
        Err(err) => {
            let line_index = LineIndex::new();
            let mut sink = Sink::new(bytes, &line_index);
            sink.error(
                Code::InvalidUtf8,
                Pos::from_usize(err.valid_up_to()),
                "the document is not valid UTF-8",
            );
            let diagnostics = sink.diagnostics;
            Parsed {
                document: Document {
                    line_index,
                    ..Document::default()
                },
                diagnostics,
            }
        }
    }
}

/// Parses CSDL text.
pub fn parse(text: &str, options: ReadOptions) -> Parsed<'_> {
    let line_index = LineIndex::new();
    let mut document = Document::default();
    let diagnostics = {
        let mut parser = Parser {
            text,
            xml: whitespace_skipping_reader(text),
            sink: Sink::new(text.as_bytes(), &line_index),
            options,
            depth: 0,
            failed: false,
        };
        if text.len() > options.max_bytes {
            parser.sink.error(
                Code::XmlSyntax,
                Pos(0),
                format!(
                    "the document is {} bytes, more than the limit of {} bytes",
                    text.len(),
                    options.max_bytes
                ),
            );
        } else {
            parser.document(&mut document);
        }
        parser.sink.diagnostics
    };
    document.line_index = line_index;
    Parsed {
        document,
        diagnostics,
    }
}

/// An element that has been opened: its start tag, whether it is self-closing, and where.
struct El<'a> {
    start: BytesStart<'a>,
    empty: bool,
    pos: Pos,
}

impl El<'_> {
    fn local(&self) -> &str {
        local_name(self.start.name().0)
    }
}

fn local_name(qname: &str) -> &str {
    // Names are short: a plain scan beats memrchr's setup cost.
    match qname.bytes().position(|b| b == b':') {
        Some(i) => &qname[i + 1..],
        None => qname,
    }
}

/// The keys of one tag so far: a stack array, spilling to the heap only for long tags.
#[derive(Default)]
struct Seen<'a> {
    inline: [&'a str; 8],
    len: usize,
    spill: Vec<&'a str>,
    /// One bit per fingerprint of the keys seen (length and end bytes): distinct keys almost
    /// never share one, so most keys skip the comparisons, and their unpredictable branches.
    fingerprints: u64,
}

impl<'a> Seen<'a> {
    /// Records `key`, or returns the earlier identical key.
    fn insert(&mut self, key: &'a str) -> Option<&'a str> {
        let bytes = key.as_bytes();
        let (first, last) = match bytes {
            [] => (0, 0),
            [first, .., last] => (*first, *last),
            [only] => (*only, *only),
        };
        let print = (bytes.len() * 31 + usize::from(first) * 7 + usize::from(last)) & 63;
        let bit = 1u64 << print;
        if self.fingerprints & bit != 0
            && let Some(prev) = self.inline[..self.len]
                .iter()
                .chain(&self.spill)
                .find(|p| **p == key)
        {
            return Some(prev);
        }
        self.fingerprints |= bit;
        if self.len < self.inline.len() {
            self.inline[self.len] = key;
            self.len += 1;
        } else {
            self.spill.push(key);
        }
        None
    }
}

/// What an attribute callback says about the attribute it was given.
enum Attr {
    Known,
    Unknown,
    Invalid(String),
}

struct Parser<'a, 'i> {
    text: &'a str,
    xml: quick_xml::Reader<&'a [u8]>,
    sink: Sink<'i>,
    options: ReadOptions,
    depth: u32,
    /// Set after a fatal XML error: every loop unwinds and the partial document is returned.
    failed: bool,
}

fn bool_value(v: &str) -> Result<bool, String> {
    parse_bool(v).ok_or_else(|| format!("`{v}` is not a boolean (expected `true` or `false`)"))
}

impl<'a> Parser<'a, '_> {
    fn pos(&self) -> Pos {
        Pos(u32::try_from(self.xml.buffer_position()).unwrap_or(u32::MAX))
    }

    fn xml_error(&mut self, err: quick_xml::Error) {
        let pos = Pos(u32::try_from(self.xml.error_position()).unwrap_or(u32::MAX));
        self.sink
            .error(Code::XmlSyntax, pos, format!("malformed XML: {err}"));
        self.failed = true;
    }

    /// Where the tag whose content (after `<`) is `start` begins. With leading whitespace
    /// skipped inside the reader, the position before `read_event` can be that of the
    /// whitespace before the tag; the tag's content borrows from the input, so its own
    /// offset is exact. `fallback` is used if it does not (it always does for `&str` input).
    fn tag_pos(&self, start: &BytesStart<'_>, fallback: Pos) -> Pos {
        let offset = (start.as_ptr() as usize).wrapping_sub(self.text.as_ptr() as usize);
        if offset == 0 || offset > self.text.len() {
            return fallback;
        }
        u32::try_from(offset - 1).map_or(fallback, Pos)
    }

    /// Runs `f` with whitespace text reported as is: for element content (constant, path
    /// and dynamic expressions), where leading whitespace is part of the value.
    fn keeping_text<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let prev = std::mem::replace(&mut self.xml.config_mut().trim_text_start, false);
        let out = f(self);
        self.xml.config_mut().trim_text_start = prev;
        out
    }

    /// The next child element of the current element, or `None` at its end tag (or on a
    /// fatal error). Text, comments and processing instructions between children are skipped.
    fn next_child(&mut self) -> Option<El<'a>> {
        loop {
            if self.failed {
                return None;
            }
            let pos = self.pos();
            match self.xml.read_event() {
                Ok(Event::Start(start)) => {
                    let pos = self.tag_pos(&start, pos);
                    return Some(El {
                        start,
                        empty: false,
                        pos,
                    });
                }
                Ok(Event::Empty(start)) => {
                    let pos = self.tag_pos(&start, pos);
                    return Some(El {
                        start,
                        empty: true,
                        pos,
                    });
                }
                Ok(Event::End(_)) => return None,
                Ok(Event::Eof) => {
                    // At the end of the input, not before the whitespace the reader skipped.
                    let pos = self.pos();
                    self.sink.error(
                        Code::XmlSyntax,
                        pos,
                        "unexpected end of document: an element is not closed (truncated file?)",
                    );
                    self.failed = true;
                    return None;
                }
                Ok(_) => continue,
                Err(err) => {
                    self.xml_error(err);
                    return None;
                }
            }
        }
    }

    /// Skips an element and everything inside it.
    fn skip(&mut self, el: &El<'a>) {
        if !el.empty
            && !self.failed
            && let Err(err) = self.xml.read_to_end(el.start.name())
        {
            self.xml_error(err);
        }
    }

    /// Skips an element the reader does not know, with a warning.
    fn unknown_element(&mut self, el: &El<'a>, parent: &str) {
        self.sink.warning(
            Code::UnknownElement,
            el.pos,
            format!(
                "unknown element `{}` inside `{parent}` is ignored",
                el.start.name().0
            ),
        );
        self.skip(el);
    }

    /// Calls `f` with each attribute's local name and value; reports unknown and invalid ones.
    fn attrs(&mut self, el: &El<'a>, mut f: impl FnMut(&'a str, Str<'a>) -> Attr) {
        // The tag borrows from the input; rebasing it once gives every key and value the
        // input's lifetime.
        let tag = rebase_str(self.text, &el.start);
        let name_len = el.start.name().0.len();
        // quick-xml's duplicate check allocates a Vec per tag; the same check against a small
        // stack array (spilling for long tags) reports the same error for a fraction of it.
        let mut seen = Seen::default();
        let tag_start = (tag.as_ptr() as usize).wrapping_sub(self.text.as_ptr() as usize);
        let mut scan = AttrScan::in_text(self.text, tag_start..tag_start + tag.len(), name_len);
        loop {
            match scan.step() {
                Step::Attr { key, raw, plain } => {
                    let value = attr_scan::value(key, raw, plain);
                    if !self.attr(el, tag, &mut seen, key, value, &mut f) {
                        return;
                    }
                }
                Step::Done => return,
                Step::Irregular(offset) => break self.attrs_slow(el, tag, offset, seen, f),
            }
        }
    }

    /// quick-xml's own iterator from `offset` on: the shapes the fast scan leaves to it, and
    /// the errors, with quick-xml's messages.
    fn attrs_slow(
        &mut self,
        el: &El<'a>,
        tag: &'a str,
        offset: usize,
        mut seen: Seen<'a>,
        mut f: impl FnMut(&'a str, Str<'a>) -> Attr,
    ) {
        let mut attributes = quick_xml::events::attributes::Attributes::new(tag, offset);
        attributes.with_checks(false);
        for attr in attributes {
            let attr = match attr {
                Ok(attr) => attr,
                Err(err) => {
                    self.sink.error(
                        Code::XmlSyntax,
                        el.pos,
                        format!("malformed attribute in `{}`: {err}", el.start.name().0),
                    );
                    return;
                }
            };
            // The iterator runs over `tag`, which borrows the input, so keys and values do too.
            let key = attr.key.0;
            let value = attr.normalized_value(XmlVersion::Implicit1_0);
            if !self.attr(el, tag, &mut seen, key, value, &mut f) {
                return;
            }
        }
    }

    /// One attribute: the duplicate check, namespace declarations skipped, then `f`. Returns
    /// false when the tag must not be read further.
    fn attr(
        &mut self,
        el: &El<'a>,
        tag: &'a str,
        seen: &mut Seen<'a>,
        key: &'a str,
        value: quick_xml::Result<Str<'a>>,
        f: &mut impl FnMut(&'a str, Str<'a>) -> Attr,
    ) -> bool {
        if let Some(prev) = seen.insert(key) {
            // quick-xml's message and offsets (relative to the tag's content).
            let at = |s: &str| (s.as_ptr() as usize).wrapping_sub(tag.as_ptr() as usize);
            self.sink.error(
                Code::XmlSyntax,
                el.pos,
                format!(
                    "malformed attribute in `{}`: position {}: duplicated attribute, previous declaration at position {}",
                    el.start.name().0,
                    at(key),
                    at(prev),
                ),
            );
            return false;
        }
        // One scan for the prefix serves both the namespace-declaration test and the
        // local name.
        let local = match key.bytes().position(|b| b == b':') {
            Some(i) => {
                if matches!(&key[..i], "xmlns" | "xml") {
                    return true;
                }
                &key[i + 1..]
            }
            None => {
                if key == "xmlns" {
                    return true;
                }
                key
            }
        };
        let value = match value {
            Ok(v) => v,
            Err(err) => {
                self.sink.error(
                    Code::XmlSyntax,
                    el.pos,
                    format!("bad escape in attribute `{key}`: {err}"),
                );
                return true;
            }
        };
        match f(local, value) {
            Attr::Known => {}
            Attr::Unknown => self.sink.warning(
                Code::UnknownAttribute,
                el.pos,
                format!(
                    "unknown attribute `{key}` on `{}` is ignored",
                    el.start.name().0
                ),
            ),
            Attr::Invalid(message) => self.sink.error(
                Code::InvalidAttribute,
                el.pos,
                format!("attribute `{key}` on `{}`: {message}", el.start.name().0),
            ),
        }
        true
    }

    fn require(&mut self, el: &El<'a>, attr: &str, value: &str) {
        if value.is_empty() {
            self.sink.error(
                Code::MissingAttribute,
                el.pos,
                format!(
                    "`{}` needs a non-empty `{attr}` attribute",
                    el.start.name().0
                ),
            );
        }
    }

    // ---- document structure ------------------------------------------------------------

    fn document(&mut self, doc: &mut Document<'a>) {
        // Find the root element, skipping the XML declaration, comments and whitespace.
        let root = loop {
            let pos = self.pos();
            match self.xml.read_event() {
                Ok(Event::Start(start)) => {
                    let pos = self.tag_pos(&start, pos);
                    break El {
                        start,
                        empty: false,
                        pos,
                    };
                }
                Ok(Event::Empty(start)) => {
                    let pos = self.tag_pos(&start, pos);
                    break El {
                        start,
                        empty: true,
                        pos,
                    };
                }
                Ok(Event::Eof) => {
                    let pos = self.pos();
                    self.sink
                        .error(Code::NotCsdl, pos, "the document has no root element");
                    return;
                }
                Ok(_) => continue,
                Err(err) => {
                    self.xml_error(err);
                    return;
                }
            }
        };
        if root.local() != "Edmx" {
            self.sink.error(
                Code::NotCsdl,
                root.pos,
                format!(
                    "the root element is `{}`, expected `edmx:Edmx`",
                    root.start.name().0
                ),
            );
            return;
        }
        let mut version = Str::Borrowed("");
        self.attrs(&root, |k, v| match k {
            "Version" => {
                version = v;
                Attr::Known
            }
            _ => Attr::Unknown,
        });
        self.require(&root, "Version", &version);
        doc.version = version;
        let mut saw_data_services = false;
        if !root.empty {
            while let Some(el) = self.next_child() {
                match el.local() {
                    "Reference" => {
                        let r = self.reference(&el);
                        doc.references.push(r);
                    }
                    "DataServices" => {
                        saw_data_services = true;
                        self.data_services(&el, &mut doc.schemas);
                    }
                    _ => self.unknown_element(&el, "edmx:Edmx"),
                }
            }
        }
        if !saw_data_services && !self.failed {
            self.sink.error(
                Code::NotCsdl,
                root.pos,
                "`edmx:Edmx` has no `edmx:DataServices` child",
            );
        }
        // Anything after the root other than whitespace and comments is malformed.
        if !self.failed {
            loop {
                match self.xml.read_event() {
                    Ok(Event::Eof) => break,
                    Ok(Event::Start(_) | Event::Empty(_)) => {
                        let pos = self.pos();
                        self.sink
                            .error(Code::XmlSyntax, pos, "content after the root element");
                        break;
                    }
                    Ok(_) => continue,
                    Err(err) => {
                        self.xml_error(err);
                        break;
                    }
                }
            }
        }
    }

    fn reference(&mut self, el: &El<'a>) -> Reference<'a> {
        let mut r = Reference {
            pos: el.pos,
            ..Reference::default()
        };
        self.attrs(el, |k, v| match k {
            "Uri" => {
                r.uri = v;
                Attr::Known
            }
            _ => Attr::Unknown,
        });
        self.require(el, "Uri", &r.uri);
        if el.empty {
            return r;
        }
        while let Some(child) = self.next_child() {
            match child.local() {
                "Include" => {
                    let mut inc = Include {
                        pos: child.pos,
                        ..Include::default()
                    };
                    self.attrs(&child, |k, v| match k {
                        "Namespace" => {
                            inc.namespace = v;
                            Attr::Known
                        }
                        "Alias" => {
                            inc.alias = Some(v);
                            Attr::Known
                        }
                        _ => Attr::Unknown,
                    });
                    self.require(&child, "Namespace", &inc.namespace);
                    self.skip_children(&child, "edmx:Include");
                    r.includes.push(inc);
                }
                "IncludeAnnotations" => {
                    let mut inc = IncludeAnnotations {
                        pos: child.pos,
                        ..IncludeAnnotations::default()
                    };
                    self.attrs(&child, |k, v| match k {
                        "TermNamespace" => {
                            inc.term_namespace = v;
                            Attr::Known
                        }
                        "Qualifier" => {
                            inc.qualifier = Some(v);
                            Attr::Known
                        }
                        "TargetNamespace" => {
                            inc.target_namespace = Some(v);
                            Attr::Known
                        }
                        _ => Attr::Unknown,
                    });
                    self.require(&child, "TermNamespace", &inc.term_namespace);
                    self.skip_children(&child, "edmx:IncludeAnnotations");
                    r.include_annotations.push(inc);
                }
                "Annotation" => {
                    let a = self.annotation(&child, None);
                    push_one(&mut r.annotations, a);
                }
                _ => self.unknown_element(&child, "edmx:Reference"),
            }
        }
        r
    }

    /// For elements that have no children in CSDL: warns about any that are there.
    fn skip_children(&mut self, el: &El<'a>, name: &str) {
        if el.empty {
            return;
        }
        while let Some(child) = self.next_child() {
            self.unknown_element(&child, name);
        }
    }

    fn data_services(&mut self, el: &El<'a>, schemas: &mut Vec<Schema<'a>>) {
        self.attrs(el, |_, _| Attr::Unknown);
        if el.empty {
            return;
        }
        while let Some(child) = self.next_child() {
            match child.local() {
                "Schema" => {
                    let s = self.schema(&child);
                    schemas.push(s);
                }
                _ => self.unknown_element(&child, "edmx:DataServices"),
            }
        }
    }

    fn schema(&mut self, el: &El<'a>) -> Schema<'a> {
        let mut s = Schema {
            pos: el.pos,
            ..Schema::default()
        };
        self.attrs(el, |k, v| match k {
            "Namespace" => {
                s.namespace = v;
                Attr::Known
            }
            "Alias" => {
                s.alias = Some(v);
                Attr::Known
            }
            _ => Attr::Unknown,
        });
        self.require(el, "Namespace", &s.namespace);
        if el.empty {
            return s;
        }
        while let Some(child) = self.next_child() {
            match child.local() {
                "EntityType" => {
                    let t = self.structured(&child, StructuredKind::Entity);
                    s.entity_types.push(t);
                }
                "ComplexType" => {
                    let t = self.structured(&child, StructuredKind::Complex);
                    s.complex_types.push(t);
                }
                "EnumType" => {
                    let t = self.enum_type(&child);
                    s.enum_types.push(t);
                }
                "TypeDefinition" => {
                    let t = self.type_definition(&child);
                    s.type_definitions.push(t);
                }
                "Action" => {
                    let o = self.operation(&child, OperationKind::Action);
                    s.actions.push(o);
                }
                "Function" => {
                    let o = self.operation(&child, OperationKind::Function);
                    s.functions.push(o);
                }
                "Term" => {
                    let t = self.term(&child);
                    s.terms.push(t);
                }
                "EntityContainer" => {
                    let c = self.container(&child);
                    s.entity_containers.push(c);
                }
                "Annotations" => {
                    let a = self.annotations_group(&child);
                    s.annotation_groups.push(a);
                }
                "Annotation" => {
                    let a = self.annotation(&child, None);
                    push_one(&mut s.annotations, a);
                }
                _ => self.unknown_element(&child, "Schema"),
            }
        }
        s
    }

    // ---- types ---------------------------------------------------------------------------

    fn structured(&mut self, el: &El<'a>, kind: StructuredKind) -> StructuredType<'a> {
        let mut t = StructuredType {
            kind,
            pos: el.pos,
            ..StructuredType::default()
        };
        let entity = kind == StructuredKind::Entity;
        self.attrs(el, |k, v| {
            let r = match k {
                "Name" => {
                    t.name = v;
                    Ok(())
                }
                "BaseType" => {
                    t.base_type = Some(v);
                    Ok(())
                }
                "Abstract" => bool_value(&v).map(|b| t.is_abstract = b),
                "OpenType" => bool_value(&v).map(|b| t.open_type = b),
                "HasStream" if entity => bool_value(&v).map(|b| t.has_stream = b),
                _ => return Attr::Unknown,
            };
            match r {
                Ok(()) => Attr::Known,
                Err(m) => Attr::Invalid(m),
            }
        });
        self.require(el, "Name", &t.name);
        if el.empty {
            return t;
        }
        let parent = if entity { "EntityType" } else { "ComplexType" };
        while let Some(child) = self.next_child() {
            match child.local() {
                "Property" => {
                    let p = self.property(&child);
                    t.properties.push(p);
                }
                "NavigationProperty" => {
                    let p = self.navigation_property(&child);
                    t.navigation_properties.push(p);
                }
                "Key" if entity => {
                    let key = self.key(&child);
                    if t.key.is_some() {
                        self.sink.error(
                            Code::DuplicateName,
                            child.pos,
                            format!("entity type `{}` has more than one `Key`", t.name),
                        );
                    }
                    t.key = Some(key);
                }
                "Annotation" => {
                    let a = self.annotation(&child, None);
                    push_one(&mut t.annotations, a);
                }
                _ => self.unknown_element(&child, parent),
            }
        }
        t
    }

    fn key(&mut self, el: &El<'a>) -> Vec<PropertyRef<'a>> {
        self.attrs(el, |_, _| Attr::Unknown);
        let mut refs = Vec::new();
        if el.empty {
            return refs;
        }
        while let Some(child) = self.next_child() {
            if child.local() != "PropertyRef" {
                self.unknown_element(&child, "Key");
                continue;
            }
            let mut r = PropertyRef {
                pos: child.pos,
                ..PropertyRef::default()
            };
            self.attrs(&child, |k, v| match k {
                "Name" => {
                    r.name = v;
                    Attr::Known
                }
                "Alias" => {
                    r.alias = Some(v);
                    Attr::Known
                }
                _ => Attr::Unknown,
            });
            self.require(&child, "Name", &r.name);
            self.skip_children(&child, "PropertyRef");
            refs.push(r);
        }
        refs
    }

    /// Reads a facet attribute into `facets`; `None` when `key` is not a facet.
    fn facet(facets: &mut Facets<'a>, key: &str, v: Str<'a>) -> Option<Result<(), String>> {
        Some(match key {
            "Nullable" => bool_value(&v).map(|b| facets.nullable = Some(b)),
            "Unicode" => bool_value(&v).map(|b| facets.unicode = Some(b)),
            "MaxLength" => {
                if v == "max" || v.parse::<u64>().is_ok() {
                    facets.text_mut().max_length = Some(v);
                    Ok(())
                } else {
                    Err(format!("`{v}` is not a positive integer or `max`"))
                }
            }
            "Precision" => {
                if v.parse::<u32>().is_ok() {
                    facets.text_mut().precision = Some(v);
                    Ok(())
                } else {
                    Err(format!("`{v}` is not a non-negative integer"))
                }
            }
            "Scale" => {
                // Graph's 2021 schema writes `Variable`; the spec's spelling is `variable`.
                if v.eq_ignore_ascii_case("variable")
                    || v.eq_ignore_ascii_case("floating")
                    || v.parse::<u32>().is_ok()
                {
                    facets.text_mut().scale = Some(v);
                    Ok(())
                } else {
                    Err(format!(
                        "`{v}` is not a non-negative integer, `variable` or `floating`"
                    ))
                }
            }
            "SRID" => {
                facets.text_mut().srid = Some(v);
                Ok(())
            }
            "DefaultValue" => {
                facets.text_mut().default_value = Some(v);
                Ok(())
            }
            _ => return None,
        })
    }

    fn typed_attrs(
        &mut self,
        el: &El<'a>,
        name: &mut Str<'a>,
        type_name: &mut Str<'a>,
        facets: &mut Facets<'a>,
    ) {
        self.attrs(el, |k, v| {
            let r = match k {
                "Name" => {
                    *name = v;
                    Ok(())
                }
                "Type" => {
                    *type_name = v;
                    Ok(())
                }
                _ => match Self::facet(facets, k, v) {
                    Some(r) => r,
                    None => return Attr::Unknown,
                },
            };
            match r {
                Ok(()) => Attr::Known,
                Err(m) => Attr::Invalid(m),
            }
        });
        self.require(el, "Name", name);
        self.require(el, "Type", type_name);
    }

    /// Reads children that can only be annotations.
    fn annotations_only(&mut self, el: &El<'a>, parent: &str) -> Vec<Annotation<'a>> {
        let mut out = Vec::new();
        if el.empty {
            return out;
        }
        while let Some(child) = self.next_child() {
            if child.local() == "Annotation" {
                let a = self.annotation(&child, None);
                push_one(&mut out, a);
            } else {
                self.unknown_element(&child, parent);
            }
        }
        out
    }

    fn property(&mut self, el: &El<'a>) -> Property<'a> {
        let mut p = Property {
            pos: el.pos,
            ..Property::default()
        };
        self.typed_attrs(el, &mut p.name, &mut p.type_name, &mut p.facets);
        p.annotations = self.annotations_only(el, "Property");
        p
    }

    fn navigation_property(&mut self, el: &El<'a>) -> NavigationProperty<'a> {
        let mut p = NavigationProperty {
            pos: el.pos,
            ..NavigationProperty::default()
        };
        self.attrs(el, |k, v| {
            let r = match k {
                "Name" => {
                    p.name = v;
                    Ok(())
                }
                "Type" => {
                    p.type_name = v;
                    Ok(())
                }
                "Nullable" => bool_value(&v).map(|b| p.nullable = Some(b)),
                "Partner" => {
                    p.partner = Some(v);
                    Ok(())
                }
                "ContainsTarget" => bool_value(&v).map(|b| p.contains_target = b),
                _ => return Attr::Unknown,
            };
            match r {
                Ok(()) => Attr::Known,
                Err(m) => Attr::Invalid(m),
            }
        });
        self.require(el, "Name", &p.name);
        self.require(el, "Type", &p.type_name);
        if el.empty {
            return p;
        }
        while let Some(child) = self.next_child() {
            match child.local() {
                "ReferentialConstraint" => {
                    let mut rc = ReferentialConstraint {
                        pos: child.pos,
                        ..ReferentialConstraint::default()
                    };
                    self.attrs(&child, |k, v| match k {
                        "Property" => {
                            rc.property = v;
                            Attr::Known
                        }
                        "ReferencedProperty" => {
                            rc.referenced_property = v;
                            Attr::Known
                        }
                        _ => Attr::Unknown,
                    });
                    self.require(&child, "Property", &rc.property);
                    self.require(&child, "ReferencedProperty", &rc.referenced_property);
                    // Annotations on constraints carry nothing a client needs.
                    self.annotations_only(&child, "ReferentialConstraint");
                    p.referential_constraints.push(rc);
                }
                "OnDelete" => {
                    let mut action = Str::Borrowed("");
                    self.attrs(&child, |k, v| match k {
                        "Action" => {
                            action = v;
                            Attr::Known
                        }
                        _ => Attr::Unknown,
                    });
                    self.require(&child, "Action", &action);
                    self.annotations_only(&child, "OnDelete");
                    p.on_delete = Some(action);
                }
                "Annotation" => {
                    let a = self.annotation(&child, None);
                    push_one(&mut p.annotations, a);
                }
                _ => self.unknown_element(&child, "NavigationProperty"),
            }
        }
        p
    }

    fn enum_type(&mut self, el: &El<'a>) -> EnumType<'a> {
        let mut t = EnumType {
            pos: el.pos,
            ..EnumType::default()
        };
        self.attrs(el, |k, v| {
            let r = match k {
                "Name" => {
                    t.name = v;
                    Ok(())
                }
                "UnderlyingType" => {
                    t.underlying_type = Some(v);
                    Ok(())
                }
                "IsFlags" => bool_value(&v).map(|b| t.is_flags = b),
                _ => return Attr::Unknown,
            };
            match r {
                Ok(()) => Attr::Known,
                Err(m) => Attr::Invalid(m),
            }
        });
        self.require(el, "Name", &t.name);
        if el.empty {
            return t;
        }
        while let Some(child) = self.next_child() {
            match child.local() {
                "Member" => {
                    let mut m = EnumMember {
                        pos: child.pos,
                        ..EnumMember::default()
                    };
                    self.attrs(&child, |k, v| match k {
                        "Name" => {
                            m.name = v;
                            Attr::Known
                        }
                        "Value" => match v.trim().parse::<i64>() {
                            Ok(n) => {
                                m.value = Some(n);
                                Attr::Known
                            }
                            Err(_) => Attr::Invalid(format!("`{v}` is not an integer")),
                        },
                        _ => Attr::Unknown,
                    });
                    self.require(&child, "Name", &m.name);
                    m.annotations = self.annotations_only(&child, "Member");
                    t.members.push(m);
                }
                "Annotation" => {
                    let a = self.annotation(&child, None);
                    push_one(&mut t.annotations, a);
                }
                _ => self.unknown_element(&child, "EnumType"),
            }
        }
        t
    }

    fn type_definition(&mut self, el: &El<'a>) -> TypeDefinition<'a> {
        let mut t = TypeDefinition {
            pos: el.pos,
            ..TypeDefinition::default()
        };
        self.attrs(el, |k, v| {
            let r = match k {
                "Name" => {
                    t.name = v;
                    Ok(())
                }
                "UnderlyingType" => {
                    t.underlying_type = v;
                    Ok(())
                }
                _ => match Self::facet(&mut t.facets, k, v) {
                    Some(r) => r,
                    None => return Attr::Unknown,
                },
            };
            match r {
                Ok(()) => Attr::Known,
                Err(m) => Attr::Invalid(m),
            }
        });
        self.require(el, "Name", &t.name);
        self.require(el, "UnderlyingType", &t.underlying_type);
        t.annotations = self.annotations_only(el, "TypeDefinition");
        t
    }

    fn operation(&mut self, el: &El<'a>, kind: OperationKind) -> Operation<'a> {
        let mut o = Operation {
            kind,
            pos: el.pos,
            ..Operation::default()
        };
        let function = kind == OperationKind::Function;
        self.attrs(el, |k, v| {
            let r = match k {
                "Name" => {
                    o.name = v;
                    Ok(())
                }
                "IsBound" => bool_value(&v).map(|b| o.is_bound = b),
                "EntitySetPath" => {
                    o.entity_set_path = Some(v);
                    Ok(())
                }
                "IsComposable" if function => bool_value(&v).map(|b| o.is_composable = b),
                _ => return Attr::Unknown,
            };
            match r {
                Ok(()) => Attr::Known,
                Err(m) => Attr::Invalid(m),
            }
        });
        self.require(el, "Name", &o.name);
        let parent = if function { "Function" } else { "Action" };
        if !el.empty {
            while let Some(child) = self.next_child() {
                match child.local() {
                    "Parameter" => {
                        let mut p = Parameter {
                            pos: child.pos,
                            ..Parameter::default()
                        };
                        self.typed_attrs(&child, &mut p.name, &mut p.type_name, &mut p.facets);
                        p.annotations = self.annotations_only(&child, "Parameter");
                        o.parameters.push(p);
                    }
                    "ReturnType" => {
                        let mut r = ReturnType {
                            pos: child.pos,
                            ..ReturnType::default()
                        };
                        let mut name = Str::Borrowed("-");
                        self.typed_attrs(&child, &mut name, &mut r.type_name, &mut r.facets);
                        if name != "-" {
                            self.sink.warning(
                                Code::UnknownAttribute,
                                child.pos,
                                "`ReturnType` has no `Name` attribute; it is ignored",
                            );
                        }
                        r.annotations = self.annotations_only(&child, "ReturnType");
                        if o.return_type.is_some() {
                            self.sink.error(
                                Code::DuplicateName,
                                child.pos,
                                format!("operation `{}` has more than one `ReturnType`", o.name),
                            );
                        }
                        o.return_type = Some(r);
                    }
                    "Annotation" => {
                        let a = self.annotation(&child, None);
                        push_one(&mut o.annotations, a);
                    }
                    _ => self.unknown_element(&child, parent),
                }
            }
        }
        if function && o.return_type.is_none() && !self.failed {
            self.sink.error(
                Code::MissingAttribute,
                el.pos,
                format!("function `{}` has no `ReturnType`", o.name),
            );
        }
        o
    }

    fn term(&mut self, el: &El<'a>) -> Term<'a> {
        let mut t = Term {
            pos: el.pos,
            ..Term::default()
        };
        self.attrs(el, |k, v| {
            let r = match k {
                "Name" => {
                    t.name = v;
                    Ok(())
                }
                "Type" => {
                    t.type_name = v;
                    Ok(())
                }
                "BaseTerm" => {
                    t.base_term = Some(v);
                    Ok(())
                }
                "AppliesTo" => {
                    t.applies_to = split_whitespace(v);
                    Ok(())
                }
                _ => match Self::facet(&mut t.facets, k, v) {
                    Some(r) => r,
                    None => return Attr::Unknown,
                },
            };
            match r {
                Ok(()) => Attr::Known,
                Err(m) => Attr::Invalid(m),
            }
        });
        self.require(el, "Name", &t.name);
        self.require(el, "Type", &t.type_name);
        t.annotations = self.annotations_only(el, "Term");
        t
    }

    // ---- container -----------------------------------------------------------------------

    fn container(&mut self, el: &El<'a>) -> EntityContainer<'a> {
        let mut c = EntityContainer {
            pos: el.pos,
            ..EntityContainer::default()
        };
        self.attrs(el, |k, v| match k {
            "Name" => {
                c.name = v;
                Attr::Known
            }
            "Extends" => {
                c.extends = Some(v);
                Attr::Known
            }
            _ => Attr::Unknown,
        });
        self.require(el, "Name", &c.name);
        if el.empty {
            return c;
        }
        while let Some(child) = self.next_child() {
            match child.local() {
                "EntitySet" => {
                    let mut s = EntitySet {
                        pos: child.pos,
                        ..EntitySet::default()
                    };
                    self.attrs(&child, |k, v| match k {
                        "Name" => {
                            s.name = v;
                            Attr::Known
                        }
                        "EntityType" => {
                            s.entity_type = v;
                            Attr::Known
                        }
                        "IncludeInServiceDocument" => match bool_value(&v) {
                            Ok(b) => {
                                s.include_in_service_document = Some(b);
                                Attr::Known
                            }
                            Err(m) => Attr::Invalid(m),
                        },
                        _ => Attr::Unknown,
                    });
                    self.require(&child, "Name", &s.name);
                    self.require(&child, "EntityType", &s.entity_type);
                    (s.navigation_bindings, s.annotations) = self.bindings(&child, "EntitySet");
                    c.entity_sets.push(s);
                }
                "Singleton" => {
                    let mut s = Singleton {
                        pos: child.pos,
                        ..Singleton::default()
                    };
                    self.attrs(&child, |k, v| match k {
                        "Name" => {
                            s.name = v;
                            Attr::Known
                        }
                        "Type" => {
                            s.type_name = v;
                            Attr::Known
                        }
                        "Nullable" => match bool_value(&v) {
                            Ok(b) => {
                                s.nullable = Some(b);
                                Attr::Known
                            }
                            Err(m) => Attr::Invalid(m),
                        },
                        _ => Attr::Unknown,
                    });
                    self.require(&child, "Name", &s.name);
                    self.require(&child, "Type", &s.type_name);
                    (s.navigation_bindings, s.annotations) = self.bindings(&child, "Singleton");
                    c.singletons.push(s);
                }
                "ActionImport" | "FunctionImport" => {
                    let function = child.local() == "FunctionImport";
                    let mut i = OperationImport {
                        kind: if function {
                            OperationKind::Function
                        } else {
                            OperationKind::Action
                        },
                        pos: child.pos,
                        ..OperationImport::default()
                    };
                    let op_attr = if function { "Function" } else { "Action" };
                    self.attrs(&child, |k, v| match k {
                        "Name" => {
                            i.name = v;
                            Attr::Known
                        }
                        k if k == op_attr => {
                            i.operation = v;
                            Attr::Known
                        }
                        "EntitySet" => {
                            i.entity_set = Some(v);
                            Attr::Known
                        }
                        "IncludeInServiceDocument" if function => match bool_value(&v) {
                            Ok(b) => {
                                i.include_in_service_document = Some(b);
                                Attr::Known
                            }
                            Err(m) => Attr::Invalid(m),
                        },
                        _ => Attr::Unknown,
                    });
                    self.require(&child, "Name", &i.name);
                    self.require(&child, op_attr, &i.operation);
                    let parent = if function {
                        "FunctionImport"
                    } else {
                        "ActionImport"
                    };
                    i.annotations = self.annotations_only(&child, parent);
                    if function {
                        c.function_imports.push(i);
                    } else {
                        c.action_imports.push(i);
                    }
                }
                "Annotation" => {
                    let a = self.annotation(&child, None);
                    push_one(&mut c.annotations, a);
                }
                _ => self.unknown_element(&child, "EntityContainer"),
            }
        }
        c
    }

    fn bindings(
        &mut self,
        el: &El<'a>,
        parent: &str,
    ) -> (Vec<NavigationPropertyBinding<'a>>, Vec<Annotation<'a>>) {
        let mut bindings = Vec::new();
        let mut annotations = Vec::new();
        if el.empty {
            return (bindings, annotations);
        }
        while let Some(child) = self.next_child() {
            match child.local() {
                "NavigationPropertyBinding" => {
                    let mut b = NavigationPropertyBinding {
                        pos: child.pos,
                        ..NavigationPropertyBinding::default()
                    };
                    self.attrs(&child, |k, v| match k {
                        "Path" => {
                            b.path = v;
                            Attr::Known
                        }
                        "Target" => {
                            b.target = v;
                            Attr::Known
                        }
                        _ => Attr::Unknown,
                    });
                    self.require(&child, "Path", &b.path);
                    self.require(&child, "Target", &b.target);
                    self.skip_children(&child, "NavigationPropertyBinding");
                    bindings.push(b);
                }
                "Annotation" => {
                    let a = self.annotation(&child, None);
                    push_one(&mut annotations, a);
                }
                _ => self.unknown_element(&child, parent),
            }
        }
        (bindings, annotations)
    }

    // ---- annotations and expressions -------------------------------------------------------

    fn annotations_group(&mut self, el: &El<'a>) -> Annotations<'a> {
        let mut g = Annotations {
            pos: el.pos,
            ..Annotations::default()
        };
        self.attrs(el, |k, v| match k {
            "Target" => {
                g.target = v;
                Attr::Known
            }
            "Qualifier" => {
                g.qualifier = Some(v);
                Attr::Known
            }
            _ => Attr::Unknown,
        });
        self.require(el, "Target", &g.target);
        if el.empty {
            return g;
        }
        while let Some(child) = self.next_child() {
            if child.local() == "Annotation" {
                let a = self.annotation(&child, g.qualifier.as_ref());
                push_one(&mut g.annotations, a);
            } else {
                self.unknown_element(&child, "Annotations");
            }
        }
        g
    }

    /// Reads an `Annotation`. `inherited_qualifier` is the enclosing `Annotations`' qualifier,
    /// which the child takes over (CSDL-100).
    fn annotation(&mut self, el: &El<'a>, inherited_qualifier: Option<&Str<'a>>) -> Annotation<'a> {
        let mut a = Annotation {
            pos: el.pos,
            qualifier: inherited_qualifier.cloned(),
            ..Annotation::default()
        };
        let mut attr_value: Option<Expr<'a>> = None;
        self.attrs(el, |k, v| match k {
            "Term" => {
                a.term = v;
                Attr::Known
            }
            "Qualifier" => {
                a.qualifier = Some(v);
                Attr::Known
            }
            _ => match attribute_expr(k, v) {
                Some(e) => {
                    attr_value = Some(e);
                    Attr::Known
                }
                None => Attr::Unknown,
            },
        });
        self.require(el, "Term", &a.term);
        a.value = attr_value;
        if el.empty {
            return a;
        }
        while let Some(child) = self.next_child() {
            if child.local() == "Annotation" {
                let nested = self.annotation(&child, None);
                push_one(&mut a.annotations, nested);
                continue;
            }
            match self.expr(&child) {
                Some(e) if a.value.is_none() => a.value = Some(e),
                Some(_) => self.sink.error(
                    Code::InvalidAttribute,
                    child.pos,
                    format!("annotation `{}` has more than one value expression", a.term),
                ),
                None => {}
            }
        }
        a
    }

    /// Appends the character or predefined entity `r` refers to (`&amp;`, `&#65;`), or reports
    /// an unknown one.
    fn push_reference(&mut self, out: &mut String, r: &quick_xml::events::BytesRef<'_>, pos: Pos) {
        let resolved = match r.resolve_char_ref() {
            Ok(Some(c)) => Some(c),
            Ok(None) => {
                quick_xml::escape::resolve_predefined_entity(r).and_then(|s| s.chars().next())
            }
            Err(_) => None,
        };
        match resolved {
            Some(c) => out.push(c),
            None => self.sink.error(
                Code::XmlSyntax,
                pos,
                format!("unknown entity reference `&{};`", &**r),
            ),
        }
    }

    /// Reads the text content of an element (constant and path expressions in element form).
    fn text(&mut self, el: &El<'a>) -> Str<'a> {
        Str::Owned(self.text_string(el))
    }

    fn text_string(&mut self, el: &El<'a>) -> String {
        self.keeping_text(|p| p.text_content(el))
    }

    fn text_content(&mut self, el: &El<'a>) -> String {
        let mut out = String::new();
        if el.empty {
            return out;
        }
        loop {
            if self.failed {
                return out;
            }
            let pos = self.pos();
            match self.xml.read_event() {
                Ok(Event::Text(t)) => out.push_str(&t.xml_content(XmlVersion::Implicit1_0)),
                Ok(Event::CData(t)) => out.push_str(&t),
                Ok(Event::GeneralRef(r)) => self.push_reference(&mut out, &r, pos),
                Ok(Event::Start(start)) => {
                    let child = El {
                        start,
                        empty: false,
                        pos,
                    };
                    self.unknown_element(&child, el.start.name().0);
                }
                Ok(Event::Empty(start)) => {
                    let child = El {
                        start,
                        empty: true,
                        pos,
                    };
                    self.unknown_element(&child, el.start.name().0);
                }
                Ok(Event::End(_)) => return out,
                Ok(Event::Eof) => {
                    self.sink.error(
                        Code::XmlSyntax,
                        pos,
                        "unexpected end of document inside an expression",
                    );
                    self.failed = true;
                    return out;
                }
                Ok(_) => continue,
                Err(err) => {
                    self.xml_error(err);
                    return out;
                }
            }
        }
    }

    /// Reads an expression element; `None` (with a diagnostic) when it is not one.
    fn expr(&mut self, el: &El<'a>) -> Option<Expr<'a>> {
        if self.depth >= self.options.max_depth {
            self.sink.error(
                Code::InvalidModel,
                el.pos,
                format!(
                    "annotation expressions nested deeper than {} levels are skipped",
                    self.options.max_depth
                ),
            );
            self.skip(el);
            return None;
        }
        self.depth += 1;
        let e = self.expr_inner(el);
        self.depth -= 1;
        e
    }

    fn expr_inner(&mut self, el: &El<'a>) -> Option<Expr<'a>> {
        let name = el.local();
        if let Some(kind) = ConstKind::from_name(name) {
            self.attrs(el, |_, _| Attr::Unknown);
            let text = self.text(el);
            return Some(Expr::Const(kind, text));
        }
        if let Some(kind) = PathKind::from_name(name) {
            self.attrs(el, |_, _| Attr::Unknown);
            let text = self.text(el);
            return Some(Expr::Path(kind, trim(text)));
        }
        match name {
            "EnumMember" => {
                self.attrs(el, |_, _| Attr::Unknown);
                let text = self.text(el);
                Some(Expr::EnumMember(split_whitespace(text)))
            }
            "Null" => {
                self.attrs(el, |_, _| Attr::Unknown);
                self.annotations_only(el, "Null");
                Some(Expr::Null)
            }
            "Collection" => {
                self.attrs(el, |_, _| Attr::Unknown);
                let mut items = Vec::new();
                if !el.empty {
                    while let Some(child) = self.next_child() {
                        if let Some(e) = self.expr(&child) {
                            items.push(e);
                        }
                    }
                }
                Some(Expr::Collection(items))
            }
            "Record" => Some(Expr::Record(Box::new(self.record(el)))),
            "Apply"
            | "Cast"
            | "If"
            | "IsOf"
            | "LabeledElement"
            | "LabeledElementReference"
            | "UrlRef"
            | "And"
            | "Or"
            | "Not"
            | "Eq"
            | "Ne"
            | "Gt"
            | "Ge"
            | "Lt"
            | "Le"
            | "Has"
            | "In"
            | "Add"
            | "Sub"
            | "Neg"
            | "Mul"
            | "Div"
            | "DivBy"
            | "Mod" => Some(Expr::Dynamic(Box::new(self.dynamic(el)))),
            _ => {
                self.unknown_element(el, "Annotation");
                None
            }
        }
    }

    fn record(&mut self, el: &El<'a>) -> Record<'a> {
        let mut r = Record::default();
        self.attrs(el, |k, v| match k {
            "Type" => {
                r.type_name = Some(v);
                Attr::Known
            }
            _ => Attr::Unknown,
        });
        if el.empty {
            return r;
        }
        while let Some(child) = self.next_child() {
            match child.local() {
                "PropertyValue" => {
                    let mut pv = PropertyValue {
                        pos: child.pos,
                        ..PropertyValue::default()
                    };
                    self.attrs(&child, |k, v| match k {
                        "Property" => {
                            pv.property = v;
                            Attr::Known
                        }
                        _ => match attribute_expr(k, v) {
                            Some(e) => {
                                pv.value = Some(e);
                                Attr::Known
                            }
                            None => Attr::Unknown,
                        },
                    });
                    self.require(&child, "Property", &pv.property);
                    if !child.empty {
                        while let Some(inner) = self.next_child() {
                            if inner.local() == "Annotation" {
                                // Annotations of a property value carry nothing we use.
                                self.annotation(&inner, None);
                                continue;
                            }
                            if let Some(e) = self.expr(&inner) {
                                pv.value = Some(e);
                            }
                        }
                    }
                    r.properties.push(pv);
                }
                "Annotation" => {
                    let a = self.annotation(&child, None);
                    push_one(&mut r.annotations, a);
                }
                _ => self.unknown_element(&child, "Record"),
            }
        }
        r
    }

    fn dynamic(&mut self, el: &El<'a>) -> Dynamic<'a> {
        let mut d = Dynamic {
            element: Str::Owned(el.local().to_owned()),
            ..Dynamic::default()
        };
        self.attrs(el, |k, v| {
            d.attributes.push((Str::Borrowed(k), v));
            Attr::Known
        });
        if el.empty {
            return d;
        }
        // Dynamic expressions hold child expressions or (LabeledElementReference) text.
        self.keeping_text(|p| p.dynamic_content(&mut d));
        d
    }

    fn dynamic_content(&mut self, d: &mut Dynamic<'a>) {
        let mut text = String::new();
        loop {
            if self.failed {
                break;
            }
            let pos = self.pos();
            match self.xml.read_event() {
                Ok(Event::Start(start)) => {
                    let child = El {
                        start,
                        empty: false,
                        pos,
                    };
                    if let Some(e) = self.expr(&child) {
                        d.children.push(e);
                    }
                }
                Ok(Event::Empty(start)) => {
                    let child = El {
                        start,
                        empty: true,
                        pos,
                    };
                    if let Some(e) = self.expr(&child) {
                        d.children.push(e);
                    }
                }
                Ok(Event::Text(t)) => text.push_str(&t.xml_content(XmlVersion::Implicit1_0)),
                Ok(Event::GeneralRef(r)) => self.push_reference(&mut text, &r, pos),
                Ok(Event::End(_)) => break,
                Ok(Event::Eof) => {
                    self.sink.error(
                        Code::XmlSyntax,
                        pos,
                        "unexpected end of document inside an expression",
                    );
                    self.failed = true;
                    break;
                }
                Ok(_) => continue,
                Err(err) => {
                    self.xml_error(err);
                    break;
                }
            }
        }
        let text = text.trim();
        if !text.is_empty() {
            d.text = Some(Str::Owned(text.to_owned()));
        }
    }
}

/// The reader over the whole input. Whitespace between elements is skipped inside
/// quick-xml instead of being validated and handed out as text events that every loop then
/// discards: about half of all events in indented CSDL. Element content is read with it
/// reported (see [`Parser::keeping_text`]).
fn whitespace_skipping_reader(text: &str) -> quick_xml::Reader<&[u8]> {
    let mut xml = quick_xml::Reader::from_str(text);
    xml.config_mut().trim_text_start = true;
    xml
}

/// Pushes onto a list that usually holds one item (annotations): the first push allocates
/// room for exactly one instead of `Vec`'s four, which for 176-byte annotations on thousands
/// of `Annotations` groups is most of the document's memory.
fn push_one<T>(list: &mut Vec<T>, item: T) {
    if list.capacity() == 0 {
        list.reserve_exact(1);
    }
    list.push(item);
}

/// Gives `s`, a slice of `text` obtained through a shorter borrow, the lifetime of `text`.
/// Attribute names and unescaped values are slices of the input; re-slicing the input by
/// offset keeps them borrowed without `unsafe`.
fn rebase_str<'a>(text: &'a str, s: &str) -> &'a str {
    let start = (s.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
    text.get(start..start.wrapping_add(s.len()))
        .filter(|r| r.as_ptr() == s.as_ptr())
        .unwrap_or("")
}

fn split_whitespace(value: Str<'_>) -> Vec<Str<'_>> {
    match value {
        Cow::Borrowed(s) => s.split_whitespace().map(Cow::Borrowed).collect(),
        Cow::Owned(s) => s
            .split_whitespace()
            .map(|p| Cow::Owned(p.to_owned()))
            .collect(),
    }
}

fn trim(value: Str<'_>) -> Str<'_> {
    match value {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) => Cow::Owned(s.trim().to_owned()),
    }
}

/// An expression written in attribute notation (`String="..."`, `Bool="true"`, `Path="..."`).
fn attribute_expr<'a>(key: &str, value: Str<'a>) -> Option<Expr<'a>> {
    if let Some(kind) = ConstKind::from_name(key) {
        return Some(Expr::Const(kind, value));
    }
    if let Some(kind) = PathKind::from_name(key) {
        return Some(Expr::Path(kind, value));
    }
    match key {
        "EnumMember" => Some(Expr::EnumMember(split_whitespace(value))),
        "UrlRef" => Some(Expr::Dynamic(Box::new(Dynamic {
            element: Str::Borrowed("UrlRef"),
            children: vec![Expr::Const(ConstKind::String, value)],
            ..Dynamic::default()
        }))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;

    fn has_errors(parsed: &Parsed) -> bool {
        crate::diag::has_errors(&parsed.diagnostics)
    }

    const SMALL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml">
    <edmx:Include Namespace="Org.OData.Core.V1" Alias="Core" />
  </edmx:Reference>
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="color" IsFlags="true">
        <Member Name="red" Value="1" />
        <Member Name="blue" Value="2" />
      </EnumType>
      <EntityType Name="entity" Abstract="true">
        <Key><PropertyRef Name="id" /></Key>
        <Property Name="id" Type="Edm.String" Nullable="false" />
      </EntityType>
      <EntityType Name="thing" BaseType="graph.entity" OpenType="true">
        <Property Name="tags" Type="Collection(Edm.String)" MaxLength="max" />
        <NavigationProperty Name="parent" Type="graph.thing" ContainsTarget="true">
          <ReferentialConstraint Property="parentId" ReferencedProperty="id" />
          <OnDelete Action="Cascade" />
        </NavigationProperty>
        <Annotation Term="Core.Description" String="A thing &amp; more." />
      </EntityType>
      <Function Name="find" IsBound="true" IsComposable="true">
        <Parameter Name="bindingParameter" Type="Collection(graph.thing)" />
        <Parameter Name="on" Type="Edm.String" />
        <ReturnType Type="Collection(graph.thing)" />
      </Function>
      <EntityContainer Name="GraphService">
        <EntitySet Name="things" EntityType="microsoft.graph.thing">
          <NavigationPropertyBinding Path="parent" Target="things" />
        </EntitySet>
        <Singleton Name="me" Type="graph.thing" />
      </EntityContainer>
      <Annotations Target="microsoft.graph.thing/tags" Qualifier="q">
        <Annotation Term="Org.OData.Core.V1.Revisions">
          <Collection>
            <Record>
              <PropertyValue Property="Date" Date="2026-01-01" />
              <PropertyValue Property="Kind">
                <EnumMember>Org.OData.Core.V1.RevisionKind/Deprecated</EnumMember>
              </PropertyValue>
              <PropertyValue Property="Description"><String>Use &lt;x&gt; instead</String></PropertyValue>
            </Record>
          </Collection>
        </Annotation>
      </Annotations>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#;

    #[test]
    fn reads_every_kind_of_element() {
        let parsed = parse(SMALL, ReadOptions::default());
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let doc = &parsed.document;
        assert_eq!(doc.version, "4.0");
        assert_eq!(doc.references[0].includes[0].alias.as_deref(), Some("Core"));
        let s = &doc.schemas[0];
        assert_eq!(s.alias.as_deref(), Some("graph"));
        assert!(s.enum_types[0].is_flags);
        assert_eq!(s.enum_types[0].members[1].value, Some(2));
        let entity = &s.entity_types[0];
        assert!(entity.is_abstract);
        assert_eq!(entity.key.as_ref().unwrap()[0].name, "id");
        assert_eq!(entity.properties[0].facets.nullable, Some(false));
        let thing = &s.entity_types[1];
        assert!(thing.open_type);
        assert_eq!(thing.base_type.as_deref(), Some("graph.entity"));
        assert_eq!(thing.properties[0].facets.max_length(), Some("max"));
        let nav = &thing.navigation_properties[0];
        assert!(nav.contains_target);
        assert_eq!(nav.on_delete.as_deref(), Some("Cascade"));
        assert_eq!(nav.referential_constraints[0].referenced_property, "id");
        assert_eq!(
            thing.annotations[0].value.as_ref().unwrap().as_str(),
            Some("A thing & more.")
        );
        let f = &s.functions[0];
        assert!(f.is_bound && f.is_composable);
        assert_eq!(f.parameters.len(), 2);
        assert_eq!(
            f.return_type.as_ref().unwrap().type_name,
            "Collection(graph.thing)"
        );
        let c = &s.entity_containers[0];
        assert_eq!(c.entity_sets[0].navigation_bindings[0].target, "things");
        assert_eq!(c.singletons[0].name, "me");
        let g = &s.annotation_groups[0];
        assert_eq!(g.target, "microsoft.graph.thing/tags");
        // The child inherits the group's qualifier.
        assert_eq!(g.annotations[0].qualifier.as_deref(), Some("q"));
        let revisions = g.annotations[0]
            .value
            .as_ref()
            .unwrap()
            .as_collection()
            .unwrap();
        let record = revisions[0].as_record().unwrap();
        assert_eq!(
            record.get("Kind"),
            Some(&Expr::EnumMember(vec![
                "Org.OData.Core.V1.RevisionKind/Deprecated".into()
            ]))
        );
        assert_eq!(
            record.get("Description").and_then(Expr::as_str),
            Some("Use <x> instead")
        );
    }

    #[test]
    fn positions_are_exact() {
        let parsed = parse(SMALL, ReadOptions::default());
        let doc = &parsed.document;
        let thing = &doc.schemas[0].entity_types[1];
        let (line, col) = doc.line_col(SMALL.as_bytes(), thing.pos);
        assert_eq!((line, col), (16, 7));
        assert!(SMALL[thing.pos.0 as usize..].starts_with("<EntityType Name=\"thing\""));
    }

    #[test]
    fn truncated_document_keeps_what_was_read() {
        let cut = &SMALL[..SMALL.find("<Function").unwrap() + 20];
        let parsed = parse(cut, ReadOptions::default());
        assert!(has_errors(&parsed));
        assert!(parsed.diagnostics.iter().any(|d| d.code == Code::XmlSyntax));
        assert_eq!(parsed.document.schemas.len(), 1);
        assert_eq!(parsed.document.schemas[0].entity_types.len(), 2);
    }

    #[test]
    fn unknown_elements_and_attributes_warn() {
        let text = SMALL.replace(
            "<EnumType Name=\"color\" IsFlags=\"true\">",
            "<Frobnicate a=\"1\"><x/></Frobnicate><EnumType Name=\"color\" IsFlags=\"true\" Colour=\"red\">",
        );
        let parsed = parse(&text, ReadOptions::default());
        assert!(!has_errors(&parsed), "{:?}", parsed.diagnostics);
        let codes: Vec<_> = parsed.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec![Code::UnknownElement, Code::UnknownAttribute]);
        assert_eq!(parsed.document.schemas[0].enum_types.len(), 1);
    }

    #[test]
    fn invalid_values_are_errors_with_positions() {
        let text = SMALL.replace("Nullable=\"false\"", "Nullable=\"maybe\"");
        let parsed = parse(&text, ReadOptions::default());
        let d = &parsed.diagnostics[0];
        assert_eq!(d.code, Code::InvalidAttribute);
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.line, 14);
        assert!(d.message.contains("maybe"), "{}", d.message);
    }

    #[test]
    fn duplicate_attributes_are_reported_like_quick_xml_does() {
        for attrs in [
            r#"Name="a" Name="b""#.to_owned(),
            // More attributes than the check keeps on the stack.
            (0..12).map(|i| format!(r#" A{i}="x""#)).collect::<String>() + r#" A3="y""#,
        ] {
            let text = SMALL.replace(r#"<Singleton Name="me""#, &format!("<Singleton {attrs}"));
            let parsed = parse(&text, ReadOptions::default());
            // What quick-xml's own check says for the same tag.
            let start = text.find("<Singleton").unwrap() + 1;
            let end = start + text[start..].find('>').unwrap();
            let tag = quick_xml::events::BytesStart::from_content(&text[start..end], 9);
            let expected = tag.attributes().find_map(Result::err).unwrap();
            let d = parsed
                .diagnostics
                .iter()
                .find(|d| d.code == Code::XmlSyntax)
                .unwrap();
            assert!(d.message.ends_with(&expected.to_string()), "{d}");
            assert!(d.message.contains("duplicated attribute"), "{d}");
        }
    }

    #[test]
    fn not_csdl_and_empty_inputs() {
        for (input, code) in [
            ("", Code::NotCsdl),
            ("<html/>", Code::NotCsdl),
            ("<edmx:Edmx Version=\"4.0\"></edmx:Edmx>", Code::NotCsdl),
            ("<edmx:Edmx Version=\"4.0\"><", Code::XmlSyntax),
            ("<a></b>", Code::NotCsdl),
        ] {
            let parsed = parse(input, ReadOptions::default());
            assert!(
                parsed.diagnostics.iter().any(|d| d.code == code),
                "{input}: {:?}",
                parsed.diagnostics
            );
        }
    }

    #[test]
    fn invalid_utf8_is_reported_with_its_position() {
        let mut bytes = SMALL.as_bytes().to_vec();
        let at = SMALL.find("thing").unwrap();
        bytes[at] = 0xff;
        let parsed = parse_bytes(&bytes, ReadOptions::default());
        let d = &parsed.diagnostics[0];
        assert_eq!(d.code, Code::InvalidUtf8);
        assert_eq!(d.pos.0 as usize, at);
        assert_eq!(d.line, 16);
    }

    #[test]
    fn references_in_dynamic_expression_text_are_resolved() {
        let text = SMALL.replace(
            "<Annotation Term=\"Core.Description\" String=\"A thing &amp; more.\" />",
            "<Annotation Term=\"n.t\"><LabeledElementReference>a&amp;b&#65;c</LabeledElementReference></Annotation>",
        );
        let parsed = parse(&text, ReadOptions::default());
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let value = parsed.document.schemas[0].entity_types[1].annotations[0]
            .value
            .clone()
            .unwrap();
        let Expr::Dynamic(d) = value else {
            panic!("{value:?}")
        };
        assert_eq!(d.text.as_deref(), Some("a&bAc"));
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let depth = 10_000;
        let mut text = String::from(
            "<edmx:Edmx Version=\"4.0\"><edmx:DataServices><Schema Namespace=\"n\"><Annotation Term=\"n.t\">",
        );
        for _ in 0..depth {
            text.push_str("<Collection>");
        }
        for _ in 0..depth {
            text.push_str("</Collection>");
        }
        text.push_str("</Annotation></Schema></edmx:DataServices></edmx:Edmx>");
        let parsed = parse(&text, ReadOptions::default());
        assert!(
            parsed
                .diagnostics
                .iter()
                .any(|d| d.code == Code::InvalidModel)
        );
        assert_eq!(parsed.document.schemas.len(), 1);
    }
}
