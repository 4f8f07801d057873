//! Property tests: generated valid texts round-trip and parse consistently; arbitrary texts
//! never panic.

use chrono::{TimeDelta, Timelike};
use pim_api::edm::{Binary, Date, DateTimeOffset, Duration, Guid, TimeOfDay};
use proptest::prelude::*;

/// Text of a valid duration plus its expected signed length in nanoseconds.
fn duration_text() -> impl Strategy<Value = (String, i128)> {
    (
        any::<bool>(),
        proptest::option::of(0u32..100_000),
        proptest::option::of(0u32..1000),
        proptest::option::of(0u32..1000),
        proptest::option::of((0u32..100_000, proptest::option::of("[0-9]{1,9}"))),
    )
        .prop_filter("at least one component", |(_, d, h, m, s)| {
            d.is_some() || h.is_some() || m.is_some() || s.is_some()
        })
        .prop_map(|(neg, d, h, m, s)| {
            let mut text = String::from(if neg { "-P" } else { "P" });
            let mut nanos: i128 = 0;
            if let Some(d) = d {
                text += &format!("{d}D");
                nanos += i128::from(d) * 86_400_000_000_000;
            }
            if h.is_some() || m.is_some() || s.is_some() {
                text.push('T');
            }
            if let Some(h) = h {
                text += &format!("{h}H");
                nanos += i128::from(h) * 3_600_000_000_000;
            }
            if let Some(m) = m {
                text += &format!("{m}M");
                nanos += i128::from(m) * 60_000_000_000;
            }
            if let Some((s, frac)) = s {
                text += &s.to_string();
                nanos += i128::from(s) * 1_000_000_000;
                if let Some(frac) = frac {
                    text += &format!(".{frac}");
                    let padded = format!("{frac:0<9}");
                    nanos += padded.parse::<i128>().unwrap();
                }
                text.push('S');
            }
            (text, if neg { -nanos } else { nanos })
        })
}

/// Text of a valid timestamp (0–7 fractional digits, `Z` or an offset).
fn timestamp_text() -> impl Strategy<Value = String> {
    (
        1i32..=9999,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        0u32..60,
        proptest::option::of("[0-9]{1,7}"),
        proptest::option::of((any::<bool>(), 0u32..15, 0u32..60)),
    )
        .prop_map(|(y, mo, d, h, mi, s, frac, off)| {
            let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
            let off = match off {
                None => "Z".to_owned(),
                Some((neg, oh, om)) => format!("{}{oh:02}:{om:02}", if neg { '-' } else { '+' }),
            };
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}{off}")
        })
}

fn nanos_of(delta: TimeDelta) -> i128 {
    i128::from(delta.num_seconds()) * 1_000_000_000 + i128::from(delta.subsec_nanos())
}

proptest! {
    #[test]
    fn duration_text_round_trips_and_parses((text, nanos) in duration_text()) {
        let json = serde_json::to_string(&text).unwrap();
        let d: Duration = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(serde_json::to_string(&d).unwrap(), json);
        let delta = d.to_time_delta().unwrap();
        prop_assert_eq!(nanos_of(delta), nanos);
        // The canonical form of the same length parses back to it.
        let canonical = Duration::from(delta);
        prop_assert_eq!(canonical.to_time_delta().unwrap(), delta);
        prop_assert!(canonical.as_str().parse::<Duration>().is_ok());
    }

    #[test]
    fn timestamp_text_round_trips_and_parses(text in timestamp_text()) {
        let json = serde_json::to_string(&text).unwrap();
        let t: DateTimeOffset = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(serde_json::to_string(&t).unwrap(), json);
        let parsed = t.to_datetime().unwrap();
        prop_assert_eq!(parsed.second(), text[17..19].parse::<u32>().unwrap());
        let canonical = DateTimeOffset::from(parsed);
        prop_assert!(canonical.as_str().ends_with('Z'));
        prop_assert_eq!(canonical.to_datetime().unwrap(), parsed);
    }

    #[test]
    fn arbitrary_text_never_panics(s in any::<String>()) {
        let _ = DateTimeOffset::from_raw(s.as_str()).to_datetime();
        let _ = Date::from_raw(s.as_str()).to_naive_date();
        let _ = TimeOfDay::from_raw(s.as_str()).to_naive_time();
        let _ = Duration::from_raw(s.as_str()).to_time_delta();
        let _ = Duration::from_raw(s.as_str()).to_std();
        let _ = Guid::from_raw(s.as_str()).to_uuid();
        let _ = Binary::from_raw(s.as_str()).decode();
        let _ = pim_api::edm::parse_odata_type(&s);
    }

    #[test]
    fn grammar_shaped_text_never_panics(
        s in "[-+0-9PTDHMSYWZ.:é ]{0,24}",
    ) {
        let _ = DateTimeOffset::from_raw(s.as_str()).to_datetime();
        let _ = TimeOfDay::from_raw(s.as_str()).to_naive_time();
        if let Ok(d) = Duration::from_raw(s.as_str()).to_time_delta() {
            // Whatever parses has a canonical form that parses to the same length.
            prop_assert_eq!(Duration::from(d).to_time_delta().unwrap(), d);
        }
        let _ = s.parse::<pim_api::edm::Double>();
        let _ = s.parse::<pim_api::edm::Decimal>();
        let _ = s.parse::<pim_api::edm::Int64>();
    }
}
