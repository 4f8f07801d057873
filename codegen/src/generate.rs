//! The generator's entry points: schema bytes + selection → formatted Rust files.
//!
//! [`generate`] runs the whole pipeline (parse → resolve → select → IR → emit) for the PIM
//! selection; [`generate_with`] does so with [`Settings`] (the cargo features enabled, which
//! decide the feature-gated `[[bind]]`s). They are what `pim-api`'s build script and
//! `pim-codegen generate` call.
//! [`generate_all`] generates every type of a schema (stress runs). [`check_golden`] compares
//! a fresh generation with a committed copy (the golden test and `pim-codegen check`).
//!
//! Only errors that touch the selected subset stop generation: a schema that does not parse
//! as XML, a selection file that does not parse, and what [`select`](crate::select::select)
//! reports (paths that do not resolve, unresolved types inside the closure). Everything else
//! the earlier stages found is passed on in [`Generated::diagnostics`], together with the
//! renames of the naming rules (`NameCollision` warnings).

use std::collections::BTreeSet;
use std::path::Path;

use crate::builders;
use crate::csdl::{self, ReadOptions};
use crate::diag::{Code, Diagnostic, LineIndex, Severity, Sink};
use crate::emit;
use crate::ir::{self, Ir, Options};
use crate::model::{self, Model};
use crate::select::{self, Selection, SelectionConfig};

/// The generated files and what was noticed on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// `(file name, Rust source)`: one file per area plus the index `mod.rs`
    /// ([`emit::INDEX_FILE`]), which is the file to `include!`.
    pub files: Vec<(String, String)>,
    /// Warnings (and errors outside the selection) from every stage.
    pub diagnostics: Vec<Diagnostic>,
}

impl Generated {
    /// The source of the file named `name`.
    pub fn file(&self, name: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.as_str())
    }

    /// Writes every file into `dir` (created if missing). Files are rewritten only when their
    /// content changed, so their modification times stay put otherwise.
    pub fn write_to(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for (name, source) in &self.files {
            let path = dir.join(name);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(source.as_str()) {
                std::fs::write(&path, source)?;
            }
        }
        Ok(())
    }
}

/// Codes of reader diagnostics after which the document cannot be trusted at all.
const FATAL_READ: &[Code] = &[Code::XmlSyntax, Code::InvalidUtf8, Code::NotCsdl];

/// What a generation run is asked for beyond the schema and the selection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// The cargo features of pim-api that are enabled: a `[[bind]]` naming a `feature` is
    /// generated only when it is one of these (PIM iteration 2 is `iteration2`).
    pub features: BTreeSet<String>,
}

impl Settings {
    /// Settings with these features enabled.
    pub fn with_features<I, S>(features: I) -> Settings
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Settings {
            features: features.into_iter().map(Into::into).collect(),
        }
    }
}

/// Generates the models of the selection `selection_toml` (a `metadata/selection.toml`) from
/// the CSDL `schema_bytes`, with the default [`Settings`] (no feature enabled).
pub fn generate(schema_bytes: &[u8], selection_toml: &str) -> Result<Generated, Vec<Diagnostic>> {
    generate_with(schema_bytes, selection_toml, &Settings::default())
}

/// [`generate`] with `settings`.
pub fn generate_with(
    schema_bytes: &[u8],
    selection_toml: &str,
    settings: &Settings,
) -> Result<Generated, Vec<Diagnostic>> {
    let config = SelectionConfig::from_toml(selection_toml)
        .map_err(|d| vec![d])?
        .with_features(&settings.features);
    run(schema_bytes, |model| {
        let selection = select::select(model, &config)?;
        let options = Options::by_bind(model, &config);
        Ok((selection, options))
    })
}

/// Generates every type of the schema (every entity type gets an update body), split into
/// files by namespace. For stress runs: the output is large.
pub fn generate_all(schema_bytes: &[u8]) -> Result<Generated, Vec<Diagnostic>> {
    run(schema_bytes, |model| {
        Ok((ir::select_everything(model), Options::whole_schema()))
    })
}

