//! `Patch<T>`: absent / null / value in PATCH bodies.

use pim_api::edm::{DateTimeOffset, Patch};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateRoleSetting {
    #[serde(default, skip_serializing_if = "::pim_api::edm::Patch::is_absent")]
    display_name: Patch<String>,
    #[serde(default, skip_serializing_if = "::pim_api::edm::Patch::is_absent")]
    description: Patch<String>,
    #[serde(default, skip_serializing_if = "::pim_api::edm::Patch::is_absent")]
    end_date_time: Patch<DateTimeOffset>,
    #[serde(default, skip_serializing_if = "::pim_api::edm::Patch::is_absent")]
    max_activations: Patch<i32>,
}

#[test]
fn unset_fields_are_omitted_and_cleared_ones_are_null() {
    let body = UpdateRoleSetting {
        display_name: "Global Reader".to_owned().into(),
        end_date_time: Patch::null(),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_string(&body).unwrap(),
        r#"{"displayName":"Global Reader","endDateTime":null}"#
    );
    assert_eq!(
        serde_json::to_string(&UpdateRoleSetting::default()).unwrap(),
        "{}"
    );
}

#[test]
fn decoding_distinguishes_the_three_states() {
    let body: UpdateRoleSetting =
        serde_json::from_str(r#"{"description":null,"maxActivations":3}"#).unwrap();
    assert_eq!(body.display_name, Patch::Absent);
    assert_eq!(body.description, Patch::Null);
    assert_eq!(body.max_activations, Patch::Value(3));
    assert!(body.display_name.is_absent());
    assert!(body.description.is_null());
    assert!(body.max_activations.is_value());
    // And back, unchanged.
    assert_eq!(
        serde_json::to_string(&body).unwrap(),
        r#"{"description":null,"maxActivations":3}"#
    );
}

#[test]
fn type_errors_inside_a_value_still_fail() {
    assert!(serde_json::from_str::<UpdateRoleSetting>(r#"{"maxActivations":"x"}"#).is_err());
}

#[test]
fn conversions_and_helpers() {
    assert_eq!(Patch::<i32>::default(), Patch::Absent);
    assert_eq!(Patch::from(5), Patch::Value(5));
    assert_eq!(Patch::from_option(Some(5)), Patch::Value(5));
    assert_eq!(Patch::<i32>::from_option(None), Patch::Null);
    assert_eq!(Patch::Value(2).map(|v| v * 2), Patch::Value(4));
    assert_eq!(Patch::<i32>::Null.map(|v| v * 2), Patch::Null);
    assert_eq!(Patch::Value(2).as_value(), Some(&2));
    assert_eq!(Patch::<i32>::Null.into_value(), None);
    assert_eq!(Patch::Value("a").as_ref(), Patch::Value(&"a"));
    assert_eq!(Patch::Absent.apply_to(Some(1)), Some(1));
    assert_eq!(Patch::Null.apply_to(Some(1)), None);
    assert_eq!(Patch::Value(2).apply_to(Some(1)), Some(2));
    // Without skip_serializing_if an absent value cannot vanish; it is written as null.
    assert_eq!(
        serde_json::to_string(&Patch::<i32>::Absent).unwrap(),
        "null"
    );
}
