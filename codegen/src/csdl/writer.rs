//! Raw [`Document`] → normalized CSDL XML text.
//!
//! The output is deterministic and canonical, so that a pin written by `pim-codegen sync` only
//! changes when the schema does, and so that diffs of the pin are readable:
//!
//! - two-space indentation, one element per line, `\n` line ends, a final newline;
//! - attributes in a fixed order per element (the order of the CSDL specification's tables),
//!   whatever the order in the source;
//! - children grouped by kind in a fixed order (for a `Schema`: `EnumType`, `TypeDefinition`,
//!   `EntityType`, `ComplexType`, `Action`, `Function`, `Term`, `EntityContainer`,
//!   `Annotations`, `Annotation`; inline `Annotation`s always last). The raw document keeps
//!   document order within each kind, and that order is kept: it carries meaning for enum
//!   members, parameters and collection items;
//! - the `edmx` prefix on `Edmx`, `Reference`, `Include`, `IncludeAnnotations` and
//!   `DataServices`, and `edm` as the default namespace declared on each `Schema`;
//! - annotation values in attribute notation when they are a constant, a path or an enum
//!   member, or a `UrlRef` of a plain string (`<Annotation Term="Core.Description"
//!   String="..."/>`), in element notation otherwise (`Record`, `Collection`, `Null`, other
//!   dynamic expressions);
//! - an `Annotation` inside an `Annotations` group does not repeat the group's qualifier
//!   (the reader hands it down);
//! - an empty `Version` is written as `4.0`;
//! - boolean attributes whose raw field is a plain `bool` (`Abstract`, `IsBound`, ...) only
//!   when true: the raw document cannot tell `false` from absent, and absent is the default.
//!
//! Reading the output back gives a document equal to the input in everything the raw
//! document holds (positions aside); `tests/writer_roundtrip.rs` checks that on the real
//! upstream files. Things the reader drops (unknown elements, annotations on
//! `PropertyValue`, `ReferentialConstraint` and `OnDelete`) are not written.
//!
//! Escaping: attribute values escape `&`, `<`, `>`, `"` and also tab, newline and carriage
//! return as character references, because XML attribute-value normalization would turn the
//! literal characters into spaces on the next read. Text content escapes `&`, `<`, `>` and
//! carriage return (which end-of-line normalization would otherwise rewrite). The few
//! characters XML 1.0 cannot represent at all (NUL and the other C0 controls, U+FFFE, U+FFFF)
//! become U+FFFD: only a non-well-formed input can have put them in the document.

use std::fmt::Write as _;

use super::*;

/// The `edmx` namespace URI.
const EDMX_NS: &str = "http://docs.oasis-open.org/odata/ns/edmx";
/// The `edm` namespace URI, the default namespace of every `Schema`.
const EDM_NS: &str = "http://docs.oasis-open.org/odata/ns/edm";

/// Writes `doc` as normalized CSDL XML.
///
/// Never fails: every string is escaped, and names the raw model cannot hold in valid XML
/// (a programmatically built [`Dynamic`] expression with an element or attribute name that is
/// not an XML name) are left out rather than producing malformed output.
pub fn write_document(doc: &Document<'_>) -> String {
    let mut w = Writer::default();
    w.out
        .push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let version: &str = if doc.version.is_empty() {
        "4.0"
    } else {
        &doc.version
    };
    w.open(
        "edmx:Edmx",
        &[("Version", Some(version)), ("xmlns:edmx", Some(EDMX_NS))],
    );
    for r in &doc.references {
        w.reference(r);
    }
    w.open("edmx:DataServices", &[]);
    for s in &doc.schemas {
        w.schema(s);
    }
    w.close("edmx:DataServices");
    w.close("edmx:Edmx");
    w.out
}

/// An output buffer with the current indentation depth.
#[derive(Default)]
struct Writer {
    out: String,
    depth: usize,
}

/// `(name, value)` pairs; `None` values are not written. Keeping absent attributes in the list
/// lets every element state its full attribute order in one place.
type Attrs<'s> = [(&'s str, Option<&'s str>)];

fn flag(b: bool) -> Option<&'static str> {
    b.then_some("true")
}

fn opt_bool(b: Option<bool>) -> Option<&'static str> {
    b.map(|b| if b { "true" } else { "false" })
}

