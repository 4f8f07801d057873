//! Property tests in the spirit of the fuzzer (`fuzz/`), on stable and in every `cargo test`:
//! a real small schema (the committed pin, `metadata/pim-beta.csdl`) is mutated — byte flips,
//! truncations, duplicated lines (elements, since the pin has one per line), attribute values
//! replaced with hostile strings, inserted markup — and the whole front end must cope:
//!
//! - reading, resolving, rendering diagnostics and `inspect` never panic;
//! - the writer's output for whatever was read is well-formed CSDL and a fixed point.
//!
//! 256 cases by default; `PROPTEST_CASES=200000 cargo test --release -p pim-codegen --test
//! fuzz_props` is the long run for machines without nightly (see `fuzz/README.md`).

use std::path::PathBuf;

use pim_codegen::csdl::{self, ReadOptions};
use pim_codegen::diag::{self, Code};
use pim_codegen::{inspect, model};
use proptest::prelude::*;

/// The input every case mutates: the committed pin, or a small stand-in if it is missing.
fn base() -> &'static [u8] {
    static BASE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BASE.get_or_init(|| {
        let pin = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../metadata/pim-beta.csdl");
        std::fs::read(&pin).unwrap_or_else(|e| {
            eprintln!(
                "{} unavailable ({e}); mutating a small stand-in",
                pin.display()
            );
            STAND_IN.as_bytes().to_vec()
        })
    })
}

const STAND_IN: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml">
    <edmx:Include Namespace="Org.OData.Core.V1" Alias="Core"/>
  </edmx:Reference>
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="unifiedRoleScheduleRequestActions">
        <Member Name="adminAssign" Value="0"/>
        <Member Name="selfActivate" Value="4"/>
      </EnumType>
      <EntityType Name="entity" Abstract="true">
        <Key>
          <PropertyRef Name="id"/>
        </Key>
        <Property Name="id" Type="Edm.String" Nullable="false"/>
      </EntityType>
      <EntityType Name="unifiedRoleAssignmentScheduleRequest" BaseType="graph.entity">
        <Property Name="action" Type="graph.unifiedRoleScheduleRequestActions"/>
        <Property Name="justification" Type="Edm.String"/>
        <NavigationProperty Name="principal" Type="graph.entity" ContainsTarget="true"/>
        <Annotation Term="Core.Description" String="A request &amp; its schedule."/>
      </EntityType>
      <Function Name="filterByCurrentUser" IsBound="true" IsComposable="true">
        <Parameter Name="bindingParameter" Type="Collection(graph.unifiedRoleAssignmentScheduleRequest)"/>
        <Parameter Name="on" Type="Edm.String"/>
        <ReturnType Type="Collection(graph.unifiedRoleAssignmentScheduleRequest)"/>
      </Function>
      <EntityContainer Name="GraphService">
        <EntitySet Name="requests" EntityType="graph.unifiedRoleAssignmentScheduleRequest"/>
      </EntityContainer>
      <Annotations Target="graph.unifiedRoleAssignmentScheduleRequest">
        <Annotation Term="Core.Revisions">
          <Collection>
            <Record>
              <PropertyValue Property="Kind" EnumMember="Core.RevisionKind/Deprecated"/>
              <PropertyValue Property="Description" String="Use v2."/>
            </Record>
          </Collection>
        </Annotation>
      </Annotations>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#;

