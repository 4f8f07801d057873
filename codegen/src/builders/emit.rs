//! [`Requests`] → `requests.rs`: one `quote!` template per IR element, formatted with
//! `prettyplease` (the same pipeline as the models' emitter; the comment header is the only
//! text not produced from tokens).
//!
//! The file uses two module aliases, `rt` (`::pim_api::runtime`) and `models`
//! (`::pim_api::models`), and names everything else by absolute path, so it can be included
//! anywhere in pim-api. Every `impl` carries `#[allow(deprecated)]`: generated code refers to
//! deprecated types on purpose (PIM iteration 2), while users still get the warning where
//! *they* call a deprecated builder method.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::emit::docs;
use crate::ir::{Deprecation, EdmType, TypeExpr};

use super::{
    ActionResult, Builder, FunctionParam, FunctionResult, Idents, LiteralKind, Method, MethodKind,
    Params, Payload, Requests, UpdateBody, UpdateTrait,
};

/// The name of the generated file.
pub const FILE: &str = "requests.rs";

/// Formats the request builders: `(file name, source)`.
///
/// # Panics
///
/// Never on IR made by [`super::build`]; tokens that do not parse (a generator bug) panic
/// rather than write broken code.
pub fn emit(requests: &Requests) -> (String, String) {
    let text = crate::emit::format_parts(
        "Request builders: the fluent path API over the selection's URLs.",
        FILE,
        file_parts(requests),
    );
    (FILE.to_owned(), text)
}

/// Everything the templates need besides the element itself.
struct Cx<'r> {
    idents: &'r Idents,
    rt: Ident,
    models: Ident,
    client: Ident,
    path: Ident,
    update_trait: Option<Ident>,
}

