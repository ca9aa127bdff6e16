//! Development tool: fit and evaluate the recommendation rankers on a file with overridable
//! settings, without the rest of a run. Not part of the product; used to compare settings on
//! Ta Feng and the bundled sample with the same protocol as `tiefen-train`.
//!
//! `cargo run --release -p training --example reco_tune -- FILE MAPPING AS_OF [category|item]`
//! with `MAPPING` = `tafeng` or `canonical`; settings from the environment: `NEG_RATE`,
//! `MAX_MEMBERS`, `ITER`, `DEPTH`, `LR`, `OWN`, `NB`, `POP`, `CUTOFFS`,
//! `WEIGHT`, `STEP`, `NSTEP`, `SEED`.

#[path = "common/mod.rs"]
mod common;

use common::env;

use features::recommend::SelectOptions;
use features::{Kind, training_cutoffs};
use training::pipeline::{RecommendTarget, evaluate_recommendations, recommend_kind};
use training::recommend::{RecommendParams, Sampling};

#[allow(clippy::print_stdout, clippy::print_stderr)]
fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (book, as_of) = common::book_and_as_of(&args)?;
    let kinds = match args.get(4).map(String::as_str) {
        Some("category") => vec![Kind::Category],
        Some("item") => vec![Kind::Item],
        _ => vec![Kind::Category, Kind::Item],
    };
    let (_, last) = book.day_range().expect("lines");
    let first = book.first_day_before(as_of).expect("history");
    let plan = training_cutoffs(first, as_of, 28, env("CUTOFFS", 6))?;
    let d = RecommendParams::default();
    let params = RecommendParams {
        category_sampling: Sampling {
            negative_rate: env("NEG_RATE", d.category_sampling.negative_rate),
            max_members_per_cutoff: env("MAX_MEMBERS", d.category_sampling.max_members_per_cutoff),
        },
        item_sampling: Sampling {
            negative_rate: env("NEG_RATE", d.item_sampling.negative_rate),
            max_members_per_cutoff: env("MAX_MEMBERS", d.item_sampling.max_members_per_cutoff),
        },
        weight_by_truth: env("WEIGHT", d.weight_by_truth),
        cutoff_step_days: env("STEP", d.cutoff_step_days),
        max_cutoffs: env("NSTEP", d.max_cutoffs),
        ranker: d
            .ranker
            .clone()
            .iterations(env("ITER", 100))
            .max_depth(env("DEPTH", 5))
            .learning_rate(env("LR", 0.1)),
        candidates: features::recommend::CandidateParams {
            own: env("OWN", d.candidates.own),
            neighbours: env("NB", d.candidates.neighbours),
            popular: env("POP", d.candidates.popular),
        },
        ..d
    }
    .check()?;
    let members: Vec<u32> = book.snapshot(as_of).members;
    let mut outs = Vec::new();
    for kind in kinds {
        let start = std::time::Instant::now();
        let target = RecommendTarget {
            kind,
            as_of,
            members: &members,
            storefront: &SelectOptions::default(),
        };
        let out = recommend_kind(&book, &plan, target, &params, env("SEED", 7))?;
        eprintln!(
            "{kind:?}: {:.1} s, training {:?}, fallback {:?}",
            start.elapsed().as_secs_f64(),
            out.fit.as_ref().map(|f| &f.training),
            out.fallback
        );
        outs.push(out);
    }
    let eval = evaluate_recommendations(&book, &outs, 28, last)?;
    println!("{}", serde_json::to_string_pretty(&eval)?);
    Ok(())
}