/// Strings that break naive readers: escapes, markup, numbers at the edges of their types,
/// malformed type expressions, odd Unicode, control characters, a long value.
const HOSTILE: &[&str] = &[
    "",
    " ",
    "&",
    "&amp",
    "&#0;",
    "&#x110000;",
    "&#xD800;",
    "&nbsp;",
    "<",
    "\"",
    "'",
    "]]>",
    "\u{0}",
    "\u{1}\t\r\n",
    "\u{feff}",
    "\u{fffe}",
    "🦀",
    "é\u{301}",
    "Collection(",
    "Collection()",
    "Collection(Collection(graph.entity))",
    "Collection(graph.entity",
    "graph.",
    ".",
    "..",
    "Edm.",
    "Edm.String)",
    "microsoft.graph.entity/id/@Core.Description",
    "graph.filterByCurrentUser(Collection(graph.entity),Edm.String)",
    "-1",
    "2147483648",
    "9223372036854775808",
    "-9223372036854775809",
    "max",
    "true",
    "TRUE",
    "variable",
    "$metadata#x",
    "a b\tc",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// XOR the byte at a position (given as a fraction of the length).
    Flip(f64, u8),
    /// Cut the input at a fraction of its length.
    Truncate(f64),
    /// Duplicate `count` lines starting at a fraction of the line count.
    DuplicateLines(f64, usize),
    /// Replace the value of the n-th attribute (modulo the count) with a hostile string.
    ReplaceValue(usize, usize),
    /// Insert raw text at a fraction of the length.
    Insert(f64, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let frac = 0.0..1.0f64;
    prop_oneof![
        (frac.clone(), 1..=255u8).prop_map(|(at, x)| Mutation::Flip(at, x)),
        frac.clone().prop_map(Mutation::Truncate),
        (frac.clone(), 1..8usize).prop_map(|(at, n)| Mutation::DuplicateLines(at, n)),
        (any::<usize>(), 0..HOSTILE.len()).prop_map(|(n, h)| Mutation::ReplaceValue(n, h)),
        (
            frac,
            prop_oneof![
                Just("<".to_owned()),
                Just("</Schema>".to_owned()),
                Just("<Annotation Term=\"Core.Description\"><Collection><Record>".to_owned()),
                Just("<!-- x -->".to_owned()),
                Just("<![CDATA[ <x> ]]>".to_owned()),
                Just("<?pi x?>".to_owned()),
                Just("<!DOCTYPE x [<!ENTITY e \"v\">]>".to_owned()),
                Just("&e;".to_owned()),
                "\\PC{0,16}",
            ]
        )
            .prop_map(|(at, s)| Mutation::Insert(at, s)),
    ]
}

fn index(len: usize, frac: f64) -> usize {
    ((len as f64 * frac) as usize).min(len)
}

fn apply(input: &mut Vec<u8>, m: &Mutation) {
    match m {
        Mutation::Flip(at, x) => {
            if !input.is_empty() {
                let i = index(input.len() - 1, *at);
                input[i] ^= x;
            }
        }
        Mutation::Truncate(at) => {
            let i = index(input.len(), *at);
            input.truncate(i);
        }
        Mutation::DuplicateLines(at, count) => {
            let starts: Vec<usize> = std::iter::once(0)
                .chain(
                    input
                        .iter()
                        .enumerate()
                        .filter(|(_, b)| **b == b'\n')
                        .map(|(i, _)| i + 1),
                )
                .collect();
            let first = index(starts.len().saturating_sub(1), *at);
            let start = starts[first];
            let end = starts
                .get(first + count)
                .copied()
                .unwrap_or(input.len())
                .max(start);
            let copy = input[start..end].to_vec();
            input.splice(end..end, copy);
        }
        Mutation::ReplaceValue(n, h) => {
            let spans = value_spans(input);
            if !spans.is_empty() {
                let (start, end) = spans[n % spans.len()];
                input.splice(start..end, HOSTILE[*h].bytes());
            }
        }
        Mutation::Insert(at, s) => {
            let i = index(input.len(), *at);
            input.splice(i..i, s.bytes());
        }
    }
}

/// Byte ranges of the attribute values (`="…"` contents) in `input`.
fn value_spans(input: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i + 1 < input.len() {
        if input[i] == b'=' && input[i + 1] == b'"' {
            let start = i + 2;
            match input[start..].iter().position(|b| *b == b'"') {
                Some(len) => {
                    spans.push((start, start + len));
                    i = start + len + 1;
                }
                None => break,
            }
        } else {
            i += 1;
        }
    }
    spans
}

/// Everything the fuzz target does, as one function that panics on a broken property.
fn front_end(data: &[u8]) {
    let parsed = csdl::parse_bytes(data, ReadOptions::default());
    let model = model::resolve(&parsed.document, data);
    let _ = diag::render("mutated.xml", data, &parsed.diagnostics, false);
    let _ = diag::render("mutated.xml", data, &model.diagnostics, true);
    let _ = inspect::inspect(data).to_json_pretty();

    let written = csdl::write_document(&parsed.document);
    let reparsed = csdl::parse(&written, ReadOptions::default());
    if let Some(d) = reparsed
        .diagnostics
        .iter()
        .find(|d| d.code == Code::XmlSyntax || d.code == Code::InvalidUtf8)
    {
        panic!("the writer produced malformed XML: {d}\n{written}");
    }
    let rewritten = csdl::write_document(&reparsed.document);
    assert!(
        rewritten == written,
        "writing is not a fixed point:\n--- first\n{written}\n--- second\n{rewritten}"
    );
}

proptest! {
    // The default config reads PROPTEST_CASES (256 when unset).
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_schemas_never_break_the_front_end(
        mutations in proptest::collection::vec(mutation(), 1..5)
    ) {
        let mut input = base().to_vec();
        for m in &mutations {
            apply(&mut input, m);
        }
        front_end(&input);
    }

    #[test]
    fn arbitrary_bytes_never_break_the_front_end(
        data in proptest::collection::vec(any::<u8>(), 0..512)
    ) {
        front_end(&data);
    }
}

#[test]
fn the_unmutated_base_is_clean_and_stable() {
    let parsed = csdl::parse_bytes(base(), ReadOptions::default());
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    front_end(base());
    // Every hostile value, in every attribute position, one at a time (a deterministic sweep
    // of what the random cases only sample).
    let spans = value_spans(base()).len();
    for (h, _) in HOSTILE.iter().enumerate() {
        for n in (0..spans).step_by(spans / 6 + 1) {
            let mut input = base().to_vec();
            apply(&mut input, &Mutation::ReplaceValue(n, h));
            front_end(&input);
        }
    }
}
