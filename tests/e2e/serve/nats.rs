//! Events from NATS JetStream: a real `nats-server -js` and two real `tiefen-serve` replicas
//! owning disjoint partitions (0-3 and 4-7 of 8). Messages for 120 members (single events and
//! batches, plus producer retries of already published events and two bad messages) are
//! published while replica A is killed with SIGKILL and restarted. Afterwards every event is
//! applied exactly once on the replica owning its member and on no other: each member's lines
//! grow by its distinct events, each log holds exactly its members' event ids once, the other
//! replica answers 421 for the member, the bad messages are counted, not applied, and each
//! replica's churn list holds its own members only.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use features::partition::partition_of;

use super::helpers::*;
use super::jetstream::{NatsServer, Replica, publish};
use super::kill9::{http::Http, serve_binary};

const N: u32 = 8;
const MEMBERS: usize = 120;
const EVENTS: usize = 3000;
const RETRIES: usize = 100;

fn owner_is_a(member: &str) -> bool {
    partition_of(member, N) < 4
}

fn a_subject(subject: &str) -> bool {
    subject.rsplit('.').next().unwrap().parse::<u32>().unwrap() < 4
}

/// The messages: single events and batches of five, then producer retries of [`RETRIES`] of them.
/// `(subject, body)` of each message to publish.
type Messages = Vec<(String, String)>;

fn messages(members: &[String]) -> (Messages, HashMap<String, Vec<String>>) {
    let mut by_member: HashMap<String, Vec<String>> = HashMap::new();
    let mut out = Vec::new();
    let mut i = 0;
    while i < EVENTS {
        let member = &members[(i * 7) % members.len()];
        let n = if (i / 5) % 3 == 0 { 5 } else { 1 };
        let events: Vec<_> = (i..i + n)
            .map(|j| {
                event(
                    &format!("js-{j}"),
                    member,
                    "2024-12-05",
                    &format!("js-item-{}", j % 13),
                    "c",
                    10.0,
                )
            })
            .collect();
        by_member
            .entry(member.clone())
            .or_default()
            .extend((i..i + n).map(|j| format!("js-{j}")));
        let body = if n == 1 {
            events[0].to_string()
        } else {
            serde_json::json!({"events": events}).to_string()
        };
        out.push((format!("tiefen.events.{}", partition_of(member, N)), body));
        i += n;
    }
    let retries: Vec<_> = out
        .iter()
        .step_by(out.len() / RETRIES)
        .take(RETRIES)
        .cloned()
        .collect();
    out.extend(retries);
    (out, by_member)
}

/// Every member id of a replica's churn list (`/v1/churn-risk`, page by page).
fn churn_list(r: &Replica) -> HashSet<String> {
    let mut ids = HashSet::new();
    let mut cursor = String::new();
    loop {
        let (status, body) = r.get(&format!("/v1/churn-risk?limit=1000{cursor}"));
        assert_eq!(status, 200, "{body}");
        for m in body["members"].as_array().unwrap() {
            assert!(ids.insert(m["member_id"].as_str().unwrap().to_string()));
        }
        match body["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return ids,
        }
    }
}

