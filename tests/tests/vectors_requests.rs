//! Every request of the Graph docs vectors (`shared/vectors/beta/*.json`) reproduced through
//! the generated builders against a loopback server.
//!
//! For each example the table below names the builder call a user would write for it. The
//! test serves the documented response, makes the call, and checks:
//! - the method, the path (segments compared percent-decoded) and the query (pairs compared
//!   decoded, in any order) the server received are the documented ones;
//! - the body is JSON-equal to the documented body (bodies are built by decoding the
//!   documented JSON into the typed model, as a caller holding such a value would send it);
//! - the documented response decodes into the call's typed result, and re-encodes to the
//!   same JSON (the models are lossless).
//!
//! The docs' URLs are untidy, so they are normalized before comparing — and each
//! normalization is named in the output: unencoded spaces and `+` for spaces in the query,
//! `filter=` without `$` (a system query option; the builders always write `$filter`), a
//! trailing `/`, and one capitalized static segment (`RoleAssignmentScheduleRequests`; Graph
//! matches segment names case-insensitively). `{placeholder}` ids are passed to the builders
//! verbatim, so they round-trip like any other id. In bodies, enum members compare ignoring
//! ASCII case (only strings that are members of a schema enum): the docs write
//! `NoExpiration`, `AdminAssign`, `Direct`, the models write the schema's spelling, and Graph
//! reads either.
//!
//! Examples that cannot pass are in the table too, with the reason, and are asserted to
//! still fail: when the docs get fixed, the test says so. The vectors live outside the
//! repository (`<workspace>/../shared/vectors`); without them the test prints why and passes.

// PIM iteration 2 is deprecated in the schema; its vectors are reproduced like the others.
#![allow(deprecated)]

use std::collections::HashSet;
use std::path::PathBuf;

use futures::future::BoxFuture;
use pim_api::models::*;
#[cfg(feature = "iteration2")]
use pim_api::requests::{RegisterParams, UpdateRequestParams};
use pim_api::runtime::{
    ActionRequest, Client, CreateRequest, GetRequest, ListRequest, StaticToken, UpdateRequest,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors/beta")
}

/// What a call decoded, re-encoded as JSON for comparison with the documented response.
#[derive(Debug)]
enum Decoded {
    /// No content (or a body the operation ignores, such as PATCH's).
    Nothing,
    /// A single value.
    One(Value),
    /// The items of a page.
    Items(Vec<Value>),
}

type Call = BoxFuture<'static, Result<Decoded, String>>;

fn encode<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("typed values encode")
}

fn list<T: Serialize + DeserializeOwned + Send + 'static>(r: ListRequest<T>) -> Call {
    Box::pin(async move {
        let page = r.await.map_err(|e| format!("{e}"))?;
        Ok(Decoded::Items(page.value.iter().map(encode).collect()))
    })
}

fn get<T: Serialize + DeserializeOwned + Send + 'static>(r: GetRequest<T>) -> Call {
    Box::pin(async move { Ok(Decoded::One(encode(&r.await.map_err(|e| format!("{e}"))?))) })
}

fn create<T: Serialize + DeserializeOwned + Send + 'static>(r: CreateRequest<T>) -> Call {
    Box::pin(async move { Ok(Decoded::One(encode(&r.await.map_err(|e| format!("{e}"))?))) })
}

fn update(r: UpdateRequest) -> Call {
    Box::pin(async move {
        r.await.map_err(|e| format!("{e}"))?;
        Ok(Decoded::Nothing)
    })
}

fn action<R: Serialize + DeserializeOwned + Send + 'static>(r: ActionRequest<R>) -> Call {
    Box::pin(async move {
        let v = encode(&r.await.map_err(|e| format!("{e}"))?);
        Ok(if v.is_null() {
            Decoded::Nothing
        } else {
            Decoded::One(v)
        })
    })
}

/// The documented request body as the typed value a caller would send.
fn typed<T: DeserializeOwned>(body: Option<&Value>) -> T {
    let body = body.cloned().expect("the example has a JSON body");
    serde_json::from_value(body).unwrap_or_else(|e| panic!("the documented body decodes: {e}"))
}

/// Normalizations one example needs beyond the general ones.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fix {
    None,
    /// The docs capitalize a static segment (`RoleAssignmentScheduleRequests`).
    SegmentCase,
}

/// Whether the example is expected to pass, or why it cannot.
#[derive(Debug, Clone, Copy)]
enum Expect {
    Pass,
    Fails(&'static str),
}

impl Expect {
    /// What the error of a failing example must say, so it keeps failing for its reason.
    fn marker(reason: &str) -> &'static str {
        if reason.contains("filter the service requires") {
            "query"
        } else if reason.contains("request body") {
            "request body is not JSON"
        } else if reason.contains("wrap") {
            "wrapped in"
        } else {
            "response does not decode"
        }
    }
}

struct Case {
    file: &'static str,
    index: usize,
    fix: Fix,
    expect: Expect,
    call: fn(&Client, Option<&Value>) -> Call,
}

const NOT_JSON: &str = "the documented response is not JSON (trailing comma), so it cannot decode";
const UNFILTERED: &str = "the documented request lists without the `groupId` or `principalId` \
     filter the service requires; the bindings always send one, so the query differs";
#[cfg(feature = "iteration2")]
const CUT: &str = "the documented response is cut with `...`, so it is not JSON and cannot decode";

