//! The request builders' IR on small inline schemas: which methods exist (capabilities at
//! the container path, navigation property, entity set and type level, and the defaults),
//! functions with inline parameters, actions with a parameters struct, cycles, deprecation,
//! and what the emitter writes for each.

use pim_codegen::builders::{
    self, ActionResult, Builder, FunctionResult, LiteralKind, MethodKind, Requests, UpdateBody,
};
use pim_codegen::csdl::{ReadOptions, parse};
use pim_codegen::ir::{self, Options, TypeExpr};
use pim_codegen::model::resolve;
use pim_codegen::select::{SelectionConfig, select};

const CAP: &str = "Org.OData.Capabilities.V1";

fn record(term: &str, props: &str) -> String {
    format!(r#"<Annotation Term="{CAP}.{term}"><Record>{props}</Record></Annotation>"#)
}

fn flag(name: &str, value: bool) -> String {
    format!(r#"<PropertyValue Property="{name}" Bool="{value}"/>"#)
}

/// A schema exercising every rule; `extra` is spliced into the schema (more annotations).
fn schema(extra: &str) -> String {
    let type_caps = [
        record("InsertRestrictions", &flag("Insertable", false)),
        record("UpdateRestrictions", &flag("Updatable", false)),
        record("DeleteRestrictions", &flag("Deletable", false)),
    ]
    .concat();
    let set_caps = record("UpdateRestrictions", &flag("Updatable", true));
    let children_path_caps = record("InsertRestrictions", &flag("Insertable", false));
    let children_nav_caps = format!(
        r#"<Annotation Term="{CAP}.ReadRestrictions"><Record>{}<PropertyValue Property="ReadByKeyRestrictions"><Record>{}</Record></PropertyValue></Record></Annotation>"#,
        flag("Readable", false),
        flag("Readable", true)
    );
    let others_nav_caps = format!(r#"<Annotation Term="{CAP}.SkipSupported" Bool="false"/>"#);
    let deprecated = r#"<Annotation Term="Org.OData.Core.V1.Revisions"><Collection><Record>
        <PropertyValue Property="Date" Date="2025-10-27"/>
        <PropertyValue Property="Kind" EnumMember="Org.OData.Core.V1.RevisionKind/Deprecated"/>
        <PropertyValue Property="Description" String="Use things instead."/>
        <PropertyValue Property="RemovalDate" Date="2026-10-28"/>
    </Record></Collection></Annotation>"#;
    format!(
        r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="ns" Alias="n" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EnumType Name="side"><Member Name="left" Value="0"/><Member Name="right" Value="1"/></EnumType>
<EntityType Name="entity" Abstract="true"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.String" Nullable="false"/></EntityType>
<EntityType Name="thing" BaseType="n.entity">
  <Property Name="name" Type="Edm.String"/>
  <NavigationProperty Name="children" Type="Collection(n.child)" ContainsTarget="true"/>
  <NavigationProperty Name="others" Type="Collection(n.child)" ContainsTarget="true"/>
  {type_caps}
</EntityType>
<EntityType Name="child" BaseType="n.entity">
  <Property Name="size" Type="Edm.Int32"/>
  <NavigationProperty Name="parent" Type="n.child" ContainsTarget="true"/>
</EntityType>
<EntityType Name="old" BaseType="n.entity"><Property Name="label" Type="Edm.String"/>{deprecated}</EntityType>
<Function Name="find" IsBound="true">
  <Parameter Name="bindingParameter" Type="Collection(n.child)"/>
  <Parameter Name="on" Type="n.side" Nullable="false"/>
  <Parameter Name="name" Type="Edm.String" Nullable="false"/>
  <Parameter Name="count" Type="Edm.Int32"><Annotation Term="Org.OData.Core.V1.OptionalParameter"/></Parameter>
  <ReturnType Type="Collection(n.child)"/>
</Function>
<Function Name="total" IsBound="true">
  <Parameter Name="bindingParameter" Type="Collection(n.child)"/>
  <ReturnType Type="Edm.Int32" Nullable="false"/>
</Function>
<Action Name="approve" IsBound="true">
  <Parameter Name="bindingParameter" Type="n.child"/>
  <Parameter Name="reason" Type="Edm.String"/>
  <Parameter Name="level" Type="Edm.Int32" Nullable="false"/>
  <ReturnType Type="n.child"/>
</Action>
<Action Name="retire" IsBound="true">
  <Parameter Name="bindingParameter" Type="n.child"/>
  {deprecated}
</Action>
<Action Name="ping" IsBound="true"><Parameter Name="bindingParameter" Type="n.old"/></Action>
<EntityContainer Name="GraphService">
  <EntitySet Name="things" EntityType="n.thing">{set_caps}</EntitySet>
  <Singleton Name="legacy" Type="n.old"/>
</EntityContainer>
<Annotations Target="n.GraphService/things/children">{children_path_caps}</Annotations>
<Annotations Target="n.thing/children">{children_nav_caps}</Annotations>
<Annotations Target="n.thing/others">{others_nav_caps}</Annotations>
{extra}
</Schema></edmx:DataServices></edmx:Edmx>"#
    )
}

/// The whole pipeline up to the builders' IR, plus the emitted file.
fn requests(text: &str, binds: &[&str]) -> (Requests, String) {
    let toml: String = binds
        .iter()
        .map(|b| format!("[[bind]]\npath = \"{b}\"\n"))
        .collect();
    requests_with(text, &toml)
}

/// Like [`requests`], with a whole selection file.
fn requests_with(text: &str, toml: &str) -> (Requests, String) {
    let parsed = parse(text, ReadOptions::default());
    let model = resolve(&parsed.document, text.as_bytes());
    assert!(
        !model
            .diagnostics
            .iter()
            .any(|d| d.severity == pim_codegen::diag::Severity::Error),
        "{:?}",
        model.diagnostics
    );
    let config = SelectionConfig::from_toml(toml).unwrap();
    let sel = select(&model, &config).unwrap();
    let models = ir::build(&model, &sel, &Options::by_bind(&model, &config));
    let requests = builders::build(&model, &sel, &models);
    let (name, source) = builders::emit(&requests);
    assert_eq!(name, "requests.rs");
    (requests, source)
}

/// Whether the emitted source contains `snippet`, ignoring whitespace and trailing commas
/// (prettyplease decides the line breaks).
fn has(source: &str, snippet: &str) -> bool {
    let squash = |s: &str| s.split_whitespace().collect::<String>().replace(",)", ")");
    squash(source).contains(&squash(snippet))
}

fn builder<'r>(r: &'r Requests, name: &str) -> &'r Builder {
    r.builders
        .iter()
        .find(|b| b.name.ident == name)
        .unwrap_or_else(|| {
            panic!(
                "no builder {name}; have {:?}",
                r.builders.iter().map(|b| &b.name.ident).collect::<Vec<_>>()
            )
        })
}

fn methods(b: &Builder) -> Vec<&str> {
    b.methods.iter().map(|m| m.name.ident.as_str()).collect()
}

fn target(b: &Builder, method: &str) -> String {
    let m = b.methods.iter().find(|m| m.name.ident == method).unwrap();
    match &m.kind {
        MethodKind::Segment { target, .. } | MethodKind::Key { target, .. } => target.ident.clone(),
        other => panic!("{method} is not a navigation: {other:?}"),
    }
}

#[test]
fn capabilities_decide_which_methods_exist() {
    let (r, _) = requests(&schema(""), &["things"]);
    // Entity set: type-level Insertable=false applies (the set says nothing about insert).
    let things = builder(&r, "ThingCollectionBuilder");
    assert_eq!(methods(things), ["by_id", "list", "count"]);
    // Items: the set's Updatable=true overrides the type's false (CSDL-102); the type's
    // Deletable=false stands.
    let thing = builder(&r, "ThingBuilder");
    assert_eq!(methods(thing), ["get", "update", "children", "others"]);
    // `children`: not listable (ReadRestrictions on the navigation property), readable by
    // key (ReadByKeyRestrictions), not insertable (the exact container path wins). `others`
    // of the same type keeps the defaults but for `$skip`, so it is another builder, named
    // after the navigation that reaches it, whose `list` docs say `$skip` is unsupported.
    let children = builder(&r, &target(thing, "children"));
    assert_eq!(children.name.ident, "ChildCollectionBuilder");
    assert_eq!(methods(children), ["by_id", "find", "total"]);
    let others = builder(&r, &target(thing, "others"));
    assert_eq!(others.name.ident, "ChildOthersCollectionBuilder");
    assert_eq!(
        methods(others),
        ["by_id", "list", "count", "create", "find", "total"]
    );
    let list = others
        .methods
        .iter()
        .find(|m| m.name.ident == "list")
        .unwrap();
    assert!(list.docs[0].starts_with("`GET /things/{thing-id}/others`"));
    assert!(
        list.docs
            .iter()
            .any(|d| d.contains("does not support `$skip`"))
    );
    // Both collections' items behave alike (get, update, delete), so they share a builder.
    assert_eq!(target(children, "by_id"), target(others, "by_id"));
    let child = builder(&r, "ChildBuilder");
    assert_eq!(
        methods(child),
        ["get", "update", "delete", "parent", "approve", "retire"]
    );
}

#[test]
fn defaults_apply_without_annotations() {
    // Strip every Capabilities annotation: the spec's defaults remain.
    let text = schema("");
    let bare: String = text
        .split('\n')
        .map(|l| {
            let mut l = l.to_owned();
            while let Some(start) = l.find(&format!("<Annotation Term=\"{CAP}")) {
                let rest = &l[start..];
                let end = if let Some(e) = rest.find("</Annotation>") {
                    e + "</Annotation>".len()
                } else {
                    rest.find("/>").unwrap() + 2
                };
                l.replace_range(start..start + end, "");
            }
            l
        })
        .collect::<Vec<_>>()
        .join("\n");
    let (r, _) = requests(&bare, &["things", "legacy"]);
    assert_eq!(
        methods(builder(&r, "ThingCollectionBuilder")),
        ["by_id", "list", "count", "create"]
    );
    assert_eq!(
        methods(builder(&r, "ThingBuilder")),
        ["get", "update", "delete", "children", "others"]
    );
    // One collection builder for both navigations now.
    let thing = builder(&r, "ThingBuilder");
    assert_eq!(target(thing, "children"), target(thing, "others"));
    // A singleton: get and update, never delete.
    assert_eq!(
        methods(builder(&r, "OldBuilder")),
        ["get", "update", "ping"]
    );
}

#[test]
fn cycles_return_the_same_builder() {
    let (r, source) = requests(&schema(""), &["things"]);
    let child = builder(&r, "ChildBuilder");
    // `child.parent` is a nullable single-valued containment: addressed like an item, so
    // `parent()` returns the very builder it is called on, at any depth.
    assert_eq!(target(child, "parent"), "ChildBuilder");
    assert!(
        has(&source, "pub fn parent(&self) -> ChildBuilder {"),
        "{source}"
    );
    assert!(has(&source, ".segment(\"parent\")"));
}

#[test]
fn functions_take_typed_inline_parameters() {
    let (r, source) = requests(&schema(""), &["things"]);
    let children = builder(&r, "ChildCollectionBuilder");
    let find = children
        .methods
        .iter()
        .find(|m| m.name.ident == "find")
        .unwrap();
    let MethodKind::Function {
        segment,
        params,
        result,
        operation,
    } = &find.kind
    else {
        panic!("{find:?}")
    };
    assert_eq!(segment, "find");
    assert_eq!(operation, "ns.find");
    let kinds: Vec<(&str, LiteralKind, bool)> = params
        .iter()
        .map(|p| (p.wire.as_str(), p.literal, p.optional))
        .collect();
    assert_eq!(
        kinds,
        [
            ("on", LiteralKind::Enum, false),
            ("name", LiteralKind::String, false),
            ("count", LiteralKind::Primitive, true),
        ]
    );
    // A collection result is paged like a list.
    assert!(
        matches!(result, FunctionResult::Collection(p) if p.ty == TypeExpr::Named(pim_codegen::naming::Name::plain("Child")))
    );
    assert!(
        find.docs[0]
            .contains("`GET /things/{thing-id}/children/find(on={on},name={name},count={count})`")
    );
    // Enums are written as quoted member names; optional parameters are left out when None.
    assert!(has(
        &source,
        "rt::Literal::enum_str(::pim_api::edm::open_enum_as_str(&on))"
    ));
    assert!(has(&source, "rt::Literal::string(name)"));
    assert!(has(&source, "if let Some(value) = count {"));
    assert!(has(&source, "count: Option<i32>"));
    // A primitive result is decoded from `value`.
    let total = children
        .methods
        .iter()
        .find(|m| m.name.ident == "total")
        .unwrap();
    assert!(
        matches!(&total.kind, MethodKind::Function { result: FunctionResult::Value(p), params, .. }
        if params.is_empty() && !p.optional && p.ty == TypeExpr::Edm(ir::EdmType::Int32))
    );
    // Parameterless functions are a plain segment, as Graph writes them (`…/export`).
    assert!(has(&source, ".segment(\"total\")"));
}

#[test]
fn actions_send_a_parameters_struct() {
    let (r, source) = requests(&schema(""), &["things"]);
    let child = builder(&r, "ChildBuilder");
    let approve = child
        .methods
        .iter()
        .find(|m| m.name.ident == "approve")
        .unwrap();
    let MethodKind::Action {
        segment,
        params,
        result,
        ..
    } = &approve.kind
    else {
        panic!()
    };
    assert_eq!(segment, "approve");
    assert_eq!(params.as_ref().unwrap().ident, "ApproveParams");
    // Nullable entity result (the CSDL default): `None` on 204.
    assert!(matches!(result, ActionResult::Entity(p) if p.optional));
    let p = r
        .params
        .iter()
        .find(|p| p.name.ident == "ApproveParams")
        .unwrap();
    let required: Vec<&str> = p.required().map(|f| f.wire.as_str()).collect();
    assert_eq!(required, ["level"]);
    assert!(has(&source, "pub fn new(level: impl Into<i32>) -> Self"));
    assert!(has(
        &source,
        "map.serialize_entry(\"level\", &self.level)?;"
    ));
    assert!(has(&source, "if let Some(value) = &self.reason {"));
    assert!(
        has(
            &source,
            "pub fn approve(&self, params: &ApproveParams) -> rt::ActionRequest<Option<models::Child>>"
        ),
        "{source}"
    );
    // Requests are `#[must_use]` (nothing is sent until awaited) and `#[inline]` (compiled
    // only where called); navigation methods are neither must_use nor heavy.
    assert!(has(
        &source,
        "#[must_use = \"a request does nothing until it is awaited (or sent with `.send()`)\"] #[inline] pub fn approve("
    ));
    assert!(has(
        &source,
        "#[inline] pub fn parent(&self) -> ChildBuilder"
    ));
    // Without parameters or result: `ActionRequest<()>` and no struct.
    assert!(has(
        &source,
        "pub fn retire(&self) -> rt::ActionRequest<()>"
    ));
    assert!(!r.params.iter().any(|p| p.name.ident.contains("Retire")));
}

#[test]
fn deprecation_reaches_builders_methods_and_docs() {
    let (r, source) = requests(&schema(""), &["things", "legacy"]);
    // The deprecated entity type: entry point, builder and its methods.
    let entry = r.entry.iter().find(|m| m.name.ident == "legacy").unwrap();
    let d = entry.deprecation.as_ref().unwrap();
    assert_eq!(d.since.as_deref(), Some("2025-10-27"));
    assert!(d.note.contains("Use things instead."));
    let old = builder(&r, "OldBuilder");
    assert!(old.deprecation.is_some());
    assert!(old.methods.iter().all(|m| m.deprecation.is_some()));
    // A deprecated operation on a current type.
    let child = builder(&r, "ChildBuilder");
    let retire = child
        .methods
        .iter()
        .find(|m| m.name.ident == "retire")
        .unwrap();
    assert!(retire.deprecation.is_some());
    let approve = child
        .methods
        .iter()
        .find(|m| m.name.ident == "approve")
        .unwrap();
    assert!(approve.deprecation.is_none());
    // The date goes into the note (`since` must be semver for clippy), and generated impls
    // allow what they use internally.
    assert!(
        has(
            &source,
            "#[deprecated(note = \"deprecated since 2025-10-27: Use things instead.; removal on 2026-10-28\")]"
        ),
        "{source}"
    );
    assert!(!source.contains("since ="));
    assert!(has(&source, "#[allow(deprecated)]\nimpl OldBuilder {"));
}

#[test]
fn entry_points_keys_and_updates() {
    let (r, source) = requests(&schema(""), &["things", "legacy"]);
    let names: Vec<&str> = r.entry.iter().map(|m| m.name.ident.as_str()).collect();
    assert_eq!(names, ["things", "legacy"]);
    assert!(has(&source, "impl rt::Client {"));
    assert!(has(
        &source,
        "path: rt::ODataPath::new().segment(\"things\"),"
    ));
    // Every key goes through the runtime's encoding, with a named placeholder.
    assert!(has(&source, ".key_named(\"thing-id\", id)"));
    assert!(has(&source, ".key_named(\"child-id\", id)"));
    // PATCH takes the models' update body.
    let thing = builder(&r, "ThingBuilder");
    let update = thing
        .methods
        .iter()
        .find(|m| m.name.ident == "update")
        .unwrap();
    assert!(
        matches!(&update.kind, MethodKind::Update { body: UpdateBody::Direct(u), .. } if u.ident == "ThingUpdate")
    );
}

#[test]
fn polymorphic_families_update_through_the_marker_trait() {
    let extra = r#"<EntityType Name="rule" BaseType="n.entity" Abstract="true"/>
<EntityType Name="expiryRule" BaseType="n.rule"><Property Name="days" Type="Edm.Int32"/></EntityType>
<EntityType Name="noteRule" BaseType="n.rule"><Property Name="text" Type="Edm.String"/></EntityType>
<EntityType Name="policy" BaseType="n.entity"><NavigationProperty Name="rules" Type="Collection(n.rule)" ContainsTarget="true"/></EntityType>"#;
    let text = schema(extra).replace(
        r#"<Singleton Name="legacy" Type="n.old"/>"#,
        r#"<Singleton Name="legacy" Type="n.old"/><EntitySet Name="policies" EntityType="n.policy"/>"#,
    );
    let (r, source) = requests(&text, &["policies"]);
    let rule = builder(&r, "RuleBuilder");
    let update = rule
        .methods
        .iter()
        .find(|m| m.name.ident == "update")
        .unwrap();
    assert!(
        matches!(&update.kind, MethodKind::Update { body: UpdateBody::Family { base }, .. } if base.ident == "Rule")
    );
    let t = r.update_trait.as_ref().unwrap();
    let impls: Vec<(&str, &str)> = t
        .impls
        .iter()
        .map(|(a, b)| (a.ident.as_str(), b.ident.as_str()))
        .collect();
    assert_eq!(
        impls,
        [("Rule", "ExpiryRuleUpdate"), ("Rule", "NoteRuleUpdate")]
    );
    assert!(has(
        &source,
        "pub fn update<B: UpdateBodyOf<models::Rule>>(&self, body: &B) -> rt::UpdateRequest"
    ));
    // Lists decode the polymorphic value.
    assert!(has(&source, "rt::ListRequest<models::RuleKind>"));
}

#[test]
fn generation_is_deterministic_and_skipped_without_paths() {
    let a = requests(&schema(""), &["things", "legacy"]).1;
    let b = requests(&schema(""), &["things", "legacy"]).1;
    assert_eq!(a, b);
    // The whole-schema run has no bound path, hence no builders file.
    let text = schema("");
    let all = pim_codegen::generate_all(text.as_bytes()).unwrap();
    assert!(all.file(builders::FILE).is_none());
    let some = pim_codegen::generate(text.as_bytes(), "[[bind]]\npath = \"things\"\n").unwrap();
    assert!(some.file(builders::FILE).is_some());
}

#[test]
fn name_collisions_are_renamed_and_reported() {
    // A navigation property named like a CRUD method keeps the CRUD name free.
    let text = schema("").replace(
        r#"<NavigationProperty Name="others" Type="Collection(n.child)" ContainsTarget="true"/>"#,
        r#"<NavigationProperty Name="others" Type="Collection(n.child)" ContainsTarget="true"/><NavigationProperty Name="delete" Type="n.child" ContainsTarget="true"/>"#,
    );
    let (r, _) = requests(&text, &["things"]);
    let thing = builder(&r, "ThingBuilder");
    assert!(methods(thing).contains(&"delete_2"), "{:?}", methods(thing));
    assert_eq!(r.renames.len(), 1, "{:?}", r.renames);
    assert!(
        r.renames[0]
            .message
            .contains("`delete_2` instead of `delete`")
    );
    let generated =
        pim_codegen::generate(text.as_bytes(), "[[bind]]\npath = \"things\"\n").unwrap();
    assert!(generated.diagnostics.iter().any(|d| {
        d.code == pim_codegen::diag::Code::NameCollision && d.message.contains("delete_2")
    }));
}

/// Tasks with relationships (non-containment navigation) and properties to filter on.
const TASKS: &str = r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="ns" Alias="n" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EnumType Name="kind"><Member Name="bug" Value="0"/><Member Name="chore" Value="1"/></EnumType>
<EntityType Name="entity" Abstract="true"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.String" Nullable="false"/></EntityType>
<EntityType Name="task" BaseType="n.entity">
  <Property Name="ownerId" Type="Edm.String"/>
  <Property Name="state" Type="Edm.String"/>
  <Property Name="kind" Type="n.kind"/>
  <Property Name="size" Type="Edm.Decimal"/>
  <Property Name="tags" Type="Collection(Edm.String)"/>
  <NavigationProperty Name="owner" Type="n.user"/>
  <NavigationProperty Name="blocker" Type="n.task"/>
  <NavigationProperty Name="watchers" Type="Collection(n.user)"/>
  <NavigationProperty Name="notes" Type="Collection(n.note)" ContainsTarget="true"/>
</EntityType>
<EntityType Name="note" BaseType="n.entity"><Property Name="text" Type="Edm.String"/></EntityType>
<EntityType Name="user" BaseType="n.entity"><Property Name="name" Type="Edm.String"/></EntityType>
<EntityContainer Name="GraphService">
  <EntitySet Name="tasks" EntityType="n.task"/>
  <EntitySet Name="counted" EntityType="n.note">
    <Annotation Term="Org.OData.Capabilities.V1.CountRestrictions"><Record><PropertyValue Property="Countable" Bool="false"/></Record></Annotation>
  </EntitySet>
</EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>"#;

#[test]
fn relationships_are_read_one_level_deep() {
    let (r, source) = requests(TASKS, &["tasks", "counted"]);
    let task = builder(&r, "TaskBuilder");
    assert_eq!(
        methods(task),
        [
            "get", "update", "delete", "notes", "owner", "blocker", "watchers"
        ]
    );
    // A related entity generated in full: its own builder, reads only, no further hops.
    let blocker = builder(&r, &target(task, "blocker"));
    assert_eq!(blocker.name.ident, "TaskRelatedBuilder");
    assert_eq!(methods(blocker), ["get"]);
    assert!(blocker.docs.iter().any(|d| d.contains("reads only")));
    // A reference-only target is read as its reference type.
    let owner = builder(&r, &target(task, "owner"));
    assert_eq!(owner.name.ident, "UserRelatedBuilder");
    assert_eq!(methods(owner), ["get"]);
    assert!(owner.docs.iter().any(|d| d.contains("as a reference")));
    assert!(has(
        &source,
        "pub fn get(&self) -> rt::GetRequest<models::User>"
    ));
    // A related collection: list, count and by key; its items are read-only too.
    let watchers = builder(&r, &target(task, "watchers"));
    assert_eq!(watchers.name.ident, "UserRelatedCollectionBuilder");
    assert_eq!(methods(watchers), ["by_id", "list", "count"]);
    assert_eq!(target(watchers, "by_id"), "UserRelatedBuilder");
    // Contained collections are counted; `CountRestrictions/Countable=false` removes it.
    let notes = builder(&r, &target(task, "notes"));
    assert_eq!(methods(notes), ["by_id", "list", "count", "create"]);
    assert!(has(
        &source,
        "pub fn count(&self) -> rt::CountRequest { rt::CountRequest::new(&self.client, self.path.clone()).operation(\"count ns.note\") }"
    ));
    let counted = builder(&r, "NoteCollectionBuilder");
    assert_eq!(methods(counted), ["by_id", "list", "create"]);
}

#[test]
fn restrictions_take_away_what_the_service_refuses() {
    let toml = r#"
[[bind]]
path = "tasks"
[[restrict]]
path = "tasks"
refuses = ["create", "delete"]
list_filter = [["ownerId"], ["state", "kind"]]
refuses_navigation = ["blocker"]
docs = ["https://example.com/tasks"]
[[restrict]]
path = "tasks/notes"
refuses = ["update"]
docs = ["https://example.com/notes"]
"#;
    let (r, source) = requests_with(TASKS, toml);
    let tasks = builder(&r, "TaskCollectionBuilder");
    assert_eq!(
        methods(tasks),
        [
            "by_id",
            "list_by_owner_id",
            "count_by_owner_id",
            "list_by_state_and_kind",
            "count_by_state_and_kind"
        ]
    );
    let list = tasks
        .methods
        .iter()
        .find(|m| m.name.ident == "list_by_state_and_kind")
        .unwrap();
    assert!(
        list.docs[0].starts_with("`GET /tasks?$filter=state eq {state} and kind eq {kind}`"),
        "{:?}",
        list.docs
    );
    assert!(
        list.docs
            .iter()
            .any(|d| d.contains("<https://example.com/tasks>"))
    );
    // The values are typed like function parameters and written as escaped literals.
    assert!(has(
        &source,
        "pub fn list_by_owner_id(&self, owner_id: &str) -> rt::ListRequest<models::Task>"
    ));
    assert!(has(
        &source,
        ".required_filter(&[(\"ownerId\", rt::Literal::string(owner_id))])"
    ));
    assert!(has(
        &source,
        "pub fn count_by_state_and_kind(&self, state: &str, kind: models::Kind) -> rt::CountRequest"
    ));
    assert!(has(
        &source,
        "(\"kind\", rt::Literal::enum_str(::pim_api::edm::open_enum_as_str(&kind)))"
    ));
    // Items: no delete, no `blocker`; the docs say why.
    let task = builder(&r, "TaskBuilder");
    assert_eq!(
        methods(task),
        ["get", "update", "notes", "owner", "watchers"]
    );
    assert!(
        task.docs
            .iter()
            .any(|d| d.contains("refuses `delete`") && d.contains("example.com/tasks")),
        "{:?}",
        task.docs
    );
    assert!(task.docs.iter().any(|d| d.contains("navigation `blocker`")));
    // Below a bound path too: notes keep create and delete, lose update.
    let notes = builder(&r, &target(task, "notes"));
    assert_eq!(methods(notes), ["by_id", "list", "count", "create"]);
    assert_eq!(
        methods(builder(&r, &target(notes, "by_id"))),
        ["get", "delete"]
    );
}
