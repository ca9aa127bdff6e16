//! Time to compute one member's recommendations from the exported models, the way serving
//! does at load and when a member's events arrive: summarise the member's history, generate
//! candidates with their ranker rows from the exported tables, score them with the ranker
//! read from the exported ONNX file (native evaluator), keep the best and select the top 20.
//! Target: <= 200 µs per member and kind.
//!
//! Needs a models folder written by `tiefen-train` (the `--models` folder, with `current`):
//! `TIEFEN_BENCH_MODELS` (default `models` at the workspace root). Members come from the
//! member state of that folder, 500 spread over the members with history. Run with
//! `TIEFEN_BENCH_MODELS=MODELS cargo bench -p serving --bench recommend_member`.

use std::path::PathBuf;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use features::recommend::{CandidateSet, SelectOptions};
use features::{Day, Kind, Vocab};
use serving::domain::MemberStore;
use serving::domain::learned::{LearnedRanker, keep_best, rank_members, select_picks};
use serving::domain::store::Member;
use serving::model::{KindRanker, Models};

const MEMBERS: usize = 500;

struct Setup {
    models: Models,
    store: MemberStore,
    learned: Vec<LearnedRanker>,
    /// Sample members, unpacked, with their answer day.
    members: Vec<(Member, Day)>,
}

fn setup() -> Setup {
    let dir = std::env::var("TIEFEN_BENCH_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models"));
    let serving::model::Loaded { models, state, .. } =
        Models::load(&dir).expect("a models folder: run tiefen-train first");
    let mut store = state;
    let params = models
        .recommend
        .as_ref()
        .expect("recommend.json")
        .candidates;
    let learned = models
        .rankers
        .iter()
        .map(|r| LearnedRanker::resolve(r, &mut store, params))
        .collect();
    let as_of = models.churn.as_of;
    let with_history: Vec<u32> = (0..store.members.len() as u32)
        .filter(|&m| store.members[m as usize].line_count() > 0)
        .collect();
    let step = with_history.len().div_ceil(MEMBERS).max(1);
    let members = with_history
        .into_iter()
        .step_by(step)
        .map(|m| {
            let member = store.member(m);
            let day = member.answer_day(as_of);
            (member, day)
        })
        .collect();
    Setup {
        models,
        store,
        learned,
        members,
    }
}

fn names(store: &MemberStore, kind: Kind) -> &Vocab {
    match kind {
        Kind::Category => &store.categories,
        Kind::Item => &store.items,
    }
}

fn bench(c: &mut Criterion) {
    let s = setup();
    let options = SelectOptions::default();
    let mut group = c.benchmark_group("recommendations_one_member");
    for ranker in &s.learned {
        let names = names(&s.store, ranker.kind);
        let mut next = 0usize;
        group.bench_function(
            BenchmarkId::from_parameter(format!("{:?}", ranker.kind)),
            |b| {
                b.iter(|| {
                    let (member, day) = &s.members[next % s.members.len()];
                    next += 1;
                    let picks = rank_members(&[(member, *day)], ranker, names);
                    select_picks(&picks[0], &ranker.tables, &options, names)
                })
            },
        );
    }
    group.finish();

    let mut parts = c.benchmark_group("recommendations_one_member_parts");
    for (ranker, loaded) in s.learned.iter().zip(&s.models.rankers) {
        bench_parts(&mut parts, &s, ranker, loaded, &options);
    }
    parts.finish();
}

fn bench_parts(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    s: &Setup,
    ranker: &LearnedRanker,
    loaded: &KindRanker,
    options: &SelectOptions,
) {
    let kind = format!("{:?}", ranker.kind);
    let names = names(&s.store, ranker.kind);
    let sets: Vec<CandidateSet> = s
        .members
        .iter()
        .map(|(m, day)| ranker.candidates(m, *day))
        .collect();
    let scores: Vec<Vec<f32>> = sets
        .iter()
        .map(|c| ranker.ranker.predict_vec(&c.rows))
        .collect();
    let mean = sets.iter().map(|c| c.len()).sum::<usize>() as f64 / sets.len() as f64;
    eprintln!("{kind}: {mean:.1} candidates per member on average");
    let mut next = 0usize;
    group.bench_function(BenchmarkId::new("candidates", &kind), |b| {
        b.iter(|| {
            let (m, day) = &s.members[next % s.members.len()];
            next += 1;
            ranker.candidates(m, *day)
        })
    });
    let mut next = 0usize;
    let mut out = vec![0f32; sets.iter().map(|c| c.len()).max().unwrap_or(0)];
    group.bench_function(BenchmarkId::new("ranker_native", &kind), |b| {
        b.iter(|| {
            let set = &sets[next % sets.len()];
            next += 1;
            ranker.ranker.predict(&set.rows, &mut out[..set.len()]);
            out[0]
        })
    });
    let mut next = 0usize;
    group.bench_function(BenchmarkId::new("ranker_tract", &kind), |b| {
        b.iter(|| {
            let set = &sets[next % sets.len()];
            next += 1;
            loaded.reference.predict(&set.rows).expect("tract")
        })
    });
    let mut next = 0usize;
    group.bench_function(BenchmarkId::new("keep_and_select", &kind), |b| {
        b.iter(|| {
            let i = next % sets.len();
            next += 1;
            let picks = keep_best(&sets[i], &scores[i], names);
            select_picks(&picks, &ranker.tables, options, names)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