#[cfg(feature = "iteration2")]
const PA: &str = "azureResources";
#[cfg(feature = "iteration2")]
const RESOURCE: &str = "e5e7d29d-5465-45ac-885f-4716a5ee74b5";
const GROUP_ID: &str = "2b5ed229-4072-478d-9504-a047ebd4b07d";
const PRINCIPAL: &str = "3cce9d87-3986-4f19-8335-7ed075408ca2";

fn group(c: &Client) -> pim_api::requests::PrivilegedAccessGroupBuilder {
    c.identity_governance().privileged_access().group()
}

fn directory(c: &Client) -> pim_api::requests::RbacApplicationBuilder {
    c.role_management().directory()
}

/// One entry per example of every vector file (PIM iteration 2's only with its feature).
fn cases() -> Vec<Case> {
    #[cfg_attr(not(feature = "iteration2"), allow(unused_mut))]
    let mut cases = iteration3_cases();
    #[cfg(feature = "iteration2")]
    cases.extend(iteration2_cases());
    cases
}

/// Whether a vector file documents PIM iteration 2 (`/privilegedAccess`), whose bindings
/// exist only with the `iteration2` feature.
fn is_iteration2(file: &str) -> bool {
    file.starts_with("governance")
}

fn iteration3_cases() -> Vec<Case> {
    use Expect::*;
    use Fix::None as Plain;
    let case = |file, index, expect, call| Case {
        file,
        index,
        fix: Plain,
        expect,
        call,
    };
    vec![
        // ---- PIM iteration 3: policies ----
        case(
            "policyroot-list-rolemanagementpolicies.json",
            0,
            Pass,
            |c, _| {
                list(
                    c.policies()
                        .role_management_policies()
                        .list_by_scope_id_and_scope_type("/", "DirectoryRole"),
                )
            },
        ),
        case(
            "policyroot-list-rolemanagementpolicies.json",
            1,
            Pass,
            |c, _| {
                list(
                    c.policies()
                        .role_management_policies()
                        .list_by_scope_id_and_scope_type(
                            "60bba733-f09d-49b7-8445-32369aa066b3",
                            "Group",
                        )
                        .expand(["rules($select=id)"]),
                )
            },
        ),
        case(
            "unifiedrolemanagementpolicy-list-effectiverules.json",
            0,
            Pass,
            |c, _| {
                list(
                    c.policies()
                        .role_management_policies()
                        .by_id("ba9cc2d6-c2d6-ba9c-d6c2-9cbad6c29cba")
                        .effective_rules()
                        .list(),
                )
            },
        ),
        case(
            "unifiedrolemanagementpolicy-list-rules.json",
            0,
            Pass,
            |c, _| {
                list(
                c.policies()
                    .role_management_policies()
                    .by_id("DirectoryRole_cab01047-8ad9-4792-8e42-569340767f1b_70c808b5-0d35-4863-a0ba-07888e99d448")
                    .rules()
                    .list(),
            )
            },
        ),
        case(
            "unifiedrolemanagementpolicy-list-rules.json",
            1,
            Pass,
            |c, _| {
                list(
                c.policies()
                    .role_management_policies()
                    .by_id("Group_60bba733-f09d-49b7-8445-32369aa066b3_f21b26d9-9ff9-4af1-b1d4-bddf28591369")
                    .rules()
                    .list(),
            )
            },
        ),
        case(
            "unifiedrolemanagementpolicy-update.json",
            0,
            Pass,
            |c, body| {
                update(
                c.policies()
                    .role_management_policies()
                    .by_id("DirectoryRole_2132228a-d66e-401c-ab8a-a8ae31254a36_0f8c4bbc-4f1a-421c-b63d-a68f571b7fab")
                    .update(&typed::<UnifiedRoleManagementPolicyUpdate>(body)),
            )
            },
        ),
        case(
            "unifiedrolemanagementpolicy-update.json",
            1,
            Pass,
            |c, body| {
                update(
                c.policies()
                    .role_management_policies()
                    .by_id("Group_60bba733-f09d-49b7-8445-32369aa066b3_f21b26d9-9ff9-4af1-b1d4-bddf28591369")
                    .update(&typed::<UnifiedRoleManagementPolicyUpdate>(body)),
            )
            },
        ),
        case(
            "unifiedrolemanagementpolicyassignment-get.json",
            0,
            Pass,
            |c, _| {
                get(c
                .policies()
                .role_management_policy_assignments()
                .by_id("DirectoryRole_19356be4-7e93-4ed6-a7c6-0ae28454d125_13b24d89-6e5a-46d5-b0d7-531c0846570a_29232cdf-9323-42fd-ade2-1d097af3e4de")
                .get())
            },
        ),
        case(
            "unifiedrolemanagementpolicyassignment-get.json",
            1,
            Pass,
            |c, _| {
                get(c
                .policies()
                .role_management_policy_assignments()
                .by_id("Group_60bba733-f09d-49b7-8445-32369aa066b3_f21b26d9-9ff9-4af1-b1d4-bddf28591369_member")
                .get())
            },
        ),
        case(
            "unifiedrolemanagementpolicyrule-update.json",
            0,
            Pass,
            |c, body| {
                // The docs leave the ids as placeholders; they are ids like any other.
                update(
                    c.policies()
                        .role_management_policies()
                        .by_id("{unifiedRoleManagementPolicyId}")
                        .rules()
                        .by_id("{unifiedRoleManagementPolicyRuleId}")
                        .update(&typed::<UnifiedRoleManagementPolicyApprovalRuleUpdate>(
                            body,
                        )),
                )
            },
        ),
        // ---- PIM iteration 3: PIM for groups ----
        case(
            "privilegedaccessgroup-list-assignmentscheduleinstances.json",
            0,
            Pass,
            |c, _| {
                list(
                    group(c)
                        .assignment_schedule_instances()
                        .list_by_group_id(GROUP_ID),
                )
            },
        ),
        case(
            "privilegedaccessgroup-list-assignmentschedulerequests.json",
            0,
            Pass,
            |c, _| {
                list(
                    group(c)
                        .assignment_schedule_requests()
                        .list_by_group_id(GROUP_ID)
                        .filter(format!("principalId eq '{PRINCIPAL}'")),
                )
            },
        ),
        case(
            "privilegedaccessgroup-list-assignmentschedules.json",
            0,
            Pass,
            |c, _| {
                list(
                    group(c)
                        .assignment_schedules()
                        .list_by_principal_id(PRINCIPAL),
                )
            },
        ),
        case(
            "privilegedaccessgroup-list-eligibilityscheduleinstances.json",
            0,
            Fails(NOT_JSON),
            |c, _| {
                list(
                    group(c)
                        .eligibility_schedule_instances()
                        .list_by_group_id(GROUP_ID),
                )
            },
        ),
        case(
            "privilegedaccessgroup-list-eligibilityschedulerequests.json",
            0,
            Fails(UNFILTERED),
            |c, _| {
                list(
                    group(c)
                        .eligibility_schedule_requests()
                        .list_by_group_id(GROUP_ID),
                )
            },
        ),
        case(
            "privilegedaccessgroup-list-eligibilityschedulerequests.json",
            1,
            Fails(UNFILTERED),
            |c, _| {
                list(
                    group(c)
                        .eligibility_schedule_requests()
                        .list_by_group_id(GROUP_ID)
                        .select(["principalId", "action", "groupId"]),
                )
            },
        ),
        case(
            "privilegedaccessgroup-list-eligibilityschedules.json",
            0,
            Fails(NOT_JSON),
            |c, _| {
                list(
                    group(c)
                        .eligibility_schedules()
                        .list_by_principal_id(PRINCIPAL),
                )
            },
        ),
        case(
            "privilegedaccessgroup-list-eligibilityschedules.json",
            1,
            Fails(UNFILTERED),
            |c, _| {
                list(
                    group(c)
                        .eligibility_schedules()
                        .list_by_principal_id(PRINCIPAL)
                        .select(["accessId", "principalId", "groupId"]),
                )
            },
        ),
        case(
            "privilegedaccessgroup-post-assignmentschedulerequests.json",
            0,
            Pass,
            post_group,
        ),
        case(
            "privilegedaccessgroup-post-assignmentschedulerequests.json",
            1,
            Pass,
            post_group,
        ),
        case(
            "privilegedaccessgroupassignmentschedule-filterbycurrentuser.json",
            0,
            Pass,
            |c, _| {
                list(group(c).assignment_schedules().filter_by_current_user(
                    AssignmentScheduleFilterByCurrentUserOptions::Principal,
                ))
            },
        ),
        case(
            "privilegedaccessgroupassignmentschedule-get.json",
            0,
            Fails(NOT_JSON),
            |c, _| {
                get(group(c)
                    .assignment_schedules()
                    .by_id("8ba569e8-7024-f5f8-91ec-9b75d92897f1")
                    .get())
            },
        ),
        case(
            "privilegedaccessgroupassignmentscheduleinstance-filterbycurrentuser.json",
            0,
            Pass,
            |c, _| {
                list(
                    group(c)
                        .assignment_schedule_instances()
                        .filter_by_current_user(
                            AssignmentScheduleInstanceFilterByCurrentUserOptions::Principal,
                        ),
                )
            },
        ),
        case(
            "privilegedaccessgroupassignmentschedulerequest-cancel.json",
            0,
            Pass,
            |c, _| {
                action(
                    group(c)
                        .assignment_schedule_requests()
                        .by_id("f4b57a8c-da56-4ae0-8aef-65c3a043dab4")
                        .cancel(),
                )
            },
        ),
        case(
            "privilegedaccessgroupassignmentschedulerequest-filterbycurrentuser.json",
            0,
            Fails(NOT_JSON),
            |c, _| {
                list(
                group(c)
                    .assignment_schedule_requests()
                    .filter_by_current_user(AssignmentScheduleRequestFilterByCurrentUserOptions::Principal)
                    .filter("status eq 'PendingApproval' and groupId eq 'd5f0ad2e-6b34-401b-b6da-0c8fc2c5a3fc'"),
            )
            },
        ),
        case(
            "privilegedaccessgroupassignmentschedulerequest-get.json",
            0,
            Pass,
            |c, _| {
                get(group(c)
                    .assignment_schedule_requests()
                    .by_id("34e963f6-150f-cf79-678c-6fcaf978bb49")
                    .get())
            },
        ),
        case(
            "privilegedaccessgroupeligibilityschedule-get.json",
            0,
            Pass,
            |c, _| {
                get(group(c)
                    .eligibility_schedules()
                    .by_id("37bf27ec-70a7-60e0-8239-aa3ffa7719ac")
                    .get())
            },
        ),
        case(
            "privilegedaccessgroupeligibilityscheduleinstance-filterbycurrentuser.json",
            0,
            Pass,
            |c, _| {
                list(
                    group(c)
                        .eligibility_schedule_instances()
                        .filter_by_current_user(
                            EligibilityScheduleInstanceFilterByCurrentUserOptions::Principal,
                        ),
                )
            },
        ),
        case(
            "privilegedaccessgroupeligibilityscheduleinstance-get.json",
            0,
            Fails(
                "the docs wrap the single entity in `{\"value\": {...}}`; a GET by key returns the entity itself",
            ),
            |c, _| {
                get(group(c)
                    .eligibility_schedule_instances()
                    .by_id("d5f0ad2e-6b34-401b-b6da-0c8fc2c5a3fc")
                    .get())
            },
        ),
        case(
            "privilegedaccessgroupeligibilityschedulerequest-cancel.json",
            0,
            Pass,
            |c, _| {
                action(
                    group(c)
                        .eligibility_schedule_requests()
                        .by_id("f4b57a8c-da56-4ae0-8aef-65c3a043dab4")
                        .cancel(),
                )
            },
        ),
        case(
            "privilegedaccessgroupeligibilityschedulerequest-filterbycurrentuser.json",
            0,
            Pass,
            |c, _| {
                list(
                    group(c)
                        .eligibility_schedule_requests()
                        .filter_by_current_user(
                            EligibilityScheduleRequestFilterByCurrentUserOptions::Principal,
                        ),
                )
            },
        ),
        case(
            "privilegedaccessgroupeligibilityschedulerequest-get.json",
            0,
            Pass,
            |c, _| {
                get(group(c)
                    .eligibility_schedule_requests()
                    .by_id("534b3d4d-3ba0-8429-3568-5e9cce6c2cbd")
                    .get())
            },
        ),
        case(
            "privilegedaccessgroupeligibilityschedulerequest-get.json",
            1,
            Pass,
            |c, _| {
                get(group(c)
                    .eligibility_schedule_requests()
                    .by_id("534b3d4d-3ba0-8429-3568-5e9cce6c2cbd")
                    .get()
                    .select(["principalId", "action", "groupId"]))
            },
        ),
        // ---- PIM iteration 3: Microsoft Entra roles ----
        case(
            "rbacapplication-list-roleassignmentscheduleinstances.json",
            0,
            Pass,
            |c, _| list(directory(c).role_assignment_schedule_instances().list()),
        ),
        case(
            "rbacapplication-list-roleassignmentschedulerequests.json",
            0,
            Pass,
            |c, _| list(directory(c).role_assignment_schedule_requests().list()),
        ),
        case(
            "rbacapplication-list-roleassignmentschedules.json",
            0,
            Pass,
            |c, _| list(directory(c).role_assignment_schedules().list()),
        ),
        case(
            "rbacapplication-list-roleeligibilityschedulerequests.json",
            0,
            Pass,
            |c, _| list(directory(c).role_eligibility_schedule_requests().list()),
        ),
        case(
            "rbacapplication-list-roleeligibilityschedules.json",
            0,
            Pass,
            |c, _| list(directory(c).role_eligibility_schedules().list()),
        ),
        case(
            "rbacapplication-post-roleassignmentschedulerequests.json",
            0,
            Pass,
            post_assignment,
        ),
        case(
            "rbacapplication-post-roleassignmentschedulerequests.json",
            1,
            Pass,
            post_assignment,
        ),
        case(
            "rbacapplication-post-roleeligibilityschedulerequests.json",
            0,
            Pass,
            post_eligibility,
        ),
        case(
            "rbacapplication-post-roleeligibilityschedulerequests.json",
            1,
            Pass,
            post_eligibility,
        ),
        case(
            "unifiedroleassignmentschedule-filterbycurrentuser.json",
            0,
            Pass,
            |c, _| {
                // The docs' placeholder is not a member: the open enum carries it verbatim.
                list(
                    directory(c)
                        .role_assignment_schedules()
                        .filter_by_current_user("parameterValue".parse().unwrap()),
                )
            },
        ),
        case("unifiedroleassignmentschedule-get.json", 0, Pass, |c, _| {
            get(directory(c)
                .role_assignment_schedules()
                .by_id("226faf5f-61b4-40bb-8726-52e48ec914de")
                .get())
        }),
        case(
            "unifiedroleassignmentscheduleinstance-filterbycurrentuser.json",
            0,
            Pass,
            |c, _| {
                list(
                    directory(c)
                        .role_assignment_schedule_instances()
                        .filter_by_current_user(
                            RoleAssignmentScheduleInstanceFilterByCurrentUserOptions::Principal,
                        ),
                )
            },
        ),
        case(
            "unifiedroleassignmentschedulerequest-cancel.json",
            0,
            Pass,
            |c, _| {
                action(
                    directory(c)
                        .role_assignment_schedule_requests()
                        .by_id("15fec3d4-64b1-4b03-beb7-f1ba6dddf6cc")
                        .cancel(),
                )
            },
        ),
        Case {
            file: "unifiedroleassignmentschedulerequest-filterbycurrentuser.json",
            index: 0,
            fix: Fix::SegmentCase,
            expect: Pass,
            call: |c, _| {
                list(
                    directory(c)
                        .role_assignment_schedule_requests()
                        .filter_by_current_user(
                            RoleAssignmentScheduleRequestFilterByCurrentUserOptions::Principal,
                        ),
                )
            },
        },
        case(
            "unifiedroleassignmentschedulerequest-get.json",
            0,
            Pass,
            |c, _| {
                get(directory(c)
                    .role_assignment_schedule_requests()
                    .by_id("b5a22921-656a-4429-9c4e-59a5f576614d")
                    .get())
            },
        ),
        case(
            "unifiedroleeligibilityschedule-get.json",
            0,
            Pass,
            |c, _| {
                get(directory(c)
                    .role_eligibility_schedules()
                    .by_id("313af44a-07c9-43a7-9970-5072a6b5591f")
                    .get())
            },
        ),
        case(
            "unifiedroleeligibilityscheduleinstance-filterbycurrentuser.json",
            0,
            Pass,
            |c, _| {
                list(
                    directory(c)
                        .role_eligibility_schedule_instances()
                        .filter_by_current_user(
                            RoleEligibilityScheduleInstanceFilterByCurrentUserOptions::Principal,
                        ),
                )
            },
        ),
        case(
            "unifiedroleeligibilityscheduleinstance-get.json",
            0,
            Pass,
            |c, _| {
                get(directory(c)
                    .role_eligibility_schedule_instances()
                    .by_id("UafX_Qu2SkSYTAJlL-j6HCssmvzcHW1IohFf6Mp3-h9xbmLcN0jrQL5KvCnYihF4-2-e")
                    .get())
            },
        ),
        case(
            "unifiedroleeligibilityschedulerequest-cancel.json",
            0,
            Pass,
            |c, _| {
                action(
                    directory(c)
                        .role_eligibility_schedule_requests()
                        .by_id("532bef1f-c677-4564-aa6f-811444a4f018")
                        .cancel(),
                )
            },
        ),
        Case {
            file: "unifiedroleeligibilityschedulerequest-filterbycurrentuser.json",
            index: 0,
            fix: Fix::SegmentCase,
            expect: Pass,
            call: |c, _| {
                list(
                    directory(c)
                        .role_eligibility_schedule_requests()
                        .filter_by_current_user(
                            RoleEligibilityScheduleRequestFilterByCurrentUserOptions::Principal,
                        ),
                )
            },
        },
    ]
}

