//! Reloads under concurrent load: every request succeeds, the version changes atomically, and
//! a broken model leaves the old one serving.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::helpers::*;

/// A second version folder: a copy of the current one under another version name.
fn second_version(models: &std::path::Path, name: &str) {
    let current = std::fs::canonicalize(models.join("current")).unwrap();
    let dest = models.join(name);
    std::fs::create_dir_all(&dest).unwrap();
    for entry in std::fs::read_dir(&current).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dest.join(entry.file_name())).unwrap();
    }
    let card_path = dest.join("card.json");
    let mut card: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&card_path).unwrap()).unwrap();
    card["version"] = name.into();
    std::fs::write(&card_path, card.to_string()).unwrap();
}

fn point_current(models: &std::path::Path, version: &str) {
    let tmp = models.join(".current.tmp");
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(version, &tmp).unwrap();
    std::fs::rename(&tmp, models.join("current")).unwrap();
}

#[test]
fn reloads_under_concurrent_load_fail_no_request_and_a_broken_model_keeps_the_old_one() {
    let (server, c, dir, _) = spawn();
    let models = dir.path().join("models");
    let first = std::fs::read_link(models.join("current"))
        .unwrap()
        .display()
        .to_string();
    second_version(&models, "second");
    second_version(&models, "broken");
    std::fs::write(models.join("broken/churn.onnx"), b"not an onnx model").unwrap();

    let members: Vec<String> = training_scores()
        .into_iter()
        .map(|s| s.0)
        .take(200)
        .collect();
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let base = server.base.clone();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (stop, ok, failed, base) = (stop.clone(), ok.clone(), failed.clone(), base.clone());
            let members = members.clone();
            rt.spawn(async move {
                let http = reqwest::Client::new();
                let mut i = w;
                while !stop.load(Ordering::Relaxed) {
                    let m = &members[i % members.len()];
                    let (path, key) = if i % 2 == 0 {
                        (format!("{base}/v1/members/{m}/recommendations"), STOREFRONT)
                    } else {
                        (format!("{base}/v1/members/{m}/churn"), MARKETER)
                    };
                    match http.get(path).bearer_auth(key).send().await {
                        Ok(r) if r.status() == 200 => ok.fetch_add(1, Ordering::Relaxed),
                        _ => failed.fetch_add(1, Ordering::Relaxed),
                    };
                    i += 8;
                }
            })
        })
        .collect();

    let mut versions = Vec::new();
    for round in 0..4 {
        let target = if round % 2 == 0 {
            "second"
        } else {
            first.as_str()
        };
        point_current(&models, target);
        let r = c.post("/v1/admin/reload", Some(ADMIN), "application/json", "");
        assert_eq!(r.status, 200, "{}", r.body);
        versions.push(r.json()["model_version"].as_str().unwrap().to_string());
        let served = c
            .get(&format!("/v1/members/{}/churn", members[0]), Some(MARKETER))
            .json();
        assert_eq!(
            served["model_version"], target,
            "answers come from the reloaded model"
        );
    }
    point_current(&models, "broken");
    let r = c.post("/v1/admin/reload", Some(ADMIN), "application/json", "");
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (409, "model_not_loaded")
    );
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("churn")
    );
    let ready = c.get("/readyz", None).json();
    assert_eq!(ready["model_version"], versions.last().unwrap().as_str());
    let metrics = c.get("/metrics", None).body;
    for line in [
        "tiefen_reloads_total{result=\"ok\"} 4",
        "tiefen_reloads_total{result=\"failed\"} 1",
    ] {
        assert!(metrics.contains(line), "{line} not in\n{metrics}");
    }

    stop.store(true, Ordering::Relaxed);
    rt.block_on(async {
        for w in workers {
            w.await.unwrap();
        }
    });
    let (ok, failed) = (ok.load(Ordering::Relaxed), failed.load(Ordering::Relaxed));
    assert!(ok > 100, "too little load to mean anything: {ok}");
    assert_eq!(
        failed,
        0,
        "{failed} of {} requests failed during reloads",
        ok + failed
    );
}
