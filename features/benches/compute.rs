//! Per-member feature computation on histories of 10, 100 and 1,000 lines, and the preference
//! summaries the recommenders read. Inputs are generated with a fixed seed outside the timing.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use features::{
    Day, Kind, PurchaseHistory, PurchaseLine, StoreContext, compute, preferences, sort_canonical,
};

const AS_OF: Day = Day(11_354);

fn history(len: usize) -> Vec<PurchaseLine> {
    let mut state = 0x5eed_u64;
    let mut next = move |m: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % m
    };
    let mut lines: Vec<PurchaseLine> = (0..len)
        .map(|_| PurchaseLine {
            ts: AS_OF.start_ts() - 86_400 * (1 + next(365) as i64) + next(86_400) as i64,
            item: next(200) as u32,
            category: next(20) as u32,
            quantity: 1.0 + next(3) as f64,
            amount: 10.0 + next(2_000) as f64,
        })
        .collect();
    sort_canonical(&mut lines);
    lines
}

fn bench_compute(c: &mut Criterion) {
    let mut group = c.benchmark_group("compute");
    for len in [10usize, 100, 1_000] {
        let lines = history(len);
        group.bench_with_input(
            BenchmarkId::new("feature_vector", len),
            &lines,
            |b, lines| {
                b.iter(|| {
                    compute(
                        &PurchaseHistory::new(lines, None),
                        AS_OF,
                        &StoreContext::default(),
                    )
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("category_preferences", len),
            &lines,
            |b, lines| {
                b.iter(|| preferences(&PurchaseHistory::new(lines, None), AS_OF, Kind::Category))
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_compute);
criterion_main!(benches);