#[cfg(feature = "iteration2")]
fn iteration2_cases() -> Vec<Case> {
    use Expect::*;
    use Fix::None as Plain;
    let case = |file, index, expect, call| Case {
        file,
        index,
        fix: Plain,
        expect,
        call,
    };
    vec![
        // ---- PIM iteration 2: Azure resources ----
        case("governanceresource-get.json", 0, Fails(NOT_JSON), |c, _| {
            get(c
                .privileged_access()
                .by_id(PA)
                .resources()
                .by_id(RESOURCE)
                .get())
        }),
        case(
            "governanceresource-list.json",
            0,
            Fails(NOT_JSON),
            |c, _| list(c.privileged_access().by_id(PA).resources().list()),
        ),
        case("governanceresource-register.json", 0, Pass, |c, body| {
            let mut params = RegisterParams::new();
            params.external_id = body
                .and_then(|b| b["externalId"].as_str())
                .map(String::from);
            action(
                c.privileged_access()
                    .by_id(PA)
                    .resources()
                    .register(&params),
            )
        }),
        case(
            "governanceroleassignment-export.json",
            0,
            Fails(
                "Graph answers with the CSV file (application/octet-stream), not the \
                 `Collection(Edm.String)` the schema declares for `export`",
            ),
            |c, _| {
                list(
                    c.privileged_access()
                        .by_id(PA)
                        .role_assignments()
                        .export()
                        .filter("resourceId eq '85dfe48a-55d3-49fc-8f36-ee14b7f6f720'"),
                )
            },
        ),
        case("governanceroleassignment-get.json", 0, Pass, |c, _| {
            // GET by key takes no `$filter` of its own; the docs send one anyway.
            get(c
                .privileged_access()
                .by_id(PA)
                .role_assignments()
                .by_id("0ba78f41-ee7a-4227-adb9-1499431b2164")
                .get()
                .query_param("$filter", format!("resourceId eq '{RESOURCE}'")))
        }),
        case(
            "governanceroleassignment-list.json",
            0,
            Fails(CUT),
            |c, _| {
                list(
                    c.privileged_access()
                        .by_id(PA)
                        .role_assignments()
                        .list()
                        .filter("subjectId eq '918e54be-12c4-4f4c-a6d3-2ee0e3661c51'"),
                )
            },
        ),
        case(
            "governanceroleassignmentrequest-cancel.json",
            0,
            Pass,
            |c, _| {
                action(
                    c.privileged_access()
                        .by_id(PA)
                        .role_assignment_requests()
                        .by_id("7c53453e-d5a4-41e0-8eb1-32d5ec8bfdee")
                        .cancel(),
                )
            },
        ),
        case(
            "governanceroleassignmentrequest-list.json",
            0,
            Fails(CUT),
            |c, _| {
                list(
                    c.privileged_access()
                        .by_id(PA)
                        .role_assignment_requests()
                        .list()
                        .filter(format!("resourceId eq '{RESOURCE}'")),
                )
            },
        ),
        case(
            "governanceroleassignmentrequest-post.json",
            0,
            Pass,
            post_iteration2,
        ),
        case(
            "governanceroleassignmentrequest-post.json",
            1,
            Pass,
            post_iteration2,
        ),
        case(
            "governanceroleassignmentrequest-post.json",
            2,
            Pass,
            post_iteration2,
        ),
        case(
            "governanceroleassignmentrequest-post.json",
            3,
            Pass,
            post_iteration2,
        ),
        case(
            "governanceroleassignmentrequest-post.json",
            4,
            Pass,
            post_iteration2,
        ),
        case(
            "governanceroleassignmentrequest-post.json",
            5,
            Pass,
            post_iteration2,
        ),
        case(
            "governanceroleassignmentrequest-update.json",
            0,
            Fails("the documented request body is not JSON (trailing comma)"),
            |c, _| {
                // The docs' body, as a caller writes it (`stopDateTime` is not in the schema:
                // it goes through the schedule's additional properties).
                let mut schedule = GovernanceSchedule::new();
                schedule.r#type = Some("Once".into());
                schedule.start_date_time = Some("2018-02-20T07:31:13.451Z".parse().unwrap());
                schedule
                    .additional_properties
                    .insert("stopDateTime".into(), "2018-05-21T07:31:13.451Z".into());
                let mut params = UpdateRequestParams::new();
                params.reason = Some("approve the request to extend role assignment".into());
                params.schedule = Some(schedule);
                params.decision = Some("AdminApproved".into());
                params.assignment_state = Some("Eligible".into());
                action(
                    c.privileged_access()
                        .by_id(PA)
                        .role_assignment_requests()
                        .by_id("7c53453e-d5a4-41e0-8eb1-32d5ec8bfdee")
                        .update_request(&params),
                )
            },
        ),
        case("governanceroledefinition-get.json", 0, Pass, |c, _| {
            get(c
                .privileged_access()
                .by_id(PA)
                .resources()
                .by_id(RESOURCE)
                .role_definitions()
                .by_id("00efc9e0-1b96-4e9a-99a3-a3df0735cf88")
                .get())
        }),
        case(
            "governanceroledefinition-list.json",
            0,
            Fails(NOT_JSON),
            |c, _| {
                list(
                    c.privileged_access()
                        .by_id(PA)
                        .resources()
                        .by_id(RESOURCE)
                        .role_definitions()
                        .list(),
                )
            },
        ),
        case("governancerolesetting-list.json", 0, Fails(CUT), |c, _| {
            list(
                c.privileged_access()
                    .by_id(PA)
                    .resources()
                    .by_id(RESOURCE)
                    .role_settings()
                    .list(),
            )
        }),
        case("governancerolesetting-update.json", 0, Pass, |c, body| {
            update(
                c.privileged_access()
                    .by_id(PA)
                    .role_settings()
                    .by_id("5fb5aef8-1081-4b8e-bb16-9d5d0385bab5")
                    .update(&typed::<GovernanceRoleSettingUpdate>(body)),
            )
        }),
    ]
}

