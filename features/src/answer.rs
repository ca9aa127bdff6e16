//! A member's precomputed answers: churn, portrait, own picks and the learned rankers' kept
//! picks. Training computes them for every member of the member state and writes them to the
//! answer snapshot ([`crate::contract::answers`]); serving loads that snapshot and computes
//! a member again with the same functions only when an event for the member arrives.

use crate::churn::{ChurnArtifact, N_COLS, Reason, reasons};
use crate::recommend::Pick;
use crate::spec::idx;
use crate::{Day, Kind, PurchaseHistory, preferences};

/// Own picks kept per member and kind.
pub const MAX_OWN: usize = 50;

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
    /// Up to three reasons, largest first.
    pub reasons: Vec<Reason>,
}

impl ChurnAnswer {
    /// The answer for the design row `row` the model scored `probability`.
    pub fn new(row: &[f32; N_COLS], probability: f32, churn: &ChurnArtifact) -> ChurnAnswer {
        ChurnAnswer {
            probability,
            band: churn.risk_bands.band(probability),
            expected_purchases: row[N_COLS - 1],
            days_since_last_purchase: row[idx::RECENCY_DAYS],
            reasons: reasons(&churn.explainer, row),
        }
    }
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

impl Portrait {
    /// The portrait of `history` from its lines before `as_of`.
    pub fn of(history: &PurchaseHistory<'_>, as_of: Day) -> Portrait {
        let mut p = Portrait::default();
        let mut last_day = None;
        for l in history.before(as_of) {
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
}

/// One candidate a member bought before (the compact, precomputed form).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OwnPick {
    /// Category or item id.
    pub id: u32,
    /// Distinct days the member bought it.
    pub days: u32,
    /// Last day the member bought it.
    pub last_day: Day,
}

/// A member's own picks for one kind, best first: most purchase days, then the most recent,
/// then the smallest id; at most [`MAX_OWN`].
pub fn own_picks(history: &PurchaseHistory<'_>, as_of: Day, kind: Kind) -> Vec<OwnPick> {
    let mut prefs = preferences(history, as_of, kind);
    prefs.sort_by(|a, b| {
        b.days
            .cmp(&a.days)
            .then(b.last_day.cmp(&a.last_day))
            .then(a.id.cmp(&b.id))
    });
    prefs
        .into_iter()
        .take(MAX_OWN)
        .map(|p| OwnPick {
            id: p.id,
            days: p.days,
            last_day: p.last_day,
        })
        .collect()
}

/// Everything precomputed for one member.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberAnswer {
    /// The day the answers are as of.
    pub as_of: Day,
    /// `None` when the member has no line before `as_of`.
    pub churn: Option<ChurnAnswer>,
    /// Portrait statistics.
    pub portrait: Portrait,
    /// Own category picks, best first.
    pub own_categories: Vec<OwnPick>,
    /// Own item picks, best first.
    pub own_items: Vec<OwnPick>,
    /// The learned rankers' best candidates, one list per ranker (in the order the caller
    /// keeps its rankers).
    pub learned: Vec<Vec<Pick>>,
    /// Layer, lifecycle, tier and value ([`crate::segments::Segments::answer`]); not part of
    /// the answer snapshot: readers compute it from `segments.json` and the member's lines.
    pub segment: Option<crate::segments::SegmentAnswer>,
}

impl MemberAnswer {
    /// The answer of `history` as of `as_of`, from its churn answer and learned picks
    /// (computed by the caller, in batches); the portrait and own picks are computed here.
    pub fn new(
        history: &PurchaseHistory<'_>,
        as_of: Day,
        churn: Option<ChurnAnswer>,
        learned: Vec<Vec<Pick>>,
    ) -> MemberAnswer {
        MemberAnswer {
            as_of,
            churn,
            portrait: Portrait::of(history, as_of),
            own_categories: own_picks(history, as_of, Kind::Category),
            own_items: own_picks(history, as_of, Kind::Item),
            learned,
            segment: None,
        }
    }

    /// The own picks of a kind.
    pub fn own(&self, kind: Kind) -> &[OwnPick] {
        match kind {
            Kind::Category => &self.own_categories,
            Kind::Item => &self.own_items,
        }
    }
}
