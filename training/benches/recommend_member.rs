//! Time to compute one member's recommendations from the exported models, as serving does per
//! request: summarise the member's history, generate candidates with their ranker rows from
//! the exported tables, score them with the exported ONNX ranker through tract, and select
//! the top 20. Target: <= 200 µs per member and kind.
//!
//! Needs a model folder written by `tiefen-train` and the orders it was trained on:
//! `TIEFEN_BENCH_MODEL` (default `models/current`), `TIEFEN_BENCH_ORDERS` (default the bundled
//! sample), `TIEFEN_BENCH_MAPPING` (`canonical` or `tafeng`). Run with
//! `cargo bench -p training --bench recommend_member`.

use std::path::PathBuf;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use features::io::{ColumnMapping, ReadOptions, read_orders};
use features::recommend::{
    CandidateSet, MemberContext, PortableTables, RANK_LEN, SelectOptions, StoreTables, candidates,
    select,
};
use features::{Kind, OrderBook};
use training::onnx::LoadedModel;
use training::pipeline::{RECOMMEND_FILE, RecommendManifest};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

struct Setup {
    book: OrderBook,
    manifest: RecommendManifest,
    kinds: Vec<(Kind, StoreTables, LoadedModel)>,
    members: Vec<u32>,
}

fn setup() -> Setup {
    let model_dir = std::env::var("TIEFEN_BENCH_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join("models/current"));
    let orders = std::env::var("TIEFEN_BENCH_ORDERS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join("notebooks-data/sample/orders.csv"));
    let mapping = match std::env::var("TIEFEN_BENCH_MAPPING").as_deref() {
        Ok("tafeng") => ColumnMapping::tafeng(),
        _ => ColumnMapping::canonical(),
    };
    let manifest: RecommendManifest = serde_json::from_slice(
        &std::fs::read(model_dir.join(RECOMMEND_FILE))
            .expect("a model folder: run the README's main command first"),
    )
    .expect("recommend.json");
    let book = read_orders(&orders, &ReadOptions::new(mapping))
        .expect("orders")
        .builder
        .finish();
    let kinds = manifest
        .models
        .iter()
        .map(|(kind, onnx, tables)| {
            let portable: PortableTables =
                serde_json::from_slice(&std::fs::read(model_dir.join(tables)).unwrap()).unwrap();
            let (mut ids, mut cats) = match kind {
                Kind::Category => (book.categories().clone(), book.categories().clone()),
                Kind::Item => (book.items().clone(), book.categories().clone()),
            };
            let tables = portable.resolve(&mut ids, &mut cats);
            let model = LoadedModel::load(model_dir.join(onnx), RANK_LEN).unwrap();
            (*kind, tables, model)
        })
        .collect();
    let population = book.snapshot(manifest.as_of).members;
    let step = population.len().div_ceil(500).max(1);
    let members = population.into_iter().step_by(step).collect();
    Setup {
        book,
        manifest,
        kinds,
        members,
    }
}

/// Every benchmarked member's candidate set of `kind`, computed outside the timings.
fn candidate_sets(s: &Setup, kind: Kind, tables: &StoreTables) -> Vec<CandidateSet> {
    s.members
        .iter()
        .map(|&m| {
            let ctx = MemberContext::new(&s.book.history(m), s.manifest.as_of, kind);
            candidates(&ctx, tables, &s.manifest.candidates)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let s = setup();
    let options = SelectOptions::default();
    let mut group = c.benchmark_group("recommendations_one_member");
    for (kind, tables, model) in &s.kinds {
        let mut next = 0usize;
        group.bench_function(BenchmarkId::from_parameter(format!("{kind:?}")), |b| {
            b.iter(|| {
                let m = s.members[next % s.members.len()];
                next += 1;
                let ctx = MemberContext::new(&s.book.history(m), s.manifest.as_of, *kind);
                let set = candidates(&ctx, tables, &s.manifest.candidates);
                let scores = model.predict(&set.rows, set.len()).expect("predict");
                select(&set, &scores, tables, &options)
            })
        });
    }
    group.finish();
    // The same work split in its two halves, to see where the time goes.
    let mut split = c.benchmark_group("recommendations_one_member_parts");
    for (kind, tables, model) in &s.kinds {
        let sets = candidate_sets(&s, *kind, tables);
        let mean = sets.iter().map(|c| c.len()).sum::<usize>() as f64 / sets.len() as f64;
        eprintln!("{kind:?}: {mean:.1} candidates per member on average");
        let mut next = 0usize;
        split.bench_function(BenchmarkId::new("candidates", format!("{kind:?}")), |b| {
            b.iter(|| {
                let m = s.members[next % s.members.len()];
                next += 1;
                let ctx = MemberContext::new(&s.book.history(m), s.manifest.as_of, *kind);
                candidates(&ctx, tables, &s.manifest.candidates)
            })
        });
        let mut next = 0usize;
        split.bench_function(BenchmarkId::new("ranker", format!("{kind:?}")), |b| {
            b.iter(|| {
                let set = &sets[next % sets.len()];
                next += 1;
                model.predict(&set.rows, set.len()).expect("predict")
            })
        });
    }
    split.finish();

    // Experiment: the same ranker pinned to a fixed batch of 256 rows (padded).
    let mut fixed = c.benchmark_group("ranker_fixed_batch");
    for (kind, tables, _) in &s.kinds {
        use tract_onnx::prelude::*;
        let onnx = &s.manifest.models.iter().find(|m| m.0 == *kind).unwrap().1;
        let path = std::env::var("TIEFEN_BENCH_MODEL")
            .map(PathBuf::from)
            .unwrap_or_else(|_| root().join("models/current"))
            .join(onnx);
        let plan = tract_onnx::onnx()
            .model_for_path(&path)
            .unwrap()
            .with_input_fact(0, f32::fact([256, RANK_LEN]).into())
            .unwrap()
            .into_optimized()
            .unwrap()
            .into_runnable()
            .unwrap();
        let sets = candidate_sets(&s, *kind, tables);
        let mut next = 0usize;
        fixed.bench_function(BenchmarkId::from_parameter(format!("{kind:?}")), |b| {
            b.iter(|| {
                let set = &sets[next % sets.len()];
                next += 1;
                let mut rows = set.rows.clone();
                rows.resize(256 * RANK_LEN, 0.0);
                let t = Tensor::from_shape(&[256, RANK_LEN], &rows).unwrap();
                plan.run(tvec!(t.into())).unwrap()
            })
        });
    }
    fixed.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
