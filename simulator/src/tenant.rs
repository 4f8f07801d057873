//! The tenant file: who exists in the simulated directory, what they may do, and how they
//! authenticate.
//!
//! A tenant is written in TOML (or the same structure in JSON, chosen by the file's
//! extension) and seeds a simulator at start. The default tenant
//! ([`Tenant::default_tenant`], `simulator/tenants/default.toml`) is a small Contoso with
//! one administrator, users with eligible roles under different policies, an approver, a
//! PIM-managed group and an automation service principal; it documents every key with a
//! comment and is the reference for the format.
//!
//! ```toml
//! [tenant]
//! id = "5b1f6b8e-0d57-4a56-9d5c-0a6e2c1f7e21"   # tenant id, used in policy ids
//! name = "Contoso (simulated)"
//!
//! [settings]
//! provisioning_delay = "PT2S"   # Granted → Provisioned after this (ISO 8601)
//! page_size = 100               # server-driven paging without $top
//!
//! [[users]]
//! name = "ada"                  # a handle for this file (and the printed variables)
//! id = "0f7a7f36-4a1b-4c4e-9f6a-6a2d0c3f5e11"
//! display_name = "Ada Lovelace"
//!
//! [[eligibilities]]             # eligible role assignments ([[assignments]]: active ones)
//! principal = "ben"             # a name or an object id
//! role = "Security Administrator"   # a role's display name or id
//!
//! [[policies]]                  # changes to the default policy of one role or group
//! role = "Security Administrator"
//! max_activation = "PT4H"
//! approvers = ["cleo"]
//!
//! [[tokens]]                    # bearer tokens the simulator accepts
//! value = "sim-ben"
//! principal = "ben"
//! mfa = false                   # the `amr` claim has mfa
//! acrs = []                     # authentication context class references satisfied
//! ```
//!
//! Every reference (a principal, a role, a group) is checked when the simulator starts;
//! an unknown name is an error naming the table and entry, never a silent skip.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// A tenant as the file describes it. All collections may be empty.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Tenant {
    /// The tenant itself.
    #[serde(default)]
    pub tenant: TenantInfo,
    /// Behaviour of the simulated service.
    #[serde(default)]
    pub settings: Settings,
    /// User accounts.
    #[serde(default)]
    pub users: Vec<UserSpec>,
    /// Groups, some of them PIM-managed.
    #[serde(default)]
    pub groups: Vec<GroupSpec>,
    /// Service principals (applications).
    #[serde(default)]
    pub service_principals: Vec<ServicePrincipalSpec>,
    /// Custom role definitions, in addition to the built-in ones.
    #[serde(default)]
    pub role_definitions: Vec<RoleDefinitionSpec>,
    /// Active assignments (of directory roles, or group membership and ownership).
    #[serde(default)]
    pub assignments: Vec<GrantSpec>,
    /// Eligible assignments.
    #[serde(default)]
    pub eligibilities: Vec<GrantSpec>,
    /// Changes to the default policy of chosen roles or groups.
    #[serde(default)]
    pub policies: Vec<PolicySpec>,
    /// Schedule requests already made (history: what lists and gets return).
    #[serde(default)]
    pub requests: Vec<RequestSpec>,
    /// Bearer tokens the simulator accepts.
    #[serde(default)]
    pub tokens: Vec<TokenSpec>,
}

/// `[tenant]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TenantInfo {
    /// The tenant id (a GUID), part of every policy id.
    #[serde(default = "default_tenant_id")]
    pub id: String,
    /// A display name, for logs.
    #[serde(default = "default_tenant_name")]
    pub name: String,
    /// Whether the built-in Microsoft Entra roles exist (default `true`).
    #[serde(default = "yes")]
    pub builtin_roles: bool,
}

impl Default for TenantInfo {
    fn default() -> Self {
        TenantInfo {
            id: default_tenant_id(),
            name: default_tenant_name(),
            builtin_roles: true,
        }
    }
}

fn default_tenant_id() -> String {
    "5b1f6b8e-0d57-4a56-9d5c-0a6e2c1f7e21".into()
}
fn default_tenant_name() -> String {
    "Contoso (simulated)".into()
}
fn yes() -> bool {
    true
}

