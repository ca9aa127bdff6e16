//! A run fits its models once and then scores, ranks and writes its members a range of ids at
//! a time: the files must not depend on the range size, with the models fitted on every member
//! or on a member-hash sample, and a sampled run must still score every member as serving does.

use std::path::Path;

use training::TrainConfig;
use training::pipeline::{ChurnParams, N_COLS, RunSummary, run};

use crate::train::{config, sample};

/// The run's files compared byte for byte.
const OUT_FILES: [&str; 10] = [
    "features.csv",
    "scores.csv",
    "scores.parquet",
    "recommendations.csv",
    "recommendations.parquet",
    "segments.csv",
    "segments.parquet",
    "offers.csv",
    "offers.parquet",
    "evaluation.json",
];

/// The model version's files compared byte for byte.
const MODEL_FILES: [&str; 5] = [
    "members.state",
    "answers.bin",
    "churn.json",
    "segments.json",
    "next_item.tables.json",
];

fn train(dir: &Path, chunk_members: u32, fit_members: Option<usize>) -> (TrainConfig, RunSummary) {
    train_bucketed(dir, chunk_members, fit_members, 0)
}

fn train_bucketed(
    dir: &Path,
    chunk_members: u32,
    fit_members: Option<usize>,
    buckets: u32,
) -> (TrainConfig, RunSummary) {
    let mut c = config(&sample("sample/orders.csv"), dir, "2024-12-04");
    c.chunk_members = chunk_members;
    c.buckets = buckets;
    if let Some(n) = fit_members {
        c.churn = ChurnParams::new()
            .seed(c.seed)
            .fit_members(n)
            .check()
            .unwrap();
    }
    let s = run(&c).unwrap();
    (c, s)
}

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A Parquet file's rows, one record batch (its page boundaries follow the batches it was
/// written in, so its bytes may differ where its rows do not).
fn parquet_rows(p: &Path) -> arrow_array::RecordBatch {
    let file = std::fs::File::open(p).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .with_batch_size(1 << 24)
        .build()
        .unwrap();
    let mut batches: Vec<_> = reader.map(Result::unwrap).collect();
    assert_eq!(batches.len(), 1, "{}: one row group", p.display());
    batches.remove(0)
}

fn assert_same_files(a: &TrainConfig, b: &TrainConfig) {
    for f in OUT_FILES {
        let (pa, pb) = (a.out_dir.join(f), b.out_dir.join(f));
        if f.ends_with(".parquet") {
            assert_eq!(
                parquet_rows(&pa),
                parquet_rows(&pb),
                "{f} depends on the range size"
            );
        } else {
            assert!(bytes(&pa) == bytes(&pb), "{f} depends on the range size");
        }
    }
    for f in MODEL_FILES {
        let file = |c: &TrainConfig| bytes(&c.models_dir.join("current").join(f));
        assert!(file(a) == file(b), "{f} depends on the range size");
    }
}

fn assert_same_summaries(a: &RunSummary, b: &RunSummary) {
    assert_eq!(a.population, b.population);
    assert_eq!(a.segments, b.segments);
    assert_eq!(a.offers, b.offers);
}

#[test]
fn the_files_do_not_depend_on_how_many_members_are_scored_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let (a, sa) = train(&dir.path().join("whole"), 1_000_000, None);
    let (b, sb) = train(&dir.path().join("ranges"), 7, None);
    assert_same_files(&a, &b);
    assert_same_summaries(&sa, &sb);
    assert_eq!(sa.population, 2_134);
    assert_eq!(sa.segments.members, 2_134);
    assert_eq!(sa.offers.members, 2_134);
}

#[test]
fn a_run_fitted_on_a_member_sample_scores_every_member_as_serving_does() {
    let dir = tempfile::tempdir().unwrap();
    let (a, sa) = train(&dir.path().join("one"), 1_000_000, Some(1_000));
    let (b, sb) = train(&dir.path().join("ranges"), 13, Some(1_000));
    assert_same_files(&a, &b);
    assert_same_summaries(&sa, &sb);
    assert_every_member_scored_as_served(&a, &sa);
}