#[cfg(feature = "iteration2")]
fn post_iteration2(c: &Client, body: Option<&Value>) -> Call {
    create(
        c.privileged_access()
            .by_id(PA)
            .role_assignment_requests()
            .create(&typed::<GovernanceRoleAssignmentRequest>(body)),
    )
}

fn post_group(c: &Client, body: Option<&Value>) -> Call {
    create(group(c).assignment_schedule_requests().create(&typed::<
        PrivilegedAccessGroupAssignmentScheduleRequest,
    >(body)))
}

fn post_assignment(c: &Client, body: Option<&Value>) -> Call {
    create(
        directory(c)
            .role_assignment_schedule_requests()
            .create(&typed::<UnifiedRoleAssignmentScheduleRequest>(body)),
    )
}

fn post_eligibility(c: &Client, body: Option<&Value>) -> Call {
    create(
        directory(c)
            .role_eligibility_schedule_requests()
            .create(&typed::<UnifiedRoleEligibilityScheduleRequest>(body)),
    )
}

// ---- comparison --------------------------------------------------------------------------

/// Every enum member of the pinned schema, lower-cased.
fn enum_members() -> HashSet<String> {
    use pim_codegen::model::TypeDefKind;
    let pin = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../metadata/pim-beta.csdl");
    let bytes = std::fs::read(&pin).expect("the pinned schema");
    let parsed = pim_codegen::csdl::parse_bytes(&bytes, Default::default());
    let model = pim_codegen::model::resolve(&parsed.document, &bytes);
    let mut members = HashSet::new();
    for t in &model.types {
        if let TypeDefKind::Enum(e) = &t.kind {
            members.extend(e.members.iter().map(|(m, _)| m.to_ascii_lowercase()));
        }
    }
    members
}