/// `[settings]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// How long a granted request takes to become `Provisioned` (ISO 8601, default `PT0S`:
    /// the next read sees it provisioned; the create response itself says `Granted`, as
    /// Graph's does).
    #[serde(default = "zero")]
    pub provisioning_delay: String,
    /// Items per page when the request has no `$top` (default 100).
    #[serde(default = "default_page_size")]
    pub page_size: usize,
    /// Largest request body accepted, in bytes (default 1 MiB; Graph's limit is 4 MB).
    #[serde(default = "default_body_limit")]
    pub max_body_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            provisioning_delay: zero(),
            page_size: default_page_size(),
            max_body_bytes: default_body_limit(),
        }
    }
}

fn zero() -> String {
    "PT0S".into()
}
fn default_page_size() -> usize {
    100
}
fn default_body_limit() -> usize {
    1024 * 1024
}

/// `[[users]]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    /// A short handle the rest of the file refers to.
    pub name: String,
    /// The object id (default: derived from the name, stable across runs).
    #[serde(default)]
    pub id: Option<String>,
    /// Display name (default: the handle).
    #[serde(default)]
    pub display_name: Option<String>,
    /// `userPrincipalName` (default: `<name>@contoso.example`).
    #[serde(default)]
    pub user_principal_name: Option<String>,
}

/// `[[groups]]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// A short handle.
    pub name: String,
    /// The object id (default: derived from the name).
    #[serde(default)]
    pub id: Option<String>,
    /// Display name (default: the handle).
    #[serde(default)]
    pub display_name: Option<String>,
    /// Principals who own the group and may manage its PIM assignments.
    #[serde(default)]
    pub owners: Vec<String>,
}

/// `[[service_principals]]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServicePrincipalSpec {
    /// A short handle.
    pub name: String,
    /// The object id (default: derived from the name).
    #[serde(default)]
    pub id: Option<String>,
    /// The application (client) id (default: derived from the name).
    #[serde(default)]
    pub app_id: Option<String>,
    /// Display name (default: the handle).
    #[serde(default)]
    pub display_name: Option<String>,
}

/// `[[role_definitions]]`: a custom role.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RoleDefinitionSpec {
    /// The role definition id (default: derived from the display name).
    #[serde(default)]
    pub id: Option<String>,
    /// Display name.
    pub display_name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether the role is privileged.
    #[serde(default)]
    pub is_privileged: bool,
    /// Allowed resource actions.
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// `[[assignments]]` and `[[eligibilities]]`: one grant of a directory role (`role`, at
/// `scope`) or of a group's membership or ownership (`group`, with `access`).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GrantSpec {
    /// Who holds it: a name from this file or an object id.
    pub principal: String,
    /// A directory role: its display name or id. Exactly one of `role` and `group`.
    #[serde(default)]
    pub role: Option<String>,
    /// The directory scope of a role grant (default `/`).
    #[serde(default)]
    pub scope: Option<String>,
    /// A group: its name or id.
    #[serde(default)]
    pub group: Option<String>,
    /// `member` (default) or `owner`, for a group grant.
    #[serde(default)]
    pub access: Option<String>,
    /// When it started (RFC 3339; default: when the simulator starts).
    #[serde(default)]
    pub start: Option<String>,
    /// When it ends (RFC 3339); without `end` and `duration` it never ends.
    #[serde(default)]
    pub end: Option<String>,
    /// How long it lasts from `start` (ISO 8601), instead of `end`.
    #[serde(default)]
    pub duration: Option<String>,
    /// The schedule's id (default: generated).
    #[serde(default)]
    pub id: Option<String>,
    /// The schedule instance's id (default: generated).
    #[serde(default)]
    pub instance_id: Option<String>,
}

