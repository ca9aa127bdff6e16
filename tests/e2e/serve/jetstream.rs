//! A real `nats-server -js` on a random loopback port with a temporary store, the event
//! stream on it, a publisher, and `tiefen-serve` replicas that consume it.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use async_nats::jetstream;

use super::helpers::{ADMIN, MARKETER};
use super::kill9::http::Http;

/// The stream and subjects the replicas use by default.
pub(crate) const STREAM: &str = "TIEFEN_EVENTS";

/// A running `nats-server`; dropping it kills it.
pub(crate) struct NatsServer {
    child: Child,
    pub(crate) url: String,
}

impl NatsServer {
    /// Starts `nats-server -js` storing under `store`; fails (does not skip) when the server is
    /// not installed.
    pub(crate) fn start(store: &Path) -> NatsServer {
        let installed = Command::new("nats-server")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            installed,
            "nats-server is not installed: run `apt-get install -y nats-server` \
             (scripts/test.sh installs it when missing)"
        );
        let port = free_port();
        let child = Command::new("nats-server")
            .args(["-js", "-sd", store.to_str().unwrap(), "-a", "127.0.0.1"])
            .args(["-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server starts");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "nats-server not up in 20 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        NatsServer {
            child,
            url: format!("nats://127.0.0.1:{port}"),
        }
    }

    /// A JetStream context with the event stream created (subjects `tiefen.events.*`).
    pub(crate) async fn stream(&self) -> jetstream::Context {
        let client = async_nats::connect(self.url.as_str()).await.unwrap();
        let js = jetstream::new(client);
        js.create_stream(jetstream::stream::Config {
            name: STREAM.into(),
            subjects: vec!["tiefen.events.*".into()],
            storage: jetstream::stream::StorageType::File,
            ..Default::default()
        })
        .await
        .unwrap();
        js
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free loopback port (bound then released).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `tiefen-serve` process consuming `owned` of `partitions` from `nats`.
pub(crate) struct Replica {
    pub(crate) child: Child,
    pub(crate) base: String,
}

impl Replica {
    /// Starts the binary over `dir/models` with `dir/events.log` and waits until it is ready.
    pub(crate) fn start(
        bin: &Path,
        dir: &Path,
        nats: &str,
        partitions: u32,
        owned: &str,
    ) -> Replica {
        let port = free_port();
        let child = Command::new(bin)
            .args(["--models", dir.join("models").to_str().unwrap()])
            .args(["--events", dir.join("events.log").to_str().unwrap()])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--nats-url", nats, "--owned", owned])
            .args(["--partitions", &partitions.to_string()])
            .env(
                "TIEFEN_API_KEYS",
                format!("admin:{ADMIN},marketer:{MARKETER}"),
            )
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tiefen-serve starts");
        let base = format!("http://127.0.0.1:{port}");
        Http.wait_ready(&base);
        Replica { child, base }
    }

    /// `(status, JSON body)` of a GET with the marketer key.
    pub(crate) fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let (status, body) = Http.send(&self.base, "GET", path, MARKETER, "").unwrap();
        (status, serde_json::from_str(&body).unwrap_or_default())
    }

    /// The sum of the `tiefen_stream_<name>_total` samples whose labels contain `label`.
    pub(crate) fn metric(&self, name: &str, label: &str) -> u64 {
        let (status, text) = Http.send(&self.base, "GET", "/metrics", "", "").unwrap();
        assert_eq!(status, 200);
        let prefix = format!("tiefen_stream_{name}_total{{");
        text.lines()
            .filter(|l| l.starts_with(&prefix) && l.contains(label))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum()
    }

    /// SIGKILL.
    pub(crate) fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Publishes every `(subject, body)` and waits for the stream to store each.
pub(crate) async fn publish(js: &jetstream::Context, messages: &[(String, String)]) {
    for chunk in messages.chunks(64) {
        let mut acks = Vec::with_capacity(chunk.len());
        for (subject, body) in chunk {
            acks.push(
                js.publish(subject.clone(), body.clone().into())
                    .await
                    .unwrap(),
            );
        }
        for ack in acks {
            ack.await.unwrap();
        }
    }
}
