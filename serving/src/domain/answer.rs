//! A member's precomputed answers: churn, portrait and own recommendation picks. Computed for
//! every member when a model loads, and again for one member when their events arrive.

use features::churn::{N_COLS, design_row, reasons};
use features::spec::idx;
use features::{Day, Kind, compute};

use super::learned::{LearnedRanker, Pick, rank_members};
use super::recommend::{OwnPick, own_picks};
use super::store::{Member, MemberStore};
use crate::Result;
use crate::model::Models;

/// The churn answer of a member with purchase history.
#[derive(Debug, Clone, PartialEq)]
pub struct ChurnAnswer {
    /// Calibrated probability of no purchase in the horizon.
    pub probability: f32,
    /// `high`, `medium` or `low`.
    pub band: &'static str,
    /// BG/NBD expected purchases in the horizon.
    pub expected_purchases: f32,
    /// Days from the last purchase day to the answer's day.
    pub days_since_last_purchase: f32,
    /// Up to three readable reasons.
    pub reasons: Vec<String>,
}

/// Purchase statistics for the portrait, from every line before the answer's day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Portrait {
    /// Distinct purchase days (returns excluded).
    pub purchase_days: u32,
    /// Order lines, returns included.
    pub order_lines: u32,
    /// Spend net of returns.
    pub total_spend: f64,
    /// First purchase day.
    pub first_purchase: Option<Day>,
    /// Last purchase day.
    pub last_purchase: Option<Day>,
}

/// Everything precomputed for one member.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberAnswer {
    /// The day the answers are as of (see [`Member::answer_day`]).
    pub as_of: Day,
    /// `None` when the member has no line before `as_of`.
    pub churn: Option<ChurnAnswer>,
    /// Portrait statistics.
    pub portrait: Portrait,
    /// Own category picks, best first.
    pub own_categories: Vec<OwnPick>,
    /// Own item picks, best first.
    pub own_items: Vec<OwnPick>,
    /// The learned rankers' best candidates, one list per ranker of the state (same order).
    pub learned: Vec<Vec<Pick>>,
}

impl MemberAnswer {
    /// The own picks of a kind.
    pub fn own(&self, kind: Kind) -> &[OwnPick] {
        match kind {
            Kind::Category => &self.own_categories,
            Kind::Item => &self.own_items,
        }
    }
}

/// Computes the answers of `members` with one batched call per model.
pub fn answers(
    members: &[&Member],
    models: &Models,
    learned: &[LearnedRanker],
    store: &MemberStore,
) -> Result<Vec<MemberAnswer>> {
    let c = &models.churn;
    let mut rows: Vec<f32> = Vec::new();
    let mut prepared = Vec::with_capacity(members.len());
    for m in members {
        let as_of = m.answer_day(c.as_of);
        let history = m.history();
        let row = compute(&history, as_of, &c.context).map(|fv| {
            let row = design_row(fv.as_slice(), c.bgnbd.as_ref(), c.horizon_days);
            rows.extend_from_slice(&row);
            row
        });
        prepared.push((as_of, row, portrait(m, as_of)));
    }
    let probs = models.scorer.predict(&rows)?;
    let mut probs = probs.into_iter();
    let dated: Vec<(&Member, Day)> = members
        .iter()
        .zip(&prepared)
        .filter(|(_, p)| p.1.is_some())
        .map(|(m, p)| (*m, p.0))
        .collect();
    let mut picks: Vec<std::vec::IntoIter<Vec<Pick>>> = Vec::with_capacity(learned.len());
    for ranker in learned {
        let names = match ranker.kind {
            Kind::Category => &store.categories,
            Kind::Item => &store.items,
        };
        let lists = rank_on_every_core(&dated, ranker, names);
        picks.push(lists.into_iter());
    }
    Ok(members
        .iter()
        .zip(prepared)
        .map(|(m, (as_of, row, portrait))| {
            let learned = if row.is_some() {
                picks
                    .iter_mut()
                    .map(|p| p.next().unwrap_or_default())
                    .collect()
            } else {
                vec![Vec::new(); learned.len()]
            };
            let churn = row.map(|row| {
                let p = probs.next().unwrap_or(f32::NAN);
                churn_answer(&row, p, models)
            });
            let history = m.history();
            MemberAnswer {
                as_of,
                churn,
                portrait,
                own_categories: own_picks(&history, as_of, Kind::Category),
                own_items: own_picks(&history, as_of, Kind::Item),
                learned,
            }
        })
        .collect())
}

/// [`rank_members`] of `dated`, in order: a model load's thousands of members in chunks that
/// every core takes from a shared counter (so a core slowed by other work takes fewer), an
/// event's few members inline.
fn rank_on_every_core(
    dated: &[(&Member, Day)],
    ranker: &LearnedRanker,
    names: &features::Vocab,
) -> Vec<Vec<Pick>> {
    const CHUNK: usize = 256;
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
    if dated.len() <= CHUNK || threads == 1 {
        return rank_members(dated, ranker, names);
    }
    let chunks: Vec<&[(&Member, Day)]> = dated.chunks(CHUNK).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, Vec<Vec<Pick>>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.min(chunks.len()))
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(chunk) = chunks.get(i) else {
                            return out;
                        };
                        out.push((i, rank_members(chunk, ranker, names)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("ranking thread panicked"))
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().flat_map(|(_, lists)| lists).collect()
}

fn churn_answer(row: &[f32; N_COLS], p: f32, models: &Models) -> ChurnAnswer {
    ChurnAnswer {
        probability: p,
        band: models.churn.risk_bands.band(p),
        expected_purchases: row[N_COLS - 1],
        days_since_last_purchase: row[idx::RECENCY_DAYS],
        reasons: reasons(&models.churn.explainer, row),
    }
}

fn portrait(m: &Member, as_of: Day) -> Portrait {
    let mut p = Portrait::default();
    let mut last_day = None;
    for l in m.history().before(as_of) {
        p.order_lines += 1;
        p.total_spend += l.amount;
        if l.is_return() {
            continue;
        }
        let day = Day::of_ts(l.ts);
        if last_day != Some(day) {
            p.purchase_days += 1;
            last_day = Some(day);
        }
        p.first_purchase.get_or_insert(day);
        p.last_purchase = Some(day);
    }
    p
}
