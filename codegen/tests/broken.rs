//! Broken and awkward inputs: every fixture in `tests/fixtures/broken/` gives exactly the
//! expected diagnostics (code, severity, line:column), nothing panics, and what could be read
//! is kept. Inputs that cannot live in a text fixture (invalid UTF-8, tens of megabytes) are
//! built by the tests.

use std::path::PathBuf;

use pim_codegen::csdl::{self, Document, ReadOptions, write_document};
use pim_codegen::diag::{Code, Diagnostic, Severity};
use pim_codegen::inspect::Counts;
use pim_codegen::model::{self, Model, TypeDefKind};

const E: Severity = Severity::Error;
const W: Severity = Severity::Warning;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/broken")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reader diagnostics followed by resolver diagnostics, as `(severity, code, line, column)`.
fn diagnostics_of(source: &[u8]) -> (Vec<Diagnostic>, Counts) {
    let parsed = csdl::parse_bytes(source, ReadOptions::default());
    let counts = Counts::of(&parsed.document);
    let model = model::resolve(&parsed.document, source);
    let mut all = parsed.diagnostics.clone();
    all.extend(model.diagnostics.iter().cloned());
    // Whatever was read can be written, and the result is well-formed CSDL.
    let written = write_document(&parsed.document);
    let reparsed = csdl::parse(&written, ReadOptions::default());
    assert!(
        reparsed.diagnostics.is_empty(),
        "writing the partial document gave {:?}",
        reparsed.diagnostics
    );
    (all, counts)
}

fn summary(diagnostics: &[Diagnostic]) -> Vec<(Severity, Code, u32, u32)> {
    diagnostics
        .iter()
        .map(|d| (d.severity, d.code, d.line, d.column))
        .collect()
}

/// Asserts the exact diagnostics of a fixture and returns them.
fn expect(name: &str, expected: &[(Severity, Code, u32, u32)]) -> Vec<Diagnostic> {
    let source = fixture(name);
    let (diagnostics, _) = diagnostics_of(&source);
    assert_eq!(
        summary(&diagnostics),
        expected,
        "{name}:\n{}",
        diagnostics
            .iter()
            .map(|d| format!("  {d}\n"))
            .collect::<String>()
    );
    // Rendering for the terminal works for every diagnostic.
    let shown = pim_codegen::diag::render(name, &source, &diagnostics, false);
    for d in &diagnostics {
        assert!(shown.contains(d.code.as_str()), "{shown}");
    }
    diagnostics
}

fn with_model<T>(name: &str, f: impl FnOnce(&Document<'_>, &Model<'_>) -> T) -> T {
    let source = fixture(name);
    let parsed = csdl::parse_bytes(&source, ReadOptions::default());
    let model = model::resolve(&parsed.document, &source);
    f(&parsed.document, &model)
}

#[test]
fn truncated_document() {
    let d = expect("truncated.xml", &[(E, Code::XmlSyntax, 13, 9)]);
    assert!(d[0].message.contains("not closed"), "{}", d[0].message);
    // What was read before the cut is kept.
    with_model("truncated.xml", |doc, model| {
        let types = &doc.schemas[0].entity_types;
        assert_eq!(types.len(), 2);
        assert_eq!(types[1].properties.len(), 1);
        assert!(
            model
                .type_id("microsoft.graph.unifiedRoleAssignment")
                .is_some()
        );
    });
    // Cut between elements instead: the end of input is reported where it is.
    let source = fixture("truncated.xml");
    let text = std::str::from_utf8(&source).expect("utf-8 fixture");
    let cut = &text[..text
        .find("<EntityType Name=\"unifiedRoleAssignment\"")
        .expect("in fixture")];
    let (d, counts) = diagnostics_of(cut.as_bytes());
    let (line, column) = (11, 7);
    assert_eq!(summary(&d), [(E, Code::XmlSyntax, line, column)]);
    assert!(d[0].message.contains("unexpected end"), "{}", d[0].message);
    assert_eq!(counts.entity_types, 1);
    // Every prefix of the fixture is handled without a panic and reports an error.
    for end in 0..source.len() {
        let (d, _) = diagnostics_of(&source[..end]);
        assert!(
            d.iter().any(|d| d.severity == E),
            "prefix of {end} bytes gave no error"
        );
    }
}

