//! Kill and restart: every acknowledged event is applied exactly once, a torn last log line
//! is cut off, and replayed ids stay duplicates.

use super::helpers::*;

#[test]
fn a_killed_server_restarts_with_every_acknowledged_event_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let models = models_copy(dir.path());
    let log = dir.path().join("events.log");
    let member = training_scores()[7].0.clone();

    let server = Server::start(settings(&models, &log, None));
    let c = Client::new(&server);
    let before = c
        .get(&format!("/v1/members/{member}"), Some(MARKETER))
        .json();
    let mut acknowledged = 0;
    for batch in 0..10 {
        let events: Vec<_> = (0..5)
            .map(|i| {
                event(
                    &format!("k{batch}-{i}"),
                    &member,
                    "2024-12-05",
                    &format!("item-{i}"),
                    "c",
                    10.0,
                )
            })
            .collect();
        let r = c.post(
            "/v1/events",
            Some(ADMIN),
            "application/json",
            serde_json::to_string(&events).unwrap(),
        );
        acknowledged += r.json()["accepted"].as_u64().unwrap();
        let resend = c.post(
            "/v1/events",
            Some(ADMIN),
            "application/json",
            serde_json::to_string(&events[..2]).unwrap(),
        );
        assert_eq!(resend.json()["duplicates"], 2);
    }
    assert_eq!(acknowledged, 50);
    let live = c
        .get(&format!("/v1/members/{member}"), Some(MARKETER))
        .json();
    server.kill();

    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    std::io::Write::write_all(&mut f, b"{\"event_id\":\"torn\",\"member_id\":").unwrap();
    drop(f);

    let server = Server::start(settings(&models, &log, None));
    let c = Client::new(&server);
    let after = c
        .get(&format!("/v1/members/{member}"), Some(MARKETER))
        .json();
    assert_eq!(
        after["order_lines"],
        before["order_lines"].as_u64().unwrap() + 50
    );
    assert_eq!(
        after, live,
        "the restarted server answers as the killed one did"
    );
    let churn_live = c
        .get(&format!("/v1/members/{member}/churn"), Some(MARKETER))
        .json();
    assert_eq!(churn_live["as_of"], "2024-12-06");
    let resend: Vec<_> = (0..5)
        .map(|i| {
            event(
                &format!("k3-{i}"),
                &member,
                "2024-12-05",
                &format!("item-{i}"),
                "c",
                10.0,
            )
        })
        .collect();
    let r = c.post(
        "/v1/events",
        Some(ADMIN),
        "application/json",
        serde_json::to_string(&resend).unwrap(),
    );
    assert_eq!(
        r.json(),
        serde_json::json!({"accepted": 0, "duplicates": 5})
    );
    server.kill();
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text.lines().count(), 50);
    assert!(text.ends_with('\n'), "the torn line was not cut off");
}