fn logged_ids(dir: &std::path::Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(dir.join("events.log")).unwrap();
    text.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| {
            (
                v["event_id"].as_str().unwrap().to_string(),
                v["member_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn two_replicas_apply_every_jetstream_event_exactly_once_across_a_kill_9() {
    let bin = serve_binary();
    let tmp = tempfile::tempdir().unwrap();
    let (dir_a, dir_b) = (tmp.path().join("a"), tmp.path().join("b"));
    models_copy(&dir_a);
    models_copy(&dir_b);
    let nats = NatsServer::start(&tmp.path().join("jetstream"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let js = rt.block_on(nats.stream());
    let members: Vec<String> = training_scores()
        .into_iter()
        .take(MEMBERS)
        .map(|r| r.0)
        .collect();
    assert!(members.iter().any(|m| owner_is_a(m)) && members.iter().any(|m| !owner_is_a(m)));

    let mut a = Replica::start(&bin, &dir_a, &nats.url, N, "0-3");
    let b = Replica::start(&bin, &dir_b, &nats.url, N, "4-7");
    let owner = |a: &Replica, m: &str| {
        if owner_is_a(m) {
            a.base.clone()
        } else {
            b.base.clone()
        }
    };
    let lines = |base: &str, m: &str| {
        let (status, body) = Http
            .send(base, "GET", &format!("/v1/members/{m}"), MARKETER, "")
            .unwrap();
        assert_eq!(status, 200, "{m}: {body}");
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["order_lines"]
            .as_u64()
            .unwrap()
    };
    let before: HashMap<&String, u64> = members
        .iter()
        .map(|m| (m, lines(&owner(&a, m), m)))
        .collect();

    let (msgs, by_member) = messages(&members);
    let mut bad = vec![("tiefen.events.5".to_string(), "{not json".to_string())];
    let misrouted = members.iter().find(|m| owner_is_a(m)).unwrap();
    bad.push((
        "tiefen.events.6".into(),
        event("js-bad", misrouted, "2024-12-05", "x", "c", 1.0).to_string(),
    ));
    let a_messages = msgs.iter().filter(|(s, _)| a_subject(s)).count() as u64;
    let started = Instant::now();
    rt.block_on(publish(&js, &bad));
    let publisher = {
        let (js, msgs) = (js.clone(), msgs.clone());
        rt.spawn(async move {
            for chunk in msgs.chunks(32) {
                publish(&js, chunk).await;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    // Kill A once it has acknowledged some of its messages, while the rest is being published.
    let acked_before_kill = loop {
        let n = a.metric("messages", "outcome=\"acked\"");
        if n >= 50 {
            break n;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    a.kill();
    assert!(
        acked_before_kill < a_messages,
        "A had consumed everything before the kill"
    );
    std::thread::sleep(Duration::from_millis(300));
    let a = Replica::start(&bin, &dir_a, &nats.url, N, "0-3");
    rt.block_on(publisher).unwrap();

    let expected: HashMap<&String, u64> = members
        .iter()
        .map(|m| {
            (
                m,
                before[m] + by_member.get(m).map_or(0, |e| e.len() as u64),
            )
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    while members
        .iter()
        .any(|m| lines(&owner(&a, m), m) != expected[m])
    {
        assert!(
            Instant::now() < deadline,
            "events not all applied within 120 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let elapsed = started.elapsed();
    // Settled: nothing applied twice after a further pause either.
    std::thread::sleep(Duration::from_secs(1));
    for m in &members {
        assert_eq!(
            lines(&owner(&a, m), m),
            expected[m],
            "member {m}: before plus its events, once"
        );
    }

    for (dir, is_a) in [(&dir_a, true), (&dir_b, false)] {
        let logged = logged_ids(dir);
        let ids: HashSet<&str> = logged.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids.len(), logged.len(), "an event id is in a log twice");
        let want: HashSet<&str> = by_member
            .iter()
            .filter(|(m, _)| owner_is_a(m) == is_a)
            .flat_map(|(_, ids)| ids.iter().map(String::as_str))
            .collect();
        assert_eq!(
            ids,
            want,
            "the log of replica {}",
            if is_a { "A" } else { "B" }
        );
    }

    for m in &members {
        let other = if owner_is_a(m) { &b } else { &a };
        let (status, body) = other.get(&format!("/v1/members/{m}/recommendations"));
        assert_eq!(status, 421, "{m}: {body}");
        assert_eq!(body["error"]["code"], "misdirected");
        assert_eq!(body["error"]["partition"], partition_of(m, N));
    }
    // The lists of each replica hold its own members only, and together every scored member.
    let scored: HashSet<String> = training_scores().into_iter().map(|r| r.0).collect();
    let (listed_a, listed_b) = (churn_list(&a), churn_list(&b));
    assert!(
        listed_a.iter().all(|m| owner_is_a(m)),
        "A lists a member of B"
    );
    assert!(
        listed_b.iter().all(|m| !owner_is_a(m)),
        "B lists a member of A"
    );
    assert_eq!(listed_a.len() + listed_b.len(), scored.len());
    assert_eq!(&listed_a | &listed_b, scored);
    let post = serde_json::json!([event("p1", misrouted, "2024-12-05", "x", "c", 1.0)]).to_string();
    let (status, body) = Http
        .send(&b.base, "POST", "/v1/events", ADMIN, &post)
        .unwrap();
    assert_eq!(status, 421, "{body}");
    assert!(body.contains("event 1: member"), "{body}");

    assert_eq!(b.metric("messages", "outcome=\"bad\""), 2);
    let b_events = by_member
        .iter()
        .filter(|(m, _)| !owner_is_a(m))
        .map(|(_, e)| e.len() as u64)
        .sum::<u64>();
    assert_eq!(b.metric("events", "outcome=\"accepted\""), b_events);
    let b_retried: u64 = msgs[msgs.len() - RETRIES..]
        .iter()
        .filter(|(s, _)| !a_subject(s))
        .map(|(_, body)| body.matches("event_id").count() as u64)
        .sum();
    assert_eq!(
        b.metric("events", "outcome=\"duplicate\""),
        b_retried,
        "B's producer retries"
    );
    eprintln!(
        "jetstream: {} messages, {EVENTS} events on 2 replicas, A killed after {acked_before_kill} acks; \
         all applied {:.2} s after the first publish",
        msgs.len() + bad.len(),
        elapsed.as_secs_f64()
    );
}
