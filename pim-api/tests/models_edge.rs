//! Behaviour of generated models, on the edge-case fixture (`codegen/tests/fixtures/edge.csdl`)
//! and the recursive fixture, whose committed generated code (`pim-api/golden/fixtures/`,
//! kept current by `codegen/tests/golden.rs`) is compiled into this test: naming rules,
//! presence and nullability, required properties, PATCH bodies, open and flags enums,
//! polymorphic dispatch, lossless round trips, every Edm type's edge values, boxing.

#![allow(deprecated)] // the fixture deprecates `thing.legacy`; it is used here on purpose

use serde_json::{Value, json};

#[allow(dead_code)]
mod edge {
    include!("../golden/fixtures/edge/mod.rs");
}

#[allow(dead_code)]
mod recursive {
    include!("../golden/fixtures/recursive/mod.rs");
}

use edge::*;
use pim_api::edm::{self, Flags, Patch};

fn decode<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_str(&v.to_string()).unwrap()
}

/// Decodes from text (borrowed keys, as the client does) and encodes back.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(v: &Value) -> Value {
    let t: T = serde_json::from_str(&v.to_string()).unwrap();
    serde_json::to_value(&t).unwrap()
}

#[test]
fn names_follow_the_rules() {
    let mut t = Thing::new("n", 1, "k");
    // Keywords: raw identifiers, or a `_` suffix where raw is impossible.
    t.r#type = Some("type".into());
    t.r#ref = Some("ref".into());
    t.r#match = Some("match".into());
    t.r#async = Some("async".into());
    t.self_ = Some("self".into());
    t.crate_ = Some("crate".into());
    // `RoleId` sorts before `roleId`: it keeps `role_id`; the reserved field name
    // `additional_properties` pushes the property to `additional_properties_2`.
    t.role_id = Some("RoleId".into());
    t.role_id_2 = Some("roleId".into());
    t.additional_properties_2 = Some("property".into());
    // Prelude and cross-namespace collisions: `Option_`, `OtherOption`.
    // A required property named like a local of the generated `new` (`value`).
    t.option = Some(Option_::new("v"));
    t.other_option = Some(OtherOption::new());
    let v = serde_json::to_value(&t).unwrap();
    for (wire, value) in [
        ("type", "type"),
        ("ref", "ref"),
        ("match", "match"),
        ("async", "async"),
        ("self", "self"),
        ("crate", "crate"),
        ("RoleId", "RoleId"),
        ("roleId", "roleId"),
        ("additionalProperties", "property"),
    ] {
        assert_eq!(v[wire], value, "{wire}");
    }
    assert_eq!(v["option"], json!({"value": "v"}));
    // Enum members: `self` → `Self_`; the catch-all is `UnknownValue` when a member is `unknown`.
    assert_eq!(Status::Self_.to_string(), "self");
    assert_eq!(Status::Unknown.to_string(), "unknown");
    assert_eq!(Status::UnknownValue("x".into()).to_string(), "x");
    assert_eq!(Thing::ODATA_TYPE, "#microsoft.graph.thing");
}

#[test]
fn absent_properties_never_fail_decoding() {
    // Even the non-nullable ones (`$select` responses omit them).
    let t: Thing = decode(json!({}));
    assert_eq!(t.name, None);
    assert_eq!(t.count, None);
    assert_eq!(serde_json::to_value(&t).unwrap(), json!({}));
    // `null` on a non-nullable property is accepted and kept.
    let v = json!({"name": null, "tags": null, "parts": null, "owner": null});
    assert_eq!(round_trip::<Thing>(&v), v);
    let t: Thing = decode(v);
    assert!(t.name.is_none() && t.tags.is_none() && t.parts.is_none());
    // Collections: absent, null and empty stay apart.
    for v in [
        json!({}),
        json!({"tags": null}),
        json!({"tags": []}),
        json!({"tags": ["a"]}),
    ] {
        assert_eq!(round_trip::<Thing>(&v), v);
    }
    // Items may be null only where the schema says so.
    let v = json!({"maybeTags": ["a", null]});
    assert_eq!(round_trip::<Thing>(&v), v);
    assert!(serde_json::from_value::<Thing>(json!({"tags": ["a", null]})).is_err());
}

