//! The `tiefen-train` command line and configuration file, checked into a [`TrainConfig`].
//!
//! The TOML file's top-level keys are the run's (`horizon_days`, `seed`, ...); its tables are
//! the hyperparameters, each checked into the form the fit accepts (see [`tables`]):
//!
//! ```toml
//! [churn]
//! selection_tolerance = 0.002
//! [churn.logistic]
//! ridge = 500.0
//! [churn.boosted]
//! max_depth = 3
//! [recommend]
//! item_negative_rate = 0.3
//! [recommend.ranker]
//! iterations = 100
//! [promotion]
//! tolerance = 0.01
//! ```

mod cli;
pub mod tables;
#[cfg(test)]
mod tests;

pub use cli::{Cli, Command};
pub use tables::{BoostedTable, ChurnTable, LogisticTable, PromotionTable, RecommendTable};

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use features::Day;
use features::io::ColumnMapping;
use features::recommend::{EXCLUDE_RECENT_DAYS_RANGE, MAX_PER_CATEGORY_RANGE, SelectOptions};
use features::segments::{
    GroupRule, GroupTable, LifecycleParams, LifecycleValidParams, TierProgram, ValidGroupTable,
    ValidTierProgram,
};

use crate::pipeline::{ChurnValidParams, PromoteMode, PromotionPolicy};
use crate::recommend::RecommendValidParams;
use crate::{ParamsError, Result};

/// Command-line arguments of a `tiefen-train` training run (the command contract; keep these
/// names). `--promote` and `--compare` are [`Cli`]'s, which parses these.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Order lines, `.csv` or `.parquet`, with the canonical columns or as `--mapping` says.
    #[arg(
        long,
        value_name = "FILE",
        required = false,
        required_unless_present = "compare"
    )]
    pub transactions: PathBuf,
    /// Optional members table (`member_id` plus attributes), read as the mapping's `[members]` says.
    #[arg(long, value_name = "FILE")]
    pub members: Option<PathBuf>,
    /// Pretend today is this date: only lines before it are used. Default: the day after the last line.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    /// Length of the churn and next-purchase horizon in days (default 28).
    #[arg(long, value_name = "N")]
    pub horizon_days: Option<u32>,
    /// The model registry that serving reads.
    #[arg(long, value_name = "DIR", default_value = "models")]
    pub models: PathBuf,
    /// Where this run's reports and batch files go.
    #[arg(
        long,
        value_name = "DIR",
        required = false,
        required_unless_present = "compare"
    )]
    pub out: PathBuf,
    /// Optional TOML configuration (see `TrainConfig`); command-line flags win over it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Column mapping: `canonical`, `tafeng`, or a mapping TOML file.
    #[arg(long, value_name = "NAME|FILE")]
    pub mapping: Option<String>,
    /// Skip rows with bad values and list every one in `OUT/rejects.csv` instead of stopping.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Seed for every random choice (default 7).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Storefront option for `recommendations.csv`: leave out what the member bought in the
    /// last N days unless it is replenishable (evaluation always measures the plain lists).
    #[arg(long, value_name = "N")]
    pub exclude_recent_days: Option<u32>,
    /// Storefront option for `recommendations.csv`: at most N items of one category.
    #[arg(long, value_name = "N")]
    pub max_per_category: Option<usize>,
}

/// The optional TOML configuration file; every key and table may be left out, and a key left
/// out keeps its default.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawConfig {
    /// Horizon in days (default 28).
    pub horizon_days: Option<u32>,
    /// Most training cutoffs to stack (default 6).
    pub max_cutoffs: Option<usize>,
    /// Column mapping: `canonical`, `tafeng`, or a path relative to the config file.
    pub mapping: Option<String>,
    /// Skip bad rows instead of stopping (default false).
    pub skip_bad_rows: Option<bool>,
    /// Seed (default 7).
    pub seed: Option<u64>,
    /// Leave recently bought ids out of `recommendations.csv` (days, 1..=365).
    pub exclude_recent_days: Option<u32>,
    /// Most items of one category in an item list of `recommendations.csv` (1..=20).
    pub max_per_category: Option<usize>,
    /// `[churn]`, with `[churn.logistic]` and `[churn.boosted]`.
    pub churn: ChurnTable,
    /// `[recommend]`, with `[recommend.ranker]`.
    pub recommend: RecommendTable,
    /// `[promotion]`.
    pub promotion: PromotionTable,
    /// `[segments]`: the tier programme, lifecycle overrides and group table.
    pub segments: SegmentsTable,
    /// `[offers]`: the offer rules (see `features::offers::OfferParams`).
    pub offers: features::offers::OfferParams,
    /// `[scale]`: how a large store is read and scored.
    pub scale: ScaleTable,
}