/// `[[policies]]`: what differs from the default policy of one role (or of one group's
/// member or owner access). Every setting is optional; unset ones keep the default, which
/// is Graph's default for a new tenant: activation for at most 8 hours with a justification,
/// no ticket, no MFA, no authentication context, no approval; eligible assignments for at
/// most a year and active ones for at most 180 days, neither required to expire.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// The policy's id (default: `DirectoryRole_<tenant>_<guid>` or `Group_<group>_<guid>`);
    /// its assignment's id is this id, `_`, and the role id or access.
    #[serde(default)]
    pub id: Option<String>,
    /// The role (display name or id). Exactly one of `role` and `group`.
    #[serde(default)]
    pub role: Option<String>,
    /// The group (name or id).
    #[serde(default)]
    pub group: Option<String>,
    /// `member` (default) or `owner`, with `group`.
    #[serde(default)]
    pub access: Option<String>,
    /// Longest activation (ISO 8601, default `PT8H`).
    #[serde(default)]
    pub max_activation: Option<String>,
    /// Activation needs a justification (default `true`).
    #[serde(default)]
    pub require_justification: Option<bool>,
    /// Activation needs ticket information (default `false`).
    #[serde(default)]
    pub require_ticket: Option<bool>,
    /// Activation needs a token with multi-factor authentication (default `false`).
    #[serde(default)]
    pub require_mfa: Option<bool>,
    /// Activation needs this Conditional Access authentication context (e.g. `c1`).
    #[serde(default)]
    pub authentication_context: Option<String>,
    /// Activation needs the approval of one of these principals (names or ids); empty
    /// means no approval.
    #[serde(default)]
    pub approvers: Vec<String>,
    /// Longest eligible assignment (default `P365D`).
    #[serde(default)]
    pub max_eligibility: Option<String>,
    /// Eligible assignments must end (default `false`).
    #[serde(default)]
    pub eligibility_expiration_required: Option<bool>,
    /// Longest active assignment by an administrator (default `P180D`).
    #[serde(default)]
    pub max_assignment: Option<String>,
    /// Active assignments must end (default `false`).
    #[serde(default)]
    pub assignment_expiration_required: Option<bool>,
    /// An administrator's active assignment needs a justification (default `true`).
    #[serde(default)]
    pub require_admin_justification: Option<bool>,
    /// An administrator's active assignment needs MFA (default `false`).
    #[serde(default)]
    pub require_admin_mfa: Option<bool>,
}

/// `[[requests]]`: a schedule request made before the simulator started. It is history:
/// lists, gets and cancellation see it; its effect is not applied (seed the resulting grant
/// in `[[assignments]]` or `[[eligibilities]]`). A `Granted` request takes effect after the
/// provisioning delay like a new one.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    /// The request's id (default: generated).
    #[serde(default)]
    pub id: Option<String>,
    /// `assignment` (default) or `eligibility`.
    #[serde(default)]
    pub kind: Option<String>,
    /// The action (default `adminAssign`).
    #[serde(default)]
    pub action: Option<String>,
    /// The status (default `Provisioned`): `Provisioned`, `Granted`, `Revoked`,
    /// `Canceled`, `Denied` or `Failed`.
    #[serde(default)]
    pub status: Option<String>,
    /// The principal (name or id).
    pub principal: String,
    /// A directory role (display name or id). Exactly one of `role` and `group`.
    #[serde(default)]
    pub role: Option<String>,
    /// The directory scope (default `/`).
    #[serde(default)]
    pub scope: Option<String>,
    /// A group (name or id).
    #[serde(default)]
    pub group: Option<String>,
    /// `member` (default) or `owner`, with `group`.
    #[serde(default)]
    pub access: Option<String>,
    /// The justification.
    #[serde(default)]
    pub justification: Option<String>,
    /// When the requested grant ends (RFC 3339; default never).
    #[serde(default)]
    pub end: Option<String>,
}

/// `[[tokens]]`: a bearer token and what its holder proved when signing in.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TokenSpec {
    /// The token text the client sends after `Bearer `.
    pub value: String,
    /// Whose token it is: a user or service principal (name or id).
    pub principal: String,
    /// The sign-in used multi-factor authentication (`amr` contains `mfa`).
    #[serde(default)]
    pub mfa: bool,
    /// Authentication context class references the sign-in satisfied (`acrs` claim).
    #[serde(default)]
    pub acrs: Vec<String>,
    /// Application permissions (`roles` claim) of an app-only token, e.g.
    /// `RoleManagement.ReadWrite.Directory`.
    #[serde(default)]
    pub app_roles: Vec<String>,
    /// When the token stops being accepted (RFC 3339, simulated time; default never).
    #[serde(default)]
    pub expires: Option<String>,
    /// Printed as `GRAPH_TOKEN` by `pim-sim` (default: the first token of a principal who
    /// holds an administrator role, else the first token).
    #[serde(default)]
    pub default: bool,
}

