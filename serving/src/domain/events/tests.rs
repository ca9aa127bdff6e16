//! Event parsing: accepted shapes, clear errors, and no panic on arbitrary input (proptest).

use proptest::prelude::*;

use super::*;

const LINE: &str = r#"{"event_id":"e1","member_id":"m1","ts":"2024-12-05T10:00:00","item_id":"i1","category":"c","quantity":1,"amount":99.5}"#;

#[test]
fn one_object_an_array_and_a_wrapped_batch_all_parse() {
    let one = parse_json(LINE.as_bytes(), 10).unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].member_id, "m1");
    let many = parse_json(format!("[{LINE},{LINE}]").as_bytes(), 10).unwrap();
    assert_eq!(many.len(), 2);
    let wrapped = parse_json(format!("{{\"events\":[{LINE}]}}").as_bytes(), 10).unwrap();
    assert_eq!(wrapped, one);
}

#[test]
fn bad_fields_are_named_in_the_error() {
    let bad = LINE.replace("2024-12-05T10:00:00", "yesterday");
    let err = parse_json(bad.as_bytes(), 10).unwrap_err().to_string();
    assert!(err.contains("event 1") && err.contains("`ts`"), "{err}");
    let bad = LINE.replace(r#""event_id":"e1","#, "");
    let err = parse_json(bad.as_bytes(), 10).unwrap_err().to_string();
    assert!(err.contains("`event_id`"), "{err}");
    let err = parse_json(format!("[{LINE},{LINE}]").as_bytes(), 1)
        .unwrap_err()
        .to_string();
    assert!(err.contains("at most 1"), "{err}");
}

#[test]
fn csv_parses_and_reports_the_bad_line() {
    let csv = "event_id,member_id,ts,item_id,category,quantity,amount\ne1,m1,2024-12-05,i1,,1,10\n";
    let events = parse_csv(csv.as_bytes(), 10).unwrap();
    assert_eq!(events[0].category, "");
    let bad = format!("{csv}e2,m1,2024-12-05,i1,,one,10\n");
    let err = parse_csv(bad.as_bytes(), 10).unwrap_err().to_string();
    assert!(
        err.contains("CSV line 3") && err.contains("quantity"),
        "{err}"
    );
    let err = parse_csv(b"member_id,ts\nm1,2024-01-01\n", 10)
        .unwrap_err()
        .to_string();
    assert!(err.contains("event_id"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_json(&body, 100);
        let _ = parse_csv(&body, 100);
    }

    #[test]
    fn mutated_valid_bodies_never_panic(
        cut in 0usize..200,
        insert in "[\\PC\\x00-\\x1f\"{}\\[\\],:]{0,12}",
        ts in "\\PC{0,30}",
        num in prop_oneof![any::<f64>().prop_map(|f| f.to_string()), Just("1e999".to_string()), Just("-0".to_string())],
    ) {
        let json = LINE.replace("2024-12-05T10:00:00", &ts).replace("99.5", &num);
        let cut = cut.min(json.len());
        let cut = (0..=cut).rev().find(|&c| json.is_char_boundary(c)).unwrap_or(0);
        let mutated = format!("{}{insert}{}", &json[..cut], &json[cut..]);
        let _ = parse_json(mutated.as_bytes(), 100);
        let csv = format!("event_id,member_id,ts,item_id,category,quantity,amount\ne1,m1,{ts},i1,{insert},{num},1\n");
        let _ = parse_csv(csv.as_bytes(), 100);
        let _ = parse_csv(mutated.as_bytes(), 100);
    }
}