/// JSON equality, except that strings naming the same enum member in different cases are
/// equal; `relaxed` records that this was needed.
fn same(a: &Value, b: &Value, members: &HashSet<String>, relaxed: &mut bool) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) if x != y => {
            let ok = x.eq_ignore_ascii_case(y) && members.contains(&x.to_ascii_lowercase());
            *relaxed |= ok;
            ok
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y, members, relaxed))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same(v, w, members, relaxed)))
        }
        _ => a == b,
    }
}

const SYSTEM_OPTIONS: &[&str] = &[
    "filter", "select", "expand", "orderby", "top", "skip", "count", "search",
];

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The documented URL as (decoded path segments, decoded query pairs), with the notes of
/// every normalization applied.
fn documented(url: &str, notes: &mut Vec<String>) -> (Vec<String>, Vec<(String, String)>) {
    let rest = url
        .strip_prefix("https://graph.microsoft.com/beta")
        .expect("a beta URL");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = match path.strip_suffix('/') {
        Some(p) => {
            notes.push("trailing `/` dropped".into());
            p
        }
        None => path,
    };
    let segments = path.split('/').skip(1).map(percent_decode).collect();
    let mut pairs = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        let mut name = percent_decode(name);
        if SYSTEM_OPTIONS.contains(&name.as_str()) {
            notes.push(format!("`{name}=` read as `${name}=`"));
            name.insert(0, '$');
        }
        if value.contains(' ') {
            notes.push("unencoded spaces in the query".into());
        }
        if value.contains('+') {
            notes.push("`+` read as a space".into());
        }
        pairs.push((name, percent_decode(&value.replace('+', " "))));
    }
    notes.dedup();
    (segments, pairs)
}

