//! `tiefen-synth`: writes a seeded synthetic membership-brand dataset as `orders.csv` and
//! `members.csv`; `tiefen-synth outcome` writes a campaign's outcome window after it, with a
//! known treatment effect.

use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use training::synth::{
    Assignment, Formats, OutcomeParams, SynthParams, SynthValidParams, TreatmentEffect,
    simulate_outcome, write_dataset,
};

/// Generate a synthetic membership-brand dataset (orders.csv, members.csv).
#[derive(Debug, Parser)]
#[command(
    version,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    data: DataArgs,
    /// Output folder, created if missing.
    #[arg(long, required = true)]
    out: Option<PathBuf>,
    /// File format of orders and members: csv, parquet or both. Lines are written as they are
    /// generated, a week at a time, so memory grows with members, not with lines.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Csv,
    Parquet,
    Both,
}

impl Format {
    fn formats(self) -> Formats {
        Formats {
            csv: self != Self::Parquet,
            parquet: self != Self::Csv,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write the order lines of a campaign's outcome window after the dataset, with a known
    /// treatment effect for treated members.
    Outcome(OutcomeArgs),
}

/// The dataset's parameters; the outcome must be given the same ones.
#[derive(Debug, Args)]
struct DataArgs {
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
}

#[derive(Debug, Args)]
struct OutcomeArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Campaign audience CSV: columns member_id, arm (treated or control), optional group.
    #[arg(long)]
    assignment: PathBuf,
    /// First day of the window (YYYY-MM-DD); defaults to the day after --end.
    #[arg(long)]
    from: Option<NaiveDate>,
    /// Days in the window.
    #[arg(long, default_value_t = OutcomeParams::default().days)]
    days: u32,
    /// Probability that a treated member gets one extra order, in [0, 1].
    #[arg(long, default_value_t = 0.0)]
    effect: f64,
    /// Effect for one group, overriding --effect: GROUP=EFFECT; repeatable.
    #[arg(long = "effect-group", value_parser = group_effect)]
    effect_group: Vec<(String, f64)>,
    /// Output CSV (event_id,member_id,ts,item_id,category,quantity,amount).
    #[arg(long)]
    out: PathBuf,
}

fn group_effect(s: &str) -> Result<(String, f64), String> {
    let (group, effect) = s.split_once('=').ok_or("expected GROUP=EFFECT")?;
    let effect = effect.trim().parse().map_err(|e| format!("effect: {e}"))?;
    match group.trim() {
        "" => Err("the group name is empty".to_owned()),
        g => Ok((g.to_owned(), effect)),
    }
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Outcome(args)) => outcome(args),
        None => dataset(cli.data, cli.out.unwrap_or_default(), cli.format),
    };
    if let Err(err) = result {
        eprintln!("tiefen-synth: {err:#}");
        std::process::exit(1);
    }
}

fn params(args: &DataArgs) -> anyhow::Result<SynthValidParams> {
    SynthParams::default()
        .with_seed(args.seed)
        .with_members(args.members)
        .with_start(args.start)
        .with_end(args.end)
        .check()
        .context("checking parameters")
}

fn dataset(args: DataArgs, out: PathBuf, format: Format) -> anyhow::Result<()> {
    let written = write_dataset(&params(&args)?, &out, format.formats())
        .with_context(|| format!("writing to {}", out.display()))?;
    eprintln!(
        "tiefen-synth: seed {} wrote {} order lines ({} returns) and {} members to {}",
        args.seed,
        written.lines,
        written.returns,
        written.members,
        out.display()
    );
    Ok(())
}

fn outcome(args: OutcomeArgs) -> anyhow::Result<()> {
    let params = params(&args.data)?;
    let effect = args
        .effect_group
        .into_iter()
        .fold(TreatmentEffect::new(args.effect), |e, (g, v)| {
            e.with_group(g, v)
        });
    let window = OutcomeParams {
        from: args.from,
        days: args.days,
        effect,
    }
    .check(&params)
    .context("checking outcome parameters")?;
    let assignment =
        Assignment::read_csv(&args.assignment, &params).context("reading the assignment")?;
    let outcome = simulate_outcome(&params, &assignment, &window);
    outcome
        .write_to_file(&args.out)
        .with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!(
        "tiefen-synth: window from {} ({} days): wrote {outcome} to {}",
        window.from(),
        window.days(),
        args.out.display()
    );
    Ok(())
}