/// `[scale]`.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScaleTable {
    /// See [`TrainConfig::buckets`] (`0..=4096`, default 0).
    pub buckets: Option<u32>,
    /// See [`TrainConfig::chunk_members`] (`>= 1`).
    pub chunk_members: Option<u32>,
}

/// Most member-hash buckets `[scale] buckets` accepts.
pub const MAX_BUCKETS: u32 = 4096;

impl ScaleTable {
    /// The checked `(buckets, chunk_members)`, defaults for keys left out.
    ///
    /// # Errors
    /// [`ParamsError::OutOfRange`] naming the key.
    pub fn check(&self) -> std::result::Result<(u32, u32), ParamsError> {
        let out = |key: &'static str, reason: String| ParamsError::OutOfRange {
            table: "scale",
            key,
            reason,
        };
        let buckets = self.buckets.unwrap_or(0);
        if buckets > MAX_BUCKETS {
            return Err(out(
                "buckets",
                format!("buckets must lie in 0..={MAX_BUCKETS}, got {buckets}"),
            ));
        }
        let chunk = self
            .chunk_members
            .unwrap_or(crate::pipeline::DEFAULT_CHUNK_MEMBERS);
        if chunk == 0 {
            return Err(out(
                "chunk_members",
                "chunk_members must be at least 1, got 0".into(),
            ));
        }
        Ok((buckets, chunk))
    }
}

/// `[segments]`.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SegmentsTable {
    /// A tier programme TOML file (see `features::segments::TierProgram`), relative to the
    /// config file; none means no tiers.
    pub tiers: Option<String>,
    /// `[segments.lifecycle]`: threshold overrides (see
    /// `features::segments::LifecycleParams`).
    pub lifecycle: Option<LifecycleParams>,
    /// `[[segments.groups]]`: a group table replacing the default (first match wins).
    pub groups: Option<Vec<GroupRule>>,
}

/// The checked segment settings of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentSettings {
    /// The RFM group table.
    pub groups: ValidGroupTable,
    /// The lifecycle parameters.
    pub lifecycle: LifecycleValidParams,
    /// The tier programme, when one is configured.
    pub tiers: Option<ValidTierProgram>,
}

impl SegmentsTable {
    /// Checks the table; `base` is the config file's folder (for the tier file).
    fn into_settings(self, base: &Path) -> Result<SegmentSettings> {
        let bad = |what: &str, e: String| ParamsError::Config(format!("[segments] {what}: {e}"));
        let groups = match self.groups {
            Some(groups) => GroupTable { groups },
            None => GroupTable::default(),
        }
        .check()
        .map_err(|e| bad("groups", e.to_string()))?;
        let lifecycle = self
            .lifecycle
            .unwrap_or_default()
            .check()
            .map_err(|e| bad("lifecycle", e.to_string()))?;
        let tiers = match self.tiers {
            Some(file) => {
                let path = base.join(&file);
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| bad("tiers", format!("{}: {e}", path.display())))?;
                let program: TierProgram = toml::from_str(&text)
                    .map_err(|e| bad("tiers", format!("{}: {e}", path.display())))?;
                Some(
                    program
                        .check()
                        .map_err(|e| bad("tiers", format!("{}: {e}", path.display())))?,
                )
            }
            None => None,
        };
        Ok(SegmentSettings {
            groups,
            lifecycle,
            tiers,
        })
    }
}

