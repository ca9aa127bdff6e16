//! The next best offers of every scored member at as-of ([`features::offers::offers_for`], the
//! function serving answers `GET /v1/members/{id}/offers` with), from the member's churn
//! answer, segment, lines and the published (storefront) recommendation lists. Written as
//! `offers.csv` / `.parquet`, one row per offer, best first per member, with a summary for
//! `run.json`.

use std::collections::BTreeMap;

use features::answer::ChurnAnswer;
use features::offers::{
    Names, OfferInputs, OfferKind, RankedCategory, RankedItem, ValidOfferParams, offers_for,
};
use features::segments::{SegmentAnswer, ValidTierProgram};
use features::{Day, Kind, OrderBook};

use super::recommend::{KindLists, KindOutput};
use super::score::MemberScore;

/// One line of `offers.csv`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OfferRow {
    /// Member id as in the input.
    pub member_id: String,
    /// 1 for the next best offer, then 2, ...
    pub rank: u32,
    /// The offer type.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Its priority (lower first).
    pub priority: u32,
    /// The offer's category (empty when none).
    pub category: String,
    /// The offer's item (item replenishment; empty otherwise).
    pub item: String,
    /// Suggested items, best first, joined by `|`.
    pub suggested_items: String,
    /// `none`, `small`, `medium` or `large`.
    pub incentive: &'static str,
    /// Why, in English.
    pub reason_en: String,
    /// Why, in zh-TW.
    pub reason_zh_tw: String,
    /// Last day the offer applies (birthday offers).
    pub valid_until: Option<Day>,
}

impl OfferSummary {
    /// Adds the counts of `other` (another range of members) to these.
    pub fn merge(&mut self, other: OfferSummary) {
        self.members += other.members;
        self.with_offer += other.with_offer;
        for (k, n) in other.reach {
            *self.reach.entry(k).or_default() += n;
        }
        for (k, n) in other.next_best {
            *self.next_best.entry(k).or_default() += n;
        }
    }
}

/// What `run.json` carries under `offers`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct OfferSummary {
    /// Members scored.
    pub members: u64,
    /// Members with at least one offer.
    pub with_offer: u64,
    /// Members each offer type reaches (any rank).
    pub reach: BTreeMap<&'static str, u64>,
    /// Members whose next best offer is of each type.
    pub next_best: BTreeMap<&'static str, u64>,
}

/// The offers of every member of `members` (scored members at `as_of`, in the order of
/// `scores`, `segments` and each kind's `lists`; `recos` holds each kind's store tables).
#[allow(clippy::too_many_arguments)]
pub fn offers_at(
    book: &OrderBook,
    as_of: Day,
    members: &[u32],
    scores: &[MemberScore],
    segments: &[Option<SegmentAnswer>],
    tiers: Option<&ValidTierProgram>,
    (recos, lists): (&[KindOutput], &[KindLists]),
    params: &ValidOfferParams,
) -> (Vec<OfferRow>, OfferSummary) {
    let of_kind = |k: Kind| {
        let r = recos.iter().find(|r| r.kind == k)?;
        Some((r, lists.iter().find(|l| l.kind == k)?))
    };
    let (categories, items) = (of_kind(Kind::Category), of_kind(Kind::Item));
    let names = Names {
        categories: book.categories(),
        items: book.items(),
    };
    let mut rows = Vec::new();
    let mut summary = OfferSummary {
        members: members.len() as u64,
        ..OfferSummary::default()
    };
    for (i, &m) in members.iter().enumerate() {
        let s = &scores[i];
        let churn = ChurnAnswer {
            probability: s.churn_probability,
            band: s.risk_band,
            expected_purchases: s.expected_purchases,
            days_since_last_purchase: s.days_since_last_purchase,
            reasons: s.reasons.clone(),
        };
        let ranked_categories: Vec<RankedCategory> = categories
            .map(|(_, l)| &l.published().lists[i])
            .into_iter()
            .flatten()
            .map(|r| RankedCategory {
                id: r.id,
                score: Some(r.score),
            })
            .collect();
        let ranked_items: Vec<RankedItem> = items
            .map(|(r, l)| (&l.published().lists[i], &r.tables))
            .into_iter()
            .flat_map(|(list, tables)| {
                list.iter().map(|r| RankedItem {
                    id: r.id,
                    category: tables.parent(r.id),
                    score: Some(r.score),
                })
            })
            .collect();
        let history = book.history(m);
        let inputs = OfferInputs::new(history, as_of, names)
            .with_churn(Some(&churn))
            .with_segment(segments[i].as_ref(), tiers)
            .with_ranked(&ranked_categories, &ranked_items);
        let offers = offers_for(params, &inputs);
        if !offers.is_empty() {
            summary.with_offer += 1;
            *summary
                .next_best
                .entry(offers[0].kind.as_str())
                .or_default() += 1;
        }
        let mut seen: Vec<OfferKind> = Vec::new();
        for (rank, o) in offers.into_iter().enumerate() {
            if !seen.contains(&o.kind) {
                seen.push(o.kind);
                *summary.reach.entry(o.kind.as_str()).or_default() += 1;
            }
            rows.push(OfferRow {
                member_id: book.members().name(m).to_string(),
                rank: rank as u32 + 1,
                kind: o.kind.as_str(),
                priority: o.priority,
                category: o
                    .category
                    .map(|c| names.categories.name(c).to_string())
                    .unwrap_or_default(),
                item: o
                    .item
                    .map(|c| names.items.name(c).to_string())
                    .unwrap_or_default(),
                suggested_items: o
                    .suggested_items
                    .iter()
                    .map(|&i| names.items.name(i))
                    .collect::<Vec<_>>()
                    .join("|"),
                incentive: o.incentive.as_str(),
                reason_en: o.reason.en,
                reason_zh_tw: o.reason.zh_tw,
                valid_until: o.valid_until,
            });
        }
    }
    (rows, summary)
}
