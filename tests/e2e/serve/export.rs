//! The CSV export is exactly the JSON list, page by page.

use super::helpers::*;

#[test]
fn the_csv_export_matches_every_page_of_the_json_list() {
    let (_server, c, _dir, _) = spawn();
    for filter in ["", "band=high", "min_probability=0.5"] {
        let mut json_rows = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut q = format!("/v1/churn-risk?limit=250&{filter}");
            if let Some(cur) = &cursor {
                q.push_str(&format!("&cursor={}", urlencode(cur)));
            }
            let v = c.get(&q, Some(MARKETER)).json();
            for m in v["members"].as_array().unwrap() {
                let reasons: Vec<&str> = m["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap())
                    .collect();
                json_rows.push(vec![
                    m["member_id"].as_str().unwrap().to_string(),
                    (m["churn_probability"].as_f64().unwrap() as f32).to_string(),
                    m["risk_band"].as_str().unwrap().to_string(),
                    (m["expected_purchases"].as_f64().unwrap() as f32).to_string(),
                    (m["days_since_last_purchase"].as_f64().unwrap() as f32).to_string(),
                    reasons.join("; "),
                ]);
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
        assert!(!csv_rows.is_empty());
        assert_eq!(csv_rows, json_rows, "filter {filter:?}");
        let probs: Vec<f32> = csv_rows.iter().map(|r| r[1].parse().unwrap()).collect();
        assert!(
            probs.windows(2).all(|w| w[0] >= w[1]),
            "not highest risk first"
        );
    }
    let all = c.get_csv("/v1/churn-risk", MARKETER);
    assert_eq!(all.body.lines().count(), 1 + 2_134);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
