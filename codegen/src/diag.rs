//! Diagnostics: what went wrong in a schema, where, and how bad it is.
//!
//! Every stage reports problems as [`Diagnostic`]s instead of failing or panicking, so one run
//! shows every problem of a file at once. A diagnostic carries a stable [`Code`] (tests and
//! tooling match on it, never on the message), a severity, and the byte offset of the element
//! it is about; line and column are derived from a [`LineIndex`] of the source text. Only
//! errors that touch the selected subset stop generation (see `select`).

use std::fmt;
use std::sync::atomic::Ordering;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; generation goes on unchanged.
    Warning,
    /// The input is wrong; generation stops if the problem touches the selection.
    Error,
}

impl Severity {
    /// The lowercase name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// Stable identifier of a kind of problem. The text form (`CSDL001`, ...) never changes
        /// meaning once published.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// The stable text form of the code.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }

            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];
        }
    };
}

codes! {
    /// The input is not well-formed XML (truncated, mismatched tags, bad escapes).
    XmlSyntax = "CSDL001",
    /// The input is not valid UTF-8.
    InvalidUtf8 = "CSDL002",
    /// The root element is not `edmx:Edmx`, or `DataServices` is missing.
    NotCsdl = "CSDL003",
    /// A required attribute is missing.
    MissingAttribute = "CSDL004",
    /// An attribute has a value outside its allowed form (`Nullable="maybe"`, a bad qualified name).
    InvalidAttribute = "CSDL005",
    /// An element the reader does not know; it is skipped.
    UnknownElement = "CSDL006",
    /// An attribute the reader does not know; it is ignored.
    UnknownAttribute = "CSDL007",
    /// A type reference resolves to nothing.
    UnresolvedType = "CSDL010",
    /// A `BaseType` chain loops back on itself.
    BaseTypeCycle = "CSDL011",
    /// Two elements share a name where names must be unique.
    DuplicateName = "CSDL012",
    /// An annotation target resolves to nothing.
    UnresolvedTarget = "CSDL013",
    /// An alias or namespace is declared twice, or is reserved.
    DuplicateNamespace = "CSDL014",
    /// A structural rule of CSDL is broken (key on a derived type, enum member value out of range, ...).
    InvalidModel = "CSDL015",
    /// The selection names something the schema does not have.
    SelectionUnresolved = "SEL001",
    /// The selection file itself is malformed.
    SelectionSyntax = "SEL002",
    /// Two schema names map to the same Rust name; one was renamed deterministically.
    NameCollision = "GEN001",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A byte offset into the source text: where an element starts (its `<`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos(pub u32);

impl Pos {
    /// Saturates at `u32::MAX`; inputs that large are rejected before parsing anyway.
    pub fn from_usize(offset: usize) -> Pos {
        Pos(u32::try_from(offset).unwrap_or(u32::MAX))
    }
}

/// One problem found in an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// What kind of problem it is.
    pub code: Code,
    /// A sentence for humans.
    pub message: String,
    /// Byte offset into the source.
    pub pos: Pos,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}[{}]: {}",
            self.line, self.column, self.severity, self.code, self.message
        )
    }
}

/// Maps byte offsets to line:column. Elements store only a `u32` offset, so a clean parse
/// never pays for lines. The first few lookups count newlines directly (a vectorised pass up
/// to the offset, starting from the previous lookup when that lies before it; cheaper than
/// recording every line start of a large file for the odd warning); after [`LineIndex::DIRECT_LOOKUPS`] of them the line starts are recorded once
/// and searched.
#[derive(Debug, Default)]
pub struct LineIndex {
    line_starts: std::sync::OnceLock<Vec<u32>>,
    lookups: std::sync::atomic::AtomicU32,
    /// The last counted lookup, `offset << 32 | newlines before it`, so that a later lookup
    /// (diagnostics mostly come in document order) counts only from there. One word, so
    /// offset and count are always read as a pair.
    last_counted: std::sync::atomic::AtomicU64,
}