#[test]
fn null_and_absent_follow_the_fields() {
    let mut t: Thing = decode(json!({"string": null, "int32": 1}));
    // Assigning a value replaces a decoded null; clearing a decoded value leaves it out.
    t.string = Some("now set".into());
    t.int32 = None;
    assert_eq!(
        serde_json::to_value(&t).unwrap(),
        json!({"string": "now set"})
    );
}

#[test]
fn create_bodies_need_their_required_properties() {
    // `Thing` has required properties (`name`, `count`, `kind`: non-nullable, not computed,
    // not the key), so it has no `Default`; `new` takes them.
    let t = Thing::new("name", 3, "kind");
    assert_eq!(
        serde_json::to_value(&t).unwrap(),
        json!({"name": "name", "count": 3, "kind": "kind"})
    );
    // `createdDateTime` is non-nullable but computed: not required. `id` is the key: not
    // required either.
    fn has_default<T: Default>() {}
    has_default::<Part>(); // no required property: `Default` and `new()`
    has_default::<ThingUpdate>();
}

#[test]
fn patch_bodies_are_tri_state() {
    let mut u = ThingUpdate::new();
    assert_eq!(serde_json::to_value(&u).unwrap(), json!({}));
    u.name = Patch::Value("renamed".into());
    u.string = Patch::Null;
    u.colors = Patch::Value(Flags::from(vec![Color::Red, Color::Blue]));
    // `int32` stays absent: not in the body, so unchanged on the server.
    let v = serde_json::to_value(&u).unwrap();
    assert_eq!(
        v,
        json!({"name": "renamed", "string": null, "colors": "red,blue"})
    );
    // Decoding keeps all three states.
    let back: ThingUpdate = decode(v.clone());
    assert!(back.int32.is_absent() && back.string.is_null());
    assert_eq!(back.name, Patch::Value("renamed".to_owned()));
    assert_eq!(round_trip::<ThingUpdate>(&v), v);
}

#[test]
fn update_bodies_leave_out_keys_computed_and_immutable_properties() {
    let fields = <ThingUpdate as edm::derive_support::Model>::FIELDS;
    assert!(!fields.contains(&"id"), "key");
    assert!(!fields.contains(&"createdDateTime"), "computed");
    assert!(!fields.contains(&"kind"), "immutable");
    assert!(fields.contains(&"name"));
    // Contained navigation properties can be sent (deep update); others cannot.
    assert!(fields.contains(&"parts"));
    assert!(!fields.contains(&"parent") && !fields.contains(&"creator"));
}

#[test]
fn derived_update_bodies_name_their_type() {
    // `specialPart` derives from `part`, which is polymorphic where it is declared: a PATCH
    // to `/things/{id}/parts/{id}` must say which type it updates.
    let mut u = SpecialPartUpdate::new();
    u.special = Patch::Value(true);
    assert_eq!(
        serde_json::to_value(&u).unwrap(),
        json!({"@odata.type": "#microsoft.graph.specialPart", "special": true})
    );
    // An explicit annotation is kept as given, not duplicated.
    u.additional_properties
        .insert("@odata.type".into(), json!("microsoft.graph.specialPart"));
    let v = serde_json::to_value(&u).unwrap();
    assert_eq!(v["@odata.type"], "microsoft.graph.specialPart");
    // The base type's body does not write one.
    assert_eq!(serde_json::to_value(PartUpdate::new()).unwrap(), json!({}));
}

