//! Fit time of the two churn models on a Ta Feng-sized design matrix: 60,000 members by 45
//! columns (the feature spec plus four near-duplicate columns), generated with a fixed seed
//! outside the timing. Run with `cargo bench -p training --bench churn_fit`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use features::spec::{FEATURES, LEN};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, LogNormal, Normal};
use training::churn::{BoostedParams, LogisticParams};

const N_ROWS: usize = 60_000;
const N_COLS: usize = LEN + 4;

/// One value per spec column, drawn by the column's unit so that counts, money and days are
/// heavy-tailed the way real features are, then four noisy copies of the first columns (real
/// features are near-collinear, which is what slows L-BFGS down); churn follows a logit of a
/// few columns.
fn design() -> (Vec<f32>, Vec<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed);
    let days = Exp::<f64>::new(1.0 / 60.0).unwrap();
    let money = LogNormal::<f64>::new(6.0, 1.2).unwrap();
    let normal = Normal::<f64>::new(0.0, 1.0).unwrap();
    let mut data = Vec::with_capacity(N_ROWS * N_COLS);
    let mut labels = Vec::with_capacity(N_ROWS);
    for _ in 0..N_ROWS {
        let mut row: Vec<f64> = FEATURES
            .iter()
            .map(|f| match f.unit {
                "count" => (days.sample(&mut rng) / 10.0).floor(),
                "money" => money.sample(&mut rng),
                "days" => days.sample(&mut rng).floor(),
                "share" => rng.random::<f64>(),
                "flag" => f64::from(u8::from(rng.random_bool(0.6))),
                "rank" => f64::from(rng.random_range(0..4u8)),
                "years" => 40.0 + 12.0 * normal.sample(&mut rng),
                _ => normal.sample(&mut rng),
            })
            .collect();
        for j in 0..N_COLS - LEN {
            row.push(row[j] * (1.0 + 0.3 * rng.random::<f64>()));
        }
        let logit = 0.02 * row[0] - 0.4 * row[1].ln_1p() - 0.1 * row[3].abs().ln_1p()
            + 0.5 * row[LEN]
            - 0.3;
        labels.push(rng.random_bool(1.0 / (1.0 + (-logit).exp())));
        data.extend(row.iter().map(|&v| v as f32));
    }
    (data, labels)
}

fn bench_churn_fit(c: &mut Criterion) {
    let (data, labels) = design();
    let shape = format!("{N_ROWS}x{N_COLS}");
    let mut group = c.benchmark_group("churn_fit");
    group.sample_size(10);
    group.bench_with_input(
        BenchmarkId::new("logistic", &shape),
        &(&data, &labels),
        |b, (x, y)| {
            let params = LogisticParams::new().check().unwrap();
            b.iter(|| params.fit(x, N_COLS, y).unwrap())
        },
    );
    for (depth, threads) in [(4, 1), (4, 2), (5, 1)] {
        let id = BenchmarkId::new(format!("boosted_depth_{depth}_threads_{threads}"), &shape);
        group.bench_with_input(id, &(&data, &labels), |b, (x, y)| {
            let params = BoostedParams::new()
                .max_depth(depth)
                .num_threads(threads)
                .check()
                .unwrap();
            b.iter(|| params.fit(x, N_COLS, y).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench_churn_fit);
criterion_main!(benches);
