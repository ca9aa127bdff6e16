//! Train once on the bundled sample, then give every test its own copy of the models folder,
//! its own event log and its own server.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::train::sample;
use serving::config::{Overrides, RawSettings, Settings};
use serving::startup::Application;

pub(crate) const STOREFRONT: &str = "sf-test-key-0123456789";
pub(crate) const MARKETER: &str = "mk-test-key-0123456789";
pub(crate) const ADMIN: &str = "ad-test-key-0123456789";

/// The trained sample: models folder and `out` folder (with `scores.csv`), shared by all tests.
pub(crate) fn trained() -> &'static (PathBuf, PathBuf) {
    static TRAINED: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    TRAINED.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let config = crate::train::config(&sample("sample/orders.csv"), &dir, "2024-12-04");
        training::pipeline::run(&config).unwrap();
        (dir.join("models"), dir.join("out"))
    })
}

/// A private copy of the trained models folder (the `current` symlink is kept relative).
pub(crate) fn models_copy(into: &Path) -> PathBuf {
    let (models, _) = trained();
    let dest = into.join("models");
    copy_dir(models, &dest);
    dest
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).unwrap(), &target).unwrap();
        } else if kind.is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Settings for a test server on a random port.
pub(crate) fn settings(models: &Path, event_log: &Path, max_body_bytes: Option<usize>) -> Settings {
    let raw = RawSettings {
        listen: Some("127.0.0.1:0".into()),
        api_keys: vec![
            format!("storefront:{STOREFRONT}"),
            format!("marketer:{MARKETER}"),
        ],
        max_body_bytes,
        max_batch: Some(100),
        ..RawSettings::default()
    };
    let over = Overrides {
        models: Some(models.to_path_buf()),
        event_log: Some(event_log.to_path_buf()),
        ..Overrides::default()
    };
    Settings::try_from_raw(raw, over, Some(&format!("admin:{ADMIN}"))).unwrap()
}

/// A running server; dropping it kills it abruptly (no graceful shutdown), like `kill -9`
/// as far as the event log is concerned.
pub(crate) struct Server {
    pub(crate) base: String,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Server {
    /// Builds and starts the server; panics with the startup error.
    pub(crate) fn start(settings: Settings) -> Server {
        Server::try_start(settings).unwrap_or_else(|e| panic!("server did not start: {e}"))
    }

    /// Builds and starts the server.
    pub(crate) fn try_start(settings: Settings) -> serving::Result<Server> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let app = runtime.block_on(Application::build(settings))?;
        let base = format!("http://{}", app.local_addr());
        runtime.spawn(app.run_until_stopped());
        Ok(Server {
            base,
            runtime: Some(runtime),
        })
    }

    /// Kills the server without draining.
    pub(crate) fn kill(mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// A blocking-friendly client: every call runs on a small runtime of its own.
pub(crate) struct Client {
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
    base: String,
}

/// A response: status, content type and body text.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) content_type: String,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts the error shape and returns the code.
    pub(crate) fn error_code(&self) -> String {
        let v = self.json();
        assert!(v["error"]["message"].is_string(), "no error message in {v}");
        v["error"]["code"].as_str().expect("error code").to_string()
    }
}

impl Client {
    pub(crate) fn new(server: &Server) -> Client {
        Client::at(&server.base)
    }

    /// A client of the server at `base` (`http://host:port`).
    pub(crate) fn at(base: &str) -> Client {
        Client {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            http: reqwest::Client::new(),
            base: base.to_string(),
        }
    }

    pub(crate) fn get(&self, path: &str, key: Option<&str>) -> Reply {
        self.send(self.http.get(format!("{}{path}", self.base)), key)
    }

    /// `(status, content type, body bytes)` of a GET.
    pub(crate) fn get_bytes(&self, path: &str, key: &str) -> (u16, String, Vec<u8>) {
        self.send_raw(self.http.get(format!("{}{path}", self.base)), Some(key))
    }

    pub(crate) fn get_csv(&self, path: &str, key: &str) -> Reply {
        let req = self
            .http
            .get(format!("{}{path}", self.base))
            .header("accept", "text/csv");
        self.send(req, Some(key))
    }

    pub(crate) fn post(
        &self,
        path: &str,
        key: Option<&str>,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        self.send(req, key)
    }

    fn send(&self, req: reqwest::RequestBuilder, key: Option<&str>) -> Reply {
        let (status, content_type, body) = self.send_raw(req, key);
        Reply {
            status,
            content_type,
            body: String::from_utf8(body).expect("a text body"),
        }
    }

    fn send_raw(
        &self,
        mut req: reqwest::RequestBuilder,
        key: Option<&str>,
    ) -> (u16, String, Vec<u8>) {
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        self.rt.block_on(async {
            let r = req.send().await.expect("request sent");
            let status = r.status().as_u16();
            let content_type = r
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            (
                status,
                content_type,
                r.bytes().await.expect("body").to_vec(),
            )
        })
    }
}

/// A fresh server over a private models copy; returns it with its temp dir and settings.
pub(crate) fn spawn() -> (Server, Client, tempfile::TempDir, Settings) {
    let dir = tempfile::tempdir().unwrap();
    let models = models_copy(dir.path());
    let s = settings(&models, &dir.path().join("events.log"), Some(64 * 1024));
    let server = Server::start(s.clone());
    let client = Client::new(&server);
    (server, client, dir, s)
}

/// `scores.csv` of the training run: member id -> (probability text, band, reasons).
pub(crate) fn training_scores() -> Vec<(String, f32, String, String)> {
    let (_, out) = trained();
    let mut reader = csv::Reader::from_path(out.join("scores.csv")).unwrap();
    reader
        .records()
        .map(|r| r.unwrap())
        .map(|r| {
            (
                r[0].to_string(),
                r[1].parse().unwrap(),
                r[2].to_string(),
                r[5].to_string(),
            )
        })
        .collect()
}

/// One JSON event line.
pub(crate) fn event(
    id: &str,
    member: &str,
    ts: &str,
    item: &str,
    category: &str,
    amount: f64,
) -> serde_json::Value {
    serde_json::json!({
        "event_id": id, "member_id": member, "ts": ts, "item_id": item,
        "category": category, "quantity": 1, "amount": amount,
    })
}