#[test]
fn enums_are_open_and_case_insensitive() {
    let t: Thing = decode(json!({"status": "ACTIVE"}));
    assert_eq!(t.status, Some(Status::Active));
    // Schema spelling on the way out.
    assert_eq!(
        serde_json::to_value(&t).unwrap(),
        json!({"status": "active"})
    );
    // Unknown values round-trip verbatim.
    let v = json!({"status": "suspendedByPolicy"});
    let t: Thing = decode(v.clone());
    assert_eq!(
        t.status,
        Some(Status::UnknownValue("suspendedByPolicy".into()))
    );
    assert_eq!(serde_json::to_value(&t).unwrap(), v);
    // Members after `unknownFutureValue` are ordinary values.
    assert_eq!(decode::<Status>(json!("archived")), Status::Archived);
    assert_eq!(
        decode::<Status>(json!("unknownFutureValue")),
        Status::UnknownFutureValue
    );
    assert_eq!("Archived".parse::<Status>().unwrap(), Status::Archived);
}

#[test]
fn flags_enums_are_comma_lists() {
    let v = json!({"colors": "red,Blue,ultraviolet"});
    let t: Thing = decode(v);
    let colors = t.colors.clone().unwrap();
    assert!(colors.contains(&Color::Red) && colors.contains(&Color::Blue));
    assert!(!colors.contains(&Color::Green));
    assert!(colors.contains(&Color::Unknown("ultraviolet".into())));
    assert_eq!(
        serde_json::to_value(&t).unwrap(),
        json!({"colors": "red,blue,ultraviolet"})
    );
    let empty: Thing = decode(json!({"colors": ""}));
    assert!(empty.colors.unwrap().is_empty());
}

#[test]
fn polymorphic_values_dispatch_on_odata_type_in_every_form() {
    for tag in [
        "#microsoft.graph.userIdentity",
        "microsoft.graph.userIdentity",
        "#graph.userIdentity",
        "graph.userIdentity",
        "#Microsoft.Graph.UserIdentity",
        "https://graph.microsoft.com/beta/$metadata#microsoft.graph.userIdentity",
    ] {
        let v =
            json!({"owner": {"@odata.type": tag, "userPrincipalName": "a@b", "displayName": "A"}});
        let t: Thing = decode(v.clone());
        match &t.owner {
            Some(IdentityKind::UserIdentity(u)) => {
                assert_eq!(u.user_principal_name.as_deref(), Some("a@b"), "{tag}");
            }
            other => panic!("{tag}: {other:?}"),
        }
        assert_eq!(serde_json::to_value(&t).unwrap(), v, "{tag}");
    }
    // Two levels down.
    let id: IdentityKind =
        decode(json!({"@odata.type": "#microsoft.graph.auditUserIdentity", "ipAddress": "::1"}));
    assert!(
        matches!(id, IdentityKind::AuditUserIdentity(ref a) if a.ip_address.as_deref() == Some("::1"))
    );
    assert_eq!(id.odata_type(), "#microsoft.graph.auditUserIdentity");
}

#[test]
fn a_late_odata_type_still_dispatches() {
    // Graph writes `@odata.type` first; when it comes later, the object is buffered and
    // replayed.
    let v =
        json!({"radius": 2.5, "area": 19.6, "@odata.type": "#microsoft.graph.circle", "x": [1]});
    let shape: ShapeKind = decode(v.clone());
    let ShapeKind::Circle(c) = &shape else {
        panic!("{shape:?}")
    };
    assert_eq!(c.radius.unwrap().get(), 2.5);
    assert_eq!(c.additional_properties["x"], json!([1]));
    assert_eq!(serde_json::to_value(&shape).unwrap(), v);
    // Also from a `serde_json::Value` (owned keys and strings).
    let again: ShapeKind = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(again, shape);
}