fn file_parts(r: &Requests) -> Vec<TokenStream> {
    let cx = Cx {
        idents: &r.idents,
        rt: r.idents.runtime.to_ident(),
        models: r.idents.models.to_ident(),
        client: r.idents.client.to_ident(),
        path: r.idents.path.to_ident(),
        update_trait: r.update_trait.as_ref().map(|t| t.name.to_ident()),
    };
    let rt = &cx.rt;
    let models = &cx.models;
    let entry: Vec<TokenStream> = r.entry.iter().map(|m| method(m, &cx, true)).collect();
    let builders = r.builders.iter().map(|b| builder(b, &cx));
    let params = r.params.iter().map(|p| params(p, &cx));
    let update_trait = r.update_trait.as_ref().map(|t| update_trait(t, &cx));
    // `use x as x` reads oddly; alias only when the name differs from the module's.
    let uses = [("runtime", rt), ("models", models)].map(|(module, alias)| {
        let m = Ident::new(module, proc_macro2::Span::call_site());
        if *alias == module {
            quote!(use ::pim_api::#m;)
        } else {
            quote!(use ::pim_api::#m as #alias;)
        }
    });
    // Items in file order, formatted one by one (see `crate::emit::format_parts`).
    let mut parts = vec![
        quote!(#(#uses)*),
        quote! {
            #[allow(deprecated)]
            impl #rt::Client {
                #(#entry)*
            }
        },
    ];
    parts.extend(builders);
    parts.extend(params);
    parts.extend(update_trait);
    parts
}

/// `#[deprecated(note = …)]`. The schema's date goes into the note: `since` must be a semver
/// version (`clippy::deprecated_semver` is deny-by-default), and Graph's is a date.
fn deprecated(d: &Option<Deprecation>) -> TokenStream {
    match d {
        None => quote!(),
        Some(Deprecation {
            since: Some(since),
            note,
        }) => {
            let note = format!("deprecated since {since}: {note}");
            quote!(#[deprecated(note = #note)])
        }
        Some(Deprecation { since: None, note }) => quote!(#[deprecated(note = #note)]),
    }
}

fn type_tokens(t: &TypeExpr, cx: &Cx<'_>) -> TokenStream {
    let models = &cx.models;
    match t {
        TypeExpr::Edm(e) => match e {
            EdmType::String => quote!(String),
            EdmType::Boolean => quote!(bool),
            EdmType::Byte => quote!(u8),
            EdmType::SByte => quote!(i8),
            EdmType::Int16 => quote!(i16),
            EdmType::Int32 => quote!(i32),
            EdmType::Int64 => quote!(::pim_api::edm::Int64),
            EdmType::Decimal => quote!(::pim_api::edm::Decimal),
            EdmType::Double => quote!(::pim_api::edm::Double),
            EdmType::Single => quote!(::pim_api::edm::Single),
            EdmType::DateTimeOffset => quote!(::pim_api::edm::DateTimeOffset),
            EdmType::Date => quote!(::pim_api::edm::Date),
            EdmType::TimeOfDay => quote!(::pim_api::edm::TimeOfDay),
            EdmType::Duration => quote!(::pim_api::edm::Duration),
            EdmType::Guid => quote!(::pim_api::edm::Guid),
            EdmType::Binary => quote!(::pim_api::edm::Binary),
        },
        TypeExpr::Named(n) => {
            let n = n.to_ident();
            quote!(#models::#n)
        }
        TypeExpr::Flags(n) => {
            let n = n.to_ident();
            quote!(::pim_api::edm::Flags<#models::#n>)
        }
        TypeExpr::Json => quote!(::pim_api::edm::derive_support::serde_json::Value),
    }
}

fn payload_tokens(p: &Payload, cx: &Cx<'_>) -> TokenStream {
    let t = type_tokens(&p.ty, cx);
    let t = if p.collection { quote!(Vec<#t>) } else { t };
    if p.optional { quote!(Option<#t>) } else { t }
}

fn builder(b: &Builder, cx: &Cx<'_>) -> TokenStream {
    let name = b.name.to_ident();
    let doc = docs(&b.docs);
    let dep = deprecated(&b.deprecation);
    let Cx {
        rt, client, path, ..
    } = cx;
    let methods = b.methods.iter().map(|m| method(m, cx, false));
    quote! {
        #doc
        #dep
        #[derive(Debug, Clone)]
        pub struct #name {
            #client: #rt::Client,
            #path: #rt::ODataPath,
        }

        #[allow(deprecated)]
        impl #name {
            /// The path this builder addresses: `as_str()` is what is sent (keys
            /// percent-encoded), `template()` has placeholders instead of keys.
            #[inline]
            pub fn #path(&self) -> &#rt::ODataPath {
                &self.#path
            }

            #(#methods)*
        }
    }
}

/// A method of a builder, or of `Client` (`entry`: the client is `self` and the path starts
/// at the service root).
fn method(m: &Method, cx: &Cx<'_>, entry: bool) -> TokenStream {
    let Cx {
        rt,
        client,
        path,
        idents,
        ..
    } = cx;
    let name = m.name.to_ident();
    let doc = docs(&m.docs);
    let dep = deprecated(&m.deprecation);
    let (client_expr, path_expr) = if entry {
        (quote!(self.clone()), quote!(#rt::ODataPath::new()))
    } else {
        (quote!(self.#client.clone()), quote!(self.#path.clone()))
    };
    let client_ref = quote!(&self.#client);
    let (signature, body) = match &m.kind {
        MethodKind::Segment { segment, target } => {
            let target = target.to_ident();
            (
                quote!(pub fn #name(&self) -> #target),
                quote! {
                    #target {
                        #client: #client_expr,
                        #path: #path_expr.segment(#segment),
                    }
                },
            )
        }
        MethodKind::Key {
            param,
            placeholder,
            target,
        } => {
            let target = target.to_ident();
            let param = param.to_ident();
            (
                quote!(pub fn #name(&self, #param: impl AsRef<str>) -> #target),
                quote! {
                    #target {
                        #client: #client_expr,
                        #path: #path_expr.key_named(#placeholder, #param),
                    }
                },
            )
        }
        MethodKind::List {
            item,
            by,
            operation,
        } => {
            let t = payload_tokens(item, cx);
            let decls = by.iter().map(|p| param_decl(p, cx));
            let required = required_filter(by, cx);
            (
                quote!(pub fn #name(&self, #(#decls),*) -> #rt::ListRequest<#t>),
                quote!(#rt::ListRequest::new(#client_ref, #path_expr).operation(#operation)#required),
            )
        }
        MethodKind::Count { by, operation } => {
            let decls = by.iter().map(|p| param_decl(p, cx));
            let required = required_filter(by, cx);
            (
                quote!(pub fn #name(&self, #(#decls),*) -> #rt::CountRequest),
                quote!(#rt::CountRequest::new(#client_ref, #path_expr).operation(#operation)#required),
            )
        }
        MethodKind::Get { ty, operation } => {
            let t = payload_tokens(ty, cx);
            (
                quote!(pub fn #name(&self) -> #rt::GetRequest<#t>),
                quote!(#rt::GetRequest::new(#client_ref, #path_expr).operation(#operation)),
            )
        }
        MethodKind::Create { ty, operation } => {
            let t = payload_tokens(ty, cx);
            let body = idents.body.to_ident();
            (
                quote!(pub fn #name(&self, #body: &#t) -> #rt::CreateRequest<#t>),
                quote!(#rt::CreateRequest::new(#client_ref, #path_expr, #body).operation(#operation)),
            )
        }
        MethodKind::Update {
            body: update,
            operation,
        } => {
            let body = idents.body.to_ident();
            let signature = match update {
                UpdateBody::Direct(u) => {
                    let u = type_tokens(&TypeExpr::Named(u.clone()), cx);
                    quote!(pub fn #name(&self, #body: &#u) -> #rt::UpdateRequest)
                }
                UpdateBody::Family { base } => {
                    let base = type_tokens(&TypeExpr::Named(base.clone()), cx);
                    let tr = cx
                        .update_trait
                        .as_ref()
                        .expect("a family update has the trait");
                    quote!(pub fn #name<B: #tr<#base>>(&self, #body: &B) -> #rt::UpdateRequest)
                }
            };
            (
                signature,
                quote!(#rt::UpdateRequest::new(#client_ref, #path_expr, #body).operation(#operation)),
            )
        }
        MethodKind::Delete { operation } => (
            quote!(pub fn #name(&self) -> #rt::DeleteRequest),
            quote!(#rt::DeleteRequest::new(#client_ref, #path_expr).operation(#operation)),
        ),
        MethodKind::Action {
            segment,
            params,
            result,
            operation,
        } => {
            let target = quote!(#path_expr.segment(#segment));
            let (ret, ctor) = match result {
                ActionResult::Nothing => (
                    quote!(#rt::ActionRequest<()>),
                    quote!(#rt::ActionRequest::new(#client_ref, #target)),
                ),
                ActionResult::Entity(p) => {
                    let t = payload_tokens(p, cx);
                    (
                        quote!(#rt::ActionRequest<#t>),
                        quote!(#rt::ActionRequest::entity(#client_ref, #target)),
                    )
                }
                ActionResult::Value(p) => {
                    let t = payload_tokens(p, cx);
                    (
                        quote!(#rt::ActionRequest<#t>),
                        quote!(#rt::ActionRequest::value(#client_ref, #target)),
                    )
                }
            };
            match params {
                Some(p) => {
                    let p = p.to_ident();
                    let arg = idents.params.to_ident();
                    (
                        quote!(pub fn #name(&self, #arg: &#p) -> #ret),
                        quote!(#ctor.body(#arg).operation(#operation)),
                    )
                }
                None => (
                    quote!(pub fn #name(&self) -> #ret),
                    quote!(#ctor.operation(#operation)),
                ),
            }
        }
        MethodKind::Function {
            segment,
            params,
            result,
            operation,
        } => function(
            name.clone(),
            segment,
            params,
            result,
            operation,
            cx,
            path_expr,
        ),
    };
    // Nothing is sent until a request is awaited: dropping one unawaited is a silent no-op.
    let must_use = match &m.kind {
        MethodKind::Segment { .. } | MethodKind::Key { .. } => quote!(),
        _ => {
            quote!(#[must_use = "a request does nothing until it is awaited (or sent with `.send()`)"])
        }
    };
    let allow_many = match &m.kind {
        MethodKind::Function { params, .. } if params.len() > 6 => {
            quote!(#[allow(clippy::too_many_arguments)])
        }
        _ => quote!(),
    };
    // `#[inline]`: each method is a few lines over the runtime, and most programs call a
    // handful of them; inline functions are only compiled where they are used, so pim-api
    // does not pay for the hundreds nobody calls.
    quote! {
        #doc
        #dep
        #allow_many
        #must_use
        #[inline]
        #signature {
            #body
        }
    }
}

/// The declaration of a parameter written as an OData literal (a function's, or a filter
/// value of `list_by_…`).
fn param_decl(p: &FunctionParam, cx: &Cx<'_>) -> TokenStream {
    let n = p.name.to_ident();
    let item = Payload {
        optional: false,
        ..p.ty.clone()
    };
    let t = payload_tokens(&item, cx);
    let t = match p.literal {
        LiteralKind::String => quote!(&str),
        LiteralKind::Alias => quote!(&#t),
        LiteralKind::Enum | LiteralKind::Primitive => t,
    };
    if p.optional {
        quote!(#n: Option<#t>)
    } else {
        quote!(#n: #t)
    }
}

/// The `runtime::Literal` of the value of `p` held in `v`.
fn literal(p: &FunctionParam, v: &TokenStream, cx: &Cx<'_>) -> TokenStream {
    let rt = &cx.rt;
    match p.literal {
        LiteralKind::String => quote!(#rt::Literal::string(#v)),
        LiteralKind::Enum => {
            quote!(#rt::Literal::enum_str(::pim_api::edm::open_enum_as_str(&#v)))
        }
        LiteralKind::Primitive => quote!(#rt::Literal::from_value(&#v)),
        LiteralKind::Alias => {
            let alias = format!("@{}", p.wire);
            quote!(#rt::Literal::raw(#alias))
        }
    }
}

/// `.required_filter(&[("groupId", Literal::string(group_id)), …])`, or nothing (`select`
/// accepts only filter properties with an inline literal form).
fn required_filter(by: &[FunctionParam], cx: &Cx<'_>) -> TokenStream {
    if by.is_empty() {
        return quote!();
    }
    let terms = by.iter().map(|p| {
        let wire = &p.wire;
        let n = p.name.to_ident();
        let lit = literal(p, &quote!(#n), cx);
        quote!((#wire, #lit))
    });
    quote!(.required_filter(&[#(#terms),*]))
}

/// A bound function: parameters inline in the path, aliases in the query.
fn function(
    name: Ident,
    segment: &str,
    params: &[FunctionParam],
    result: &FunctionResult,
    operation: &str,
    cx: &Cx<'_>,
    path_expr: TokenStream,
) -> (TokenStream, TokenStream) {
    let Cx { rt, client, .. } = cx;
    let client_ref = quote!(&self.#client);
    let decls = params.iter().map(|p| param_decl(p, cx));
    let literal = |p: &FunctionParam, v: &TokenStream| literal(p, v, cx);
    let path = if params.is_empty() {
        // Graph writes parameterless bound functions without parentheses (`…/export`).
        quote!(#path_expr.segment(#segment))
    } else if params.iter().all(|p| !p.optional) {
        let args = params.iter().map(|p| {
            let wire = &p.wire;
            let n = p.name.to_ident();
            let lit = literal(p, &quote!(#n));
            quote!((#wire, #lit))
        });
        quote!(#path_expr.function(#segment, &[#(#args),*]))
    } else {
        let pushes = params.iter().map(|p| {
            let wire = &p.wire;
            let n = p.name.to_ident();
            if p.optional {
                let lit = literal(p, &quote!(value));
                quote! {
                    if let Some(value) = #n {
                        args.push((#wire, #lit));
                    }
                }
            } else {
                let lit = literal(p, &quote!(#n));
                quote!(args.push((#wire, #lit));)
            }
        });
        quote! {{
            let mut args = Vec::new();
            #(#pushes)*
            #path_expr.function(#segment, &args)
        }}
    };
    let (ret, ctor) = match result {
        FunctionResult::Collection(p) => {
            let t = payload_tokens(p, cx);
            (
                quote!(#rt::ListRequest<#t>),
                quote!(#rt::ListRequest::new(#client_ref, #path)),
            )
        }
        FunctionResult::Entity(p) => {
            let t = payload_tokens(p, cx);
            (
                quote!(#rt::FunctionRequest<#t>),
                quote!(#rt::FunctionRequest::entity(#client_ref, #path)),
            )
        }
        FunctionResult::Value(p) => {
            let t = payload_tokens(p, cx);
            (
                quote!(#rt::FunctionRequest<#t>),
                quote!(#rt::FunctionRequest::value(#client_ref, #path)),
            )
        }
    };
    // Alias values go in the query as JSON (URL-32).
    let aliases = params
        .iter()
        .filter(|p| p.literal == LiteralKind::Alias)
        .map(|p| {
            let alias = format!("@{}", p.wire);
            let n = p.name.to_ident();
            let json = quote! {
                ::pim_api::edm::derive_support::serde_json::to_string(value).unwrap_or_default()
            };
            if p.optional {
                quote! {
                    if let Some(value) = #n {
                        request = request.query_param(#alias, #json);
                    }
                }
            } else {
                quote! {
                    let value = #n;
                    request = request.query_param(#alias, #json);
                }
            }
        })
        .collect::<Vec<_>>();
    let body = if aliases.is_empty() {
        quote!(#ctor.operation(#operation))
    } else {
        quote! {
            let mut request = #ctor.operation(#operation);
            #(#aliases)*
            request
        }
    };
    let decls: Vec<TokenStream> = decls.collect();
    (quote!(pub fn #name(&self, #(#decls),*) -> #ret), body)
}

fn params(p: &Params, cx: &Cx<'_>) -> TokenStream {
    let name = p.name.to_ident();
    let doc = docs(&p.docs);
    let dep = deprecated(&p.deprecation);
    let serde = quote!(::pim_api::edm::derive_support::serde);
    let fields = p.fields.iter().map(|f| {
        let n = f.name.to_ident();
        let t = payload_tokens(&f.ty, cx);
        let d = docs(&f.docs);
        if f.required {
            quote!(#d pub #n: #t,)
        } else {
            quote!(#d pub #n: Option<#t>,)
        }
    });
    let required: Vec<_> = p.required().collect();
    let default = required.is_empty().then(|| quote!(, Default));
    let new_params = required.iter().map(|f| {
        let n = f.name.to_ident();
        let t = payload_tokens(&f.ty, cx);
        quote!(#n: impl Into<#t>)
    });
    let inits = p.fields.iter().map(|f| {
        let n = f.name.to_ident();
        if f.required {
            quote!(#n: #n.into(),)
        } else {
            quote!(#n: None,)
        }
    });
    let entries = p.fields.iter().map(|f| {
        let n = f.name.to_ident();
        let wire = &f.wire;
        if f.required {
            quote!(map.serialize_entry(#wire, &self.#n)?;)
        } else {
            quote! {
                if let Some(value) = &self.#n {
                    map.serialize_entry(#wire, value)?;
                }
            }
        }
    });
    let new_doc = if required.is_empty() {
        " Parameters with every optional one left out."
    } else {
        " Parameters with the required ones set and every optional one left out."
    };
    let allow_many = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        #doc
        #dep
        #[allow(deprecated)]
        #[derive(Debug, Clone, PartialEq #default)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        #[allow(deprecated)]
        impl #name {
            #[doc = #new_doc]
            #allow_many
            pub fn new(#(#new_params),*) -> Self {
                Self { #(#inits)* }
            }
        }

        #[allow(deprecated)]
        impl #serde::Serialize for #name {
            fn serialize<S: #serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use #serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(None)?;
                #(#entries)*
                map.end()
            }
        }
    }
}

fn update_trait(t: &UpdateTrait, cx: &Cx<'_>) -> TokenStream {
    let name = t.name.to_ident();
    let models = &cx.models;
    let impls = t.impls.iter().map(|(base, body)| {
        let base = base.to_ident();
        let body = body.to_ident();
        quote!(impl #name<#models::#base> for #models::#body {})
    });
    quote! {
        /// A PATCH body accepted where an entity of type `T` is addressed: the `…Update` body
        /// of `T` or of one of its derived types. Used by the `update` methods of builders
        /// whose entity type is the base of a polymorphic family (policy rules): the derived
        /// bodies write their `@odata.type`, so Graph knows which type is meant.
        pub trait #name<T>: ::pim_api::edm::derive_support::serde::Serialize {}

        #(#[allow(deprecated)] #impls)*
    }
}
