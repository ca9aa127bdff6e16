//! `tiefen-synth`: writes a seeded synthetic membership-brand dataset as `orders.csv` and
//! `members.csv`.

use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Parser;
use training::synth::{SynthParams, generate};

/// Generate a synthetic membership-brand dataset (orders.csv, members.csv).
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Seed of every random draw.
    #[arg(long, default_value_t = SynthParams::default().seed)]
    seed: u64,
    /// Number of members.
    #[arg(long, default_value_t = SynthParams::default().members)]
    members: usize,
    /// First day of exported order lines (YYYY-MM-DD).
    #[arg(long, default_value_t = SynthParams::default().start)]
    start: NaiveDate,
    /// Last day of exported order lines, inclusive (YYYY-MM-DD).
    #[arg(long, default_value_t = SynthParams::default().end)]
    end: NaiveDate,
    /// Output folder, created if missing.
    #[arg(long)]
    out: PathBuf,
}

fn main() {
    if let Err(err) = run(Args::parse()) {
        eprintln!("tiefen-synth: {err:#}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    let params = SynthParams::default()
        .with_seed(args.seed)
        .with_members(args.members)
        .with_start(args.start)
        .with_end(args.end)
        .check()
        .context("checking parameters")?;
    let data = generate(&params);
    data.write_to_dir(&args.out)
        .with_context(|| format!("writing to {}", args.out.display()))?;
    let returns = data.orders.iter().filter(|o| o.quantity < 0).count();
    eprintln!(
        "tiefen-synth: seed {} wrote {} order lines ({returns} returns) and {} members to {}",
        args.seed,
        data.orders.len(),
        data.members.len(),
        args.out.display()
    );
    Ok(())
}
