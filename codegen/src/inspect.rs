//! `inspect`: what a CSDL file holds and what is wrong with it, without generating anything.
//!
//! [`inspect`] runs the first two stages (read and resolve) and reports element counts plus
//! every diagnostic of both stages. The counts are of elements as written, duplicates
//! included, so they can be checked against an independent count with a plain XML parser
//! (the table in `shared/upstream/README.md`); the resolved model would drop duplicates.

use serde::Serialize;

use crate::csdl::{self, Document, ReadOptions};
use crate::diag::{self, Diagnostic, Severity};
use crate::model;

/// Element counts of a document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// `Schema` elements.
    pub schemas: usize,
    /// `EntityType` elements.
    pub entity_types: usize,
    /// `ComplexType` elements.
    pub complex_types: usize,
    /// `EnumType` elements.
    pub enum_types: usize,
    /// `TypeDefinition` elements.
    pub type_definitions: usize,
    /// `Action` elements (each overload counts).
    pub actions: usize,
    /// `Function` elements (each overload counts).
    pub functions: usize,
    /// `Term` elements.
    pub terms: usize,
    /// `EntitySet` elements, over every container.
    pub entity_sets: usize,
    /// `Singleton` elements, over every container.
    pub singletons: usize,
    /// `ActionImport` elements.
    pub action_imports: usize,
    /// `FunctionImport` elements.
    pub function_imports: usize,
}

impl Counts {
    /// Counts the elements of a raw document.
    pub fn of(doc: &Document<'_>) -> Counts {
        let mut c = Counts {
            schemas: doc.schemas.len(),
            ..Counts::default()
        };
        for s in &doc.schemas {
            c.entity_types += s.entity_types.len();
            c.complex_types += s.complex_types.len();
            c.enum_types += s.enum_types.len();
            c.type_definitions += s.type_definitions.len();
            c.actions += s.actions.len();
            c.functions += s.functions.len();
            c.terms += s.terms.len();
            for container in &s.entity_containers {
                c.entity_sets += container.entity_sets.len();
                c.singletons += container.singletons.len();
                c.action_imports += container.action_imports.len();
                c.function_imports += container.function_imports.len();
            }
        }
        c
    }

    /// `(label, count)` pairs in display order.
    pub fn rows(&self) -> [(&'static str, usize); 12] {
        [
            ("schemas", self.schemas),
            ("entity types", self.entity_types),
            ("complex types", self.complex_types),
            ("enum types", self.enum_types),
            ("type definitions", self.type_definitions),
            ("actions", self.actions),
            ("functions", self.functions),
            ("terms", self.terms),
            ("entity sets", self.entity_sets),
            ("singletons", self.singletons),
            ("action imports", self.action_imports),
            ("function imports", self.function_imports),
        ]
    }
}

/// What [`inspect`] found.
#[derive(Debug, Clone)]
pub struct Report {
    /// Element counts (of the part that could be read, when the input is malformed).
    pub counts: Counts,
    /// Reader diagnostics followed by resolver diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

/// One diagnostic in the JSON form of a report.
#[derive(Serialize)]
struct JsonDiagnostic<'r> {
    severity: &'static str,
    code: &'static str,
    message: &'r str,
    line: u32,
    column: u32,
}

/// The JSON form of a report: the counts flattened into the top-level object.
#[derive(Serialize)]
struct JsonReport<'r> {
    #[serde(flatten)]
    counts: Counts,
    diagnostics: Vec<JsonDiagnostic<'r>>,
}

impl Report {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        diag::has_errors(&self.diagnostics)
    }

    /// Number of diagnostics of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    fn json_report(&self) -> JsonReport<'_> {
        JsonReport {
            counts: self.counts,
            diagnostics: self
                .diagnostics
                .iter()
                .map(|d| JsonDiagnostic {
                    severity: d.severity.as_str(),
                    code: d.code.as_str(),
                    message: &d.message,
                    line: d.line,
                    column: d.column,
                })
                .collect(),
        }
    }

    /// The report as a JSON object: the integer counts (`schemas`, `entity_types`, ...) and
    /// `diagnostics`, a list of `{severity, code, message, line, column}`.
    pub fn to_json(&self) -> serde_json::Value {
        // Serializing plain structs of integers and strings cannot fail; `Null` is only a
        // formality to avoid an `unwrap`.
        serde_json::to_value(self.json_report()).unwrap_or(serde_json::Value::Null)
    }

    /// [`Report::to_json`] as indented text, keys in declaration order (counts first).
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(&self.json_report()).unwrap_or_default()
    }

    /// A plain-text summary: one aligned line per count, then the diagnostic totals.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for (label, n) in self.counts.rows() {
            out.push_str(&format!("{label:<18}{n:>7}\n"));
        }
        out.push_str(&format!(
            "{} error(s), {} warning(s)\n",
            self.count(Severity::Error),
            self.count(Severity::Warning)
        ));
        out
    }
}

/// Reads and resolves `source` (CSDL XML bytes) and reports counts and diagnostics. Never
/// panics: malformed input gives a partial count and diagnostics.
pub fn inspect(source: &[u8]) -> Report {
    let parsed = csdl::parse_bytes(source, ReadOptions::default());
    let counts = Counts::of(&parsed.document);
    let mut diagnostics = parsed.diagnostics;
    let model = model::resolve(&parsed.document, source);
    diagnostics.extend(model.diagnostics);
    Report {
        counts,
        diagnostics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;

    const DOC: &str = r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="n" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="e"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.String" Nullable="false"/></EntityType>
<ComplexType Name="c"><Property Name="x" Type="n.missing"/></ComplexType>
<EnumType Name="k"><Member Name="a"/></EnumType>
<TypeDefinition Name="t" UnderlyingType="Edm.String"/>
<Action Name="a"/><Function Name="f"><ReturnType Type="Edm.String"/></Function>
<Term Name="term" Type="Edm.String"/>
<EntityContainer Name="svc"><EntitySet Name="es" EntityType="n.e"/><Singleton Name="me" Type="n.e"/>
<ActionImport Name="ai" Action="n.a"/><FunctionImport Name="fi" Function="n.f"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>"#;

    #[test]
    fn counts_and_diagnostics() {
        let report = inspect(DOC.as_bytes());
        let expected = Counts {
            schemas: 1,
            entity_types: 1,
            complex_types: 1,
            enum_types: 1,
            type_definitions: 1,
            actions: 1,
            functions: 1,
            terms: 1,
            entity_sets: 1,
            singletons: 1,
            action_imports: 1,
            function_imports: 1,
        };
        assert_eq!(report.counts, expected);
        let codes: Vec<_> = report.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::UnresolvedType]);
        assert!(report.has_errors());
        let json = report.to_json();
        assert_eq!(json["entity_types"], 1);
        assert_eq!(json["function_imports"], 1);
        assert_eq!(json["diagnostics"][0]["code"], "CSDL010");
        assert_eq!(json["diagnostics"][0]["severity"], "error");
        assert_eq!(json["diagnostics"][0]["line"], 4);
        assert!(report.summary().contains("entity types            1\n"));
    }

    #[test]
    fn garbage_does_not_panic() {
        for input in [
            &b""[..],
            b"\xff\xfe",
            b"<",
            b"<edmx:Edmx><edmx:DataServices><Schema",
        ] {
            let report = inspect(input);
            assert!(report.has_errors());
            assert_eq!(report.counts.schemas, 0);
        }
    }
}
