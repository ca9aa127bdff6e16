//! Auth per scope, the churn answers against training's scores, unknown members, bad input,
//! and the operational endpoints.

use super::helpers::*;

#[test]
fn every_scope_gets_401_without_a_valid_key_and_403_outside_its_scope() {
    let (_server, c, _dir, _) = spawn();
    let member = &training_scores()[0].0;
    let churn = format!("/v1/members/{member}/churn");
    let recs = format!("/v1/members/{member}/recommendations");
    for path in [churn.as_str(), recs.as_str(), "/v1/churn-risk"] {
        let r = c.get(path, None);
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (401, "unauthorized"),
            "{path}"
        );
        let r = c.get(path, Some("not-a-key-0123456789"));
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (401, "unauthorized"),
            "{path}"
        );
    }
    let forbidden = [(churn.as_str(), STOREFRONT), ("/v1/churn-risk", STOREFRONT)];
    for (path, key) in forbidden {
        let r = c.get(path, Some(key));
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (403, "forbidden"),
            "{path}"
        );
    }
    for key in [STOREFRONT, MARKETER] {
        let r = c.post("/v1/events", Some(key), "application/json", "[]");
        assert_eq!((r.status, r.error_code().as_str()), (403, "forbidden"));
        let r = c.post("/v1/admin/reload", Some(key), "application/json", "");
        assert_eq!(r.status, 403);
    }
    assert_eq!(c.get(&recs, Some(STOREFRONT)).status, 200);
    assert_eq!(c.get(&churn, Some(MARKETER)).status, 200);
    assert_eq!(c.get(&churn, Some(ADMIN)).status, 200);
    assert_eq!(c.get("/v1/churn-risk", Some(MARKETER)).status, 200);
}

#[test]
fn churn_answers_at_load_equal_the_scores_training_wrote() {
    let (_server, c, _dir, _) = spawn();
    let scores = training_scores();
    assert_eq!(scores.len(), 2_134);
    for (id, p, band, reasons) in scores.iter().step_by(53) {
        let v = c
            .get(&format!("/v1/members/{id}/churn"), Some(MARKETER))
            .json();
        let got = v["churn_probability"].as_f64().unwrap() as f32;
        assert!(
            (got - p).abs() <= 1e-5,
            "{id}: served {got}, scores.csv {p}"
        );
        assert_eq!(v["risk_band"], band.as_str(), "{id}");
        let served: Vec<&str> = v["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert_eq!(served.join("; "), *reasons, "{id}");
        assert_eq!(v["as_of"], "2024-12-04");
        assert!(
            v["model_version"]
                .as_str()
                .unwrap()
                .starts_with("2024-12-04-")
        );
    }
}

#[test]
fn unknown_members_get_404_on_churn_and_a_flagged_cold_start_list() {
    let (_server, c, _dir, _) = spawn();
    let r = c.get("/v1/members/nobody-here/churn", Some(MARKETER));
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
    assert_eq!(c.get("/v1/members/nobody-here", Some(MARKETER)).status, 404);
    let v = c
        .get(
            "/v1/members/nobody-here/recommendations?k=5&kind=category",
            Some(STOREFRONT),
        )
        .json();
    assert_eq!(v["cold_start"], true);
    assert_eq!(v["items"].as_array().unwrap().len(), 5);
    let known = &training_scores()[0].0;
    let v = c
        .get(
            &format!("/v1/members/{known}/recommendations?k=3"),
            Some(STOREFRONT),
        )
        .json();
    assert_eq!(v["cold_start"], false);
    assert_eq!(v["kind"], "item");
    // A known member's list starts with something from their own history.
    let own = ["due again: ", "bought on ", "bought before, "];
    let reason = v["items"][0]["reason"].as_str().unwrap();
    assert!(own.iter().any(|r| reason.starts_with(r)), "{v}");
}

#[test]
fn bad_queries_and_bodies_get_clear_json_errors() {
    let (_server, c, _dir, _) = spawn();
    let m = &training_scores()[0].0;
    for q in ["k=0", "k=51", "kind=brand", "k=ten", "color=red"] {
        let r = c.get(
            &format!("/v1/members/{m}/recommendations?{q}"),
            Some(STOREFRONT),
        );
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (400, "bad_request"),
            "{q}"
        );
    }
    for q in ["band=purple", "min_probability=2", "limit=0", "cursor=zzz"] {
        let r = c.get(&format!("/v1/churn-risk?{q}"), Some(MARKETER));
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (400, "bad_request"),
            "{q}"
        );
    }
    let r = c.post(
        "/v1/events",
        Some(ADMIN),
        "application/json",
        "{\"event_id\": ",
    );
    assert_eq!((r.status, r.error_code().as_str()), (400, "bad_request"));
    let r = c.post(
        "/v1/events",
        Some(ADMIN),
        "text/csv",
        "event_id,member_id,ts\n1,2,3\n",
    );
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("item_id")
    );
    let r = c.post(
        "/v1/events",
        Some(ADMIN),
        "text/csv",
        "event_id,member_id,ts,item_id,quantity,amount\ne,m,2024-13-45,i,1,1\n",
    );
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("CSV line 2")
    );
    let r = c.post("/v1/events", Some(ADMIN), "application/xml", "<e/>");
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (415, "unsupported_media_type")
    );
    let big = format!("[{}]", vec![r#"{"event_id":"x"}"#; 6_000].join(","));
    let r = c.post("/v1/events", Some(ADMIN), "application/json", big);
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (413, "payload_too_large")
    );
    let batch: Vec<_> = (0..101)
        .map(|i| event(&format!("b{i}"), "m", "2024-12-05", "i", "", 1.0))
        .collect();
    let r = c.post(
        "/v1/events",
        Some(ADMIN),
        "application/json",
        serde_json::to_string(&batch).unwrap(),
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("at most 100"));
    let r = c.get("/v1/nowhere", Some(ADMIN));
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
}

