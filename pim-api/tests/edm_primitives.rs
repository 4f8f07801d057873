//! Wire round trips, accessors and hostile inputs of the Edm primitive types.

use chrono::{FixedOffset, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use pim_api::edm::{
    AdditionalProperties, Binary, Date, DateTimeOffset, Decimal, Double, Duration, Guid, Int64,
    Single, TimeOfDay,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Decodes `json` as `T`, re-encodes it and checks the text is byte-identical.
fn round_trip<T: Serialize + DeserializeOwned>(json: &str) -> T {
    let v: T = serde_json::from_str(json).unwrap_or_else(|e| panic!("decode {json}: {e}"));
    assert_eq!(
        serde_json::to_string(&v).unwrap(),
        json,
        "round trip of {json}"
    );
    round_trip_value::<T>(json);
    v
}

/// Decodes `json` as `T`, re-encodes it and checks the JSON *value* is equal, both from text
/// and from a `serde_json::Value`. For floats this is the strongest guarantee serde_json
/// allows: its float writer may re-spell a number (`1e300` as `1e+300`) without changing it.
fn round_trip_value<T: Serialize + DeserializeOwned>(json: &str) -> T {
    let v: T = serde_json::from_str(json).unwrap_or_else(|e| panic!("decode {json}: {e}"));
    let expected: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(
        serde_json::to_value(&v).unwrap(),
        expected,
        "round trip of {json}"
    );
    let reparsed: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&v).unwrap()).unwrap();
    assert_eq!(reparsed, expected, "text round trip of {json}");
    // Through serde_json::Value too, which is how generated code is tested against vectors.
    let again: T = serde_json::from_value(expected.clone()).unwrap();
    assert_eq!(
        serde_json::to_value(&again).unwrap(),
        expected,
        "value round trip of {json}"
    );
    v
}

#[test]
fn date_time_offset_edge_values_round_trip_and_parse() {
    for text in [
        "0001-01-01T00:00:00Z",
        "0001-01-01T08:00:00Z",
        "2021-07-27T14:03:04.4Z",
        "2021-07-27T13:51:08.43Z",
        "2018-06-05T05:42:31.000Z",
        "2021-07-26T18:08:03.1299669Z",
        "2024-01-31T08:00:00-07:00",
        "2024-01-31T08:00:00+05:30",
        "2024-01-31T08:00:00.123456789012Z",
        "2016-12-31T23:59:60Z",
    ] {
        let json = format!("\"{text}\"");
        let v: DateTimeOffset = round_trip(&json);
        assert_eq!(v.as_str(), text);
        assert!(v.to_datetime().is_ok(), "{text}");
        assert_eq!(v.to_string(), text);
        assert_eq!(text.parse::<DateTimeOffset>().unwrap(), v);
    }
    let t: DateTimeOffset = "2024-01-31T08:00:00-07:00".parse().unwrap();
    let expected = FixedOffset::west_opt(7 * 3600)
        .unwrap()
        .with_ymd_and_hms(2024, 1, 31, 8, 0, 0)
        .unwrap();
    assert_eq!(t.to_datetime().unwrap(), expected);
    assert_eq!(
        t.to_utc().unwrap(),
        Utc.with_ymd_and_hms(2024, 1, 31, 15, 0, 0).unwrap()
    );
}

#[test]
fn date_time_offset_constructors_write_canonical_z_form() {
    let utc = Utc.with_ymd_and_hms(2024, 1, 31, 8, 0, 0).unwrap();
    assert_eq!(DateTimeOffset::from(utc).as_str(), "2024-01-31T08:00:00Z");
    let with_ms = utc + TimeDelta::milliseconds(87);
    assert_eq!(
        DateTimeOffset::from(with_ms).as_str(),
        "2024-01-31T08:00:00.087Z"
    );
    let offset = FixedOffset::west_opt(7 * 3600)
        .unwrap()
        .with_ymd_and_hms(2024, 1, 31, 8, 0, 0)
        .unwrap();
    assert_eq!(
        DateTimeOffset::from(offset).as_str(),
        "2024-01-31T15:00:00Z"
    );
    // The canonical form parses back to the same instant.
    let back = DateTimeOffset::from(with_ms).to_utc().unwrap();
    assert_eq!(back, with_ms);
}

