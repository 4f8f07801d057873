//! `@odata.type` matching in every form Graph sends.

use pim_api::edm::{ODataTypeName, odata_type_is, odata_type_name, parse_odata_type};

const NS: &str = "microsoft.graph";
const ALIAS: Option<&str> = Some("graph");

fn is_user_identity(tag: &str) -> bool {
    odata_type_is(tag, NS, ALIAS, "userIdentity")
}

#[test]
fn with_and_without_hash() {
    assert!(is_user_identity("#microsoft.graph.userIdentity"));
    assert!(is_user_identity("microsoft.graph.userIdentity"));
    assert_eq!(
        odata_type_name("#microsoft.graph.userIdentity"),
        Some(("microsoft.graph", "userIdentity"))
    );
}

#[test]
fn alias_qualified() {
    assert!(is_user_identity("#graph.userIdentity"));
    assert!(is_user_identity("graph.userIdentity"));
    assert!(!odata_type_is(
        "#graph.userIdentity",
        NS,
        None,
        "userIdentity"
    ));
    assert_eq!(
        odata_type_name("#graph.userIdentity"),
        Some(("graph", "userIdentity"))
    );
}

#[test]
fn any_casing() {
    assert!(is_user_identity("#Microsoft.Graph.UserIdentity"));
    assert!(is_user_identity("MICROSOFT.GRAPH.USERIDENTITY"));
    assert!(is_user_identity("#GRAPH.useridentity"));
}

#[test]
fn metadata_url() {
    let tag = "https://graph.microsoft.com/beta/$metadata#microsoft.graph.userIdentity";
    assert!(is_user_identity(tag));
    assert_eq!(
        odata_type_name(tag),
        Some(("microsoft.graph", "userIdentity"))
    );
    // A context URL used as a type (seen in the docs) names no type.
    let context = "https://graph.microsoft.com/beta/$metadata#identityGovernance/privilegedAccess/group/assignmentScheduleRequests/$entity";
    assert_eq!(parse_odata_type(context), None);
    assert!(!is_user_identity(context));
}

#[test]
fn collection_forms() {
    for tag in [
        "Collection(microsoft.graph.userIdentity)",
        "#Collection(microsoft.graph.userIdentity)",
        "Collection(Microsoft.graph.userIdentity)",
        "collection(graph.userIdentity)",
        "https://graph.microsoft.com/beta/$metadata#Collection(microsoft.graph.userIdentity)",
    ] {
        assert!(is_user_identity(tag), "{tag}");
        assert!(parse_odata_type(tag).unwrap().collection, "{tag}");
    }
    assert_eq!(
        parse_odata_type("Collection(Microsoft.graph.unifiedRoleAssignmentSchedule)"),
        Some(ODataTypeName {
            namespace: "Microsoft.graph",
            name: "unifiedRoleAssignmentSchedule",
            collection: true,
        })
    );
    assert!(
        !parse_odata_type("#microsoft.graph.userIdentity")
            .unwrap()
            .collection
    );
}

#[test]
fn other_types_and_garbage_do_not_match() {
    assert!(!is_user_identity("#microsoft.graph.user"));
    assert!(!is_user_identity("#microsoft.graph.userIdentityX"));
    assert!(!is_user_identity("#microsoft.graphx.userIdentity"));
    assert!(!is_user_identity("#other.userIdentity"));
    for bad in [
        "",
        "#",
        "userIdentity",
        "#userIdentity",
        ".userIdentity",
        "microsoft.graph.",
        "microsoft..graph.userIdentity",
        "Collection(microsoft.graph.userIdentity",
        "Collection()",
        "Collection(",
        "#microsoft.graph.user Identity",
        "é",
        "Collectioné",
    ] {
        assert_eq!(parse_odata_type(bad), None, "{bad:?}");
        assert!(!is_user_identity(bad), "{bad:?}");
    }
}

#[test]
fn policy_rules_dispatch() {
    let rules = [
        "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
        "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
        "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule",
    ];
    let hits: Vec<_> = rules
        .iter()
        .filter(|t| odata_type_is(t, NS, ALIAS, "unifiedRoleManagementPolicyExpirationRule"))
        .collect();
    assert_eq!(hits.len(), 1);
}