/// A tenant file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    /// The file could not be read.
    #[error("cannot read tenant file {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML or JSON for this format.
    #[error("invalid tenant file {path}: {message}")]
    Syntax {
        /// The path (or `<string>`).
        path: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A reference names nothing, or a value is malformed.
    #[error("tenant {where_}: {message}")]
    Invalid {
        /// The table and entry, e.g. `eligibilities[2].role`.
        where_: String,
        /// What is wrong.
        message: String,
    },
}

/// The default tenant shipped with the simulator.
pub const DEFAULT_TENANT_TOML: &str = include_str!("../tenants/default.toml");

impl Tenant {
    /// The default tenant (`simulator/tenants/default.toml`).
    pub fn default_tenant() -> Tenant {
        // The file is part of the crate and covered by a test; failing to parse it is a
        // build defect, reported the same way as any other tenant's.
        Tenant::from_toml(DEFAULT_TENANT_TOML).unwrap_or_else(|e| {
            tracing::error!(error = %e, "the built-in default tenant does not parse");
            Tenant::default()
        })
    }

    /// An empty tenant (built-in roles only), to fill in from code.
    pub fn empty() -> Tenant {
        Tenant::default()
    }

    /// Parses a tenant from TOML text.
    pub fn from_toml(text: &str) -> Result<Tenant, TenantError> {
        toml::from_str(text).map_err(|e| TenantError::Syntax {
            path: "<string>".into(),
            message: e.to_string(),
        })
    }

    /// Parses a tenant from JSON text (the same structure as the TOML form).
    pub fn from_json(text: &str) -> Result<Tenant, TenantError> {
        serde_json::from_str(text).map_err(|e| TenantError::Syntax {
            path: "<string>".into(),
            message: e.to_string(),
        })
    }

    /// Reads a tenant file: JSON when the name ends in `.json`, TOML otherwise.
    pub fn load(path: &Path) -> Result<Tenant, TenantError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| TenantError::Io {
            path: shown.clone(),
            source,
        })?;
        let json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let parsed = if json {
            Tenant::from_json(&text)
        } else {
            Tenant::from_toml(&text)
        };
        parsed.map_err(|e| match e {
            TenantError::Syntax { message, .. } => TenantError::Syntax {
                path: shown,
                message,
            },
            other => other,
        })
    }

    /// A tenant for load tests: `principals` users `user00`, `user01`, … (tokens
    /// `token-user00`, …), each eligible for every role in `roles` (display names or ids)
    /// under the default policy.
    pub fn crowd(principals: usize, roles: &[&str]) -> Tenant {
        let mut t = Tenant::empty();
        for p in 0..principals {
            let name = format!("user{p:02}");
            t.user(&name);
            t.token(&format!("token-{name}"), &name, false);
            for role in roles {
                t.eligible(&name, role);
            }
        }
        t
    }

    /// The display names of the built-in roles the simulator knows.
    pub fn builtin_role_names() -> Vec<&'static str> {
        BUILTIN_ROLES.iter().map(|r| r.name).collect()
    }

    /// Adds a user (builder style, for tests).
    pub fn user(&mut self, name: &str) -> &mut Self {
        self.users.push(UserSpec {
            name: name.into(),
            ..UserSpec::default()
        });
        self
    }

    /// Adds a token for `principal` (builder style).
    pub fn token(&mut self, value: &str, principal: &str, mfa: bool) -> &mut Self {
        self.tokens.push(TokenSpec {
            value: value.into(),
            principal: principal.into(),
            mfa,
            ..TokenSpec::default()
        });
        self
    }

    /// Adds an eligible assignment of a directory role at `/` (builder style).
    pub fn eligible(&mut self, principal: &str, role: &str) -> &mut Self {
        self.eligibilities.push(GrantSpec {
            principal: principal.into(),
            role: Some(role.into()),
            ..GrantSpec::default()
        });
        self
    }

    /// Adds a permanent active assignment of a directory role at `/` (builder style).
    pub fn assigned(&mut self, principal: &str, role: &str) -> &mut Self {
        self.assignments.push(GrantSpec {
            principal: principal.into(),
            role: Some(role.into()),
            ..GrantSpec::default()
        });
        self
    }
}