#[test]
fn invalid_utf8() {
    let mut source = fixture("case_collision.xml");
    // Replace the first `o` of `roleInfo` (line 7) by a lone continuation byte, and add a
    // truncated multi-byte sequence at the end of the document.
    let at = find(&source, b"roleInfo") + 1;
    source[at] = 0x80;
    let (d, counts) = diagnostics_of(&source);
    let column = u32::try_from(
        at - source[..at]
            .iter()
            .rposition(|b| *b == b'\n')
            .expect("not on the first line"),
    )
    .expect("small");
    assert_eq!(summary(&d), [(E, Code::InvalidUtf8, 7, column)]);
    assert_eq!((column, d[0].pos.0 as usize), (27, at));
    // Nothing is read from a document that is not text.
    assert_eq!(counts, Counts::default());

    let mut source = fixture("case_collision.xml");
    source.extend_from_slice(&[0xe2, 0x82]);
    let (d, _) = diagnostics_of(&source);
    assert_eq!(summary(&d), [(E, Code::InvalidUtf8, 22, 1)]);

    // Latin-1 text declared as such is still rejected: CSDL is UTF-8.
    let source = b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<edmx:Edmx Version=\"4.0\">\xe9t\xe9</edmx:Edmx>";
    let (d, _) = diagnostics_of(source);
    assert_eq!(summary(&d), [(E, Code::InvalidUtf8, 2, 26)]);
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle in fixture")
}

#[test]
fn unknown_type_references() {
    let d = expect(
        "unknown_type.xml",
        &[
            (E, Code::UnresolvedType, 12, 9),
            (E, Code::UnresolvedType, 13, 9),
            // OData 4 has no `Edm.DateTime` (it was a version 3 type).
            (E, Code::UnresolvedType, 14, 9),
            (E, Code::UnresolvedType, 15, 9),
            (E, Code::UnresolvedType, 17, 7),
            (E, Code::UnresolvedType, 19, 9),
            (E, Code::UnresolvedType, 20, 9),
            (E, Code::UnresolvedType, 24, 9),
        ],
    );
    assert!(d[0].message.contains("graph.requestSchedule"));
    assert!(d[4].message.contains("base type `graph.nothing`"));
    with_model("unknown_type.xml", |_, model| {
        // The rest of the model is still there.
        let set = model
            .container_child("roleAssignments")
            .expect("entity set");
        assert_eq!(
            set.ty,
            model.type_id("microsoft.graph.unifiedRoleAssignment")
        );
        assert_eq!(model.container_child("ghosts").map(|c| c.ty), Some(None));
    });
}

#[test]
fn base_type_cycles() {
    let d = expect(
        "basetype_cycle.xml",
        &[
            (E, Code::BaseTypeCycle, 5, 7),
            (E, Code::BaseTypeCycle, 10, 7),
        ],
    );
    assert!(
        d[0].message.contains(
            "microsoft.graph.a → microsoft.graph.b → microsoft.graph.c → microsoft.graph.a"
        ),
        "{}",
        d[0].message
    );
    with_model("basetype_cycle.xml", |_, model| {
        // The cycles are cut, so every walk up the hierarchy ends.
        for (i, t) in model.types.iter().enumerate() {
            let chain = model.base_chain(pim_codegen::model::TypeId(i as u32));
            assert!(chain.len() <= 4, "{}: {chain:?}", t.qualified);
        }
        let leaf = model.type_id("microsoft.graph.leaf").expect("leaf");
        let names: Vec<_> = model
            .all_properties(leaf)
            .iter()
            .map(|(_, p)| p.name().to_owned())
            .collect();
        assert_eq!(names, ["x"]);
    });
}

