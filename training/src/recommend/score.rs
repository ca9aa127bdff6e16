//! Ranking every member's candidates at as-of with a fitted ranker.

use features::recommend::{
    CandidateParams, MemberContext, Pick, Ranked, SelectOptions, StoreTables, candidates,
    keep_best, select_by,
};
use features::{Day, OrderBook};

use features::gather::GatherTrees;

/// Each listed member's recommendations of one kind.
#[derive(Debug, Clone, Default)]
pub struct Recommendations {
    /// Member ids (book vocabulary).
    pub members: Vec<u32>,
    /// One list per member, best first.
    pub lists: Vec<Vec<Ranked>>,
    /// Per member, the best [`features::recommend::KEEP`] scored candidates (what serving
    /// keeps with a member's answer); empty for lists no ranker made.
    pub picks: Vec<Vec<Pick>>,
}

impl Recommendations {
    /// The lists of the members whose ids are in `ids` (a copy; `members` is ascending, as
    /// every population is), for a run that goes through its members a range at a time.
    pub fn of_range(&self, ids: std::ops::Range<u32>) -> Recommendations {
        let from = self.members.partition_point(|&m| m < ids.start);
        let to = self.members.partition_point(|&m| m < ids.end);
        Recommendations {
            members: self.members[from..to].to_vec(),
            lists: self.lists[from..to].to_vec(),
            picks: self
                .picks
                .get(from..to)
                .map_or_else(Vec::new, <[_]>::to_vec),
        }
    }

    /// The kept picks of member `m`, empty when it has no list here.
    pub fn picks_of(&self, m: u32) -> &[Pick] {
        self.members
            .binary_search(&m)
            .ok()
            .and_then(|i| self.picks.get(i))
            .map_or(&[], Vec::as_slice)
    }
}

/// Ranks the candidates of each of `members` at `as_of` and keeps the top `options.k`
/// (equal scores by name, so lists do not depend on how ids are numbered), with each member's
/// kept picks.
pub fn recommend_all(
    book: &OrderBook,
    members: &[u32],
    as_of: Day,
    tables: &StoreTables,
    ranker: &GatherTrees,
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
    let ranked: Vec<(Vec<Ranked>, Vec<Pick>)> = std::thread::scope(|s| {
        let handles: Vec<_> = members
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|&m| {
                            let ctx = MemberContext::new(&book.history(m), as_of, tables.kind);
                            let set = candidates(&ctx, tables, candidate_params);
                            let scores = ranker.predict_vec(&set.rows);
                            let list = select_by(&set, &scores, tables, options, |a, b| {
                                names.name(a).cmp(names.name(b))
                            });
                            (list, keep_best(&set, &scores, names))
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
    let (lists, picks) = ranked.into_iter().unzip();
    Recommendations {
        members: members.to_vec(),
        lists,
        picks,
    }
}
