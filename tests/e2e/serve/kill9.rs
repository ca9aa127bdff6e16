//! `kill -9` of the real `tiefen-serve` process while 8 clients post events concurrently (so
//! the log commits them in groups): after a restart every acknowledged event is in the log and
//! applied exactly once, nothing is in the log twice, and each member's lines equal their lines
//! before plus their events in the log (an event written but not yet acknowledged when the
//! process died may be there; it is then applied once too).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::helpers::*;

/// The `tiefen-serve` binary, built (debug) by cargo.
pub(super) fn serve_binary() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        // The workspace's own feature set, as `cargo test --workspace --all-features` builds
        // it, so the dependencies built for the tests are reused.
        .args([
            "build",
            "--workspace",
            "--all-features",
            "--bins",
            "--message-format=json",
        ])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo build runs");
    assert!(out.status.success(), "building tiefen-serve failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["target"]["name"] == "tiefen-serve")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the tiefen-serve executable")
}

struct Process {
    child: Child,
    base: String,
}

fn start(bin: &PathBuf, models: &std::path::Path, log: &std::path::Path) -> Process {
    start_with(bin, models, log, None)
}

/// As [`start`], with a settings file when given.
fn start_with(
    bin: &PathBuf,
    models: &std::path::Path,
    log: &std::path::Path,
    config: Option<&std::path::Path>,
) -> Process {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = Command::new(bin);
    if let Some(config) = config {
        command.args(["--config", config.to_str().unwrap()]);
    }
    let child = command
        .args(["--models", models.to_str().unwrap()])
        .args(["--events", log.to_str().unwrap()])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .env(
            "TIEFEN_API_KEYS",
            format!("admin:{ADMIN},marketer:{MARKETER}"),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tiefen-serve starts");
    let base = format!("http://127.0.0.1:{port}");
    http::Http.wait_ready(&base);
    Process { child, base }
}

/// A tiny blocking HTTP/1.1 client over `std::net` (one request per connection), so the
/// posting threads need no runtime.
pub(super) mod http {
    use std::io::{Read, Write};
    use std::net::TcpStream;

    pub(crate) struct Http;

    impl Http {
        /// `(status, body)`, or `None` when the connection failed (the server is gone).
        pub(crate) fn send(
            &self,
            base: &str,
            method: &str,
            path: &str,
            key: &str,
            body: &str,
        ) -> Option<(u16, String)> {
            let addr = base.trim_start_matches("http://");
            let mut s = TcpStream::connect(addr).ok()?;
            let req = format!(
                "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            s.write_all(req.as_bytes()).ok()?;
            let mut text = String::new();
            s.read_to_string(&mut text).ok()?;
            let status = text.split(' ').nth(1)?.parse().ok()?;
            let body = text.split_once("\r\n\r\n")?.1.to_string();
            Some((status, body))
        }

        pub(crate) fn ready(&self, base: &str) -> bool {
            matches!(self.send(base, "GET", "/readyz", "", ""), Some((200, _)))
        }

        /// Waits until the server at `base` is ready; fails the test after 60 s.
        pub(crate) fn wait_ready(&self, base: &str) {
            let started = std::time::Instant::now();
            while !self.ready(base) {
                assert!(
                    started.elapsed() < std::time::Duration::from_secs(60),
                    "{base} not ready in 60 s"
                );
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        }
    }
}

fn order_lines(p: &Process, member: &str) -> u64 {
    let (status, body) = http::Http
        .send(
            &p.base,
            "GET",
            &format!("/v1/members/{member}"),
            MARKETER,
            "",
        )
        .expect("portrait");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["order_lines"].as_u64().unwrap()
}

#[test]
fn kill_9_under_concurrent_posts_keeps_every_acknowledged_event_exactly_once() {
    kill_9_under_concurrent_posts(None);
}

/// The same while the event log folds every 40 records (each fold appends the live records to
/// `events.log.folded` and cuts the live log), so the kill also lands in or between folds.
#[test]
fn kill_9_while_the_event_log_folds_keeps_every_acknowledged_event_exactly_once() {
    kill_9_under_concurrent_posts(Some(40));
}

fn kill_9_under_concurrent_posts(fold_after: Option<usize>) {
    let bin = serve_binary();
    let dir = tempfile::tempdir().unwrap();
    let config = fold_after.map(|n| {
        let path = dir.path().join("serve.toml");
        std::fs::write(&path, format!("event_fold_after = {n}\n")).unwrap();
        path
    });
    let models = models_copy(dir.path());
    let log = dir.path().join("events.log");
    let members: Vec<String> = training_scores()
        .into_iter()
        .take(16)
        .map(|r| r.0)
        .collect();

    let mut server = start_with(&bin, &models, &log, config.as_deref());
    let before: HashMap<String, u64> = members
        .iter()
        .map(|m| (m.clone(), order_lines(&server, m)))
        .collect();
    let acked = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    const CLIENTS: usize = 8;
    let posters: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let base = server.base.clone();
            let acked = Arc::clone(&acked);
            let mine = [members[2 * c].clone(), members[2 * c + 1].clone()];
            std::thread::spawn(move || {
                let http = http::Http;
                for batch in 0.. {
                    let member = &mine[batch % 2];
                    let events: Vec<_> = (0..5)
                        .map(|i| {
                            event(
                                &format!("c{c}-b{batch}-{i}"),
                                member,
                                "2024-12-05",
                                &format!("kill-item-{i}"),
                                "c",
                                10.0,
                            )
                        })
                        .collect();
                    let body = serde_json::to_string(&events).unwrap();
                    match http.send(&base, "POST", "/v1/events", ADMIN, &body) {
                        Some((200, reply)) => {
                            let r: serde_json::Value = serde_json::from_str(&reply).unwrap();
                            assert_eq!(r["accepted"], 5, "{reply}");
                            let mut a = acked.lock().unwrap();
                            for e in &events {
                                a.push((
                                    e["event_id"].as_str().unwrap().to_string(),
                                    member.clone(),
                                ));
                            }
                        }
                        Some((status, reply)) => panic!("{status}: {reply}"),
                        None => return batch,
                    }
                }
                unreachable!()
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    let batches: usize = posters.into_iter().map(|p| p.join().unwrap()).sum();
    let acked = acked.lock().unwrap().clone();
    assert!(batches >= 20, "too few batches to mean anything: {batches}");

    // The restart finishes a fold the kill may have cut short; then the folded records (their
    // chunk markers are not events) and the live log hold every record once.
    server = start_with(&bin, &models, &log, config.as_deref());
    let folded = std::fs::read_to_string(log.with_extension("log.folded")).unwrap_or_default();
    let folds = folded
        .lines()
        .filter(|l| l.starts_with("{\"fold\""))
        .count();
    assert_eq!(folds > 0, fold_after.is_some(), "{folds} folds");
    let text = folded + &std::fs::read_to_string(&log).unwrap();
    let complete = &text[..text.rfind('\n').map_or(0, |i| i + 1)];
    let logged: Vec<(String, String)> = complete
        .lines()
        .filter(|l| !l.starts_with("{\"fold\""))
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["event_id"].as_str().unwrap().to_string(),
                v["member_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let ids: HashSet<&str> = logged.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids.len(), logged.len(), "an event id is in the log twice");
    for (id, _) in &acked {
        assert!(
            ids.contains(id.as_str()),
            "acknowledged {id} is not in the log"
        );
    }

    if fold_after.is_some() {
        assert!(
            logged.len() > 80,
            "too few events to fold: {}",
            logged.len()
        );
    }
    for m in &members {
        let in_log = logged.iter().filter(|(_, who)| who == m).count() as u64;
        assert_eq!(
            order_lines(&server, m),
            before[m] + in_log,
            "member {m}: lines before plus the logged events"
        );
    }
    // Every acknowledged event sent again is a duplicate.
    let http = http::Http;
    for chunk in acked.chunks(100) {
        let events: Vec<_> = chunk
            .iter()
            .map(|(id, m)| event(id, m, "2024-12-05", "kill-item-0", "c", 10.0))
            .collect();
        let (status, reply) = http
            .send(
                &server.base,
                "POST",
                "/v1/events",
                ADMIN,
                &serde_json::to_string(&events).unwrap(),
            )
            .unwrap();
        assert_eq!(status, 200, "{reply}");
        let r: serde_json::Value = serde_json::from_str(&reply).unwrap();
        assert_eq!(
            (r["accepted"].as_u64(), r["duplicates"].as_u64()),
            (Some(0), Some(chunk.len() as u64))
        );
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

/// `kill -9` of the real process while 4 clients create campaigns (each on its own dates, a
/// week apart, so no cap refuses one): after a restart every acknowledged campaign is listed
/// with the counts it was acknowledged with, no id is in the journal twice, and the contact log
/// is rebuilt (an e-mail campaign to everyone on an acknowledged campaign's date skips exactly
/// that campaign's treated members).
#[test]
fn kill_9_while_campaigns_are_created_keeps_every_acknowledged_campaign_and_its_contacts() {
    let bin = serve_binary();
    let dir = tempfile::tempdir().unwrap();
    let models = models_copy(dir.path());
    let log = dir.path().join("events.log");
    let mut server = start(&bin, &models, &log);
    fn date(c: usize, i: usize) -> String {
        let day0 = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        (day0 + chrono::Days::new(7 * (c * 1000 + i) as u64)).to_string()
    }
    let creators: Vec<_> = (0..4)
        .map(|c| {
            let base = server.base.clone();
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                for i in 0.. {
                    let body = serde_json::json!({"name": format!("k{c}-{i}"), "channel": "email",
                        "send_date": date(c, i)})
                    .to_string();
                    match http::Http.send(&base, "POST", "/v1/campaigns", MARKETER, &body) {
                        Some((201, reply)) => {
                            let v: serde_json::Value = serde_json::from_str(&reply).unwrap();
                            acked.push((
                                v["id"].as_str().unwrap().to_string(),
                                v["send_date"].as_str().unwrap().to_string(),
                                v["counts"].clone(),
                            ));
                        }
                        Some((status, reply)) => panic!("{status}: {reply}"),
                        None => return acked,
                    }
                }
                unreachable!()
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    let acked: Vec<(String, String, serde_json::Value)> = creators
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    assert!(
        acked.len() >= 4,
        "too few campaigns to mean anything: {}",
        acked.len()
    );

    let journal = std::fs::read_to_string(dir.path().join("campaigns.log")).unwrap();
    let complete = &journal[..journal.rfind('\n').map_or(0, |i| i + 1)];
    let ids: Vec<String> = complete
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "an id twice"
    );

    server = start(&bin, &models, &log);
    let (status, body) = http::Http
        .send(&server.base, "GET", "/v1/campaigns", MARKETER, "")
        .unwrap();
    assert_eq!(status, 200, "{body}");
    let listed: serde_json::Value = serde_json::from_str(&body).unwrap();
    let listed: HashMap<String, serde_json::Value> = listed["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_string(), c["counts"].clone()))
        .collect();
    for (id, _, counts) in &acked {
        assert_eq!(listed.get(id), Some(counts), "acknowledged campaign {id}");
    }
    let (id, day, counts) = &acked[0];
    let body =
        serde_json::json!({"name": "again", "channel": "email", "send_date": day}).to_string();
    let (status, reply) = http::Http
        .send(&server.base, "POST", "/v1/campaigns", MARKETER, &body)
        .unwrap();
    assert_eq!(status, 201, "{reply}");
    let again: serde_json::Value = serde_json::from_str(&reply).unwrap();
    assert_eq!(
        again["counts"]["capped"], counts["treated"],
        "the contacts of {id}"
    );
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}