#[test]
fn duplicate_names() {
    let d = expect(
        "duplicate_names.xml",
        &[
            // A second type with the same name (of another kind, even).
            (E, Code::DuplicateName, 15, 7),
            // A navigation property named like a property.
            (E, Code::DuplicateName, 20, 9),
            (E, Code::DuplicateName, 13, 9),
            (E, Code::DuplicateName, 24, 9),
            // Container children: entity sets are checked before singletons.
            (E, Code::DuplicateName, 30, 9),
            (E, Code::DuplicateName, 28, 9),
        ],
    );
    assert!(d[0].message.contains("microsoft.graph.requestSchedule"));
    with_model("duplicate_names.xml", |_, model| {
        // The first declaration wins.
        let id = model
            .type_id("microsoft.graph.requestSchedule")
            .expect("type");
        assert!(matches!(model.ty(id).kind, TypeDefKind::Structured(_)));
    });
}

#[test]
fn names_that_collide_after_case_conversion_are_accepted() {
    expect("case_collision.xml", &[]);
    with_model("case_collision.xml", |doc, _| {
        let props: Vec<&str> = doc.schemas[0].complex_types[0]
            .properties
            .iter()
            .map(|p| p.name.as_ref())
            .collect();
        assert_eq!(props, ["roleId", "RoleId", "role_id"]);
        // The collision the generator has to resolve (GEN001) is real.
        use heck::{ToSnakeCase, ToUpperCamelCase};
        assert!(props.iter().all(|p| p.to_snake_case() == "role_id"));
        assert_eq!("roleInfo".to_upper_camel_case(), "RoleInfo");
    });
}

#[test]
fn rust_keywords_as_names_are_accepted() {
    expect("rust_keywords.xml", &[]);
    with_model("rust_keywords.xml", |doc, model| {
        let props: Vec<&str> = doc.schemas[0].complex_types[0]
            .properties
            .iter()
            .map(|p| p.name.as_ref())
            .collect();
        assert_eq!(
            props,
            ["type", "match", "self", "Self", "crate", "async", "super"]
        );
        assert!(model.type_id("microsoft.graph.Self").is_some());
        assert!(model.type_id("microsoft.graph.type").is_some());
        assert_eq!(model.operations[0].name(), "where");
    });
}

