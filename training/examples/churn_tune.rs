//! Development tool: fit, score and evaluate the churn model on a file without the rest of a
//! run (no rankers, nothing published). Not part of the product; used to compare churn
//! settings with the same protocol as `tiefen-train`.
//!
//! `cargo run --release -p training --example churn_tune -- FILE MAPPING AS_OF [H]` with
//! `MAPPING` = `tafeng` or `canonical`; `CUTOFFS` (default 6), `STRIDE` (days between cutoffs,
//! default the horizon), `SEED` (default 7) and `RIDGE` (the logistic candidates' ridge,
//! default `DEFAULT_RIDGE`) from the environment; `SCORES=PATH` also writes `member_id,probability`
//! of every member at as-of to PATH. Prints the model's and the baselines' metrics as JSON.

#[path = "common/mod.rs"]
mod common;

use common::env;

use features::training_cutoffs;
use training::pipeline::{ChurnParams, DEFAULT_RIDGE, evaluate_churn, fit_churn, score_population};

#[allow(clippy::print_stdout)]
fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (book, as_of) = common::book_and_as_of(&args)?;
    let h: u32 = args.get(4).map_or(Ok(28), |s| s.parse())?;
    let (_, last) = book.day_range().expect("lines");
    let first = book.first_day_before(as_of).expect("history");
    let mut plan = training_cutoffs(first, as_of, h, env("CUTOFFS", 6))?;
    let stride: i32 = env("STRIDE", 0);
    if stride > 0 {
        plan.cutoffs = (0..env::<i32>("CUTOFFS", 6))
            .map(|k| features::Cutoff {
                as_of: as_of.plus(-(h as i32) - k * stride),
                horizon_days: h,
            })
            .take_while(|c| c.as_of.0 - first.0 >= h as i32)
            .collect();
    }
    let t = std::time::Instant::now();
    let params = ChurnParams::new()
        .seed(env("SEED", 7))
        .ridge(env("RIDGE", DEFAULT_RIDGE))
        .check()?;
    let target = features::Cutoff {
        as_of,
        horizon_days: h,
    };
    let fit = fit_churn(&book, &plan, target, &params)?;
    let fit_s = t.elapsed().as_secs_f64();
    let (at_t, scores) = score_population(&book, as_of, h, &fit)?;
    let probs: Vec<f32> = scores.iter().map(|s| s.churn_probability).collect();
    if let Ok(path) = std::env::var("SCORES") {
        let lines: Vec<String> = scores
            .iter()
            .map(|s| format!("{},{}", s.member_id, s.churn_probability))
            .collect();
        std::fs::write(path, lines.join("\n") + "\n")?;
    }
    let eval = evaluate_churn(&book, &at_t, &probs, h, last, &fit)?;
    let out = serde_json::json!({
        "fit_seconds": fit_s,
        "cutoffs": plan.cutoffs.iter().map(|c| c.as_of.to_string()).collect::<Vec<_>>(),
        "training": fit.training,
        "attribute_effects": fit.attribute_effects,
        "evaluation": eval,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