impl Clone for LineIndex {
    fn clone(&self) -> Self {
        LineIndex {
            line_starts: self.line_starts.clone(),
            lookups: self.lookups.load(Ordering::Relaxed).into(),
            last_counted: self.last_counted.load(Ordering::Relaxed).into(),
        }
    }
}

impl LineIndex {
    /// Lookups answered by counting before the line starts are recorded.
    pub const DIRECT_LOOKUPS: u32 = 8;

    /// An index for a text; nothing is computed until [`LineIndex::line_col`] is called.
    pub fn new() -> LineIndex {
        LineIndex::default()
    }

    fn starts(&self, text: &[u8]) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut starts = Vec::with_capacity(text.len() / 40 + 1);
            starts.push(0);
            starts.extend(
                memchr::memchr_iter(b'\n', text).map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
            );
            starts
        })
    }

    /// Index of the line containing `offset` (0-based) and where that line starts.
    fn line_of(&self, text: &[u8], offset: usize) -> (usize, usize) {
        if self.line_starts.get().is_none()
            && self.lookups.fetch_add(1, Ordering::Relaxed) < Self::DIRECT_LOOKUPS
        {
            let before = &text[..offset];
            let last = self.last_counted.load(Ordering::Relaxed);
            let (from, lines_before) =
                ((last >> 32) as usize, (last & u64::from(u32::MAX)) as usize);
            let line = if from <= offset {
                lines_before + count_newlines(&before[from..])
            } else {
                count_newlines(before)
            };
            // Offsets come from a `u32` `Pos`, and there are never more lines than bytes.
            self.last_counted
                .store(((offset as u64) << 32) | line as u64, Ordering::Relaxed);
            let start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
            return (line, start);
        }
        let starts = self.starts(text);
        let line = match starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        (line, starts.get(line).copied().unwrap_or(0) as usize)
    }

    /// 1-based line and column (in characters) of `pos` within `text`, which must be the same
    /// text every time. Offsets past the end clamp to the end.
    pub fn line_col(&self, text: &[u8], pos: Pos) -> (u32, u32) {
        let offset = (pos.0 as usize).min(text.len());
        let (line, start) = self.line_of(text, offset);
        let start = start.min(offset);
        // Count characters, not bytes, and tolerate offsets inside invalid UTF-8.
        let column = String::from_utf8_lossy(&text[start..offset])
            .chars()
            .count()
            + 1;
        (line as u32 + 1, u32::try_from(column).unwrap_or(u32::MAX))
    }
}

/// Collects diagnostics for one source, resolving positions as they are added.
#[derive(Debug)]
pub struct Sink<'a> {
    text: &'a [u8],
    index: &'a LineIndex,
    /// Everything reported so far, in report order.
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    /// A sink reporting positions in `text`.
    pub fn new(text: &'a [u8], index: &'a LineIndex) -> Sink<'a> {
        Sink {
            text,
            index,
            diagnostics: Vec::new(),
        }
    }

    /// Records a diagnostic at `pos`.
    pub fn report(&mut self, severity: Severity, code: Code, pos: Pos, message: impl Into<String>) {
        let (line, column) = self.index.line_col(self.text, pos);
        self.diagnostics.push(Diagnostic {
            severity,
            code,
            message: message.into(),
            pos,
            line,
            column,
        });
    }

    /// Records an error at `pos`.
    pub fn error(&mut self, code: Code, pos: Pos, message: impl Into<String>) {
        self.report(Severity::Error, code, pos, message);
    }

    /// Records a warning at `pos`.
    pub fn warning(&mut self, code: Code, pos: Pos, message: impl Into<String>) {
        self.report(Severity::Warning, code, pos, message);
    }
}

/// True when any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