fn run(
    schema_bytes: &[u8],
    choose: impl FnOnce(&Model<'_>) -> Result<(Selection, Options), Vec<Diagnostic>>,
) -> Result<Generated, Vec<Diagnostic>> {
    let parsed = csdl::parse_bytes(schema_bytes, ReadOptions::default());
    let fatal: Vec<Diagnostic> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error && FATAL_READ.contains(&d.code))
        .cloned()
        .collect();
    if !fatal.is_empty() {
        return Err(fatal);
    }
    let model = model::resolve(&parsed.document, schema_bytes);
    let (selection, options) = choose(&model)?;
    let ir: Ir = ir::build(&model, &selection, &options);
    let requests = builders::build(&model, &selection, &ir);
    // Formatting dominates the run time (this runs in pim-api's build script): the model
    // files and the request builders' file (included by pim-api as `requests`) are formatted
    // by one pool of workers. The builders' file is the largest, so it goes first.
    enum Job<'j> {
        Requests,
        Model(&'j ir::File),
    }
    let jobs: Vec<Job<'_>> = std::iter::once(Job::Requests)
        .chain(ir.files.iter().map(Job::Model))
        .collect();
    let mut done = emit::parallel_map(&jobs, |job| match job {
        Job::Requests => (!requests.is_empty())
            .then(|| builders::emit(&requests))
            .map(|(n, t)| (n, t, false)),
        Job::Model(f) => Some(emit::model_file(f)),
    });
    let requests_file = done.remove(0).map(|(name, text, _)| (name, text));
    let mut files = emit::finish(&ir, done.into_iter().flatten().collect());
    files.extend(requests_file);
    let mut diagnostics = parsed.diagnostics.clone();
    diagnostics.extend(model.diagnostics.iter().cloned());
    diagnostics.extend(rename_warnings(
        &ir,
        schema_bytes,
        &parsed.document.line_index,
    ));
    let builder_renames = Ir {
        files: Vec::new(),
        renames: requests.renames,
    };
    diagnostics.extend(rename_warnings(
        &builder_renames,
        schema_bytes,
        &parsed.document.line_index,
    ));
    Ok(Generated { files, diagnostics })
}

fn rename_warnings(ir: &Ir, source: &[u8], index: &LineIndex) -> Vec<Diagnostic> {
    let mut sink = Sink::new(source, index);
    for r in &ir.renames {
        sink.warning(Code::NameCollision, r.pos, r.message.clone());
    }
    sink.diagnostics
}

/// How a committed copy differs from a fresh generation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Drift {
    /// Files generated but not committed.
    pub missing: Vec<String>,
    /// Files committed but no longer generated.
    pub stale: Vec<String>,
    /// Files whose content differs, with the first differing line (1-based).
    pub changed: Vec<(String, usize)>,
}

impl Drift {
    /// Whether the committed copy is current.
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.stale.is_empty() && self.changed.is_empty()
    }
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for m in &self.missing {
            writeln!(f, "missing: {m} (generated, not committed)")?;
        }
        for s in &self.stale {
            writeln!(f, "stale: {s} (committed, no longer generated)")?;
        }
        for (c, line) in &self.changed {
            writeln!(f, "changed: {c} (first difference at line {line})")?;
        }
        Ok(())
    }
}

/// Compares `generated` with the `.rs` files in `dir` (the committed golden copy).
pub fn check_golden(generated: &Generated, dir: &Path) -> std::io::Result<Drift> {
    let mut drift = Drift::default();
    let mut committed: Vec<String> = Vec::new();
    if dir.is_dir() {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "rs")
                && path.is_file()
                && let Some(name) = path.file_name().and_then(|n| n.to_str())
            {
                committed.push(name.to_owned());
            }
        }
    }
    committed.sort();
    for (name, source) in &generated.files {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(old) if old == *source => {}
            Ok(old) => {
                let line = old
                    .lines()
                    .zip(source.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or_else(|| old.lines().count().min(source.lines().count()))
                    + 1;
                drift.changed.push((name.clone(), line));
            }
            Err(_) => drift.missing.push(name.clone()),
        }
    }
    for name in committed {
        if !generated.files.iter().any(|(n, _)| *n == name) {
            drift.stale.push(name);
        }
    }
    Ok(drift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_xml_stops_generation() {
        let errors = generate(b"<edmx:Edmx", "[[bind]]\npath = \"x\"\n").unwrap_err();
        assert!(
            errors.iter().any(|d| d.severity == Severity::Error),
            "{errors:?}"
        );
        let errors = generate(b"<a/>", "not toml").unwrap_err();
        assert_eq!(errors[0].code, Code::SelectionSyntax);
    }

    #[test]
    fn drift_is_reported_per_file() {
        let dir = std::env::temp_dir().join(format!("pim-golden-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let generated = Generated {
            files: vec![
                ("a.rs".into(), "one\ntwo\n".into()),
                ("b.rs".into(), "b\n".into()),
            ],
            diagnostics: Vec::new(),
        };
        generated.write_to(&dir).unwrap();
        assert!(check_golden(&generated, &dir).unwrap().is_empty());
        std::fs::write(dir.join("a.rs"), "one\nTWO\n").unwrap();
        std::fs::write(dir.join("old.rs"), "").unwrap();
        std::fs::remove_file(dir.join("b.rs")).unwrap();
        let drift = check_golden(&generated, &dir).unwrap();
        assert_eq!(drift.changed, vec![("a.rs".to_owned(), 2)]);
        assert_eq!(drift.missing, vec!["b.rs".to_owned()]);
        assert_eq!(drift.stale, vec!["old.rs".to_owned()]);
        assert!(drift.to_string().contains("line 2"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
