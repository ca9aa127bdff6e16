//! The `tiefen-train` run: load, validate, snapshot, and write the run's outputs.

mod load;
mod outputs;
mod stages;

pub use load::{LoadedData, load};
pub use outputs::{write_features_csv, write_json};
pub use stages::Stages;

use std::path::PathBuf;

use features::{CutoffPlan, Day, training_cutoffs};

use crate::{Error, Result, TrainConfig};

/// What a run did, written to `OUT/run.json` and summarised on one line at the end.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunSummary {
    /// The as-of date used ("today").
    pub as_of: Day,
    /// Horizon in days.
    pub horizon_days: u32,
    /// Data rows read, rejected and kept as returns.
    pub rows_read: u64,
    /// Rows skipped as bad (only with `--skip-bad-rows`; listed in `rejects.csv`).
    pub rows_rejected: u64,
    /// Lines that are returns or cancellations.
    pub return_lines: u64,
    /// SHA-256 of the transactions file.
    pub data_fingerprint: String,
    /// First and last day with a line in the file.
    pub data_range: (Day, Day),
    /// Members with a line before as-of.
    pub population: usize,
    /// The training cutoffs and any fallback note.
    pub cutoffs: CutoffPlan,
    /// Feature schema version and hash.
    pub feature_schema: (u32, String),
    /// Wall-clock seconds per stage, in order.
    pub stages: Stages,
    /// Files written.
    pub outputs: Vec<PathBuf>,
}

/// Runs the whole training job described by `config`.
pub fn run(config: &TrainConfig) -> Result<RunSummary> {
    let mut stages = Stages::default();
    std::fs::create_dir_all(&config.out_dir).map_err(|source| Error::Io {
        path: config.out_dir.clone(),
        source,
    })?;
    let data = stages.time("load", || load(config))?;
    let (first, last) = data
        .book
        .day_range()
        .ok_or_else(|| Error::NoHistory("the transactions file has no order line".into()))?;
    let as_of = config.as_of.unwrap_or(last.plus(1));
    let first_before = data.book.first_day_before(as_of).ok_or_else(|| {
        Error::NoHistory(format!(
            "no order line before the as-of date {as_of} (data covers {first} to {last})"
        ))
    })?;
    let cutoffs = training_cutoffs(first_before, as_of, config.horizon_days, config.max_cutoffs)?;
    if let Some(note) = &cutoffs.fallback {
        tracing::warn!("{note}");
    }
    let snapshot = stages.time("snapshot", || data.book.snapshot(as_of));
    let mut outputs = Vec::new();
    let features_csv = config.out_dir.join("features.csv");
    stages.time("write features", || {
        write_features_csv(&features_csv, &data.book, &snapshot)
    })?;
    outputs.push(features_csv);
    let mut summary = RunSummary {
        as_of,
        horizon_days: config.horizon_days,
        rows_read: data.rows_read,
        rows_rejected: data.rows_rejected,
        return_lines: data.return_lines,
        data_fingerprint: data.fingerprint.clone(),
        data_range: (first, last),
        population: snapshot.len(),
        cutoffs,
        feature_schema: (
            features::spec::SCHEMA_VERSION,
            features::spec::schema_hash(),
        ),
        stages,
        outputs,
    };
    let run_json = config.out_dir.join("run.json");
    summary.outputs.push(run_json.clone());
    write_json(&run_json, &summary)?;
    Ok(summary)
}
