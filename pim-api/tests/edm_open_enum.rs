//! Open enums and flags enums, with an enum shaped exactly like the generator's output.

use pim_api::edm::{self, Flags, OpenEnum};
use std::convert::Infallible;
use std::str::FromStr;

/// `microsoft.graph.unifiedRoleScheduleRequestActions`, as the generator emits it. The members
/// after `unknownFutureValue` are evolvable members and are ordinary variants.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum RequestAction {
    AdminAssign,
    AdminUpdate,
    AdminRemove,
    SelfActivate,
    SelfDeactivate,
    AdminExtend,
    AdminRenew,
    SelfExtend,
    SelfRenew,
    UnknownFutureValue,
    AdminAutoRemove,
    Unknown(String),
}

impl OpenEnum for RequestAction {
    const MEMBERS: &'static [&'static str] = &[
        "adminAssign",
        "adminUpdate",
        "adminRemove",
        "selfActivate",
        "selfDeactivate",
        "adminExtend",
        "adminRenew",
        "selfExtend",
        "selfRenew",
        "unknownFutureValue",
        "adminAutoRemove",
    ];
    fn from_member_index(i: usize) -> Self {
        match i {
            0 => Self::AdminAssign,
            1 => Self::AdminUpdate,
            2 => Self::AdminRemove,
            3 => Self::SelfActivate,
            4 => Self::SelfDeactivate,
            5 => Self::AdminExtend,
            6 => Self::AdminRenew,
            7 => Self::SelfExtend,
            8 => Self::SelfRenew,
            9 => Self::UnknownFutureValue,
            10 => Self::AdminAutoRemove,
            _ => Self::Unknown(String::new()),
        }
    }
    fn member_index(&self) -> Option<usize> {
        Some(match self {
            Self::AdminAssign => 0,
            Self::AdminUpdate => 1,
            Self::AdminRemove => 2,
            Self::SelfActivate => 3,
            Self::SelfDeactivate => 4,
            Self::AdminExtend => 5,
            Self::AdminRenew => 6,
            Self::SelfExtend => 7,
            Self::SelfRenew => 8,
            Self::UnknownFutureValue => 9,
            Self::AdminAutoRemove => 10,
            Self::Unknown(_) => return None,
        })
    }
    fn unknown(raw: String) -> Self {
        Self::Unknown(raw)
    }
    fn unknown_str(&self) -> Option<&str> {
        match self {
            Self::Unknown(raw) => Some(raw),
            _ => None,
        }
    }
}

impl serde::Serialize for RequestAction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        edm::serialize_open_enum(self, s)
    }
}

impl<'de> serde::Deserialize<'de> for RequestAction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        edm::deserialize_open_enum(d)
    }
}

impl std::fmt::Display for RequestAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(edm::open_enum_as_str(self))
    }
}

impl FromStr for RequestAction {
    type Err = Infallible;
    fn from_str(s: &str) -> Result<Self, Infallible> {
        Ok(edm::parse_open_enum(s))
    }
}

fn decode(json: &str) -> RequestAction {
    serde_json::from_str(json).unwrap()
}

