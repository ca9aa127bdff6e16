//! Development tool: writes the ranker's candidate rows (all candidates, no sampling) at the
//! training cutoffs and at as-of, for offline study of the ranker's features and learner.
//! Not part of the product.
//!
//! `cargo run --release -p training --example reco_dump -- FILE MAPPING AS_OF KIND OUT_PREFIX`
//! writes `OUT_PREFIX.f32` (row-major `RANK_LEN` f32 columns) and `OUT_PREFIX.csv`
//! (`cutoff,horizon,member,candidate,label,truth_len` per row, in the same order). `EXTRA=7,14`
//! adds the cutoffs `AS_OF - 7` and `AS_OF - 14` with windows of 7 and 14 days (ending at as-of).

use std::io::Write;

#[path = "common/mod.rs"]
mod common;

use features::recommend::{MemberContext, RANK_LEN, candidates};
use features::{Day, Kind, Window, training_cutoffs};
use training::recommend::{RecommendValidParams, ranker_cutoffs};

#[allow(clippy::print_stderr)]
fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (book, as_of) = common::book_and_as_of(&args)?;
    let kind = if args[4] == "item" {
        Kind::Item
    } else {
        Kind::Category
    };
    let prefix = &args[5];
    let first = book.first_day_before(as_of).expect("history");
    let churn_plan = training_cutoffs(first, as_of, 28, 6)?;
    let params = RecommendValidParams::default();
    let plan = ranker_cutoffs(first, as_of, 28, &churn_plan, &params);
    let mut cutoffs: Vec<(Day, u32)> = plan.cutoffs.iter().map(|c| (c.as_of, 28)).collect();
    // Extra cutoffs whose shorter windows end at as-of (see the module docs).
    let extra: String = common::env("EXTRA", String::new());
    for back in extra.split(',').filter(|s| !s.is_empty()) {
        let back: i32 = back.parse()?;
        cutoffs.push((as_of.plus(-back), back as u32));
    }
    cutoffs.push((as_of, 28));
    let names = match kind {
        Kind::Category => book.categories(),
        Kind::Item => book.items(),
    };
    let mut bin = std::io::BufWriter::new(std::fs::File::create(format!("{prefix}.f32"))?);
    let mut csv = std::io::BufWriter::new(std::fs::File::create(format!("{prefix}.csv"))?);
    writeln!(csv, "cutoff,horizon,member,candidate,label,truth_len")?;
    for (c, horizon) in cutoffs {
        let tables = book.store_tables(c, kind, &params.tables);
        let window = Window::new(c, horizon);
        let mut n = 0usize;
        for m in 0..book.members().len() as u32 {
            let h = book.history(m);
            if h.before(c).is_empty() {
                continue;
            }
            let truth = window.truth(&h, kind);
            if truth.is_empty() {
                continue;
            }
            let ctx = MemberContext::new(&h, c, kind);
            let set = candidates(&ctx, &tables, &params.candidates);
            for (i, &id) in set.ids.iter().enumerate() {
                let y = truth.binary_search(&id).is_ok();
                for v in set.row(i) {
                    bin.write_all(&v.to_le_bytes())?;
                }
                writeln!(
                    csv,
                    "{},{},{},{},{},{}",
                    c.0,
                    horizon,
                    book.members().name(m),
                    names.name(id),
                    u8::from(y),
                    truth.len()
                )?;
                n += 1;
            }
        }
        eprintln!("cutoff {}: {n} rows ({RANK_LEN} columns)", c.0);
    }
    Ok(())
}