/// A checked training configuration: every value is in range and every path resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Order lines file.
    pub transactions: PathBuf,
    /// Members table, if any.
    pub members: Option<PathBuf>,
    /// The as-of date, `None` for "the day after the last line".
    pub as_of: Option<Day>,
    /// Horizon in days, 1..=365.
    pub horizon_days: u32,
    /// Most training cutoffs, 1..=24.
    pub max_cutoffs: usize,
    /// Model registry folder.
    pub models_dir: PathBuf,
    /// Output folder of this run.
    pub out_dir: PathBuf,
    /// The column mapping.
    pub mapping: ColumnMapping,
    /// Where the mapping came from (`canonical`, `tafeng` or a path), for the run report.
    pub mapping_source: String,
    /// Skip bad rows (to `out_dir/rejects.csv`) instead of stopping.
    pub skip_bad_rows: bool,
    /// Seed for random choices.
    pub seed: u64,
    /// Storefront options applied to `recommendations.csv` (top 20 per member and kind).
    pub storefront: SelectOptions,
    /// The churn fit's hyperparameters (`[churn]`, `[churn.logistic]`, `[churn.boosted]`),
    /// seeded with `seed`.
    pub churn: ChurnValidParams,
    /// The rankers' hyperparameters (`[recommend]`, `[recommend.ranker]`).
    pub recommend: RecommendValidParams,
    /// When the new version replaces `models/current` (`--promote`, `[promotion]`).
    pub promotion: PromotionPolicy,
    /// Layers, lifecycle and tiers (`[segments]`).
    pub segments: SegmentSettings,
    /// The offer rules (`[offers]`).
    pub offers: features::offers::ValidOfferParams,
    /// Member ids per range of the run's per-member half (scoring, ranking, segments, offers
    /// and the files written from them): what is held at once. Default
    /// [`DEFAULT_CHUNK_MEMBERS`](crate::pipeline::DEFAULT_CHUNK_MEMBERS); the files do not
    /// depend on it.
    pub chunk_members: u32,
    /// Member-hash buckets the order lines are split into on disk (`[scale] buckets`; 0, the
    /// default, reads every line into memory): with `n > 0`, one pass writes the lines to `n`
    /// Parquet files under `OUT/buckets`, the models are fitted on the `[churn] fit_members`
    /// sample read from them, and every member is scored a bucket at a time, so no more than
    /// one bucket's lines and the sample's are held at once.
    pub buckets: u32,
}

impl TrainConfig {
    /// Default horizon: 28 days.
    pub const DEFAULT_HORIZON_DAYS: u32 = 28;
    /// Default number of training cutoffs: 6.
    pub const DEFAULT_MAX_CUTOFFS: usize = 6;
    /// Default seed: 7.
    pub const DEFAULT_SEED: u64 = 7;

    /// Merges the command line over the configuration file (if any) and checks the result;
    /// the promotion mode is the file's or `if-better`.
    pub fn from_args(args: Args) -> Result<TrainConfig> {
        Self::from_args_and_promote(args, None)
    }

    /// [`from_args`](Self::from_args) with `tiefen-train`'s `--promote`.
    pub fn from_cli(cli: Cli) -> Result<TrainConfig> {
        Self::from_args_and_promote(cli.args, cli.promote)
    }

