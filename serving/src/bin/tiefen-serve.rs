//! `tiefen-serve [--models DIR] [--listen ADDR] [--config FILE] [--events FILE]
//! [--nats-url URL --partitions N --owned LIST [--nats-stream NAME]]`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use serving::config::{Overrides, Settings};
use serving::startup::Application;

/// Serves churn risk, portraits and recommendations from `models/current`.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Models folder holding `current` (default `models`).
    #[arg(long)]
    models: Option<PathBuf>,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    listen: Option<String>,
    /// TOML settings file (listen, models, event_log, api_keys, max_body_bytes, max_batch,
    /// request_timeout_ms, a `[nats]` table). API keys may also come from TIEFEN_API_KEYS=scope:key,...
    #[arg(long)]
    config: Option<PathBuf>,
    /// Event log file (default `events.log` next to the models folder).
    #[arg(long)]
    events: Option<PathBuf>,
    /// Also consume events from this NATS server's JetStream (overrides `nats.url`).
    #[arg(long)]
    nats_url: Option<String>,
    /// JetStream stream of the events (default TIEFEN_EVENTS; overrides `nats.stream`).
    #[arg(long)]
    nats_stream: Option<String>,
    /// Number of member-hash partitions of the stream (overrides `nats.partitions`).
    #[arg(long)]
    partitions: Option<u32>,
    /// Partitions this replica owns, e.g. `0-3,6` (overrides `nats.owned`).
    #[arg(long)]
    owned: Option<String>,
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Args::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("tiefen-serve: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    let env_keys = std::env::var("TIEFEN_API_KEYS").ok();
    let over = Overrides {
        models: args.models,
        listen: args.listen,
        event_log: args.events,
        nats_url: args.nats_url,
        nats_stream: args.nats_stream,
        partitions: args.partitions,
        owned: args.owned,
    };
    let settings = Settings::load(args.config.as_deref(), over, env_keys.as_deref())
        .context("reading the settings")?;
    let runtime = tokio::runtime::Runtime::new().context("starting the runtime")?;
    runtime.block_on(async {
        let app = Application::build(settings)
            .await
            .context("loading the model")?;
        tracing::info!(addr = %app.local_addr(), "listening");
        app.run_until_stopped().await.context("serving")
    })
}