/// Removes the commas before `}` or `]` outside strings (what the vectors call
/// `valid_if_trailing_commas_removed`).
fn strip_trailing_commas(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        if c == '"' {
            in_string = true;
        } else if c == ','
            && chars[i + 1..]
                .iter()
                .find(|c| !c.is_whitespace())
                .is_some_and(|n| *n == '}' || *n == ']')
        {
            continue;
        }
        out.push(c);
    }
    out
}

fn has_kind(side: &Value, kind: &str) -> bool {
    side["json_error_kinds"]
        .as_array()
        .is_some_and(|k| k.iter().any(|k| k == kind))
}

/// Runs one example; `Err` names the first difference. With `repair`, the documented bodies
/// flagged `valid_if_trailing_commas_removed` are repaired first.
async fn run(
    server: &MockServer,
    client: &Client,
    members: &HashSet<String>,
    case: &Case,
    example: &Value,
    repair: bool,
    notes: &mut Vec<String>,
) -> Result<(), String> {
    let req = &example["request"];
    let resp = &example["response"];
    let repaired = |side: &Value| -> Option<Value> {
        if repair && has_kind(side, "valid_if_trailing_commas_removed") {
            side["body_text"]
                .as_str()
                .and_then(|t| serde_json::from_str(&strip_trailing_commas(t)).ok())
        } else {
            None
        }
    };
    let req_body = repaired(req).or_else(|| Some(req["body"].clone()).filter(|b| !b.is_null()));
    let resp_body = repaired(resp).or_else(|| Some(resp["body"].clone()).filter(|b| !b.is_null()));

    // Serve the documented response: the JSON body, else the text exactly as documented.
    server.reset().await;
    let status = resp["status"].as_u64().unwrap_or(200) as u16;
    let mut template = ResponseTemplate::new(status);
    let content_type = resp["headers"]
        .as_object()
        .and_then(|h| {
            h.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .and_then(|(_, v)| v.as_str())
        })
        .unwrap_or("application/json")
        .to_owned();
    if let Some(body) = &resp_body {
        template = template.set_body_raw(serde_json::to_vec(body).unwrap(), &content_type);
    } else if let Some(text) = resp["body_text"].as_str().filter(|t| !t.is_empty()) {
        template = template.set_body_raw(text.as_bytes().to_vec(), &content_type);
    }
    Mock::given(any())
        .respond_with(template)
        .mount(server)
        .await;

    let outcome = (case.call)(client, req_body.as_ref()).await;

    // The request the server received.
    let received = server
        .received_requests()
        .await
        .unwrap()
        .pop()
        .ok_or("no request was sent")?;
    let method = req["method"].as_str().unwrap();
    if received.method.as_str() != method {
        return Err(format!("method {} instead of {method}", received.method));
    }
    let (segments, mut pairs) = documented(req["url"].as_str().unwrap(), notes);
    let got_segments: Vec<String> = received
        .url
        .path()
        .split('/')
        .skip(2) // "", "beta"
        .map(percent_decode)
        .collect();
    let same_path = segments.len() == got_segments.len()
        && segments
            .iter()
            .zip(&got_segments)
            .all(|(a, b)| a == b || (case.fix == Fix::SegmentCase && a.eq_ignore_ascii_case(b)));
    if case.fix == Fix::SegmentCase && segments != got_segments {
        notes.push("a static segment compared case-insensitively (the docs capitalize it)".into());
    }
    if !same_path {
        return Err(format!(
            "path {} instead of /{}",
            received.url.path(),
            segments.join("/")
        ));
    }
    let mut got_pairs: Vec<(String, String)> = received.url.query_pairs().into_owned().collect();
    pairs.sort();
    got_pairs.sort();
    if pairs != got_pairs {
        return Err(format!("query {got_pairs:?} instead of {pairs:?}"));
    }
    let sent: Option<Value> = if received.body.is_empty() {
        None
    } else {
        Some(serde_json::from_slice(&received.body).map_err(|e| format!("body is not JSON: {e}"))?)
    };
    let mut relaxed = false;
    match (&req_body, &sent) {
        (Some(want), Some(got)) if !same(want, got, members, &mut relaxed) => {
            return Err(format!("body {got} instead of {want}"));
        }
        (Some(_), None) => return Err("no body sent".into()),
        (None, Some(got)) => {
            return Err(match req["body_text"].as_str() {
                Some(_) => format!(
                    "the documented request body is not JSON ({}); sent {got}",
                    req["json_error"].as_str().unwrap_or("")
                ),
                None => format!("body {got} sent where the docs have none"),
            });
        }
        _ => {}
    }

    // The documented response, decoded into the typed result and encoded back.
    let decoded = outcome.map_err(|e| format!("response does not decode: {e}"))?;
    match (&decoded, &resp_body) {
        (Decoded::One(v), Some(doc)) => {
            if v.get("value").is_some_and(Value::is_object) {
                return Err("a single entity arrived wrapped in `{\"value\": {...}}`".into());
            }
            if !same(v, doc, members, &mut relaxed) {
                return Err(format!("decoded {v} does not re-encode to {doc}"));
            }
        }
        (Decoded::Items(items), Some(doc)) => {
            let want = doc["value"].as_array().cloned().unwrap_or_default();
            if items.len() != want.len()
                || !items
                    .iter()
                    .zip(&want)
                    .all(|(a, b)| same(a, b, members, &mut relaxed))
            {
                return Err(format!("items {items:?} do not re-encode to {want:?}"));
            }
        }
        (Decoded::One(v), None) => return Err(format!("decoded {v} from no body")),
        _ => {}
    }
    if relaxed {
        notes.push("enum members compared ignoring case".into());
    }
    Ok(())
}

