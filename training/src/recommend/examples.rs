//! Training rows of the ranker at one cutoff: candidates of members who buy in the window,
//! labelled by whether they bought the candidate there.

use features::recommend::{MemberContext, RANK_LEN, StoreTables, candidates};
use features::{Day, Kind, OrderBook, Window};

use super::RecommendValidParams;

/// Stacked ranker rows with their labels.
#[derive(Debug, Clone, Default)]
pub struct Examples {
    /// Row-major, [`RANK_LEN`] columns.
    pub rows: Vec<f32>,
    /// `true` when the member bought the candidate in the window.
    pub labels: Vec<bool>,
    /// Row weights: `1 / |truth|` of the row's member, so that every member's window
    /// purchases weigh 1 in all, as in the mean recall the ranker is judged by.
    pub weights: Vec<f64>,
    /// Members whose candidates are in the rows.
    pub members: usize,
    /// Window purchases (distinct ids) of those members, and how many were among the
    /// candidates: the recall ceiling of candidate generation.
    pub truth_total: usize,
    /// See `truth_total`.
    pub truth_in_candidates: usize,
}

impl Examples {
    /// Appends `other`.
    pub fn extend(&mut self, other: Examples) {
        self.rows.extend(other.rows);
        self.labels.extend(other.labels);
        self.weights.extend(other.weights);
        self.members += other.members;
        self.truth_total += other.truth_total;
        self.truth_in_candidates += other.truth_in_candidates;
    }
}

/// SplitMix64: a well-mixed hash of a 64-bit key, for reproducible sampling.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A well-mixed 64-bit hash of a name (FNV-1a, then [`mix`]).
fn name_hash(seed: u64, name: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(h)
}

/// The rows at cutoff `as_of` with `tables` built there: members with history before it who
/// buy something of `kind` in `[as_of, as_of + horizon)`, at most
/// `max_members_per_cutoff` of them (chosen by a seeded hash of their names; see
/// [`RecommendParams::sampling`](super::RecommendParams::sampling)).
pub fn examples_at(
    book: &OrderBook,
    tables: &StoreTables,
    as_of: Day,
    horizon_days: u32,
    params: &RecommendValidParams,
    seed: u64,
) -> Examples {
    let kind: Kind = tables.kind;
    let window = Window::new(as_of, horizon_days);
    let members: Vec<(u32, Vec<u32>)> = (0..book.members().len() as u32)
        .filter_map(|m| {
            let h = book.history(m);
            if h.before(as_of).is_empty() {
                return None;
            }
            let truth = window.truth(&h, kind);
            (!truth.is_empty()).then_some((m, truth))
        })
        .collect();
    // Sample by a hash of the member's name, not its id, so the choice does not depend on how
    // members are numbered (which lines after as-of can change).
    let names = match kind {
        Kind::Category => book.categories(),
        Kind::Item => book.items(),
    };
    let mut chosen: Vec<(u64, &(u32, Vec<u32>))> = members
        .iter()
        .map(|e| (name_hash(seed, book.members().name(e.0)), e))
        .collect();
    chosen.sort_unstable_by_key(|k| k.0);
    let sampling = params.sampling(kind);
    chosen.truncate(sampling.max_members_per_cutoff.max(1));
    chosen.sort_unstable_by_key(|(_, e)| e.0);
    let threshold = (sampling.negative_rate.clamp(0.0, 1.0) * u64::MAX as f64) as u64;
    let threads = std::thread::available_parallelism()
        .map_or(1, |p| p.get())
        .min(8);
    let chunk = chosen.len().div_ceil(threads).max(1);
    let parts: Vec<Examples> = std::thread::scope(|s| {
        let handles: Vec<_> = chosen
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    let mut ex = Examples::default();
                    for &(member_key, (m, truth)) in part {
                        let ctx = MemberContext::new(&book.history(*m), as_of, kind);
                        let set = candidates(&ctx, tables, &params.candidates);
                        ex.members += 1;
                        ex.truth_total += truth.len();
                        for (i, &id) in set.ids.iter().enumerate() {
                            let y = truth.binary_search(&id).is_ok();
                            ex.truth_in_candidates += usize::from(y);
                            let key = member_key
                                ^ name_hash(as_of.0 as u64, names.name(id)).rotate_left(17);
                            if y || mix(key) <= threshold {
                                ex.rows.extend_from_slice(set.row(i));
                                ex.labels.push(y);
                                ex.weights.push(1.0 / truth.len() as f64);
                            }
                        }
                    }
                    ex
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("example worker panicked"))
            .collect()
    });
    let mut out = Examples::default();
    for p in parts {
        out.extend(p);
    }
    debug_assert_eq!(out.rows.len(), out.labels.len() * RANK_LEN);
    out
}