/// A built-in Microsoft Entra role: its template id (which is also its role definition id
/// in every tenant), display name, description, whether Microsoft marks it privileged, and
/// a few of its resource actions.
pub(crate) struct BuiltinRole {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) privileged: bool,
    pub(crate) actions: &'static [&'static str],
}

/// The built-in roles the simulator knows, with their real template ids.
pub(crate) const BUILTIN_ROLES: &[BuiltinRole] = &[
    BuiltinRole {
        id: "62e90394-69f5-4237-9190-012177145e10",
        name: "Global Administrator",
        description: "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.",
        privileged: true,
        actions: &["microsoft.directory/allEntities/allProperties/allTasks"],
    },
    BuiltinRole {
        id: "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
        name: "Global Reader",
        description: "Can read everything that a Global Administrator can, but not update anything.",
        privileged: true,
        actions: &["microsoft.directory/allEntities/allProperties/read"],
    },
    BuiltinRole {
        id: "e8611ab8-c189-46e8-94e1-60213ab1f814",
        name: "Privileged Role Administrator",
        description: "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.",
        privileged: true,
        actions: &[
            "microsoft.directory/roleAssignments/allProperties/allTasks",
            "microsoft.directory/privilegedIdentityManagement/allProperties/allTasks",
        ],
    },
    BuiltinRole {
        id: "fe930be7-5e62-47db-91af-98c3a49a38b1",
        name: "User Administrator",
        description: "Can manage all aspects of users and groups, including resetting passwords for limited admins.",
        privileged: true,
        actions: &["microsoft.directory/users/allProperties/allTasks"],
    },
    BuiltinRole {
        id: "194ae4cb-b126-40b2-bd5b-6091b380977d",
        name: "Security Administrator",
        description: "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.",
        privileged: true,
        actions: &["microsoft.directory/conditionalAccessPolicies/allProperties/allTasks"],
    },
    BuiltinRole {
        id: "5d6b6bb7-de71-4623-b4af-96380a352509",
        name: "Security Reader",
        description: "Can read security information and reports in Microsoft Entra ID and Office 365.",
        privileged: true,
        actions: &["microsoft.directory/auditLogs/allProperties/read"],
    },
    BuiltinRole {
        id: "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        name: "Helpdesk Administrator",
        description: "Can reset passwords for non-administrators and Helpdesk Administrators.",
        privileged: true,
        actions: &["microsoft.directory/users/password/update"],
    },
    BuiltinRole {
        id: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        name: "Application Administrator",
        description: "Can create and manage all aspects of app registrations and enterprise apps.",
        privileged: true,
        actions: &["microsoft.directory/applications/allProperties/allTasks"],
    },
    BuiltinRole {
        id: "158c047a-c907-4556-b7ef-446551a6b5f7",
        name: "Cloud Application Administrator",
        description: "Can create and manage all aspects of app registrations and enterprise apps except App Proxy.",
        privileged: true,
        actions: &["microsoft.directory/applications/basic/update"],
    },
    BuiltinRole {
        id: "fdd7a751-b60b-444a-984c-02652fe8fa1c",
        name: "Groups Administrator",
        description: "Members of this role can create/manage groups, create/manage groups settings like naming and expiration policies, and view groups activity and audit reports.",
        privileged: false,
        actions: &["microsoft.directory/groups/allProperties/allTasks"],
    },
    BuiltinRole {
        id: "29232cdf-9323-42fd-ade2-1d097af3e4de",
        name: "Exchange Administrator",
        description: "Can manage all aspects of the Exchange product.",
        privileged: false,
        actions: &["microsoft.office365.exchange/allEntities/basic/allTasks"],
    },
    BuiltinRole {
        id: "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        name: "SharePoint Administrator",
        description: "Can manage all aspects of the SharePoint service.",
        privileged: false,
        actions: &["microsoft.office365.sharePoint/allEntities/allTasks"],
    },
    BuiltinRole {
        id: "69091246-20e8-4a56-aa4d-066075b2a7a8",
        name: "Teams Administrator",
        description: "Can manage the Microsoft Teams service.",
        privileged: false,
        actions: &["microsoft.teams/allEntities/allProperties/allTasks"],
    },
    BuiltinRole {
        id: "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
        name: "Conditional Access Administrator",
        description: "Can manage Conditional Access capabilities.",
        privileged: true,
        actions: &["microsoft.directory/conditionalAccessPolicies/create"],
    },
    BuiltinRole {
        id: "c4e39bd9-1100-46d3-8c65-fb160da0071f",
        name: "Authentication Administrator",
        description: "Can access to view, set and reset authentication method information for any non-admin user.",
        privileged: true,
        actions: &["microsoft.directory/users/authenticationMethods/create"],
    },
    BuiltinRole {
        id: "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
        name: "Privileged Authentication Administrator",
        description: "Can access to view, set and reset authentication method information for any user (admin or non-admin).",
        privileged: true,
        actions: &["microsoft.directory/users/authenticationMethods/allProperties/allTasks"],
    },
    BuiltinRole {
        id: "3a2c62db-5318-420d-8d74-23affee5d9d5",
        name: "Intune Administrator",
        description: "Can manage all aspects of the Intune product.",
        privileged: true,
        actions: &["microsoft.intune/allEntities/allTasks"],
    },
    BuiltinRole {
        id: "b0f54661-2d74-4c50-afa3-1ec803f12efe",
        name: "Billing Administrator",
        description: "Can perform common billing related tasks like updating payment information.",
        privileged: false,
        actions: &["microsoft.commerce.billing/allEntities/allProperties/allTasks"],
    },
    BuiltinRole {
        id: "4a5d8f65-41da-4de4-8968-e035b65339cf",
        name: "Reports Reader",
        description: "Can read sign-in and audit reports.",
        privileged: false,
        actions: &["microsoft.directory/auditLogs/allProperties/read"],
    },
    BuiltinRole {
        id: "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
        name: "Directory Readers",
        description: "Can read basic directory information. Commonly used to grant directory read access to applications and guests.",
        privileged: false,
        actions: &["microsoft.directory/users/standard/read"],
    },
];

