//! Every GET Microsoft's SDKs generate on the PIM iteration 3 roots pim-api binds, issued by
//! the generated request builders.
//!
//! Microsoft's SDKs are generated from an OpenAPI description that OpenAPI.NET.OData derives
//! from the CSDL (`../shared/research/microsoft-sdks.md`, B.2–B.3). Its path rules are
//! re-implemented here, independently of the builders' own walk, over the pin:
//! - a collection gives `GET …`, `GET …/$count`, `GET …/{key}` and its bound functions;
//! - an entity gives `GET …` and its bound functions; a containment navigation property
//!   recurses into its target (a cycle is cut at the second use of the same property), a
//!   non-containment one gives exactly one level (`GET …/nav`, and for a collection its
//!   `$count` and `/{key}`).
//!
//! Navigation properties the selection's `[[restrict]]` entries say the service does not
//! serve are left out (Microsoft's metadata transform removes `approval/request` for the
//! same reason). Each remaining path is then followed through the builders' IR, segment by
//! segment from the `Client` entry points, and must end at a method that issues the GET.

use std::collections::BTreeSet;

use pim_codegen::builders::{self, Builder, FunctionResult, MethodKind, Requests};
use pim_codegen::csdl::{OperationKind, ReadOptions, parse_bytes};
use pim_codegen::ir::{self, Options};
use pim_codegen::model::{Model, TypeId, resolve};
use pim_codegen::select::{Selection, SelectionConfig, select};

/// A GET path template: static segments, `{}` for keys, `$count`.
type Path = Vec<String>;

struct Enumeration<'m, 'a> {
    model: &'m Model<'a>,
    /// Navigations the service does not serve, as (entity type, property).
    refused: BTreeSet<(TypeId, String)>,
    paths: Vec<Path>,
}

impl Enumeration<'_, '_> {
    fn functions(&self, ty: TypeId, collection: bool) -> Vec<String> {
        let model = self.model;
        let mut out = Vec::new();
        for base in model.base_chain(ty) {
            for op in model.bound_operations(base) {
                let o = model.operation(*op);
                if o.kind() == OperationKind::Function
                    && o.binding.is_some_and(|b| b.collection == collection)
                {
                    out.push(o.name().to_owned());
                }
            }
        }
        out
    }

    fn collection(&mut self, path: &Path, ty: TypeId, stack: &[(TypeId, String)], deep: bool) {
        self.paths.push(path.clone());
        self.paths.push(with(path, "$count"));
        for f in self.functions(ty, true) {
            self.paths.push(with(path, &f));
        }
        self.entity(&with(path, "{}"), ty, stack, deep);
    }

    fn entity(&mut self, path: &Path, ty: TypeId, stack: &[(TypeId, String)], deep: bool) {
        self.paths.push(path.clone());
        for f in self.functions(ty, false) {
            self.paths.push(with(path, &f));
        }
        if !deep {
            return;
        }
        let navigation: Vec<_> = self
            .model
            .all_navigation(ty)
            .into_iter()
            .map(|(declaring, n)| {
                (
                    declaring,
                    n.name().to_owned(),
                    n.ty.named(),
                    n.ty.collection,
                    n.raw.contains_target,
                )
            })
            .collect();
        for (declaring, name, target, collection, contained) in navigation {
            let key = (declaring, name.clone());
            let Some(target) = target else { continue };
            if stack.contains(&key) || self.refused.contains(&(ty, name.clone())) {
                continue;
            }
            let mut stack = stack.to_vec();
            stack.push(key);
            let path = with(path, &name);
            if collection {
                self.collection(&path, target, &stack, contained);
            } else {
                self.entity(&path, target, &stack, contained);
            }
        }
    }
}

/// `"a/{}/b"` as a [`Path`].
fn path(text: &str) -> Path {
    text.split('/').map(str::to_owned).collect()
}

fn with(path: &Path, segment: &str) -> Path {
    let mut p = path.clone();
    p.push(segment.to_owned());
    p
}

/// Whether the builders can issue `GET path`: follow it from the entry points.
fn issuable(requests: &Requests, path: &Path) -> Result<(), String> {
    let find = |name: &str| -> Option<&Builder> {
        requests.builders.iter().find(|b| b.name.ident == name)
    };
    let (first, rest) = path.split_first().ok_or("empty path")?;
    let mut current = requests
        .entry
        .iter()
        .find_map(|m| match &m.kind {
            MethodKind::Segment { segment, target } if segment == first => find(&target.ident),
            _ => None,
        })
        .ok_or_else(|| format!("no entry point `{first}`"))?;
    for (i, segment) in rest.iter().enumerate() {
        let last = i + 1 == rest.len();
        let next = current
            .methods
            .iter()
            .find_map(|m| match (&m.kind, segment.as_str()) {
                (MethodKind::Key { target, .. }, "{}") => Some(Some(target)),
                (MethodKind::Count { .. }, "$count") if last => Some(None),
                (MethodKind::Segment { segment: s, target }, _) if s == segment => {
                    Some(Some(target))
                }
                (MethodKind::Function { segment: s, .. }, _) if s == segment && last => Some(None),
                _ => None,
            });
        match next {
            Some(Some(target)) => current = find(&target.ident).ok_or("dangling builder")?,
            // `$count` or a function: the method itself issues the GET.
            Some(None) => return Ok(()),
            None => {
                return Err(format!(
                    "`{}` has no method for `{segment}`",
                    current.name.ident
                ));
            }
        }
    }
    let reads = current.methods.iter().any(|m| {
        matches!(
            m.kind,
            MethodKind::List { .. }
                | MethodKind::Get { .. }
                | MethodKind::Function {
                    result: FunctionResult::Collection(_),
                    ..
                }
        )
    });
    if reads {
        Ok(())
    } else {
        Err(format!("`{}` cannot GET the resource", current.name.ident))
    }
}