/// Renders diagnostics for a terminal, each with the offending source line and a caret,
/// in the style of rustc (via codespan-reporting).
pub fn render(file_name: &str, source: &[u8], diagnostics: &[Diagnostic], color: bool) -> String {
    use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
    use codespan_reporting::files::SimpleFile;
    use codespan_reporting::term::{self, Config};

    let text = String::from_utf8_lossy(source);
    let file = SimpleFile::new(file_name, text.as_ref());
    let config = Config::default();
    let mut out: Vec<u8> = Vec::new();
    for d in diagnostics {
        let start = (d.pos.0 as usize).min(text.len());
        // Underline the rest of the tag, bounded to the line, so the snippet points at the element.
        let rest = &text[start..];
        let len = rest
            .find(['>', '\n'])
            .map(|i| i + 1)
            .unwrap_or(rest.len())
            .min(120);
        let cs = match d.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        }
        .with_code(d.code.as_str())
        .with_message(&d.message)
        .with_labels(vec![Label::primary((), start..start + len)]);
        let result = if color {
            let mut writer = codespan_reporting::term::termcolor::Ansi::new(&mut out);
            term::emit(&mut writer, &config, &file, &cs)
        } else {
            let mut writer = codespan_reporting::term::termcolor::NoColor::new(&mut out);
            term::emit(&mut writer, &config, &file, &cs)
        };
        if result.is_err() {
            // A label codespan cannot place (offset inside a multi-byte char): fall back to text.
            out.extend_from_slice(format!("{file_name}:{d}\n").as_bytes());
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Newlines in `bytes`. Summing bytes in blocks of 255 (a block's count fits a `u8`) is the
/// shape the compiler turns into wide compares and adds; a plain `filter().count()` is not.
fn count_newlines(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|block| {
            let in_block: u8 = block.iter().map(|&b| u8::from(b == b'\n')).sum();
            usize::from(in_block)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_characters() {
        let text = "ab\ncdé f\n\nx".as_bytes();
        let index = LineIndex::new();
        assert_eq!(index.line_col(text, Pos(0)), (1, 1));
        assert_eq!(index.line_col(text, Pos(3)), (2, 1));
        // 'é' is two bytes but one column.
        assert_eq!(index.line_col(text, Pos(8)), (2, 5));
        assert_eq!(index.line_col(text, Pos(11)), (4, 1));
        assert_eq!(index.line_col(text, Pos(999)), (4, 2));
    }

    /// The first lookups count newlines, later ones use the recorded line starts: every
    /// offset must get the same answer either way.
    #[test]
    fn counted_and_indexed_lookups_agree() {
        let text = "<a>\r\n  é\n\n\tb=\"ü\"\n<c/>\nend".as_bytes();
        let direct: Vec<_> = (0..=text.len() as u32 + 2)
            .map(|i| {
                // A fresh index per offset: always under the direct-lookup limit.
                LineIndex::new().line_col(text, Pos(i))
            })
            .collect();
        // Counting resumes from the previous lookup when it can: forwards, backwards and
        // repeated offsets on one index agree with fresh ones.
        let index = LineIndex::new();
        let order = [9, 12, 12, 3, 0, text.len() as u32 + 2, 10, 11];
        assert_eq!(order.len(), LineIndex::DIRECT_LOOKUPS as usize);
        for i in order {
            assert_eq!(
                index.line_col(text, Pos(i)),
                direct[i as usize],
                "offset {i}"
            );
        }
        assert!(index.line_starts.get().is_none());
        for (i, expected) in direct.iter().enumerate() {
            assert_eq!(index.line_col(text, Pos(i as u32)), *expected, "offset {i}");
        }
        assert!(index.line_starts.get().is_some());
        assert_eq!(direct[text.len()], (6, 4));
    }

    #[test]
    fn codes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "duplicate code {code}");
        }
    }

    #[test]
    fn render_shows_snippet_and_code() {
        let text = b"<a>\n  <Property Name=\"x\" Type=\"ns.Missing\"/>\n</a>";
        let index = LineIndex::new();
        let mut sink = Sink::new(text, &index);
        sink.error(
            Code::UnresolvedType,
            Pos(6),
            "type `ns.Missing` does not exist",
        );
        let shown = render("t.xml", text, &sink.diagnostics, false);
        assert!(shown.contains("CSDL010"), "{shown}");
        assert!(shown.contains("t.xml:2:3"), "{shown}");
        assert!(shown.contains("<Property Name"), "{shown}");
    }
}
