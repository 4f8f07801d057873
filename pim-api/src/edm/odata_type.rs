//! Matching `@odata.type` annotations against qualified type names, for polymorphic decoding.
//!
//! Graph writes the same type in many ways, all of which name `microsoft.graph.userIdentity`:
//!
//! | form | example |
//! | --- | --- |
//! | with `#` (the OData JSON norm) | `#microsoft.graph.userIdentity` |
//! | without `#` | `microsoft.graph.userIdentity` |
//! | alias-qualified | `#graph.userIdentity` |
//! | other casing | `#Microsoft.Graph.UserIdentity` |
//! | `$metadata` URL | `https://graph.microsoft.com/beta/$metadata#microsoft.graph.userIdentity` |
//! | collection | `Collection(microsoft.graph.userIdentity)`, `#Collection(Microsoft.graph.userIdentity)` |
//!
//! [`parse_odata_type`] reduces any of them to namespace (or alias), name and a collection
//! flag; [`odata_type_is`] compares the result with a type's namespace, optional alias and
//! name, ignoring ASCII case (CSDL identifiers are case-sensitive, but Graph's docs and
//! services are not consistent and no two PIM types differ only by case). Text that does not
//! name a type, such as a context URL used by mistake
//! (`…/$metadata#identityGovernance/…/$entity`), yields `None` / `false`.

/// A type name taken apart by [`parse_odata_type`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ODataTypeName<'a> {
    /// The namespace or alias as written, e.g. `microsoft.graph` or `graph`.
    pub namespace: &'a str,
    /// The unqualified type name as written, e.g. `userIdentity`.
    pub name: &'a str,
    /// Whether the tag was `Collection(...)`; `namespace` and `name` are then the element
    /// type's.
    pub collection: bool,
}

/// Takes an `@odata.type` value apart (see the [module docs](self) for the accepted forms).
pub fn parse_odata_type(tag: &str) -> Option<ODataTypeName<'_>> {
    let mut s = tag.trim();
    // `#name` and `…/$metadata#name`: the type follows the last '#'.
    if let Some(hash) = s.rfind('#') {
        s = &s[hash + 1..];
    }
    let mut collection = false;
    const PREFIX: &str = "Collection(";
    if s.get(..PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
    {
        s = s[PREFIX.len()..].strip_suffix(')')?.trim();
        collection = true;
    }
    let (namespace, name) = s.rsplit_once('.')?;
    let valid_identifier =
        |id: &str| !id.is_empty() && id.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !valid_identifier(name) || !namespace.split('.').all(valid_identifier) {
        return None;
    }
    Some(ODataTypeName {
        namespace,
        name,
        collection,
    })
}

/// `(namespace or alias, name)` of an `@odata.type` value; for a collection, of its element
/// type. `None` if the text does not name a qualified type.
pub fn odata_type_name(tag: &str) -> Option<(&str, &str)> {
    parse_odata_type(tag).map(|t| (t.namespace, t.name))
}

/// Whether `tag` names the type `name` of `namespace` (or of its `alias`), in any of the forms
/// in the [module docs](self), ignoring ASCII case. A `Collection(...)` tag matches its element
/// type; use [`parse_odata_type`] where the difference matters.
///
/// ```
/// use pim_api::edm::odata_type_is;
/// let is_rule = |tag| odata_type_is(tag, "microsoft.graph", Some("graph"),
///     "unifiedRoleManagementPolicyExpirationRule");
/// assert!(is_rule("#microsoft.graph.unifiedRoleManagementPolicyExpirationRule"));
/// assert!(is_rule("#graph.unifiedRoleManagementPolicyExpirationRule"));
/// assert!(!is_rule("#microsoft.graph.unifiedRoleManagementPolicyApprovalRule"));
/// ```
pub fn odata_type_is(tag: &str, namespace: &str, alias: Option<&str>, name: &str) -> bool {
    parse_odata_type(tag).is_some_and(|t| {
        t.name.eq_ignore_ascii_case(name)
            && (t.namespace.eq_ignore_ascii_case(namespace)
                || alias.is_some_and(|a| t.namespace.eq_ignore_ascii_case(a)))
    })
}