#[test]
fn unknown_derived_types_fall_back_to_the_base_with_all_data() {
    let v = json!({
        "@odata.type": "#microsoft.graph.servicePrincipalIdentity",
        "displayName": "app",
        "appId": "00000003-0000-0000-c000-000000000000",
        "nested": {"deep": [1, 2, {"x": null}]}
    });
    let id: IdentityKind = decode(v.clone());
    let IdentityKind::Identity(base) = &id else {
        panic!("{id:?}")
    };
    assert_eq!(base.display_name.as_deref(), Some("app"));
    assert_eq!(base.additional_properties["appId"], v["appId"]);
    assert_eq!(serde_json::to_value(&id).unwrap(), v);
    // No `@odata.type` at all: the base type.
    let plain: IdentityKind = decode(json!({"displayName": "x"}));
    assert!(matches!(plain, IdentityKind::Identity(_)));
    // Abstract bases too (`shape`).
    let s: ShapeKind = decode(json!({"@odata.type": "#microsoft.graph.triangle", "area": 1}));
    assert!(matches!(s, ShapeKind::Shape(_)));
}

#[test]
fn derived_values_built_in_rust_write_their_type() {
    let mut circle = Circle::new();
    circle.radius = Some(edm::Double::new(1.0));
    let mut t = Thing::new("n", 1, "k");
    t.shapes = Some(vec![ShapeKind::from(circle), ShapeKind::from(Shape::new())]);
    let v = serde_json::to_value(&t).unwrap();
    assert_eq!(
        v["shapes"],
        json!([{"@odata.type": "#microsoft.graph.circle", "radius": 1.0}, {}])
    );
    // Containment navigation: a derived part in a collection of parts.
    let part: PartKind =
        decode(json!({"@odata.type": "#microsoft.graph.specialPart", "special": true}));
    assert!(matches!(part, PartKind::SpecialPart(_)));
}

#[test]
fn extra_members_and_annotations_round_trip() {
    let v = json!({
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#things/$entity",
        "@odata.etag": "W/\"abc\"",
        "@odata.type": "#microsoft.graph.thing",
        "parts@odata.context": "https://graph.microsoft.com/beta/$metadata#things('1')/parts",
        "parts@odata.count": 0,
        "createdDateTIme": "2021-07-27T09:42:40.087Z",
        "memberEligibilityScheduleId": null,
        "id": "1",
        "parts": []
    });
    let t: Thing = decode(v.clone());
    assert_eq!(t.id.as_deref(), Some("1"));
    assert!(t.additional_properties.contains_key("createdDateTIme"));
    assert!(t.additional_properties.contains_key("parts@odata.context"));
    assert_eq!(serde_json::to_value(&t).unwrap(), v);
    // Annotations are written before the properties (control information first).
    let text = serde_json::to_string(&t).unwrap();
    assert!(text.starts_with("{\"@odata.context\""), "{text}");
    assert!(text.find("\"@odata.type\"").unwrap() < text.find("\"id\"").unwrap());
    // An additional property that names a declared property does not duplicate it.
    let mut t = Thing::new("n", 1, "k");
    t.additional_properties
        .insert("name".into(), json!("shadow"));
    assert_eq!(serde_json::to_value(&t).unwrap()["name"], "n");
    assert_eq!(
        serde_json::to_string(&t)
            .unwrap()
            .matches("\"name\"")
            .count(),
        1
    );
}

#[test]
fn references_keep_everything_but_the_key_untyped() {
    let v = json!({"creator": {
        "@odata.type": "#microsoft.graph.user",
        "id": "u1",
        "userPrincipalName": "a@b",
        "deletedDateTime": null
    }});
    let t: Thing = decode(v.clone());
    let creator = t.creator.as_deref().unwrap();
    assert_eq!(creator.id.as_deref(), Some("u1"));
    assert_eq!(creator.additional_properties["userPrincipalName"], "a@b");
    assert_eq!(serde_json::to_value(&t).unwrap(), v);
}

