//! One function per kind of IR item, each a `quote!` template of the generated code.
//!
//! Generated code names runtime items through three imports at the top of each file, written
//! only when used: `edm` (`::pim_api::edm`: wire types, `Patch`, `Flags`, `OpenEnum`), `rt`
//! (`::pim_api::edm::derive_support`: the serde glue) and `serde` (re-exported by `rt`, so a
//! crate using the generated code needs no serde dependency of its own). Prelude names
//! (`Option`, `String`, `Vec`, `Box`, `Result`) are used bare: the naming rules guarantee that
//! no generated type shadows them.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::ir::{
    Alias, Deprecation, EdmType, Enum, Field, Item, Polymorphic, Shape, Struct, TypeExpr, Update,
};

/// Which file-level imports the emitted items use.
#[derive(Debug, Default)]
pub struct Uses {
    /// `use ::pim_api::edm;`
    pub edm: bool,
    /// `use ::pim_api::edm::derive_support as rt;`
    pub rt: bool,
    /// `use ::pim_api::edm::derive_support::serde;`
    pub serde: bool,
    /// Generated items named by the file's items (to know whether the file needs the other
    /// files' items: `use super::*`).
    pub names: std::collections::BTreeSet<String>,
}

/// The tokens of one item.
pub fn item(item: &Item, uses: &mut Uses) -> TokenStream {
    match item {
        Item::Struct(s) => structure(s, uses),
        Item::Update(u) => update(u, uses),
        Item::Polymorphic(p) => polymorphic(p, uses),
        Item::Enum(e) => enumeration(e, uses),
        Item::Alias(a) => alias(a, uses),
    }
}