#[test]
fn a_bucketed_run_scores_every_member_once_as_serving_does_and_removes_its_buckets() {
    let dir = tempfile::tempdir().unwrap();
    // A store no larger than the sample is read back whole: the same files as in memory.
    let (a, sa) = train(&dir.path().join("memory"), 1_000_000, None);
    let (b, sb) = train_bucketed(&dir.path().join("bucketed"), 1_000_000, None, 3);
    assert_same_files(&a, &b);
    assert_same_summaries(&sa, &sb);
    assert!(
        !b.out_dir.join("buckets").exists(),
        "the buckets are removed"
    );
    // A larger one is fitted on the sample read from the buckets and scored a bucket at a time.
    let (c, sc) = train_bucketed(&dir.path().join("sampled"), 100, Some(1_000), 3);
    assert_every_member_scored_as_served(&c, &sc);
    // The same sample in memory gives the same rows (in member order, not bucket order).
    let (d, sd) = train(&dir.path().join("sampled-memory"), 100, Some(1_000));
    for f in [
        "scores.csv",
        "segments.csv",
        "recommendations.csv",
        "offers.csv",
    ] {
        let sorted = |c: &TrainConfig| {
            let text = String::from_utf8(bytes(&c.out_dir.join(f))).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            lines.sort();
            lines
        };
        assert!(
            sorted(&c) == sorted(&d),
            "{f}: bucketed and in-memory rows differ"
        );
    }
    // The counts are the same; the groups' sums only up to the order they were added in.
    assert_eq!(sc.offers, sd.offers);
    let (a, b) = (&sc.segments, &sd.segments);
    assert_eq!(
        (&a.movement, &a.lifecycle, &a.tiers),
        (&b.movement, &b.lifecycle, &b.tiers)
    );
    for (g, h) in a.groups.iter().zip(&b.groups) {
        assert_eq!((&g.id, g.members), (&h.id, h.members));
        for (x, y) in [
            (g.spend, h.spend),
            (g.churn_probability, h.churn_probability),
            (g.predicted_value, h.predicted_value),
        ] {
            assert!(
                (x - y).abs() <= 1e-9 * y.abs().max(1.0),
                "{}: {x} and {y}",
                g.id
            );
        }
    }
    assert!(
        !c.out_dir.join("buckets").exists(),
        "the buckets are removed"
    );
    assert_eq!(sc.segments.members, 2_134);
    assert_eq!(sc.offers.members, 2_134);
    assert_eq!(
        sc.segments.groups.iter().map(|g| g.members).sum::<u64>() + sc.segments.without_purchase,
        2_134
    );
}

/// Every member is scored once, though the models saw 1,000 of them, and each written score
/// is the one serving computes from the published churn.json: the member's features with the
/// file's store context, the design row with its BG/NBD model, and the evaluator it builds
/// (to the bit).
fn assert_every_member_scored_as_served(c: &TrainConfig, s: &RunSummary) {
    assert_eq!(s.population, 2_134);
    let card: serde_json::Value =
        serde_json::from_slice(&bytes(&c.models_dir.join("current/card.json"))).unwrap();
    assert_eq!(card["churn"]["training"]["sampled_members"], 1_000);
    let mut whole = c.clone();
    whole.buckets = 0;
    let book = training::pipeline::load(&whole).unwrap().book;
    let churn: features::churn::ChurnArtifact =
        serde_json::from_slice(&bytes(&c.models_dir.join("current/churn.json"))).unwrap();
    let model = features::churn::ChurnEvaluator::new(&churn.model, N_COLS).unwrap();
    let mut reader = csv::Reader::from_path(c.out_dir.join("scores.csv")).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for r in reader.records() {
        let r = r.unwrap();
        assert!(seen.insert(r[0].to_string()), "{} is scored once", &r[0]);
        let m = book.members().get(&r[0]).unwrap();
        let fv = features::compute(&book.history(m), s.as_of, &churn.context).unwrap();
        let row = features::churn::design_row(fv.as_slice(), churn.bgnbd.as_ref(), 28);
        let p: f32 = r[1].parse().unwrap();
        assert_eq!(p, model.predict_row(&row), "{}", &r[0]);
    }
    assert_eq!(seen.len(), 2_134);
}