/// Global Administrator: may do everything, including PIM administration.
pub(crate) const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
/// Privileged Role Administrator: PIM administration.
pub(crate) const PRIVILEGED_ROLE_ADMINISTRATOR: &str = "e8611ab8-c189-46e8-94e1-60213ab1f814";
/// Roles whose active holders may read every PIM object (besides the two above).
pub(crate) const READER_ROLES: &[&str] = &[
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451", // Global Reader
    "5d6b6bb7-de71-4623-b4af-96380a352509", // Security Reader
    "194ae4cb-b126-40b2-bd5b-6091b380977d", // Security Administrator
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_tenant_parses() {
        let t = Tenant::from_toml(DEFAULT_TENANT_TOML).expect("default tenant");
        assert!(!t.users.is_empty());
        assert!(!t.tokens.is_empty());
    }

    #[test]
    fn unknown_keys_are_errors_with_a_position() {
        let err = Tenant::from_toml("[[users]]\nname = \"a\"\nnmae = \"b\"\n").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("nmae"), "{text}");
        assert!(text.contains("line 3"), "{text}");
    }

    #[test]
    fn json_and_toml_are_the_same_structure() {
        let t = Tenant::from_json(
            r#"{"users":[{"name":"a"}],"tokens":[{"value":"t","principal":"a"}]}"#,
        )
        .expect("json");
        assert_eq!(t.users[0].name, "a");
        assert_eq!(t.tokens[0].principal, "a");
    }

    #[test]
    fn builtin_role_ids_are_unique_guids() {
        let mut seen = std::collections::BTreeSet::new();
        for r in BUILTIN_ROLES {
            assert!(uuid::Uuid::parse_str(r.id).is_ok(), "{}", r.name);
            assert!(seen.insert(r.id), "{}", r.name);
        }
    }
}