#[test]
fn every_edm_type_keeps_its_wire_form() {
    let v = json!({
        "binary": "AAEC_w",
        "boolean": false,
        "byte": 255,
        "date": "0001-01-01",
        "dateTimeOffset": "2021-07-26T18:08:03.1299669-07:00",
        "decimal": "12345678901234567890.123456789",
        "double": "-INF",
        "duration": "P365DT0.5S",
        "guid": "00000000-0000-0000-0000-000000000000",
        "int16": -32768,
        "int32": 2147483647,
        "int64": "9223372036854775807",
        "sByte": -128,
        "single": "NaN",
        "string": "\u{1F600} \"quoted\" \\ \n",
        "timeOfDay": "23:59:59.9999999",
        "untyped": {"any": [1, "two", null, {"three": 3.5}]},
        "location": {"type": "Point", "coordinates": [-122.1, 47.6]},
        "label": "a label",
        "content@odata.mediaReadLink": "things('1')/content"
    });
    let t: Thing = decode(v.clone());
    assert_eq!(t.int64.unwrap().get(), i64::MAX);
    assert!(t.single.unwrap().get().is_nan());
    assert_eq!(t.double.unwrap().get(), f64::NEG_INFINITY);
    assert_eq!(t.byte, Some(255));
    assert_eq!(t.s_byte, Some(-128));
    assert_eq!(t.int16, Some(i16::MIN));
    assert_eq!(
        t.decimal.as_ref().unwrap().as_str(),
        "12345678901234567890.123456789"
    );
    assert_eq!(
        t.binary.as_ref().unwrap().decode().unwrap(),
        vec![0, 1, 2, 255]
    );
    assert!(t.date_time_offset.as_ref().unwrap().to_datetime().is_ok());
    assert_eq!(serde_json::to_value(&t).unwrap(), v);

    // Numbers where strings are allowed, and the other special values.
    let v =
        json!({"int64": -9007199254740993i64, "double": 1e300, "single": "INF", "decimal": 2.5});
    assert_eq!(round_trip::<Thing>(&v), v);
    // Out-of-range values are errors, not silent truncation.
    assert!(serde_json::from_value::<Thing>(json!({"byte": 256})).is_err());
    assert!(serde_json::from_value::<Thing>(json!({"int64": 1.5})).is_err());
}

#[test]
fn deprecated_properties_are_marked() {
    // The `#[deprecated]` attribute itself is checked in the golden copy (and warns in user
    // code); here the field still works.
    let t: Thing = decode(json!({"legacy": "old"}));
    assert_eq!(t.legacy.as_deref(), Some("old"));
    let source = include_str!("../golden/fixtures/edge/things.rs");
    let attribute = "#[deprecated(\n        since = \"2024-01-15\",\n        \
                     note = \"Use label instead.; removal on 2025-01-15\"\n    )]\n    \
                     pub legacy: Option<String>,";
    assert!(source.contains(attribute), "{attribute}");
}

#[test]
fn recursive_types_are_boxed_only_on_cycles() {
    use recursive::*;
    let v = json!({"value": "a", "next": {"value": "b", "next": {"value": "c"}}, "children": [{"value": "d"}], "meta": {"note": "m"}});
    let n: Node = decode(v.clone());
    let next: &Node = n.next.as_deref().unwrap();
    assert_eq!(next.value.as_deref(), Some("b"));
    let meta: &Meta = n.meta.as_ref().unwrap(); // not on a cycle: not boxed
    assert_eq!(meta.note.as_deref(), Some("m"));
    assert_eq!(serde_json::to_value(&n).unwrap(), v);
    let mut ping = Ping::new();
    ping.pong = Some(Box::new(Pong::new()));
    assert_eq!(serde_json::to_value(&ping).unwrap(), json!({"pong": {}}));
    // A cycle through a polymorphic value (`base.child: base` with `derived`).
    let b: Base = decode(json!({"child": {"@odata.type": "#test.recursive.derived", "extra": 1}}));
    assert!(matches!(b.child.as_deref(), Some(BaseKind::Derived(_))));
}

#[test]
fn models_are_send_sync_and_clone() {
    fn check<T: Send + Sync + Clone + std::fmt::Debug + PartialEq + 'static>() {}
    check::<Thing>();
    check::<ThingUpdate>();
    check::<IdentityKind>();
    check::<Status>();
}