fn pipeline(model: &Model<'_>, config: &SelectionConfig) -> (Selection, Requests) {
    let sel = select(model, config).unwrap();
    let models = ir::build(model, &sel, &Options::by_bind(model, config));
    let requests = builders::build(model, &sel, &models);
    (sel, requests)
}

#[test]
fn every_read_microsoft_exposes_on_iteration_3_is_issuable() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let schema = std::fs::read(root.join("metadata/pim-beta.csdl")).unwrap();
    let selection = std::fs::read_to_string(root.join("metadata/selection.toml")).unwrap();
    let parsed = parse_bytes(&schema, ReadOptions::default());
    let model = resolve(&parsed.document, &schema);
    // The default build: iteration 3 only (iteration 2 is behind a feature).
    let config = SelectionConfig::from_toml(&selection)
        .unwrap()
        .with_features(&BTreeSet::new());
    let (sel, requests) = pipeline(&model, &config);

    let mut refused = BTreeSet::new();
    for (path, r) in &sel.restrictions {
        // The entity type at the end of the restricted path.
        let mut names = path.split('/');
        let child = model.container_child(names.next().unwrap()).unwrap();
        let mut ty = child.ty.unwrap();
        for name in names {
            let (_, nav) = model
                .all_navigation(ty)
                .into_iter()
                .find(|(_, n)| n.name() == name)
                .unwrap();
            ty = nav.ty.named().unwrap();
        }
        for nav in &r.refuses_navigation {
            refused.insert((ty, nav.clone()));
        }
    }
    let mut e = Enumeration {
        model: &model,
        refused,
        paths: Vec::new(),
    };
    for bound in &sel.bound {
        let path: Path = bound.segments.iter().map(|s| s.name.clone()).collect();
        let last = bound.segments.last().unwrap();
        if last.collection {
            e.collection(&path, last.ty, &[], true);
        } else {
            e.entity(&path, last.ty, &[], true);
        }
    }
    let paths: BTreeSet<Path> = e.paths.into_iter().collect();

    let missing: Vec<String> = paths
        .iter()
        .filter_map(|p| {
            issuable(&requests, p)
                .err()
                .map(|why| format!("GET /{}: {why}", p.join("/")))
        })
        .collect();
    let count = |f: &dyn Fn(&Path) -> bool| paths.iter().filter(|p| f(p)).count();
    let counts = count(&|p| p.last().is_some_and(|s| s == "$count"));
    let related = [
        "principal",
        "roleDefinition",
        "directoryScope",
        "appScope",
        "activatedUsing",
        "targetSchedule",
        "group",
        "policy",
    ];
    let relationships = count(&|p| {
        p.len() > 1 && p[p.len() - 2] == "{}" && related.contains(&p[p.len() - 1].as_str())
    });
    println!(
        "{} GET operations on the iteration 3 roots ({counts} `$count`, {relationships} \
         relationships); {} not issuable",
        paths.len(),
        missing.len()
    );
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    // The enumeration is not vacuous: the reads the bindings lacked before are in it.
    assert!(
        counts >= 30 && relationships >= 40,
        "{counts} {relationships}"
    );
    for p in [
        "roleManagement/directory/roleAssignmentScheduleRequests/{}/principal",
        "roleManagement/directory/roleEligibilitySchedules/{}/roleDefinition",
        "roleManagement/directory/roleAssignmentSchedules/{}/activatedUsing",
        "identityGovernance/privilegedAccess/group/eligibilitySchedules/{}/group",
        "policies/roleManagementPolicyAssignments/{}/policy",
        "policies/roleManagementPolicies/{}/rules/$count",
        "roleManagement/directory/roleAssignmentApprovals/{}/steps/$count",
    ] {
        assert!(paths.contains(&path(p)), "{p} not enumerated");
    }
    // What the service does not serve is not offered either.
    let refused = path("roleManagement/directory/roleAssignmentApprovals/{}/request");
    assert!(issuable(&requests, &refused).is_err());
}

#[test]
fn the_check_fails_on_bindings_without_relationships_or_counts() {
    // The same enumeration against a selection that exposes less must find the gaps: with
    // the containment below `policies/roleManagementPolicies` excluded, `rules` is missing.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let schema = std::fs::read(root.join("metadata/pim-beta.csdl")).unwrap();
    let parsed = parse_bytes(&schema, ReadOptions::default());
    let model = resolve(&parsed.document, &schema);
    let config = SelectionConfig::from_toml(
        "[[bind]]\npath = \"policies/roleManagementPolicies\"\nexclude = [\"rules\"]\n",
    )
    .unwrap();
    let (_, requests) = pipeline(&model, &config);
    let rules = path("policies/roleManagementPolicies/{}/rules");
    let err = issuable(&requests, &rules).unwrap_err();
    assert!(err.contains("no method for `rules`"), "{err}");
    let count = path("policies/roleManagementPolicies/$count");
    assert!(issuable(&requests, &count).is_ok());
}
