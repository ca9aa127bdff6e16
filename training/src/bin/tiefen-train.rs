//! `tiefen-train`: train tiefen's models from an order export (see `training::TrainConfig`).

use anyhow::Context;
use clap::Parser;
use training::{Args, TrainConfig, pipeline};

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tiefen-train: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let config = TrainConfig::from_args(Args::parse()).context("invalid arguments")?;
    let summary = pipeline::run(&config).context("training failed")?;
    eprintln!("tiefen-train: {}", summary.summary_line(&config.out_dir));
    Ok(())
}
