//! Ranking every member's candidates at as-of with a fitted ranker.

use features::recommend::{
    CandidateParams, MemberContext, Ranked, SelectOptions, StoreTables, candidates, select_by,
};
use features::{Day, OrderBook};

use crate::onnx::TreeEnsemble;

/// Each listed member's recommendations of one kind.
#[derive(Debug, Clone)]
pub struct Recommendations {
    /// Member ids (book vocabulary).
    pub members: Vec<u32>,
    /// One list per member, best first.
    pub lists: Vec<Vec<Ranked>>,
}

/// Ranks the candidates of each of `members` at `as_of` and keeps the top `options.k`
/// (equal scores by name, so lists do not depend on how ids are numbered).
pub fn recommend_all(
    book: &OrderBook,
    members: &[u32],
    as_of: Day,
    tables: &StoreTables,
    ranker: &TreeEnsemble,
    candidate_params: &CandidateParams,
    options: &SelectOptions,
) -> Recommendations {
    let names = match tables.kind {
        features::Kind::Category => book.categories(),
        features::Kind::Item => book.items(),
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |p| p.get())
        .min(8);
    let chunk = members.len().div_ceil(threads).max(1);
    let lists: Vec<Vec<Ranked>> = std::thread::scope(|s| {
        let handles: Vec<_> = members
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|&m| {
                            let ctx = MemberContext::new(&book.history(m), as_of, tables.kind);
                            let set = candidates(&ctx, tables, candidate_params);
                            let scores: Vec<f32> = (0..set.len())
                                .map(|i| ranker.predict_row_as_served(set.row(i)))
                                .collect();
                            select_by(&set, &scores, tables, options, |a, b| {
                                names.name(a).cmp(names.name(b))
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("ranking worker panicked"))
            .collect()
    });
    Recommendations {
        members: members.to_vec(),
        lists,
    }
}