#[test]
fn health_readiness_metrics_and_openapi_answer() {
    let (_server, c, _dir, _) = spawn();
    assert_eq!(c.get("/healthz", None).json()["status"], "ok");
    let ready = c.get("/readyz", None).json();
    assert!(ready["members"].as_u64().unwrap() >= 2_134);
    let m = &training_scores()[0].0;
    c.get(
        &format!("/v1/members/{m}/recommendations"),
        Some(STOREFRONT),
    );
    let metrics = c.get("/metrics", None);
    assert!(metrics.body.contains("tiefen_http_requests_total{route=\"/v1/members/{id}/recommendations\",status=\"2xx\"} 1"), "{}", metrics.body);
    assert!(metrics.body.contains("tiefen_http_request_duration_seconds_bucket{le=\"+Inf\",route=\"/v1/members/{id}/recommendations\"} 1"));
    assert!(metrics.body.contains(&format!(
        "tiefen_model_info{{version=\"{}\"}} 1",
        ready["model_version"].as_str().unwrap()
    )));
    assert!(metrics.body.contains("tiefen_members_in_state "));
    for process in [
        "process_cpu_seconds_total ",
        "process_resident_memory_bytes ",
    ] {
        assert!(
            metrics.body.contains(process),
            "no {process} in {}",
            metrics.body
        );
    }
    let api = c.get("/openapi.json", None).json();
    assert_eq!(api["openapi"], "3.0.3");
    assert!(api["paths"]["/v1/events"]["post"].is_object());
}

#[test]
fn the_server_refuses_to_start_on_a_feature_spec_mismatch_or_missing_model() {
    let dir = tempfile::tempdir().unwrap();
    let models = models_copy(dir.path());
    let card_path = models.join("current/card.json");
    let card = std::fs::read_to_string(&card_path).unwrap();
    let hash = features::spec::schema_hash();
    std::fs::write(&card_path, card.replace(&hash, "0000")).unwrap();
    let err = Server::try_start(settings(&models, &dir.path().join("e.log"), None))
        .err()
        .expect("refused");
    assert!(err.to_string().contains("feature-spec hash"), "{err}");
    let empty = dir.path().join("empty");
    let err = Server::try_start(settings(&empty, &dir.path().join("e.log"), None))
        .err()
        .expect("refused");
    assert!(err.to_string().contains("current"), "{err}");
}

/// The OpenAPI document and the router list the same routes: every documented path and method
/// reaches a handler (not the router's 404 or 405 fallback), every other method on a
/// documented path is a 405, and every route the router counts in `/metrics` is documented.
#[test]
fn the_openapi_document_matches_the_router() {
    let (_server, c, _dir, _) = spawn();
    let api = c.get("/openapi.json", None).json();
    let paths = api["paths"].as_object().unwrap();
    let m = &training_scores()[0].0;
    for (path, ops) in paths {
        let concrete = path.replace("{id}", m);
        for method in ["get", "post"] {
            let r = if method == "get" {
                c.get(&concrete, Some(ADMIN))
            } else {
                c.post(&concrete, Some(ADMIN), "application/json", "[]")
            };
            let code = if r.content_type.starts_with("application/json") {
                r.json()["error"]["code"].as_str().map(str::to_string)
            } else {
                None
            };
            if ops.get(method).is_some() {
                let fallback = r.status == 405 || r.body.contains("no such endpoint");
                assert!(
                    !fallback,
                    "{method} {path} is documented: {} {}",
                    r.status, r.body
                );
            } else {
                assert_eq!(
                    (r.status, code.as_deref()),
                    (405, Some("method_not_allowed")),
                    "{method} {path} is not documented"
                );
            }
        }
    }
    for route in serving::http::ROUTES {
        if route.contains("bench/trivial") {
            continue;
        }
        assert!(
            paths.contains_key(route),
            "{route} is routed but not documented"
        );
    }
    assert_eq!(
        paths.len(),
        serving::http::ROUTES
            .iter()
            .filter(|r| !r.contains("bench"))
            .count()
    );
}