#[test]
fn implicit_enum_values() {
    expect("implicit_enum.xml", &[(E, Code::InvalidModel, 10, 7)]);
    with_model("implicit_enum.xml", |doc, model| {
        // The raw document keeps what was written: no value.
        assert!(
            doc.schemas[0].enum_types[0]
                .members
                .iter()
                .all(|m| m.value.is_none())
        );
        let members = |name: &str| {
            let id = model.type_id(name).expect("enum");
            match &model.ty(id).kind {
                TypeDefKind::Enum(e) => e.members.clone(),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(
            members("microsoft.graph.unifiedRoleScheduleRequestActions"),
            [("adminAssign", 0), ("adminUpdate", 1), ("adminRemove", 2)]
        );
        // Mixed explicit and implicit is an error, but still gets values: previous + 1.
        assert_eq!(members("microsoft.graph.mixed"), [("a", 5), ("b", 6)]);
    });
}

#[test]
fn malformed_xml() {
    let d = expect("mismatched_tags.xml", &[(E, Code::XmlSyntax, 10, 7)]);
    assert!(d[0].message.contains("</EntityType>"), "{}", d[0].message);
    with_model("mismatched_tags.xml", |doc, _| {
        // Reading stops at the first fatal error; what came before is kept.
        let names: Vec<_> = doc.schemas[0]
            .complex_types
            .iter()
            .map(|t| t.name.as_ref())
            .collect();
        assert_eq!(names, ["first", "second"]);
    });

    let d = expect(
        "bad_entity.xml",
        &[
            (E, Code::XmlSyntax, 7, 9),
            // In text the position is the reference itself.
            (E, Code::XmlSyntax, 11, 39),
            (E, Code::XmlSyntax, 15, 9),
        ],
    );
    assert!(d[0].message.contains("chips"), "{}", d[0].message);
    assert!(d[1].message.contains("&nbsp;"), "{}", d[1].message);
    // Entity errors are not fatal: the whole document is read.
    with_model("bad_entity.xml", |doc, _| {
        assert_eq!(doc.schemas[0].complex_types.len(), 3);
    });
}

#[test]
fn unknown_elements_and_attributes_are_warnings() {
    let d = expect(
        "unknown_elements.xml",
        &[
            (W, Code::UnknownElement, 5, 7),
            (W, Code::UnknownAttribute, 8, 7),
            (W, Code::UnknownAttribute, 9, 9),
            (W, Code::UnknownElement, 10, 9),
            (W, Code::UnknownElement, 13, 9),
        ],
    );
    assert!(d[1].message.contains("Colour"));
    with_model("unknown_elements.xml", |doc, model| {
        assert_eq!(doc.schemas[0].complex_types[0].properties.len(), 1);
        assert!(model.diagnostics.is_empty());
    });
}

/// Every fixture in the directory has a test above, so a new fixture cannot go unchecked.
#[test]
fn every_fixture_is_covered() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/broken");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixture dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "bad_entity.xml",
            "basetype_cycle.xml",
            "case_collision.xml",
            "duplicate_names.xml",
            "implicit_enum.xml",
            "mismatched_tags.xml",
            "rust_keywords.xml",
            "truncated.xml",
            "unknown_elements.xml",
            "unknown_type.xml",
        ]
    );
}

/// Tens of megabytes: a real schema body repeated under renamed namespaces (or synthetic types
/// when `shared/` is absent). No timing is asserted; the point is that it completes with the
/// right counts. Memory is O(input): the document borrows names and values from the source
/// instead of copying them, so it costs a fraction of the input on top of the input itself.
#[test]
fn very_large_input() {
    const TARGET: usize = 40 << 20;
    let upstream = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/upstream/beta-2022-06-13.csdl");
    let (text, expected) = match std::fs::read_to_string(&upstream) {
        Ok(real) => repeat_real_schema(&real, TARGET),
        Err(e) => {
            eprintln!(
                "{} is unavailable ({e}); using synthetic types instead",
                upstream.display()
            );
            synthetic(TARGET)
        }
    };
    assert!(text.len() >= TARGET, "{} bytes", text.len());
    let rss_before = peak_rss_kib();
    let parsed = csdl::parse(&text, ReadOptions::default());
    assert!(
        parsed.diagnostics.is_empty(),
        "{:?}",
        &parsed.diagnostics[..parsed.diagnostics.len().min(5)]
    );
    let counts = Counts::of(&parsed.document);
    assert_eq!(counts, expected);
    let model = model::resolve(&parsed.document, text.as_bytes());
    assert!(
        model.diagnostics.is_empty(),
        "{:?}",
        &model.diagnostics[..model.diagnostics.len().min(5)]
    );
    assert_eq!(
        model.types.len(),
        counts.entity_types + counts.complex_types + counts.enum_types + counts.type_definitions
    );
    if let (Some(before), Some(after)) = (rss_before, peak_rss_kib()) {
        eprintln!(
            "{} MiB of input: peak RSS {} MiB before parsing, {} MiB after parse + resolve",
            text.len() >> 20,
            before >> 10,
            after >> 10
        );
    }
}

/// The synthetic fallback of [`very_large_input`] is itself correct (checked on a smaller
/// size, so it runs on every machine).
#[test]
fn synthetic_input_has_the_counts_it_claims() {
    let (text, expected) = synthetic(4 << 20);
    let parsed = csdl::parse(&text, ReadOptions::default());
    assert!(
        parsed.diagnostics.is_empty(),
        "{:?}",
        parsed.diagnostics.first()
    );
    assert_eq!(Counts::of(&parsed.document), expected);
    let model = model::resolve(&parsed.document, text.as_bytes());
    assert!(
        model.diagnostics.is_empty(),
        "{:?}",
        model.diagnostics.first()
    );
}

