//! The `tiefen-train` command line: a training run ([`Args`] and `--promote`), or
//! `--compare OLD NEW`, which needs no `--transactions` or `--out`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches};

use super::Args;
use crate::pipeline::PromoteMode;

/// Every `tiefen-train` flag.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "tiefen-train",
    version,
    about = "Train tiefen's churn and next-purchase models from an order export."
)]
pub struct Cli {
    /// The training run's arguments.
    #[command(flatten)]
    pub args: Args,
    /// Whether the new version replaces `models/current`: `always`, `if-better` (unless a
    /// backtest metric fell by more than `[promotion] tolerance` against the serving
    /// version's on the same as-of date; the default) or `never`. The version is written in
    /// every case.
    #[arg(long, value_enum, value_name = "WHEN")]
    pub promote: Option<PromoteMode>,
    /// Print two model version folders' cards side by side (backtest metrics, the change,
    /// hyperparameters that differ) and exit without training.
    #[arg(
        long,
        num_args = 2,
        value_names = ["OLD", "NEW"],
        conflicts_with_all = ["transactions", "out", "members", "config", "promote"]
    )]
    pub compare: Option<Vec<PathBuf>>,
}

/// What `tiefen-train` was asked to do.
#[derive(Debug, Clone)]
pub enum Command {
    /// Train (boxed: the arguments are large next to `Compare`).
    Train(Box<Cli>),
    /// Print two version folders' cards side by side.
    Compare {
        /// The first folder (shown as `OLD`).
        old: PathBuf,
        /// The second folder (shown as `NEW`).
        new: PathBuf,
    },
}

impl Command {
    /// Parses the process's arguments; exits with clap's message and code on an error.
    pub fn parse() -> Command {
        Command::try_parse_from(std::env::args_os()).unwrap_or_else(|e| e.exit())
    }

    /// Parses `args` (the first is the program name).
    ///
    /// # Errors
    /// Clap's, for a flag that is unknown, missing or conflicting.
    pub fn try_parse_from<I, T>(args: I) -> Result<Command, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let matches = Cli::command().try_get_matches_from(args)?;
        if let Some(paths) = matches.get_many::<PathBuf>("compare") {
            let mut paths = paths.cloned();
            if let (Some(old), Some(new)) = (paths.next(), paths.next()) {
                return Ok(Command::Compare { old, new });
            }
        }
        Ok(Command::Train(Box::new(Cli::from_arg_matches(&matches)?)))
    }
}