#[tokio::test]
async fn vectors_reproduce_through_the_builders() {
    let dir = vectors_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!(
            "skipped: no test vectors at {} (shared/ is laid beside the repository)",
            dir.display()
        );
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let table = cases();

    // One entry per example, and no entry without an example.
    let mut examples = Vec::new();
    let mut skipped = 0;
    for path in &files {
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if !cfg!(feature = "iteration2") && is_iteration2(&name) {
            skipped += 1;
            continue;
        }
        let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        for (i, e) in doc["examples"].as_array().unwrap().iter().enumerate() {
            examples.push((name.clone(), i, e.clone()));
        }
    }
    for (file, i, _) in &examples {
        assert!(
            table.iter().any(|c| c.file == file && c.index == *i),
            "{file} #{i} has no entry in the table"
        );
    }
    for c in &table {
        assert!(
            examples
                .iter()
                .any(|(f, i, _)| f == c.file && *i == c.index),
            "table entry {} #{} has no example",
            c.file,
            c.index
        );
    }

    let server = MockServer::start().await;
    let client = Client::builder()
        .base_url(format!("{}/beta", server.uri()))
        .allow_http_loopback(true)
        .token_provider(StaticToken::new("vector-token"))
        .build()
        .unwrap();
    let members = enum_members();
    let mut passed = 0;
    let mut failed_as_expected = Vec::new();
    let mut unexpected = Vec::new();
    let mut repairable = 0;
    for case in &table {
        let (_, _, example) = examples
            .iter()
            .find(|(f, i, _)| f == case.file && *i == case.index)
            .unwrap();
        let label = format!(
            "{} #{} ({})",
            case.file,
            case.index,
            example["name"].as_str().unwrap_or("unnamed")
        );
        let mut notes = Vec::new();
        let result = run(&server, &client, &members, case, example, false, &mut notes).await;
        match (case.expect, result) {
            (Expect::Pass, Ok(())) => {
                passed += 1;
                if notes.is_empty() {
                    println!("pass  {label}");
                } else {
                    println!("pass  {label} [normalized: {}]", notes.join("; "));
                }
            }
            (Expect::Pass, Err(e)) => unexpected.push(format!("{label}: {e}")),
            (Expect::Fails(reason), Err(e)) if !e.contains(Expect::marker(reason)) => {
                unexpected.push(format!("{label} fails, but not because {reason}: {e}"))
            }
            (Expect::Fails(reason), Err(e)) => {
                // Would the vector's own repair make it pass?
                let repaired = run(
                    &server,
                    &client,
                    &members,
                    case,
                    example,
                    true,
                    &mut Vec::new(),
                )
                .await
                .is_ok();
                repairable += usize::from(repaired);
                println!(
                    "FAIL  {label} (expected: {reason}){}\n      {}",
                    if repaired {
                        "; passes once the trailing commas are removed"
                    } else {
                        ""
                    },
                    e.chars().take(300).collect::<String>()
                );
                failed_as_expected.push(label);
            }
            (Expect::Fails(reason), Ok(())) => unexpected.push(format!(
                "{label} was expected to fail ({reason}) but passes: move it to Pass"
            )),
        }
    }
    if skipped > 0 {
        println!(
            "{skipped} PIM iteration 2 vector files skipped (run with `--features iteration2`)"
        );
    }
    println!(
        "\nvectors: {passed} of {} examples pass; {} cannot pass as documented ({repairable} of \
         them pass once the docs' trailing commas are removed)",
        table.len(),
        failed_as_expected.len()
    );
    assert!(unexpected.is_empty(), "{}", unexpected.join("\n"));
}