/// Copies of the schema under namespaces `microsoft.graph.c{i}` (alias `g{i}`) until the text
/// is at least `target` bytes; only the first copy keeps the entity container (a document has
/// one, and annotations of its children in other copies are pointed at it).
fn repeat_real_schema(real: &str, target: usize) -> (String, Counts) {
    let start = real.find("<Schema").expect("a schema");
    let end = real.rfind("</Schema>").expect("a schema end") + "</Schema>".len();
    let body = &real[start..end];
    let container_start = body.find("<EntityContainer").expect("a container");
    let container_end =
        body.rfind("</EntityContainer>").expect("a container end") + "</EntityContainer>".len();
    let without_container = format!("{}{}", &body[..container_start], &body[container_end..]);
    let one = csdl::parse(real, ReadOptions::default());
    let single = Counts::of(&one.document);

    let mut text = String::with_capacity(target + body.len() * 2);
    text.push_str(&real[..start]);
    let mut copies = 0;
    while text.len() < target {
        let source = if copies == 0 {
            body
        } else {
            &without_container
        };
        let renamed = source
            .replace("microsoft.graph.", "\u{0}.")
            .replace("graph.", &format!("g{copies}."))
            .replace('\u{0}', &format!("microsoft.graph.c{copies}"))
            .replace(
                "Namespace=\"microsoft.graph\"",
                &format!("Namespace=\"microsoft.graph.c{copies}\""),
            )
            .replace("Alias=\"graph\"", &format!("Alias=\"g{copies}\""))
            // Annotations on container children point at the one container there is.
            .replace(
                &format!("microsoft.graph.c{copies}.GraphService/"),
                "microsoft.graph.c0.GraphService/",
            )
            .replace(&format!("g{copies}.GraphService/"), "g0.GraphService/");
        text.push_str(&renamed);
        text.push('\n');
        copies += 1;
    }
    text.push_str(&real[end..]);
    let n = copies;
    let expected = Counts {
        schemas: n,
        entity_types: single.entity_types * n,
        complex_types: single.complex_types * n,
        enum_types: single.enum_types * n,
        type_definitions: single.type_definitions * n,
        actions: single.actions * n,
        functions: single.functions * n,
        terms: single.terms * n,
        ..single
    };
    (text, expected)
}

/// Synthetic schemas of complex types and enums, for machines without `shared/`.
fn synthetic(target: usize) -> (String, Counts) {
    let mut text = String::with_capacity(target + (1 << 20));
    text.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n<edmx:DataServices>\n");
    let mut counts = Counts::default();
    while text.len() < target {
        let s = counts.schemas;
        text.push_str(&format!(
            "<Schema Namespace=\"n{s}\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n"
        ));
        for t in 0..1000 {
            text.push_str(&format!("<ComplexType Name=\"t{t}\">"));
            for p in 0..10 {
                text.push_str(&format!(
                    "<Property Name=\"p{p}\" Type=\"n{s}.e\" Nullable=\"false\"/>"
                ));
            }
            text.push_str("<Annotation Term=\"Org.OData.Core.V1.Description\" String=\"A type &amp; its properties.\"/></ComplexType>\n");
        }
        text.push_str(
            "<EnumType Name=\"e\"><Member Name=\"a\"/><Member Name=\"b\"/></EnumType>\n</Schema>\n",
        );
        counts.schemas += 1;
        counts.complex_types += 1000;
        counts.enum_types += 1;
    }
    text.push_str("</edmx:DataServices>\n</edmx:Edmx>\n");
    (text, counts)
}

/// Peak resident set size of this process in KiB, where the platform tells (Linux).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
