//! Stage 5: IR → Rust source files.
//!
//! Every item is built with `quote!` from [`Name`](crate::naming::Name)s, literals and the IR,
//! then each file is parsed back into a `syn::File` and formatted with `prettyplease`, so the
//! output is always syntactically valid and formatted the same way whatever rustfmt is
//! installed (or not). No Rust source is assembled from strings; the one exception is the
//! comment header, because a token stream cannot carry comments.
//!
//! The output is one file per [`ir::File`](crate::ir::File) plus `mod.rs`, an index that
//! wraps each file in a private module and re-exports its items:
//!
//! ```text
//! #[allow(deprecated, ...)]
//! mod policies {
//!     use super::*;
//!     include!("policies.rs");
//! }
//! pub use self::policies::*;
//! ```
//!
//! `include!` paths are relative to the file that contains them, so the index works wherever
//! the files are written: `OUT_DIR` (the pim-api build script: `include!` the index), or a
//! source directory (`pim-codegen generate --out`: `#[path = ".../mod.rs"] mod models;`).
//! The modules see each other through `use super::*`, and the `allow`s cover what generated
//! code does on purpose: referring to deprecated items (users still get the warning where
//! *they* use them), `since` holding the schema's deprecation date rather than a crate version,
//! constructors with many required arguments, polymorphic enums whose variants differ in size
//! (boxing them would make every match clumsier), and an area module named like the module
//! the index is included into.

mod items;

pub(crate) use items::docs;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{File, Ir};

/// The name of the index file.
pub const INDEX_FILE: &str = "mod.rs";

/// Formats generated files. The result is `(file name, source)` pairs: the files of the IR in
/// order, then [`INDEX_FILE`].
///
/// # Panics
///
/// Never on IR built by [`crate::ir::build`]; a token stream that does not parse (a generator
/// bug) panics with the offending file's name rather than writing broken code.
pub fn emit(ir: &Ir) -> Vec<(String, String)> {
    // Files are independent: they are shared out to one worker per core.
    let formatted = parallel_map(&ir.files, model_file);
    finish(ir, formatted)
}

/// One formatted model file: `(file name, source, whether it names items of other files)`.
/// Building, parsing and pretty-printing the tokens is most of the generator's run time
/// (this runs in pim-api's build script); [`emit`] and [`crate::generate()`] run it per file in
/// parallel with [`parallel_map`].
pub fn model_file(file: &File) -> (String, String, bool) {
    let (parts, foreign) = file_tokens(file);
    let text = format_parts(&file.summary, &file.module.ident, parts);
    (format!("{}.rs", file.module.ident), text, foreign)
}

/// The files of [`model_file`] (in IR order) followed by the index, [`INDEX_FILE`].
pub fn finish(ir: &Ir, formatted: Vec<(String, String, bool)>) -> Vec<(String, String)> {
    let foreign: Vec<bool> = formatted.iter().map(|(_, _, f)| *f).collect();
    let mut out: Vec<(String, String)> = formatted
        .into_iter()
        .map(|(name, text, _)| (name, text))
        .collect();
    out.push((
        INDEX_FILE.to_owned(),
        format_file(
            "Index of the generated models: one private module per file, re-exported.",
            "mod",
            index_tokens(&ir.files, &foreign),
        ),
    ));
    out
}