#[test]
fn known_members_match_case_insensitively_and_encode_in_schema_spelling() {
    for json in [r#""adminAssign""#, r#""AdminAssign""#, r#""ADMINASSIGN""#] {
        let v = decode(json);
        assert_eq!(v, RequestAction::AdminAssign, "{json}");
        assert_eq!(serde_json::to_string(&v).unwrap(), r#""adminAssign""#);
    }
    assert_eq!(
        edm::open_enum_member_index::<RequestAction>("selfRenew"),
        Some(8)
    );
    assert_eq!(
        edm::open_enum_member_index::<RequestAction>("SELFRENEW"),
        Some(8)
    );
    assert_eq!(
        edm::open_enum_member_index::<RequestAction>("selfRenewX"),
        None
    );
}

#[test]
fn evolvable_members_after_unknown_future_value_are_real_values() {
    assert_eq!(
        decode(r#""unknownFutureValue""#),
        RequestAction::UnknownFutureValue
    );
    let v = decode(r#""adminAutoRemove""#);
    assert_eq!(v, RequestAction::AdminAutoRemove);
    assert_eq!(v.to_string(), "adminAutoRemove");
}

#[test]
fn unknown_values_are_kept_verbatim() {
    for raw in [
        "String",
        "String (identifier)",
        "",
        "adminAssign ",
        "ädminAssign",
        "newMember",
    ] {
        let json = serde_json::to_string(raw).unwrap();
        let v = decode(&json);
        assert_eq!(v, RequestAction::Unknown(raw.to_owned()));
        assert_eq!(serde_json::to_string(&v).unwrap(), json);
        assert_eq!(raw.parse::<RequestAction>().unwrap(), v);
    }
}

#[test]
fn non_strings_are_errors() {
    for json in ["1", "true", "{}", "[]"] {
        assert!(
            serde_json::from_str::<RequestAction>(json).is_err(),
            "{json}"
        );
    }
    assert_eq!(
        serde_json::from_str::<Option<RequestAction>>("null").unwrap(),
        None
    );
}

#[test]
fn decodes_through_a_flattened_buffer_and_serde_json_value() {
    #[derive(serde::Deserialize, serde::Serialize)]
    struct M {
        action: RequestAction,
        #[serde(flatten)]
        rest: edm::AdditionalProperties,
    }
    let m: M = serde_json::from_str(r#"{"action":"SelfActivate","x":1}"#).unwrap();
    assert_eq!(m.action, RequestAction::SelfActivate);
    let v: RequestAction = serde_json::from_value(serde_json::json!("String")).unwrap();
    assert_eq!(v, RequestAction::Unknown("String".into()));
}

#[test]
fn flags_read_and_write_the_comma_separated_form() {
    let f: Flags<RequestAction> =
        serde_json::from_str(r#""selfActivate, AdminAssign,brandNew""#).unwrap();
    assert_eq!(
        f.as_slice(),
        [
            RequestAction::SelfActivate,
            RequestAction::AdminAssign,
            RequestAction::Unknown("brandNew".into())
        ]
    );
    assert!(f.contains(&RequestAction::AdminAssign));
    assert!(f.contains(&RequestAction::Unknown("brandNew".into())));
    assert!(!f.contains(&RequestAction::AdminRemove));
    assert_eq!(
        serde_json::to_string(&f).unwrap(),
        r#""selfActivate,adminAssign,brandNew""#,
        "text order kept, spaces dropped, schema spelling"
    );
    let names: Vec<String> = f.iter().map(ToString::to_string).collect();
    assert_eq!(names, ["selfActivate", "adminAssign", "brandNew"]);
}

#[test]
fn flags_round_trip_the_canonical_text() {
    for json in [
        r#""""#,
        r#""adminAssign""#,
        r#""selfRenew,adminAssign""#,
        r#""a,,b""#,
    ] {
        let f: Flags<RequestAction> = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&f).unwrap(), json);
    }
    let empty: Flags<RequestAction> = serde_json::from_str(r#""""#).unwrap();
    assert!(empty.is_empty());
    assert!(serde_json::from_str::<Flags<RequestAction>>("3").is_err());
}

#[test]
fn flags_construction() {
    let mut f = Flags::from(RequestAction::AdminAssign);
    assert!(f.insert(RequestAction::SelfActivate));
    assert!(!f.insert(RequestAction::AdminAssign));
    assert_eq!(f.to_string(), "adminAssign,selfActivate");
    assert!(f.remove(&RequestAction::AdminAssign));
    assert_eq!(f.len(), 1);
    let g: Flags<RequestAction> = [RequestAction::SelfRenew, RequestAction::AdminRenew]
        .into_iter()
        .collect();
    assert_eq!(g.to_string(), "selfRenew,adminRenew");
    assert_eq!(
        "selfRenew , adminRenew"
            .parse::<Flags<RequestAction>>()
            .unwrap(),
        g
    );
    assert_eq!(Flags::<RequestAction>::default(), Flags::new());
    assert_eq!(g.into_vec().len(), 2);
}