#[test]
fn text_equality_is_wire_equality() {
    let a = DateTimeOffset::from_raw("2018-06-05T05:42:31Z");
    let b = DateTimeOffset::from_raw("2018-06-05T05:42:31.000Z");
    assert_ne!(a, b);
    assert_eq!(a.to_datetime().unwrap(), b.to_datetime().unwrap());
}

#[test]
fn lenient_decode_strict_parse() {
    // The docs' placeholder decodes and round-trips; only the accessor complains.
    let v: DateTimeOffset = round_trip(r#""String (timestamp)""#);
    assert!(!v.is_valid());
    let err = v.to_datetime().unwrap_err();
    assert_eq!(err.edm_type(), "DateTimeOffset");
    assert!("String (timestamp)".parse::<DateTimeOffset>().is_err());
    // Non-strings are still type errors.
    assert!(serde_json::from_str::<DateTimeOffset>("42").is_err());
    assert!(serde_json::from_str::<Duration>("null").is_err());
    assert!(
        serde_json::from_str::<Option<Duration>>("null")
            .unwrap()
            .is_none()
    );
}

#[test]
fn date_and_time_of_day() {
    let d: Date = round_trip(r#""2024-01-31""#);
    assert_eq!(
        d.to_naive_date().unwrap(),
        NaiveDate::from_ymd_opt(2024, 1, 31).unwrap()
    );
    assert_eq!(
        Date::from(NaiveDate::from_ymd_opt(1, 2, 3).unwrap()).as_str(),
        "0001-02-03"
    );
    for text in [
        "08:00:00.000",
        "08:00:00.0000000",
        "08:00",
        "23:59:59.9999999",
    ] {
        let t: TimeOfDay = round_trip(&format!("\"{text}\""));
        assert!(t.to_naive_time().is_ok(), "{text}");
    }
    assert_eq!(
        TimeOfDay::from(NaiveTime::from_hms_milli_opt(8, 30, 0, 250).unwrap()).as_str(),
        "08:30:00.25"
    );
    for bad in [
        "",
        "8:00",
        "24:00:00",
        "08:60",
        "08:00:00.",
        "08h00",
        "０8:00",
    ] {
        assert!(TimeOfDay::from_raw(bad).to_naive_time().is_err(), "{bad:?}");
    }
    for bad in ["", "2024-1-31", "2024-01-32", "2023-02-29", "20240131", "-"] {
        assert!(Date::from_raw(bad).to_naive_date().is_err(), "{bad:?}");
    }
}

#[test]
fn duration_edge_values() {
    let cases: [(&str, i64, u32); 10] = [
        ("PT0S", 0, 0),
        ("PT9H", 9 * 3600, 0),
        ("PT1H45M", 6300, 0),
        ("P180D", 180 * 86400, 0),
        ("P365D", 365 * 86400, 0),
        ("P1DT2H30M", 86400 + 9000, 0),
        ("-P1D", -86400, 0),
        ("PT0.5S", 0, 500_000_000),
        ("PT1.0000001S", 1, 100),
        ("PT36H", 36 * 3600, 0),
    ];
    for (text, secs, nanos) in cases {
        let d: Duration = round_trip(&format!("\"{text}\""));
        let delta = d.to_time_delta().unwrap();
        let expected = if secs < 0 {
            -TimeDelta::new(-secs, nanos).unwrap()
        } else {
            TimeDelta::new(secs, nanos).unwrap()
        };
        assert_eq!(delta, expected, "{text}");
        if secs >= 0 {
            assert_eq!(
                d.to_std().unwrap(),
                std::time::Duration::new(secs as u64, nanos),
                "{text}"
            );
        }
    }
    let parts = Duration::from_raw("P1DT2H30M4.25S").parts().unwrap();
    assert_eq!(
        (
            parts.days,
            parts.hours,
            parts.minutes,
            parts.seconds,
            parts.nanos
        ),
        (1, 2, 30, 4, 250_000_000)
    );
    assert!(Duration::from_raw("-P1D").to_std().is_err());
    assert_eq!(
        Duration::from_raw("-PT0S").to_std().unwrap(),
        std::time::Duration::ZERO
    );
}

#[test]
fn duration_constructors_write_canonical_form() {
    let cases = [
        (TimeDelta::zero(), "PT0S"),
        (TimeDelta::hours(9), "PT9H"),
        (TimeDelta::days(365), "P365D"),
        (TimeDelta::days(1) + TimeDelta::minutes(150), "P1DT2H30M"),
        (TimeDelta::days(-1), "-P1D"),
        (TimeDelta::milliseconds(1500), "PT1.5S"),
        (TimeDelta::minutes(105), "PT1H45M"),
    ];
    for (delta, text) in cases {
        let d = Duration::from(delta);
        assert_eq!(d.as_str(), text);
        assert_eq!(d.to_time_delta().unwrap(), delta, "{text}");
    }
    assert_eq!(
        Duration::from(std::time::Duration::from_secs(180 * 86400)).as_str(),
        "P180D"
    );
    // The extreme of TimeDelta is representable and parses back.
    let d = Duration::from(TimeDelta::MIN);
    assert_eq!(d.to_time_delta().unwrap(), TimeDelta::MIN);
}

#[test]
fn duration_rejects_year_month_designators_with_a_clear_error() {
    for text in ["P1Y", "P2M", "P1Y2M3D", "P1W"] {
        let e = Duration::from_raw(text).to_time_delta().unwrap_err();
        assert!(e.reason().contains("year, month and week"), "{text}: {e}");
        assert!(text.parse::<Duration>().is_err());
    }
}

#[test]
fn hostile_inputs_are_errors_not_panics() {
    let huge_number = "9".repeat(400);
    let long = "P".repeat(100_000);
    let hostile = [
        "",
        "P",
        "PT",
        "-",
        "--",
        "T",
        "Z",
        ":",
        ".",
        "é",
        "日本語",
        "\u{0}",
        "PT1H\u{0}",
        "２０２４-01-01T00:00:00Z",
        "2024-01-01T00:00:00Zé",
        "2024-01-01Té",
        huge_number.as_str(),
        long.as_str(),
    ];
    for s in hostile {
        assert!(DateTimeOffset::from_raw(s).to_datetime().is_err(), "{s:?}");
        assert!(Date::from_raw(s).to_naive_date().is_err(), "{s:?}");
        assert!(TimeOfDay::from_raw(s).to_naive_time().is_err(), "{s:?}");
        assert!(Duration::from_raw(s).to_time_delta().is_err(), "{s:?}");
        assert!(Duration::from_raw(s).to_std().is_err(), "{s:?}");
        assert!(Guid::from_raw(s).to_uuid().is_err(), "{s:?}");
        assert!(s.parse::<Int64>().is_err(), "{s:?}");
        assert!(s.parse::<Double>().is_err(), "{s:?}");
        assert!(s.parse::<Single>().is_err(), "{s:?}");
        assert!(s.parse::<Decimal>().is_err() || s == huge_number, "{s:?}");
        // Errors echo at most a short excerpt of the input.
        let e = Duration::from_raw(s).parts().unwrap_err();
        assert!(e.input().chars().count() <= 65);
    }
    let big = format!("P{huge_number}D");
    assert!(Duration::from_raw(&big).parts().is_err());
    let big = format!("PT{}S", "1".repeat(25));
    assert!(Duration::from_raw(&big).parts().is_err());
    let frac = format!("PT1.{}S", "9".repeat(10_000));
    assert_eq!(
        Duration::from_raw(&frac).to_std().unwrap(),
        std::time::Duration::new(1, 999_999_999)
    );
    let year = format!("{huge_number}-01-01T00:00:00Z");
    assert!(DateTimeOffset::from_raw(&year).to_datetime().is_err());
    assert!(Binary::from_raw("é").decode().is_err());
    // Numbers too large for their type are decode errors, not panics or silent wraps.
    assert!(serde_json::from_str::<Int64>("9223372036854775808").is_err());
    assert!(serde_json::from_str::<Int64>(r#""9223372036854775808""#).is_err());
    assert!(serde_json::from_str::<Int64>("1e400").is_err());
    assert!(serde_json::from_str::<Double>("1e400").is_err());
    assert!(serde_json::from_str::<Double>(r#""inf""#).is_err());
    assert!(serde_json::from_str::<Double>(r#""1.5""#).is_err());
}

#[test]
fn guid() {
    let g: Guid = round_trip(r#""226FAF5F-61B4-40BB-8726-52E48EC914DE""#);
    assert_eq!(
        g.to_uuid().unwrap(),
        uuid::Uuid::parse_str("226faf5f-61b4-40bb-8726-52e48ec914de").unwrap()
    );
    // Opaque ids that are not GUIDs still decode (they are only errors on access).
    let opaque: Guid = round_trip(r#""DirectoryRole_tenant_226faf5f""#);
    assert!(opaque.to_uuid().is_err());
    let u = uuid::Uuid::from_u128(0x226faf5f_61b4_40bb_8726_52e48ec914de);
    assert_eq!(
        Guid::from(u).as_str(),
        "226faf5f-61b4-40bb-8726-52e48ec914de"
    );
}

#[test]
fn int64_numbers_and_strings() {
    for json in ["0", "-1", "9223372036854775807", "-9223372036854775808"] {
        let v: Int64 = round_trip(json);
        assert!(!v.is_string_form());
    }
    let v: Int64 = round_trip(r#""9007199254740993""#);
    assert!(v.is_string_form());
    assert_eq!(v.get(), 9_007_199_254_740_993);
    assert_eq!(
        v,
        Int64::new(9_007_199_254_740_993),
        "equality ignores the form"
    );
    assert_eq!(
        serde_json::to_string(&v.with_string_form(false)).unwrap(),
        "9007199254740993"
    );
    assert!(serde_json::from_str::<Int64>("1.0").is_err());
    assert!(serde_json::from_str::<Int64>(r#""12a""#).is_err());
    assert_eq!("-42".parse::<Int64>().unwrap().get(), -42);
    assert_eq!(i64::from(Int64::from(7)), 7);
}

#[test]
fn decimal_keeps_what_serde_json_can_see() {
    for json in ["0", "-12", "2.5", "0.1", "18446744073709551615", "-0.0"] {
        round_trip::<Decimal>(json);
    }
    // serde_json re-spells some floats; the value is unchanged.
    for json in ["1e300", "1.50", "12345678901234567890123"] {
        round_trip_value::<Decimal>(json);
    }
    let exact: Decimal = round_trip(r#""12345678901234567890.1234567890123""#);
    assert!(exact.is_string_form());
    assert_eq!(exact.as_str(), "12345678901234567890.1234567890123");
    assert_eq!(exact.to_f64().unwrap(), 12345678901234567890.1234567890123);
    let parsed: Decimal = "3.1400".parse().unwrap();
    assert_eq!(parsed.as_str(), "3.1400");
    assert_eq!(serde_json::to_string(&parsed).unwrap(), "3.14");
    assert_eq!(
        serde_json::to_string(&parsed.with_string_form(true)).unwrap(),
        r#""3.1400""#
    );
    let placeholder: Decimal = round_trip(r#""String""#);
    assert!(placeholder.to_f64().is_err());
    assert!(Decimal::from_f64(f64::NAN).is_none());
    assert!(serde_json::from_str::<Decimal>("true").is_err());
}

#[test]
fn double_and_single_special_values() {
    let v: Vec<Double> = round_trip(r#"[1,-2,2.5,1e+300,"INF","-INF","NaN",0.1]"#);
    round_trip_value::<Vec<Double>>("[1e300,1.50,-0.0,5E-324]");
    assert_eq!(v[0].get(), 1.0);
    assert_eq!(v[4].get(), f64::INFINITY);
    assert_eq!(v[5].get(), f64::NEG_INFINITY);
    assert!(v[6].get().is_nan());
    for (x, json) in [
        (f64::INFINITY, r#""INF""#),
        (f64::NEG_INFINITY, r#""-INF""#),
        (f64::NAN, r#""NaN""#),
        (2.5, "2.5"),
    ] {
        assert_eq!(serde_json::to_string(&Double::new(x)).unwrap(), json);
    }
    assert_eq!(Double::new(f64::NEG_INFINITY).to_string(), "-INF");
    assert_eq!("INF".parse::<Double>().unwrap().get(), f64::INFINITY);
    assert_eq!("1".parse::<Double>().unwrap().to_string(), "1");
    assert_ne!(
        Double::new(f64::NAN),
        Double::new(f64::NAN),
        "IEEE equality"
    );

    let s: Vec<Single> = round_trip(r#"[1,0.1,0.123456789012345,"INF","-INF","NaN"]"#);
    round_trip_value::<Vec<Single>>("[3.4028235e38,0.25,1.0]");
    assert_eq!(s[1].get(), 0.1f32);
    assert_eq!(serde_json::to_string(&Single::new(0.1)).unwrap(), "0.1");
    assert_eq!(
        serde_json::to_string(&Single::new(f32::NAN)).unwrap(),
        r#""NaN""#
    );
    assert_eq!(Single::new(f32::INFINITY).to_string(), "INF");
    assert_eq!("-INF".parse::<Single>().unwrap().get(), f32::NEG_INFINITY);
}

#[test]
fn binary_round_trips_text_and_decodes_both_alphabets() {
    for json in [
        r#""SGVsbG8""#,
        r#""SGVsbG8=""#,
        r#""-_8=""#,
        r#""+/8=""#,
        r#""""#,
    ] {
        let b: Binary = round_trip(json);
        assert!(b.decode().is_ok(), "{json}");
    }
    let b = Binary::from_bytes(b"Hello?>");
    assert_eq!(b.as_str(), "SGVsbG8_Pg==");
    assert_eq!(b.decode().unwrap(), b"Hello?>");
}

#[test]
fn untyped_is_serde_json_value() {
    // Edm.Untyped maps to serde_json::Value: any JSON survives unchanged.
    round_trip::<serde_json::Value>(r#"{"a":[1,"x",null,{"b":true}]}"#);
}

/// The shape generated models have: typed fields beside a flattened bag. `flatten` makes serde
/// buffer the object, so every type must decode from that buffer too.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Model {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_date_time: Option<DateTimeOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    duration: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<Guid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count: Option<Int64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    price: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    score: Option<Double>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ratio: Option<Single>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    day: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at: Option<TimeOfDay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    blob: Option<Binary>,
    #[serde(flatten)]
    additional_properties: AdditionalProperties,
}

#[test]
fn every_type_decodes_through_a_flattened_model() {
    let json = r##"{"@odata.type":"#microsoft.graph.x","at":"08:00:00.000","blob":"-_8=","count":"42","createdDATETime":"2021-07-27T09:42:40.087Z","createdDateTime":"0001-01-01T00:00:00Z","day":"2024-01-31","duration":"PT1H45M","id":"226faf5f-61b4-40bb-8726-52e48ec914de","price":2.5,"ratio":"NaN","score":1}"##;
    let m: Model = serde_json::from_str(json).unwrap();
    assert_eq!(m.count.unwrap().get(), 42);
    assert!(m.ratio.unwrap().get().is_nan());
    assert_eq!(
        m.additional_properties.len(),
        2,
        "annotation and misspelled key kept"
    );
    let out: serde_json::Value = serde_json::to_value(&m).unwrap();
    let input: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(out, input);
}
