//! `tiefen-train`: train tiefen's models from an order export (see `training::TrainConfig`),
//! or compare two model versions' cards (`--compare OLD NEW`).

use std::io::Write as _;
use std::path::Path;

use anyhow::Context;
use features::contract::{Card, layout};
use training::config::Command;
use training::{TrainConfig, pipeline};

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(Command::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tiefen-train: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Compare { old, new } => {
            let table = pipeline::compare_cards(&read_card(&old)?, &read_card(&new)?);
            std::io::stdout()
                .write_all(table.as_bytes())
                .context("writing the comparison")
        }
        Command::Train(cli) => {
            let config = TrainConfig::from_cli(*cli).context("invalid arguments")?;
            let summary = pipeline::run(&config).context("training failed")?;
            eprintln!("tiefen-train: {}", summary.summary_line(&config.out_dir));
            Ok(())
        }
    }
}

fn read_card(version_dir: &Path) -> anyhow::Result<Card> {
    let path = version_dir.join(layout::CARD_FILE);
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    Card::from_json(&bytes).with_context(|| format!("reading {}", path.display()))
}
