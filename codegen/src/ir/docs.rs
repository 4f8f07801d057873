//! Rustdoc text of generated items: the schema's own words (`Core.Description`,
//! `Core.LongDescription`) first, then what the schema says about the wire form.
//!
//! Descriptions are free text written for the Graph docs site, so they are made safe for
//! rustdoc: whitespace is collapsed (an indented line would become a code block, i.e. a
//! doctest), code fences are broken, and `[`, `]`, `<`, `>` are escaped so they are not read as
//! intra-doc links or HTML.

use crate::model::vocab::{Core, Revision};

use super::Deprecation;

/// Makes schema text safe to put in a doc comment.
pub fn clean(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(collapsed.len());
    for c in collapsed.chars() {
        match c {
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '`' => out.push('\''),
            _ => out.push(c),
        }
    }
    out
}

/// The description paragraphs of an element, if the schema has any.
pub fn description(core: &Core) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = core
        .description
        .as_deref()
        .map(clean)
        .filter(|d| !d.is_empty())
    {
        out.push(d);
    }
    if let Some(d) = core
        .long_description
        .as_deref()
        .map(clean)
        .filter(|d| !d.is_empty())
    {
        out.push(d);
    }
    out
}

/// The `#[deprecated]` attribute for a deprecation revision.
pub fn deprecation(revision: &Revision) -> Deprecation {
    let mut note = revision
        .description
        .as_deref()
        .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "deprecated in the schema (Core.Revisions)".to_owned());
    if let Some(removal) = &revision.removal_date {
        note.push_str("; removal on ");
        note.push_str(removal);
    }
    Deprecation {
        since: revision.date.clone().or_else(|| revision.version.clone()),
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::vocab::RevisionKind;

    #[test]
    fn descriptions_cannot_break_rustdoc() {
        assert_eq!(
            clean("Use  [the] <b>new</b>\n    ```rust\n fn x()```"),
            "Use \\[the\\] &lt;b&gt;new&lt;/b&gt; '''rust fn x()'''"
        );
    }

    #[test]
    fn deprecation_note_has_removal_date() {
        let d = deprecation(&Revision {
            kind: RevisionKind::Deprecated,
            version: Some("2025-10/PIM".into()),
            date: Some("2025-10-27".into()),
            removal_date: Some("2026-10-28".into()),
            description: Some("Migrate to PIM iteration 3.".into()),
        });
        assert_eq!(d.since.as_deref(), Some("2025-10-27"));
        assert_eq!(d.note, "Migrate to PIM iteration 3.; removal on 2026-10-28");
    }
}
