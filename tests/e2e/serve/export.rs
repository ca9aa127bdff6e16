//! The CSV export is exactly the JSON list, page by page.

use super::helpers::*;

#[test]
fn the_csv_export_matches_every_page_of_the_json_list() {
    let (_server, c, _dir, _) = spawn();
    for filter in [
        "",
        "band=high",
        "min_probability=0.5",
        "order=value_at_risk",
        "lifecycle=lost&value_band=high",
        "group=champions",
    ] {
        let mut json_rows = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut q = format!("/v1/churn-risk?limit=250&{filter}");
            if let Some(cur) = &cursor {
                q.push_str(&format!("&cursor={}", urlencode(cur)));
            }
            let v = c.get(&q, Some(MARKETER)).json();
            for m in v["members"].as_array().unwrap() {
                json_rows.push(json_row(m));
            }
            match v["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => break,
            }
        }
        let r = c.get_csv(&format!("/v1/churn-risk?{filter}"), MARKETER);
        assert_eq!(r.status, 200);
        assert!(r.content_type.starts_with("text/csv"));
        let mut reader = csv::Reader::from_reader(r.body.as_bytes());
        let csv_rows: Vec<Vec<String>> = reader
            .records()
            .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
            .collect();
        assert!(!csv_rows.is_empty(), "filter {filter:?}");
        assert_eq!(csv_rows, json_rows, "filter {filter:?}");
        let column = if filter.contains("value_at_risk") {
            11
        } else {
            1
        };
        let keys: Vec<f64> = csv_rows
            .iter()
            .map(|r| r[column].parse().unwrap_or(0.0))
            .collect();
        assert!(
            keys.windows(2).all(|w| w[0] as f32 >= w[1] as f32),
            "filter {filter:?}: not highest first"
        );
        for r in &csv_rows {
            if filter.contains("lifecycle=lost") {
                assert_eq!((r[7].as_str(), r[10].as_str()), ("lost", "high"));
            }
            if filter.contains("group=champions") {
                assert_eq!(r[6], "champions");
            }
        }
    }
    let all = c.get_csv("/v1/churn-risk", MARKETER);
    assert_eq!(all.body.lines().count(), 1 + 2_134);
}

/// A JSON list row as the CSV writes it.
fn json_row(m: &serde_json::Value) -> Vec<String> {
    let reasons: Vec<&str> = m["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    let seg = &m["segment"];
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let number = |v: &serde_json::Value| v.as_f64().map(|v| v.to_string()).unwrap_or_default();
    vec![
        m["member_id"].as_str().unwrap().to_string(),
        (m["churn_probability"].as_f64().unwrap() as f32).to_string(),
        m["risk_band"].as_str().unwrap().to_string(),
        (m["expected_purchases"].as_f64().unwrap() as f32).to_string(),
        (m["days_since_last_purchase"].as_f64().unwrap() as f32).to_string(),
        reasons.join("; "),
        text(&seg["group"]),
        text(&seg["lifecycle"]),
        text(&seg["tier"]["id"]),
        number(&seg["value"]["predicted_value"]),
        text(&seg["value_band"]),
        number(&m["value_at_risk"]),
    ]
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
