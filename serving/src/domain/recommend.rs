//! The fallback recommender, used for a kind without an exported ranker: a kind whose ranker
//! training could not fit (flagged `fallback-popularity`, the reason from the card), or a
//! model folder written before `tiefen-train` exported rankers (see [`super::learned`] for
//! the real one): a member's own
//! most frequently bought categories or items (most purchase days first, then the most recent),
//! then the store-wide popular ones.

pub use features::answer::{MAX_OWN, OwnPick, own_picks};
use features::{Day, Kind};

use super::store::MemberStore;

/// Popular ids kept store-wide per kind.
pub const MAX_POPULAR: usize = 100;

/// Days before as-of that popularity is counted over.
pub const POPULAR_WINDOW_DAYS: i32 = 90;

/// Store-wide popular ids per kind: members who bought each in the window, most first.
#[derive(Debug, Clone, Default)]
pub struct Popular {
    /// `(id, members)` for categories.
    pub categories: Vec<(u32, u32)>,
    /// `(id, members)` for items.
    pub items: Vec<(u32, u32)>,
}

impl Popular {
    /// Counts members per id over the [`POPULAR_WINDOW_DAYS`] before `as_of` (one pass over
    /// the members, each unpacked once for both kinds).
    pub fn compute(store: &MemberStore, as_of: Day) -> Popular {
        let start = as_of.plus(-POPULAR_WINDOW_DAYS).start_ts();
        let end = as_of.start_ts();
        let kinds = [Kind::Category, Kind::Item];
        let mut members = [
            vec![0u32; store.categories.len()],
            vec![0u32; store.items.len()],
        ];
        let mut seen = Vec::new();
        for m in &store.members {
            let lines = m.lines();
            for (kind, counts) in kinds.iter().zip(&mut members) {
                seen.clear();
                for l in lines
                    .iter()
                    .filter(|l| l.ts >= start && l.ts < end && !l.is_return())
                {
                    if let Some(id) = kind.key(l) {
                        seen.push(id);
                    }
                }
                seen.sort_unstable();
                seen.dedup();
                for &id in &seen {
                    counts[id as usize] += 1;
                }
            }
        }
        let [categories, items] = members.map(|counts| {
            let mut ranked: Vec<(u32, u32)> = counts
                .into_iter()
                .enumerate()
                .filter(|&(_, c)| c > 0)
                .map(|(id, c)| (id as u32, c))
                .collect();
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            ranked.truncate(MAX_POPULAR);
            ranked
        });
        Popular { categories, items }
    }

    fn of(&self, kind: Kind) -> &[(u32, u32)] {
        match kind {
            Kind::Category => &self.categories,
            Kind::Item => &self.items,
        }
    }
}

/// Query options.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RecommendOptions {
    /// Leave out ids the member bought within this many days before the answer's day (with the
    /// learned ranker: unless replenishable, as in `tiefen-train --exclude-recent-days`).
    pub exclude_recent_days: Option<u32>,
    /// Items only: at most this many items of one category (learned ranker only; the interim
    /// lists of a model folder without rankers ignore it).
    pub max_per_category: Option<usize>,
}

/// Why an id is recommended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Why {
    /// The member bought it on `days` days, last on `last_day`.
    Own {
        /// Distinct purchase days.
        days: u32,
        /// Last purchase day.
        last_day: Day,
    },
    /// Bought by `members` members in the store in the last [`POPULAR_WINDOW_DAYS`].
    Popular {
        /// Members who bought it.
        members: u32,
    },
}

/// One recommended id with its score (higher is better, 0..=2) and reason.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked {
    /// Category or item id.
    pub id: u32,
    /// Score: own picks in `1..=2`, popular ones in `0..1`.
    pub score: f32,
    /// Why.
    pub why: Why,
}

/// The top `k` ids of `kind` for a member: their own picks (`own`, computed at `as_of`), then
/// popular ids they do not already have. An empty `own` is the cold-start list.
pub fn recommend(
    own: &[OwnPick],
    popular: &Popular,
    as_of: Day,
    kind: Kind,
    k: usize,
    options: RecommendOptions,
) -> Vec<Ranked> {
    let recent = |last: Day| {
        options
            .exclude_recent_days
            .is_some_and(|d| as_of.0 - last.0 <= d as i32)
    };
    let max_days = own.first().map_or(1, |p| p.days.max(1)) as f32;
    let mut out: Vec<Ranked> = own
        .iter()
        .filter(|p| !recent(p.last_day))
        .take(k)
        .map(|p| Ranked {
            id: p.id,
            score: 1.0 + p.days as f32 / max_days,
            why: Why::Own {
                days: p.days,
                last_day: p.last_day,
            },
        })
        .collect();
    let list = popular.of(kind);
    let top = list.first().map_or(1, |p| p.1.max(1)) as f32;
    for &(id, members) in list {
        if out.len() >= k {
            break;
        }
        if own.iter().any(|p| p.id == id) {
            continue;
        }
        out.push(Ranked {
            id,
            score: 0.999 * members as f32 / top,
            why: Why::Popular { members },
        });
    }
    out
}

/// The reason text of a ranked id as of `as_of`.
pub fn reason_text(r: &Ranked, as_of: Day) -> String {
    match r.why {
        Why::Own { days, last_day } => format!(
            "bought on {days} day{}, last {} days ago",
            if days == 1 { "" } else { "s" },
            as_of.0 - last_day.0
        ),
        Why::Popular { members } => {
            format!("popular: bought by {members} members in the last {POPULAR_WINDOW_DAYS} days")
        }
    }
}