/// `#[doc = "…"]` attributes: paragraphs separated by empty lines.
pub(crate) fn docs(paragraphs: &[String]) -> TokenStream {
    let mut lines: Vec<String> = Vec::new();
    for (i, p) in paragraphs.iter().enumerate() {
        if i > 0 {
            lines.push(String::new());
        }
        lines.push(format!(" {p}"));
    }
    let lines = lines
        .iter()
        .map(|l| if l.is_empty() { "" } else { l.as_str() });
    quote! { #(#[doc = #lines])* }
}

fn deprecated(d: &Option<Deprecation>) -> TokenStream {
    match d {
        None => quote!(),
        Some(Deprecation {
            since: Some(since),
            note,
        }) => quote!(#[deprecated(since = #since, note = #note)]),
        Some(Deprecation { since: None, note }) => quote!(#[deprecated(note = #note)]),
    }
}

/// The Rust type of a value, before wrapping.
fn type_tokens(t: &TypeExpr, uses: &mut Uses) -> TokenStream {
    let edm = |uses: &mut Uses, ts: TokenStream| {
        uses.edm = true;
        ts
    };
    match t {
        TypeExpr::Edm(e) => match e {
            EdmType::String => quote!(String),
            EdmType::Boolean => quote!(bool),
            EdmType::Byte => quote!(u8),
            EdmType::SByte => quote!(i8),
            EdmType::Int16 => quote!(i16),
            EdmType::Int32 => quote!(i32),
            EdmType::Int64 => edm(uses, quote!(edm::Int64)),
            EdmType::Decimal => edm(uses, quote!(edm::Decimal)),
            EdmType::Double => edm(uses, quote!(edm::Double)),
            EdmType::Single => edm(uses, quote!(edm::Single)),
            EdmType::DateTimeOffset => edm(uses, quote!(edm::DateTimeOffset)),
            EdmType::Date => edm(uses, quote!(edm::Date)),
            EdmType::TimeOfDay => edm(uses, quote!(edm::TimeOfDay)),
            EdmType::Duration => edm(uses, quote!(edm::Duration)),
            EdmType::Guid => edm(uses, quote!(edm::Guid)),
            EdmType::Binary => edm(uses, quote!(edm::Binary)),
        },
        TypeExpr::Named(n) => {
            uses.names.insert(n.ident.clone());
            let n = n.to_ident();
            quote!(#n)
        }
        TypeExpr::Flags(n) => {
            uses.edm = true;
            uses.names.insert(n.ident.clone());
            let n = n.to_ident();
            quote!(edm::Flags<#n>)
        }
        TypeExpr::Json => {
            uses.rt = true;
            quote!(rt::serde_json::Value)
        }
    }
}

/// The value type of a field: the item type in `Box` or `Vec` as its shape says.
fn value_tokens(f: &Field, uses: &mut Uses) -> TokenStream {
    let t = type_tokens(&f.ty, uses);
    match f.shape {
        Shape::Single { boxed: true } => quote!(Box<#t>),
        Shape::Single { boxed: false } => t,
        Shape::Collection {
            nullable_items: true,
        } => quote!(Vec<Option<#t>>),
        Shape::Collection {
            nullable_items: false,
        } => quote!(Vec<#t>),
    }
}

fn u16_literal(i: usize) -> Literal {
    // u16::MAX is the runtime's "unknown member" marker (`derive_support::FieldSeed`).
    let i = u16::try_from(i)
        .ok()
        .filter(|i| *i < u16::MAX)
        .expect("fewer than 65535 fields");
    Literal::u16_unsuffixed(i)
}

/// The `Serialize`/`Deserialize` impls shared by structs and update bodies.
fn serde_impls(name: &proc_macro2::Ident, odata_type: Option<&str>) -> TokenStream {
    let odata_type = match odata_type {
        Some(t) => quote!(Some(#t)),
        None => quote!(None),
    };
    quote! {
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                rt::serialize_model(self, serializer, #odata_type)
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                rt::deserialize_model(deserializer)
            }
        }
    }
}

/// The parts of an `rt::Model` impl that differ between structs and update bodies.
struct ModelImpl {
    name: proc_macro2::Ident,
    wires: Vec<String>,
    empty: TokenStream,
    /// Whether the arms and statements use a local `nulls` (the struct's `explicit_nulls`),
    /// bound once so each line stays short.
    nulls: bool,
    decode_arms: Vec<TokenStream>,
    encode_stmts: Vec<TokenStream>,
}

fn model_impl(m: ModelImpl) -> TokenStream {
    let ModelImpl {
        name,
        wires,
        empty,
        nulls,
        decode_arms,
        encode_stmts,
    } = m;
    let (decode_nulls, encode_nulls) = if nulls && !decode_arms.is_empty() {
        (
            quote!(let nulls = &mut self.explicit_nulls;),
            quote!(let nulls = &self.explicit_nulls;),
        )
    } else {
        (quote!(), quote!())
    };
    let index_arms = wires.iter().enumerate().map(|(i, w)| {
        let i = u16_literal(i);
        quote!(#w => Some(#i),)
    });
    let field_index = if wires.is_empty() {
        quote!(let _ = key; None)
    } else {
        quote!(match key { #(#index_arms)* _ => None })
    };
    // `field_index` only gives indices of fields, so the last arm is never taken; it
    // skips the value rather than panicking all the same.
    let decode = if decode_arms.is_empty() {
        quote!(let _ = index; map.next_value::<serde::de::IgnoredAny>().map(|_| ()))
    } else {
        quote! {
            #decode_nulls
            match index {
                #(#decode_arms)*
                _ => map.next_value::<serde::de::IgnoredAny>().map(|_| ()),
            }
        }
    };
    let map_param = if encode_stmts.is_empty() {
        quote!(_map)
    } else {
        quote!(map)
    };
    quote! {
        impl rt::Model for #name {
            const FIELDS: &'static [&'static str] = &[#(#wires),*];

            #[inline]
            fn empty() -> Self {
                #empty
            }

            #[inline]
            fn field_index(key: &str) -> Option<u16> {
                #field_index
            }

            #[inline]
            fn decode_known<'de, A: serde::de::MapAccess<'de>>(
                &mut self,
                index: u16,
                map: &mut A,
            ) -> Result<(), A::Error> {
                #decode
            }

            fn encode_fields<M: serde::ser::SerializeMap>(&self, #map_param: &mut M) -> Result<(), M::Error> {
                #encode_nulls
                #(#encode_stmts)*
                Ok(())
            }

            fn additional_properties(&self) -> &edm::AdditionalProperties {
                &self.additional_properties
            }

            fn additional_properties_mut(&mut self) -> &mut edm::AdditionalProperties {
                &mut self.additional_properties
            }
        }
    }
}

fn structure(s: &Struct, uses: &mut Uses) -> TokenStream {
    uses.edm = true;
    uses.rt = true;
    uses.serde = true;
    let name = s.name.to_ident();
    let type_docs = docs(&s.docs);
    let type_deprecated = deprecated(&s.deprecation);
    let default = s.has_default.then(|| quote!(, Default));
    let mut fields = Vec::new();
    let mut decode_arms = Vec::new();
    let mut encode_stmts = Vec::new();
    for (i, f) in s.fields.iter().enumerate() {
        let ident = f.name.to_ident();
        let value = value_tokens(f, uses);
        let field_docs = docs(&f.docs);
        let field_deprecated = deprecated(&f.deprecation);
        fields.push(quote! {
            #field_docs
            #field_deprecated
            pub #ident: Option<#value>,
        });
        let wire = &f.wire;
        let index = u16_literal(i);
        decode_arms.push(quote! {
            #index => rt::field(map, &mut self.#ident, nulls, #index),
        });
        encode_stmts.push(quote! {
            rt::put(map, #wire, &self.#ident, nulls, #index)?;
        });
    }

    // `new`: the required fields as arguments (`impl Into<T>`, so `&str` works for strings).
    let required: Vec<&Field> = s.required().collect();
    let params = required.iter().map(|f| {
        let ident = f.name.to_ident();
        let t = type_tokens(&f.ty, uses);
        quote!(#ident: impl Into<#t>)
    });
    // Struct update syntax rather than a local: a local would clash with a parameter (a
    // required property) of the same name.
    let assigns = required.iter().map(|f| {
        let ident = f.name.to_ident();
        match f.shape {
            Shape::Single { boxed: true } => quote!(#ident: Some(Box::new(#ident.into())),),
            _ => quote!(#ident: Some(#ident.into()),),
        }
    });
    let new_docs = if required.is_empty() {
        docs(&["A value with every property absent; assign the fields you need.".to_owned()])
    } else {
        let list: Vec<String> = required.iter().map(|f| format!("`{}`", f.wire)).collect();
        docs(&[
            format!(
                "A value with the properties the schema requires ({}); assign the optional \
                 fields afterwards.",
                list.join(", ")
            ),
            "Required means non-nullable and not computed; keys are left to the service."
                .to_owned(),
        ])
    };
    let new_fn = if required.is_empty() {
        quote! {
            #new_docs
            pub fn new() -> Self {
                Self::default()
            }
        }
    } else {
        quote! {
            #new_docs
            pub fn new(#(#params),*) -> Self {
                Self {
                    #(#assigns)*
                    ..<Self as rt::Model>::empty()
                }
            }
        }
    };
    let empty = if s.has_default {
        quote!(Self::default())
    } else {
        let nones = s.fields.iter().map(|f| {
            let ident = f.name.to_ident();
            quote!(#ident: None,)
        });
        quote! {
            Self {
                #(#nones)*
                additional_properties: edm::AdditionalProperties::new(),
                explicit_nulls: Default::default(),
            }
        }
    };
    // A `u64` bit set covers 64 fields; wider structs (rare) need the spilling set.
    let nulls_type = if s.fields.len() <= 64 {
        quote!(rt::Nulls)
    } else {
        quote!(rt::WideNulls)
    };
    let tag = s.odata.tag();
    let model = model_impl(ModelImpl {
        name: name.clone(),
        wires: s.fields.iter().map(|f| f.wire.clone()).collect(),
        empty,
        nulls: true,
        decode_arms,
        encode_stmts,
    });
    let serde_impls = serde_impls(&name, None);
    quote! {
        #type_docs
        #type_deprecated
        #[derive(Debug, Clone, PartialEq #default)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            /// Members without a field: properties newer than the pinned schema, misspelled
            /// keys, and instance annotations (`@odata.type`, `@odata.etag`, `<name>@odata.context`, …).
            /// Written back on encode (annotations first); a key naming a declared property is
            /// ignored there, the field wins.
            pub additional_properties: edm::AdditionalProperties,
            /// Which fields were `null` (not absent) in the decoded JSON, so encoding writes
            /// `null` back exactly there.
            explicit_nulls: #nulls_type,
        }

        impl #name {
            /// The `@odata.type` value that names this type.
            pub const ODATA_TYPE: &'static str = #tag;

            #new_fn
        }

        #model

        #serde_impls
    }
}

fn update(u: &Update, uses: &mut Uses) -> TokenStream {
    uses.edm = true;
    uses.rt = true;
    uses.serde = true;
    uses.names.insert(u.of.ident.clone());
    let name = u.name.to_ident();
    let type_docs = docs(&u.docs);
    let type_deprecated = deprecated(&u.deprecation);
    let mut fields = Vec::new();
    let mut decode_arms = Vec::new();
    let mut encode_stmts = Vec::new();
    for (i, f) in u.fields.iter().enumerate() {
        let ident = f.name.to_ident();
        let index = u16_literal(i);
        let value = value_tokens(f, uses);
        let field_docs = docs(&f.docs);
        let field_deprecated = deprecated(&f.deprecation);
        fields.push(quote! {
            #field_docs
            #field_deprecated
            pub #ident: edm::Patch<#value>,
        });
        let wire = &f.wire;
        decode_arms.push(quote! {
            #index => rt::patch_field(map, &mut self.#ident),
        });
        encode_stmts.push(quote! {
            rt::put_patch(map, #wire, &self.#ident)?;
        });
    }
    let model = model_impl(ModelImpl {
        name: name.clone(),
        wires: u.fields.iter().map(|f| f.wire.clone()).collect(),
        empty: quote!(Self::default()),
        nulls: false,
        decode_arms,
        encode_stmts,
    });
    let serde_impls = serde_impls(&name, u.odata_type.as_deref());
    quote! {
        #type_docs
        #type_deprecated
        #[derive(Debug, Clone, PartialEq, Default)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            /// Members to send that have no field (e.g. a property newer than the pinned
            /// schema); `@…` annotations are written first.
            pub additional_properties: edm::AdditionalProperties,
        }

        impl #name {
            /// An empty body: every property absent (unchanged).
            pub fn new() -> Self {
                Self::default()
            }
        }

        #model

        #serde_impls
    }
}

fn polymorphic(p: &Polymorphic, uses: &mut Uses) -> TokenStream {
    uses.edm = true;
    uses.rt = true;
    uses.serde = true;
    let name = p.name.to_ident();
    let type_docs = docs(&p.docs);
    uses.names
        .extend(p.variants.iter().map(|v| v.ty.ident.clone()));
    let variants: Vec<(proc_macro2::Ident, proc_macro2::Ident)> = p
        .variants
        .iter()
        .map(|v| (v.name.to_ident(), v.ty.to_ident()))
        .collect();
    let declarations = p.variants.iter().enumerate().map(|(i, v)| {
        let (vname, ty) = (v.name.to_ident(), v.ty.to_ident());
        let d = if i == 0 {
            docs(&[format!(
                "`{}` itself, or a derived type this version does not know (its \
                 `@odata.type` and properties are then in `additional_properties`).",
                v.odata.qualified()
            )])
        } else {
            docs(&[format!("`{}`.", v.odata.qualified())])
        };
        quote! { #d #vname(#ty), }
    });
    let type_names = p.variants.iter().map(|v| {
        let ns = &v.odata.namespace;
        let n = &v.odata.name;
        let alias = match &v.odata.alias {
            Some(a) => quote!(Some(#a)),
            None => quote!(None),
        };
        quote!(rt::TypeName { namespace: #ns, alias: #alias, name: #n })
    });
    let odata_arms = variants
        .iter()
        .map(|(v, t)| quote!(Self::#v(_) => #t::ODATA_TYPE,));
    let extras_arms = variants
        .iter()
        .map(|(v, _)| quote!(Self::#v(value) => &value.additional_properties,));
    let extras_mut_arms = variants
        .iter()
        .map(|(v, _)| quote!(Self::#v(value) => &mut value.additional_properties,));
    let decode_arms = variants
        .iter()
        .map(|(v, _)| quote!(Self::#v(value) => rt::Model::decode_field(value, key, map),));
    let empty_arms = variants.iter().enumerate().skip(1).map(|(i, (v, _))| {
        let i = Literal::usize_unsuffixed(i);
        quote!(#i => Self::#v(rt::Model::empty()),)
    });
    let (base, _) = &variants[0];
    let serialize_arms = variants.iter().enumerate().map(|(i, (v, t))| {
        if i == 0 {
            quote!(Self::#v(value) => rt::serialize_model(value, serializer, None),)
        } else {
            quote!(Self::#v(value) => rt::serialize_model(value, serializer, Some(#t::ODATA_TYPE)),)
        }
    });
    let froms = variants.iter().map(|(v, t)| {
        quote! {
            impl From<#t> for #name {
                fn from(value: #t) -> Self {
                    Self::#v(value)
                }
            }
        }
    });
    quote! {
        #type_docs
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#declarations)*
        }

        impl #name {
            /// The `@odata.type` naming the variant's type (`#namespace.name`).
            pub fn odata_type(&self) -> &'static str {
                match self {
                    #(#odata_arms)*
                }
            }

            /// The additional properties of the value, whatever its variant.
            pub fn additional_properties(&self) -> &edm::AdditionalProperties {
                match self {
                    #(#extras_arms)*
                }
            }
        }

        #(#froms)*

        impl rt::Polymorphic for #name {
            const TYPES: &'static [rt::TypeName] = &[#(#type_names),*];

            fn empty_variant(index: usize) -> Self {
                match index {
                    #(#empty_arms)*
                    _ => Self::#base(rt::Model::empty()),
                }
            }

            fn decode_field<'de, A: serde::de::MapAccess<'de>>(
                &mut self,
                key: rt::Key<'de>,
                map: &mut A,
            ) -> Result<(), A::Error> {
                match self {
                    #(#decode_arms)*
                }
            }

            fn additional_properties_mut(&mut self) -> &mut edm::AdditionalProperties {
                match self {
                    #(#extras_mut_arms)*
                }
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#serialize_arms)*
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                rt::deserialize_polymorphic(deserializer)
            }
        }
    }
}

fn enumeration(e: &Enum, uses: &mut Uses) -> TokenStream {
    uses.edm = true;
    uses.serde = true;
    let name = e.name.to_ident();
    let type_docs = docs(&e.docs);
    let type_deprecated = deprecated(&e.deprecation);
    let unknown = e.unknown.to_ident();
    let variants = e.members.iter().map(|m| {
        let v = m.name.to_ident();
        let d = docs(&m.docs);
        let dep = deprecated(&m.deprecation);
        quote!(#d #dep #v,)
    });
    let wires = e.members.iter().map(|m| &m.wire);
    let from_arms = e.members.iter().enumerate().map(|(i, m)| {
        let v = m.name.to_ident();
        let i = Literal::usize_unsuffixed(i);
        quote!(#i => Self::#v,)
    });
    let index_arms = e.members.iter().enumerate().map(|(i, m)| {
        let v = m.name.to_ident();
        let i = Literal::usize_unsuffixed(i);
        quote!(Self::#v => Some(#i),)
    });
    let unknown_str = if e.members.is_empty() {
        quote!(match self { Self::#unknown(raw) => Some(raw.as_str()) })
    } else {
        quote!(match self { Self::#unknown(raw) => Some(raw.as_str()), _ => None })
    };
    let from_member_index = if e.members.is_empty() {
        quote!(let _ = index; Self::#unknown(String::new()))
    } else {
        quote!(match index { #(#from_arms)* _ => Self::#unknown(String::new()) })
    };
    quote! {
        #type_docs
        #type_deprecated
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the schema does not list, kept verbatim.
            #unknown(String),
        }

        impl edm::OpenEnum for #name {
            const MEMBERS: &'static [&'static str] = &[#(#wires),*];

            fn from_member_index(index: usize) -> Self {
                #from_member_index
            }

            fn member_index(&self) -> Option<usize> {
                match self {
                    #(#index_arms)*
                    Self::#unknown(_) => None,
                }
            }

            fn unknown(raw: String) -> Self {
                Self::#unknown(raw)
            }

            fn unknown_str(&self) -> Option<&str> {
                #unknown_str
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                edm::serialize_open_enum(self, serializer)
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                edm::deserialize_open_enum(deserializer)
            }
        }

        impl ::core::fmt::Display for #name {
            /// The wire form: the schema's spelling, or the unknown value verbatim.
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(edm::open_enum_as_str(self))
            }
        }

        impl ::core::str::FromStr for #name {
            type Err = ::core::convert::Infallible;

            /// Never fails: an unknown name becomes the unknown variant.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(edm::parse_open_enum(s))
            }
        }
    }
}

fn alias(a: &Alias, uses: &mut Uses) -> TokenStream {
    let name = a.name.to_ident();
    let d = docs(&a.docs);
    let dep = deprecated(&a.deprecation);
    let t = type_tokens(&a.ty, uses);
    quote! {
        #d
        #dep
        pub type #name = #t;
    }
}