impl Writer {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn start_tag(&mut self, name: &str, attrs: &Attrs<'_>) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            if let Some(value) = value {
                self.out.push(' ');
                self.out.push_str(key);
                self.out.push_str("=\"");
                escape_attr(&mut self.out, value);
                self.out.push('"');
            }
        }
    }

    /// `<name attrs>` on its own line; children follow one level deeper.
    fn open(&mut self, name: &str, attrs: &Attrs<'_>) {
        self.start_tag(name, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// `<name attrs/>`.
    fn empty(&mut self, name: &str, attrs: &Attrs<'_>) {
        self.start_tag(name, attrs);
        self.out.push_str("/>\n");
    }

    /// An element whose children are written by `children`; self-closing when `has_children`
    /// is false, so leaf elements stay on one line.
    fn element(
        &mut self,
        name: &str,
        attrs: &Attrs<'_>,
        has_children: bool,
        children: impl FnOnce(&mut Self),
    ) {
        if has_children {
            self.open(name, attrs);
            children(self);
            self.close(name);
        } else {
            self.empty(name, attrs);
        }
    }

    /// `<name>text</name>` on one line (`<name/>` when the text is empty).
    fn text_element(&mut self, name: &str, text: &str) {
        if text.is_empty() {
            self.empty(name, &[]);
            return;
        }
        self.indent();
        let _ = write!(self.out, "<{name}>");
        escape_text(&mut self.out, text);
        let _ = writeln!(self.out, "</{name}>");
    }

    fn annotations(&mut self, list: &[Annotation<'_>]) {
        for a in list {
            self.annotation(a, None);
        }
    }

    // ---- document structure ------------------------------------------------------------

    fn reference(&mut self, r: &Reference<'_>) {
        let has_children = !r.includes.is_empty()
            || !r.include_annotations.is_empty()
            || !r.annotations.is_empty();
        self.element(
            "edmx:Reference",
            &[("Uri", Some(&r.uri))],
            has_children,
            |w| {
                for i in &r.includes {
                    w.empty(
                        "edmx:Include",
                        &[
                            ("Namespace", Some(&i.namespace)),
                            ("Alias", i.alias.as_deref()),
                        ],
                    );
                }
                for i in &r.include_annotations {
                    w.empty(
                        "edmx:IncludeAnnotations",
                        &[
                            ("TermNamespace", Some(&i.term_namespace)),
                            ("Qualifier", i.qualifier.as_deref()),
                            ("TargetNamespace", i.target_namespace.as_deref()),
                        ],
                    );
                }
                w.annotations(&r.annotations);
            },
        );
    }

    fn schema(&mut self, s: &Schema<'_>) {
        let attrs = [
            ("Namespace", Some(s.namespace.as_ref())),
            ("Alias", s.alias.as_deref()),
            ("xmlns", Some(EDM_NS)),
        ];
        let has_children = !(s.enum_types.is_empty()
            && s.type_definitions.is_empty()
            && s.entity_types.is_empty()
            && s.complex_types.is_empty()
            && s.actions.is_empty()
            && s.functions.is_empty()
            && s.terms.is_empty()
            && s.entity_containers.is_empty()
            && s.annotation_groups.is_empty()
            && s.annotations.is_empty());
        self.element("Schema", &attrs, has_children, |w| {
            for t in &s.enum_types {
                w.enum_type(t);
            }
            for t in &s.type_definitions {
                w.type_definition(t);
            }
            for t in s.entity_types.iter().chain(&s.complex_types) {
                w.structured(t);
            }
            for o in s.actions.iter().chain(&s.functions) {
                w.operation(o);
            }
            for t in &s.terms {
                w.term(t);
            }
            for c in &s.entity_containers {
                w.container(c);
            }
            for g in &s.annotation_groups {
                w.annotations_group(g);
            }
            w.annotations(&s.annotations);
        });
    }

    // ---- types ---------------------------------------------------------------------------

    fn structured(&mut self, t: &StructuredType<'_>) {
        let entity = t.kind == StructuredKind::Entity;
        let name = if entity { "EntityType" } else { "ComplexType" };
        let attrs = [
            ("Name", Some(t.name.as_ref())),
            ("BaseType", t.base_type.as_deref()),
            ("Abstract", flag(t.is_abstract)),
            ("OpenType", flag(t.open_type)),
            // `HasStream` only exists on entity types; the reader would warn on a complex type.
            ("HasStream", flag(entity && t.has_stream)),
        ];
        // Likewise `Key`: the reader skips it on complex types, so it is not written there.
        let key = t.key.as_ref().filter(|_| entity);
        let has_children = key.is_some()
            || !t.properties.is_empty()
            || !t.navigation_properties.is_empty()
            || !t.annotations.is_empty();
        self.element(name, &attrs, has_children, |w| {
            if let Some(key) = key {
                w.element("Key", &[], !key.is_empty(), |w| {
                    for r in key {
                        w.empty(
                            "PropertyRef",
                            &[("Name", Some(&r.name)), ("Alias", r.alias.as_deref())],
                        );
                    }
                });
            }
            for p in &t.properties {
                w.typed(
                    "Property",
                    Some(&p.name),
                    &p.type_name,
                    &p.facets,
                    &p.annotations,
                );
            }
            for p in &t.navigation_properties {
                w.navigation_property(p);
            }
            w.annotations(&t.annotations);
        });
    }

    /// An element with `Name`, `Type` and facets: `Property`, `Parameter`, `ReturnType`
    /// (without a name).
    fn typed(
        &mut self,
        element: &str,
        name: Option<&str>,
        type_name: &str,
        facets: &Facets<'_>,
        annotations: &[Annotation<'_>],
    ) {
        let mut attrs = vec![("Name", name), ("Type", Some(type_name))];
        push_facets(&mut attrs, facets);
        self.element(element, &attrs, !annotations.is_empty(), |w| {
            w.annotations(annotations);
        });
    }

    fn navigation_property(&mut self, p: &NavigationProperty<'_>) {
        let attrs = [
            ("Name", Some(p.name.as_ref())),
            ("Type", Some(p.type_name.as_ref())),
            ("Nullable", opt_bool(p.nullable)),
            ("Partner", p.partner.as_deref()),
            ("ContainsTarget", flag(p.contains_target)),
        ];
        let has_children = !p.referential_constraints.is_empty()
            || p.on_delete.is_some()
            || !p.annotations.is_empty();
        self.element("NavigationProperty", &attrs, has_children, |w| {
            for rc in &p.referential_constraints {
                w.empty(
                    "ReferentialConstraint",
                    &[
                        ("Property", Some(&rc.property)),
                        ("ReferencedProperty", Some(&rc.referenced_property)),
                    ],
                );
            }
            if let Some(action) = &p.on_delete {
                w.empty("OnDelete", &[("Action", Some(action))]);
            }
            w.annotations(&p.annotations);
        });
    }

    fn enum_type(&mut self, t: &EnumType<'_>) {
        let attrs = [
            ("Name", Some(t.name.as_ref())),
            ("UnderlyingType", t.underlying_type.as_deref()),
            ("IsFlags", flag(t.is_flags)),
        ];
        let has_children = !t.members.is_empty() || !t.annotations.is_empty();
        self.element("EnumType", &attrs, has_children, |w| {
            for m in &t.members {
                // Only values that were written are written back: implicit values are the
                // model's business, and writing them would change what the pin says.
                let value = m.value.map(|v| v.to_string());
                w.element(
                    "Member",
                    &[("Name", Some(&m.name)), ("Value", value.as_deref())],
                    !m.annotations.is_empty(),
                    |w| w.annotations(&m.annotations),
                );
            }
            w.annotations(&t.annotations);
        });
    }

    fn type_definition(&mut self, t: &TypeDefinition<'_>) {
        let mut attrs = vec![
            ("Name", Some(t.name.as_ref())),
            ("UnderlyingType", Some(t.underlying_type.as_ref())),
        ];
        push_facets(&mut attrs, &t.facets);
        self.element("TypeDefinition", &attrs, !t.annotations.is_empty(), |w| {
            w.annotations(&t.annotations);
        });
    }

    fn operation(&mut self, o: &Operation<'_>) {
        let function = o.kind == OperationKind::Function;
        let name = if function { "Function" } else { "Action" };
        let attrs = [
            ("Name", Some(o.name.as_ref())),
            ("IsBound", flag(o.is_bound)),
            ("EntitySetPath", o.entity_set_path.as_deref()),
            ("IsComposable", flag(function && o.is_composable)),
        ];
        let has_children =
            !o.parameters.is_empty() || o.return_type.is_some() || !o.annotations.is_empty();
        self.element(name, &attrs, has_children, |w| {
            for p in &o.parameters {
                w.typed(
                    "Parameter",
                    Some(&p.name),
                    &p.type_name,
                    &p.facets,
                    &p.annotations,
                );
            }
            if let Some(r) = &o.return_type {
                w.typed("ReturnType", None, &r.type_name, &r.facets, &r.annotations);
            }
            w.annotations(&o.annotations);
        });
    }

    fn term(&mut self, t: &Term<'_>) {
        let applies_to = (!t.applies_to.is_empty()).then(|| t.applies_to.join(" "));
        let mut attrs = vec![
            ("Name", Some(t.name.as_ref())),
            ("Type", Some(t.type_name.as_ref())),
            ("BaseTerm", t.base_term.as_deref()),
            ("AppliesTo", applies_to.as_deref()),
        ];
        push_facets(&mut attrs, &t.facets);
        self.element("Term", &attrs, !t.annotations.is_empty(), |w| {
            w.annotations(&t.annotations);
        });
    }

    // ---- container -----------------------------------------------------------------------

    fn container(&mut self, c: &EntityContainer<'_>) {
        let attrs = [
            ("Name", Some(c.name.as_ref())),
            ("Extends", c.extends.as_deref()),
        ];
        let has_children = !(c.entity_sets.is_empty()
            && c.singletons.is_empty()
            && c.action_imports.is_empty()
            && c.function_imports.is_empty()
            && c.annotations.is_empty());
        self.element("EntityContainer", &attrs, has_children, |w| {
            for s in &c.entity_sets {
                let attrs = [
                    ("Name", Some(s.name.as_ref())),
                    ("EntityType", Some(s.entity_type.as_ref())),
                    (
                        "IncludeInServiceDocument",
                        opt_bool(s.include_in_service_document),
                    ),
                ];
                w.bindings("EntitySet", &attrs, &s.navigation_bindings, &s.annotations);
            }
            for s in &c.singletons {
                let attrs = [
                    ("Name", Some(s.name.as_ref())),
                    ("Type", Some(s.type_name.as_ref())),
                    ("Nullable", opt_bool(s.nullable)),
                ];
                w.bindings("Singleton", &attrs, &s.navigation_bindings, &s.annotations);
            }
            for i in c.action_imports.iter().chain(&c.function_imports) {
                w.import(i);
            }
            w.annotations(&c.annotations);
        });
    }

    fn bindings(
        &mut self,
        element: &str,
        attrs: &Attrs<'_>,
        bindings: &[NavigationPropertyBinding<'_>],
        annotations: &[Annotation<'_>],
    ) {
        let has_children = !bindings.is_empty() || !annotations.is_empty();
        self.element(element, attrs, has_children, |w| {
            for b in bindings {
                w.empty(
                    "NavigationPropertyBinding",
                    &[("Path", Some(&b.path)), ("Target", Some(&b.target))],
                );
            }
            w.annotations(annotations);
        });
    }

    fn import(&mut self, i: &OperationImport<'_>) {
        let function = i.kind == OperationKind::Function;
        let (name, op_attr) = if function {
            ("FunctionImport", "Function")
        } else {
            ("ActionImport", "Action")
        };
        let attrs = [
            ("Name", Some(i.name.as_ref())),
            (op_attr, Some(i.operation.as_ref())),
            ("EntitySet", i.entity_set.as_deref()),
            // Only function imports have it; the reader warns on an action import.
            (
                "IncludeInServiceDocument",
                opt_bool(i.include_in_service_document.filter(|_| function)),
            ),
        ];
        self.element(name, &attrs, !i.annotations.is_empty(), |w| {
            w.annotations(&i.annotations);
        });
    }

    // ---- annotations and expressions -------------------------------------------------------

    fn annotations_group(&mut self, g: &Annotations<'_>) {
        let attrs = [
            ("Target", Some(g.target.as_ref())),
            ("Qualifier", g.qualifier.as_deref()),
        ];
        self.element("Annotations", &attrs, !g.annotations.is_empty(), |w| {
            for a in &g.annotations {
                w.annotation(a, g.qualifier.as_deref());
            }
        });
    }

    /// Writes an `Annotation`. `inherited` is the enclosing group's qualifier: a child whose
    /// qualifier equals it does not repeat it, since the reader hands it down again.
    fn annotation(&mut self, a: &Annotation<'_>, inherited: Option<&str>) {
        let qualifier = a.qualifier.as_deref().filter(|q| Some(*q) != inherited);
        let mut attrs = vec![("Term", Some(a.term.as_ref())), ("Qualifier", qualifier)];
        let inline = a.value.as_ref().and_then(attribute_form);
        let joined;
        match &inline {
            Some((key, AttrValue::Str(v))) => attrs.push((key, Some(v))),
            Some((key, AttrValue::Joined(parts))) => {
                joined = parts.join(" ");
                attrs.push((key, Some(&joined)));
            }
            None => {}
        }
        let element_value = if inline.is_some() {
            None
        } else {
            a.value.as_ref()
        };
        let has_children = element_value.is_some() || !a.annotations.is_empty();
        self.element("Annotation", &attrs, has_children, |w| {
            if let Some(e) = element_value {
                w.expr(e);
            }
            w.annotations(&a.annotations);
        });
    }

    /// Writes an expression in element notation.
    fn expr(&mut self, e: &Expr<'_>) {
        match e {
            Expr::Const(kind, text) => self.text_element(kind.name(), text),
            Expr::Path(kind, text) => self.text_element(kind.name(), text),
            Expr::EnumMember(members) => self.text_element("EnumMember", &members.join(" ")),
            Expr::Null => self.empty("Null", &[]),
            Expr::Collection(items) => {
                self.element("Collection", &[], !items.is_empty(), |w| {
                    for item in items {
                        w.expr(item);
                    }
                });
            }
            Expr::Record(r) => self.record(r),
            Expr::Dynamic(d) => self.dynamic(d),
        }
    }

    fn record(&mut self, r: &Record<'_>) {
        let has_children = !r.properties.is_empty() || !r.annotations.is_empty();
        self.element(
            "Record",
            &[("Type", r.type_name.as_deref())],
            has_children,
            |w| {
                for pv in &r.properties {
                    w.property_value(pv);
                }
                w.annotations(&r.annotations);
            },
        );
    }

    fn property_value(&mut self, pv: &PropertyValue<'_>) {
        let mut attrs = vec![("Property", Some(pv.property.as_ref()))];
        let inline = pv.value.as_ref().and_then(attribute_form);
        let joined;
        match &inline {
            Some((key, AttrValue::Str(v))) => attrs.push((key, Some(v))),
            Some((key, AttrValue::Joined(parts))) => {
                joined = parts.join(" ");
                attrs.push((key, Some(&joined)));
            }
            None => {}
        }
        match pv.value.as_ref().filter(|_| inline.is_none()) {
            Some(e) => {
                self.open("PropertyValue", &attrs);
                self.expr(e);
                self.close("PropertyValue");
            }
            None => self.empty("PropertyValue", &attrs),
        }
    }

    fn dynamic(&mut self, d: &Dynamic<'_>) {
        if !is_xml_name(&d.element) {
            // Only a programmatically built document can get here: the reader takes element
            // names from the XML. Leaving the expression out keeps the output well-formed.
            return;
        }
        // The reader keeps local names, so `a:x` and `b:x` both arrive as `x`; XML forbids a
        // repeated attribute, so only the first is written.
        let mut attrs: Vec<(&str, Option<&str>)> = Vec::with_capacity(d.attributes.len());
        for (k, v) in &d.attributes {
            if is_xml_name(k) && !k.starts_with("xmlns") && !attrs.iter().any(|(seen, _)| seen == k)
            {
                attrs.push((k.as_ref(), Some(v.as_ref())));
            }
        }
        let text = d.text.as_deref().filter(|t| !t.is_empty());
        if text.is_none() && d.children.is_empty() {
            self.empty(&d.element, &attrs);
            return;
        }
        if let (Some(text), true) = (text, d.children.is_empty()) {
            // Text alone (`LabeledElementReference`) stays on one line.
            self.start_tag(&d.element, &attrs);
            self.out.push('>');
            escape_text(&mut self.out, text);
            let _ = writeln!(self.out, "</{}>", d.element);
            return;
        }
        self.open(&d.element, &attrs);
        if let Some(text) = text {
            // Mixed content: the reader concatenates and trims text, so writing it on its own
            // line before the children reads back the same.
            self.indent();
            escape_text(&mut self.out, text);
            self.out.push('\n');
        }
        for c in &d.children {
            self.expr(c);
        }
        self.close(&d.element);
    }
}

/// The value of an expression written as an attribute.
enum AttrValue<'e> {
    Str(&'e str),
    /// Enum members, joined with spaces.
    Joined(&'e [Str<'e>]),
}

/// The attribute name and value of an expression that has an attribute notation.
fn attribute_form<'e>(e: &'e Expr<'_>) -> Option<(&'static str, AttrValue<'e>)> {
    match e {
        Expr::Const(kind, text) => Some((kind.name(), AttrValue::Str(text))),
        Expr::Path(kind, text) => Some((kind.name(), AttrValue::Str(text))),
        // A member name with whitespace in it (only possible in a built document) cannot
        // survive the split on whitespace of attribute notation, nor of element notation.
        Expr::EnumMember(members) => Some(("EnumMember", AttrValue::Joined(members))),
        // `UrlRef="..."` is how the reader saw it when it is this simple; writing it back the
        // same way keeps the nesting depth the reader counts unchanged.
        Expr::Dynamic(d)
            if d.element == "UrlRef" && d.attributes.is_empty() && d.text.is_none() =>
        {
            match d.children.as_slice() {
                [Expr::Const(ConstKind::String, url)] => Some(("UrlRef", AttrValue::Str(url))),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Appends the facets in their fixed order.
fn push_facets<'s>(attrs: &mut Vec<(&'s str, Option<&'s str>)>, facets: &'s Facets<'_>) {
    attrs.push(("Nullable", opt_bool(facets.nullable)));
    attrs.push(("MaxLength", facets.max_length()));
    attrs.push(("Precision", facets.precision()));
    attrs.push(("Scale", facets.scale()));
    attrs.push(("SRID", facets.srid()));
    attrs.push(("Unicode", opt_bool(facets.unicode)));
    attrs.push(("DefaultValue", facets.default_value()));
}

/// True for a plausible XML name (letters, digits, `_`, `-`, `.`, `:`, not starting with a
/// digit, `-` or `.`). Stricter than XML's rule for non-ASCII, which is fine for CSDL.
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c == ':' || c.is_alphabetic())
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
}

/// Escapes an attribute value (written between double quotes).
fn escape_attr(out: &mut String, value: &str) {
    escape(out, value, true);
}

/// Escapes text content.
fn escape_text(out: &mut String, value: &str) {
    escape(out, value, false);
}

fn escape(out: &mut String, value: &str, attribute: bool) {
    // Copy runs of plain characters in one go; nearly every value has nothing to escape.
    let mut start = 0;
    for (i, c) in value.char_indices() {
        let replacement: Option<&str> = match c {
            '&' => Some("&amp;"),
            '<' => Some("&lt;"),
            // `>` only needs escaping after `]]`, but escaping it always is simpler to check.
            '>' => Some("&gt;"),
            '"' if attribute => Some("&quot;"),
            '\t' if attribute => Some("&#9;"),
            '\n' if attribute => Some("&#10;"),
            '\r' => Some("&#13;"),
            // Characters XML 1.0 cannot hold at all, not even as references. A reader only
            // lets them through from input that was not well-formed to begin with.
            '\u{0}'..='\u{8}'
            | '\u{b}'
            | '\u{c}'
            | '\u{e}'..='\u{1f}'
            | '\u{fffe}'
            | '\u{ffff}' => Some("\u{fffd}"),
            _ => continue,
        };
        out.push_str(&value[start..i]);
        if let Some(r) = replacement {
            out.push_str(r);
        }
        start = i + c.len_utf8();
    }
    out.push_str(&value[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csdl::{ReadOptions, parse};

    fn escaped(value: &str, attribute: bool) -> String {
        let mut out = String::new();
        escape(&mut out, value, attribute);
        out
    }

    #[test]
    fn escapes_attributes_and_text() {
        assert_eq!(
            escaped("a&b<c>\"d\"\te\nf\r", true),
            "a&amp;b&lt;c&gt;&quot;d&quot;&#9;e&#10;f&#13;"
        );
        assert_eq!(
            escaped("a&b<c>\"d\"\te\nf\r", false),
            "a&amp;b&lt;c&gt;\"d\"\te\nf&#13;"
        );
        assert_eq!(
            escaped("é€\u{1}\u{0}x\u{ffff}", false),
            "é€\u{fffd}\u{fffd}x\u{fffd}"
        );
        assert_eq!(escaped("", true), "");
    }

    /// Every construct the writer knows, with hostile strings in values.
    const ALL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.01" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="https://example.com/Core.xml">
    <edmx:Include Namespace="Org.OData.Core.V1" Alias="Core"/>
    <edmx:IncludeAnnotations TermNamespace="Org.OData.Core.V1" Qualifier="q" TargetNamespace="t"/>
    <Annotation Term="Core.Description" String="ref"/>
  </edmx:Reference>
  <edmx:DataServices>
    <Schema Namespace="n" Alias="a" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="e" UnderlyingType="Edm.Int64" IsFlags="true">
        <Member Name="x" Value="1"><Annotation Term="Core.Description" String="&lt;x&gt; &amp; &quot;y&quot;&#10;next line&#9;tab"/></Member>
        <Member Name="y"/>
      </EnumType>
      <TypeDefinition Name="td" UnderlyingType="Edm.Decimal" Precision="10" Scale="variable" SRID="4326" MaxLength="max" Unicode="false" DefaultValue="0"/>
      <EntityType Name="base" Abstract="true" OpenType="true" HasStream="true">
        <Key><PropertyRef Name="id" Alias="ident"/></Key>
        <Property Name="id" Type="Edm.String" Nullable="false"/>
      </EntityType>
      <EntityType Name="thing" BaseType="a.base">
        <Property Name="self" Type="Collection(Edm.String)" DefaultValue="a&quot;b"><Annotation Term="Core.Computed"/></Property>
        <NavigationProperty Name="parent" Type="a.thing" Nullable="true" Partner="children" ContainsTarget="true">
          <ReferentialConstraint Property="parentId" ReferencedProperty="id"/>
          <OnDelete Action="Cascade"/>
          <Annotation Term="Core.Description"><String>  spaced
 text &amp; more  </String></Annotation>
        </NavigationProperty>
      </EntityType>
      <ComplexType Name="c"/>
      <Action Name="act" IsBound="true" EntitySetPath="b/x">
        <Parameter Name="b" Type="a.thing" Nullable="false"/>
        <ReturnType Type="a.c" Nullable="false"/>
      </Action>
      <Function Name="fn" IsComposable="true">
        <Parameter Name="p" Type="Edm.String" MaxLength="10"><Annotation Term="Core.Description" String="p"/></Parameter>
        <ReturnType Type="Collection(a.thing)"/>
        <Annotation Term="Core.Description" String="fn"/>
      </Function>
      <Term Name="t" Type="Edm.String" BaseTerm="Core.Description" AppliesTo="EntityType Property a.x)" DefaultValue="d" Nullable="false"/>
      <EntityContainer Name="svc" Extends="other.svc">
        <EntitySet Name="things" EntityType="a.thing" IncludeInServiceDocument="false">
          <NavigationPropertyBinding Path="parent" Target="things"/>
          <Annotation Term="Core.Description" String="set"/>
        </EntitySet>
        <Singleton Name="me" Type="a.thing" Nullable="true"/>
        <ActionImport Name="ai" Action="a.act" EntitySet="things"/>
        <FunctionImport Name="fi" Function="a.fn" EntitySet="things" IncludeInServiceDocument="true"/>
        <Annotation Term="Core.Description" String="svc"/>
      </EntityContainer>
      <Annotations Target="a.thing/self" Qualifier="q">
        <Annotation Term="Core.Revisions">
          <Collection>
            <Record Type="Core.RevisionType">
              <PropertyValue Property="Kind" EnumMember="Core.RevisionKind/Deprecated Core.RevisionKind/Added"/>
              <PropertyValue Property="Date"><Date>2024-01-01</Date></PropertyValue>
              <PropertyValue Property="Null"><Null/></PropertyValue>
              <PropertyValue Property="Nested"><Record><PropertyValue Property="x" Path="a/b"/></Record></PropertyValue>
              <PropertyValue Property="Empty"/>
              <Annotation Term="Core.Description" String="rec"/>
            </Record>
            <String>item &lt;1&gt;</String>
            <Int>2</Int>
            <AnnotationPath>@Core.Description</AnnotationPath>
            <Collection/>
          </Collection>
          <Annotation Term="Core.Description" Qualifier="other" String="nested"/>
        </Annotation>
        <Annotation Term="Core.Example">
          <Apply Function="odata.concat">
            <String>a</String>
            <Path>b</Path>
            <If><Eq><Int>1</Int><Int>2</Int></Eq><Bool>true</Bool><Null/></If>
          </Apply>
        </Annotation>
        <Annotation Term="Core.Link" UrlRef="https://example.com/?a=1&amp;b=2"/>
        <Annotation Term="Core.Ref"><LabeledElementReference>n.label</LabeledElementReference></Annotation>
        <Annotation Term="Core.Flag" Bool="true" Qualifier="own"/>
      </Annotations>
      <Annotation Term="Core.Description" String="schema"/>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#;

    /// A debug dump of the document with positions zeroed and the line index left out.
    fn dump(doc: &Document<'_>) -> String {
        let raw = format!("{:?}\n{:?}\n{:?}", doc.version, doc.references, doc.schemas);
        zero_positions(&raw)
    }

    fn zero_positions(raw: &str) -> String {
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        while let Some(i) = rest.find("Pos(") {
            out.push_str(&rest[..i + 4]);
            rest = rest[i + 4..].trim_start_matches(|c: char| c.is_ascii_digit());
            out.push('0');
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn round_trips_every_construct() {
        let parsed = parse(ALL, ReadOptions::default());
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let written = write_document(&parsed.document);
        let reparsed = parse(&written, ReadOptions::default());
        assert!(
            reparsed.diagnostics.is_empty(),
            "{:?}\n{written}",
            reparsed.diagnostics
        );
        let (a, b) = (dump(&parsed.document), dump(&reparsed.document));
        if a != b {
            let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
            let from = at.saturating_sub(300);
            panic!(
                "documents differ after writing:\n  read: {}\n  back: {}\n{written}",
                String::from_utf8_lossy(&a.as_bytes()[from..(at + 100).min(a.len())]),
                String::from_utf8_lossy(&b.as_bytes()[from..(at + 100).min(b.len())])
            );
        }
        assert_eq!(write_document(&reparsed.document), written);
        // Spot checks of the normal form.
        assert!(written.starts_with(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<edmx:Edmx Version=\"4.01\""
        ));
        assert!(written.contains(
            "\n          <Annotation Term=\"Core.Description\" String=\"  spaced&#10; text &amp; more  \"/>\n"
        ), "{written}");
        assert!(written.contains(
            "<Member Name=\"x\" Value=\"1\">\n          <Annotation Term=\"Core.Description\" String=\"&lt;x&gt; &amp; &quot;y&quot;&#10;next line&#9;tab\"/>"
        ), "{written}");
        assert!(written.contains("<Member Name=\"y\"/>"), "{written}");
        // The group's qualifier is not repeated on its children; a different one is kept.
        assert!(
            written.contains("<Annotation Term=\"Core.Revisions\">"),
            "{written}"
        );
        assert!(
            written.contains("<Annotation Term=\"Core.Flag\" Qualifier=\"own\" Bool=\"true\"/>"),
            "{written}"
        );
        assert!(
            written.contains(
                "<Annotation Term=\"Core.Link\" UrlRef=\"https://example.com/?a=1&amp;b=2\"/>"
            ),
            "{written}"
        );
        assert!(written.ends_with("</edmx:Edmx>\n"));
    }

    #[test]
    fn attribute_order_is_fixed() {
        let text = ALL.replace(
            "<Property Name=\"id\" Type=\"Edm.String\" Nullable=\"false\"/>",
            "<Property Nullable=\"false\" Type=\"Edm.String\" Name=\"id\"/>",
        );
        let a = write_document(&parse(ALL, ReadOptions::default()).document);
        let b = write_document(&parse(&text, ReadOptions::default()).document);
        assert_eq!(a, b);
        assert!(a.contains("<Property Name=\"id\" Type=\"Edm.String\" Nullable=\"false\"/>"));
    }

    #[test]
    fn built_documents_with_odd_content_stay_well_formed() {
        let mut doc = Document::default();
        doc.schemas.push(Schema {
            namespace: "n\"<&>\u{0}".into(),
            annotations: vec![Annotation {
                term: "t".into(),
                value: Some(Expr::Collection(vec![
                    Expr::Dynamic(Box::new(Dynamic {
                        element: "not a name".into(),
                        ..Dynamic::default()
                    })),
                    Expr::Dynamic(Box::new(Dynamic {
                        element: "Apply".into(),
                        attributes: vec![
                            ("bad key".into(), "v".into()),
                            ("Function".into(), "first".into()),
                            ("Function".into(), "f".into()),
                        ],
                        text: Some("]]>".into()),
                        children: vec![Expr::Null],
                    })),
                ])),
                ..Annotation::default()
            }],
            ..Schema::default()
        });
        let written = write_document(&doc);
        let reparsed = parse(&written, ReadOptions::default());
        assert!(
            !reparsed
                .diagnostics
                .iter()
                .any(|d| d.code == crate::diag::Code::XmlSyntax),
            "{:?}\n{written}",
            reparsed.diagnostics
        );
        assert_eq!(reparsed.document.version, "4.0");
        assert!(written.contains("<Apply Function=\"first\">"), "{written}");
    }
}