    fn from_args_and_promote(args: Args, promote: Option<PromoteMode>) -> Result<TrainConfig> {
        let (raw, base) = match &args.config {
            Some(path) => (
                read_raw(path)?,
                path.parent().map(Path::to_path_buf).unwrap_or_default(),
            ),
            None => (RawConfig::default(), PathBuf::new()),
        };
        let horizon_days = args
            .horizon_days
            .or(raw.horizon_days)
            .unwrap_or(Self::DEFAULT_HORIZON_DAYS);
        if !(1..=365).contains(&horizon_days) {
            return Err(ParamsError::Config(format!(
                "horizon_days must be 1..=365, got {horizon_days}"
            ))
            .into());
        }
        let max_cutoffs = raw.max_cutoffs.unwrap_or(Self::DEFAULT_MAX_CUTOFFS);
        if !(1..=24).contains(&max_cutoffs) {
            return Err(ParamsError::Config(format!(
                "max_cutoffs must be 1..=24, got {max_cutoffs}"
            ))
            .into());
        }
        let (mapping_source, mapping) = match (&args.mapping, &raw.mapping) {
            (Some(m), _) => (m.clone(), resolve_mapping(m, Path::new(""))?),
            (None, Some(m)) => (m.clone(), resolve_mapping(m, &base)?),
            (None, None) => ("canonical".to_string(), ColumnMapping::canonical()),
        };
        if args.members.is_some() && mapping.members.is_none() {
            return Err(ParamsError::Config(format!(
                "--members needs a column mapping with a [members] section, and `{mapping_source}` has none \
                 (see notebooks-data/mappings/canonical.toml)"
            ))
            .into());
        }
        for (flag, path) in [
            ("--transactions", Some(&args.transactions)),
            ("--members", args.members.as_ref()),
        ] {
            if let Some(p) = path {
                check_data_file(flag, p)?;
            }
        }
        let storefront = SelectOptions {
            exclude_recent_days: args.exclude_recent_days.or(raw.exclude_recent_days),
            max_per_category: args.max_per_category.or(raw.max_per_category),
            ..SelectOptions::default()
        };
        if let Some(n) = storefront
            .exclude_recent_days
            .filter(|n| !EXCLUDE_RECENT_DAYS_RANGE.contains(n))
        {
            return Err(ParamsError::Config(format!(
                "exclude_recent_days must be {EXCLUDE_RECENT_DAYS_RANGE:?}, got {n}"
            ))
            .into());
        }
        if let Some(n) = storefront
            .max_per_category
            .filter(|n| !MAX_PER_CATEGORY_RANGE.contains(n))
        {
            return Err(ParamsError::Config(format!(
                "max_per_category must be {MAX_PER_CATEGORY_RANGE:?}, got {n}"
            ))
            .into());
        }
        let (buckets, chunk_members) = raw.scale.check()?;
        let seed = args.seed.or(raw.seed).unwrap_or(Self::DEFAULT_SEED);
        let churn = raw.churn.into_params(seed)?;
        let recommend = raw.recommend.into_params()?;
        let promotion = raw.promotion.into_policy(promote)?;
        let segments = raw.segments.into_settings(&base)?;
        let offers = raw
            .offers
            .check()
            .map_err(|e| ParamsError::Config(format!("[offers] {e}")))?;
        Ok(TrainConfig {
            offers,
            chunk_members,
            buckets,
            transactions: args.transactions,
            members: args.members,
            as_of: args.as_of.map(Day::from_date),
            horizon_days,
            max_cutoffs,
            models_dir: args.models,
            out_dir: args.out,
            mapping,
            mapping_source,
            skip_bad_rows: args.skip_bad_rows || raw.skip_bad_rows.unwrap_or(false),
            seed,
            storefront,
            churn,
            recommend,
            promotion,
            segments,
        })
    }
}

fn read_raw(path: &Path) -> Result<RawConfig> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ParamsError::Config(format!("cannot read config file {}: {e}", path.display()))
    })?;
    toml::from_str(&text)
        .map_err(|e| ParamsError::Config(format!("config file {}: {e}", path.display())).into())
}

fn resolve_mapping(name: &str, base: &Path) -> Result<ColumnMapping> {
    match name {
        "canonical" => Ok(ColumnMapping::canonical()),
        "tafeng" => Ok(ColumnMapping::tafeng()),
        path => Ok(ColumnMapping::from_toml_file(base.join(path))?),
    }
}

fn check_data_file(flag: &str, path: &Path) -> Result<()> {
    if !path.is_file() {
        return Err(ParamsError::Config(format!("{flag} {}: no such file", path.display())).into());
    }
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv" | "parquet") => Ok(()),
        _ => Err(ParamsError::Config(format!(
            "{flag} {}: expected a .csv or .parquet file",
            path.display()
        ))
        .into()),
    }
}