/// `items.iter().map(f).collect()`, run on up to one thread per core (more threads than
/// cores only add allocator contention); the order is kept. Each call of `f` builds its own
/// token streams, which are not `Send`.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break out };
                        out.push((i, f(item)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// The header every generated file starts with. It is the only text not produced by
/// `prettyplease`, because comments are not tokens.
pub(crate) fn header(summary: &str) -> String {
    let mut h = String::new();
    h.push_str("// @generated by pim-codegen from the pinned Graph schema. Do not edit.\n");
    h.push_str("//\n");
    for line in wrap(summary, 96) {
        h.push_str("// ");
        h.push_str(&line);
        h.push('\n');
    }
    h.push_str("//\n");
    h.push_str(
        "// pim-api's build script regenerates this on every build; the committed copy under\n",
    );
    h.push_str(
        "// pim-api/golden/ is refreshed with `EXPECTORATE=overwrite cargo test -p pim-codegen --test golden`.\n",
    );
    h.push('\n');
    h
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn format_file(summary: &str, name: &str, tokens: TokenStream) -> String {
    format_parts(summary, name, vec![tokens])
}

/// The header, then each part (one or more items) parsed and pretty-printed on its own.
/// prettyplease prints a file's items one after the other with nothing between them, so the
/// text is the same as formatting the whole file at once; part by part, the token buffers
/// and syntax trees alive at any time are one item's instead of a whole file's, which keeps
/// the (fresh) build-script process from faulting in tens of megabytes.
///
/// # Panics
///
/// On a part that does not parse: a generator bug, reported with the file's name rather than
/// writing broken code.
pub(crate) fn format_parts(summary: &str, name: &str, parts: Vec<TokenStream>) -> String {
    let mut text = header(summary);
    for part in parts {
        let file: syn::File = syn::parse2(part)
            .unwrap_or_else(|e| panic!("pim-codegen bug: generated `{name}` does not parse: {e}"));
        text.push_str(&prettyplease::unparse(&file));
    }
    text
}

/// The tokens of a file, and whether it names items of other files.
fn file_tokens(file: &File) -> (Vec<TokenStream>, bool) {
    let mut uses = items::Uses::default();
    let body: Vec<TokenStream> = file
        .items
        .iter()
        .map(|item| items::item(item, &mut uses))
        .collect();
    let edm = uses.edm.then(|| {
        quote!(
            use ::pim_api::edm;
        )
    });
    let rt = uses.rt.then(|| {
        quote!(
            use ::pim_api::edm::derive_support as rt;
        )
    });
    let serde = uses.serde.then(|| {
        quote!(
            use ::pim_api::edm::derive_support::serde;
        )
    });
    let own: std::collections::BTreeSet<&str> =
        file.items.iter().map(|i| i.name().ident.as_str()).collect();
    let foreign = uses.names.iter().any(|n| !own.contains(n.as_str()));
    let mut parts = Vec::with_capacity(body.len() + 1);
    parts.push(quote! {
        #edm
        #rt
        #serde
    });
    parts.extend(body);
    (parts, foreign)
}

fn index_tokens(files: &[File], foreign: &[bool]) -> TokenStream {
    let modules = files.iter().zip(foreign).map(|(f, foreign)| {
        let m = f.module.to_ident();
        // A file that names items of other files sees them through the index's re-exports.
        let glob = foreign.then(|| {
            quote!(
                use super::*;
            )
        });
        let path = format!("{}.rs", f.module.ident);
        let doc = format!(" {}", f.summary);
        quote! {
            #[doc = #doc]
            #[allow(
                deprecated,
                clippy::deprecated_semver,
                clippy::large_enum_variant,
                clippy::module_inception,
                clippy::too_many_arguments
            )]
            mod #m {
                #glob
                include!(#path);
            }
            #[allow(deprecated)]
            pub use self::#m::*;
        }
    });
    quote! { #(#modules)* }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{EdmType, Field, Item, Shape, Struct, StructKind, TypeExpr};
    use crate::naming::Name;

    fn sample() -> Ir {
        let field = |wire: &str, name: Name, required: bool| Field {
            name,
            wire: wire.to_owned(),
            ty: TypeExpr::Edm(EdmType::String),
            shape: Shape::Single { boxed: false },
            csdl_type: "Edm.String".to_owned(),
            nullable: !required,
            required,
            navigation: false,
            docs: vec![format!("`{wire}`.")],
            deprecation: None,
        };
        Ir {
            files: vec![File {
                module: Name::plain("things"),
                summary: "Things.".to_owned(),
                items: vec![Item::Struct(Struct {
                    name: Name::plain("Thing"),
                    odata: crate::ir::ODataName {
                        namespace: "n".to_owned(),
                        alias: None,
                        name: "thing".to_owned(),
                    },
                    kind: StructKind::Complex,
                    docs: vec!["A thing.".to_owned()],
                    deprecation: Some(crate::ir::Deprecation {
                        since: Some("2024-01-01".to_owned()),
                        note: "gone".to_owned(),
                    }),
                    fields: vec![
                        field(
                            "type",
                            Name {
                                ident: "type".to_owned(),
                                raw: true,
                            },
                            true,
                        ),
                        field("value", Name::plain("value"), true),
                    ],
                    has_default: false,
                })],
            }],
            renames: Vec::new(),
        }
    }

    #[test]
    fn files_are_formatted_with_header_and_index() {
        let files = emit(&sample());
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["things.rs", INDEX_FILE]);
        let (_, things) = &files[0];
        assert!(things.starts_with("// @generated by pim-codegen"));
        assert!(things.contains("pub struct Thing {"));
        assert!(things.contains("pub r#type: Option<String>,"));
        assert!(things.contains("#[deprecated(since = \"2024-01-01\", note = \"gone\")]"));
        // `new` takes both required properties, and a parameter named `value` is fine.
        assert!(things.contains("pub fn new(r#type: impl Into<String>, value: impl Into<String>)"));
        assert!(things.contains("\"type\" => Some(0),"));
        // No `Default` with required properties.
        assert!(things.contains("#[derive(Debug, Clone, PartialEq)]\n"));
        let (_, index) = &files[1];
        assert!(index.contains("include!(\"things.rs\");"));
        assert!(index.contains("pub use self::things::*;"));
        // Nothing from other files is named: no glob import.
        assert!(!index.contains("use super::*;"));
    }

    #[test]
    fn header_lines_wrap() {
        assert_eq!(wrap("a bb ccc", 4), ["a bb", "ccc"]);
        assert_eq!(wrap("", 4), Vec::<String>::new());
    }
}
