//! The recommendation policy: which list a member gets for a kind. With a learned ranker:
//! the member's kept picks re-selected with the query's options (ranked again live when they
//! run out before the list is full), or the store's popular ids for a member without
//! purchases (cold start). Without one: the fallback recommender (own most bought, then
//! popular), flagged with the card's reason.

use features::Kind;

use super::MemberAnswer;
use super::learned::{KEEP, LearnedRanker, cold_start, select_live, select_picks};
use super::recommend::{Popular, RecommendOptions, reason_text, recommend};
use super::store::{Member, MemberStore, StoredMember};
use crate::model::Models;

/// A rendered recommendation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Recommendation {
    /// Category or item id.
    pub id: String,
    /// Score (higher is better).
    pub score: f32,
    /// Short reason.
    pub reason: String,
}

/// A recommendation answer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Recommendations {
    /// `item` or `category`.
    pub kind: Kind,
    /// Ranked ids, best first.
    pub items: Vec<Recommendation>,
    /// True when the member is unknown or has no purchase: the list is store-wide popular ids.
    pub cold_start: bool,
    /// `learned` (the exported ranker); `fallback-popularity` when training could not fit
    /// this kind's ranker (own most bought, then popular; `fallback` says why), or
    /// `interim-popularity` for a model folder written before rankers were exported.
    pub ranker: &'static str,
    /// Why this kind has no learned ranker, from the card's `fallbacks`
    /// (`"<rule>: <reason>"`); absent when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    /// The model version.
    pub model_version: String,
}

/// What the policy reads of the serving state.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The loaded model version.
    pub models: &'a Models,
    /// Members and vocabularies.
    pub store: &'a MemberStore,
    /// The learned rankers, resolved against the store.
    pub learned: &'a [LearnedRanker],
    /// Store-wide popular ids.
    pub popular: &'a Popular,
}

/// A member's lines as the caller has them: unpacked already, or packed in the store (then
/// unpacked only when a list is ranked again live).
#[derive(Debug, Clone, Copy)]
pub enum Lines<'a> {
    /// Unpacked.
    Unpacked(&'a Member),
    /// As the store keeps them.
    Stored(&'a StoredMember),
}

impl Lines<'_> {
    fn member(&self) -> std::borrow::Cow<'_, Member> {
        match self {
            Lines::Unpacked(m) => std::borrow::Cow::Borrowed(*m),
            Lines::Stored(m) => std::borrow::Cow::Owned(m.unpack()),
        }
    }
}

/// The top `k` ids of `kind` for `member` (with its answer; `None` for an unknown member).
pub fn recommendations(
    c: &Context<'_>,
    member: Option<(Lines<'_>, &MemberAnswer)>,
    kind: Kind,
    k: usize,
    options: RecommendOptions,
) -> Recommendations {
    let answer = member.map(|(_, a)| a);
    if let Some(i) = c.learned.iter().position(|r| r.kind == kind) {
        let ranker = &c.learned[i];
        let vocab = match kind {
            Kind::Category => &c.store.categories,
            Kind::Item => &c.store.items,
        };
        let picks = answer.map(|a| a.learned[i].as_slice()).unwrap_or_default();
        let options = features::recommend::SelectOptions {
            k,
            exclude_recent_days: options.exclude_recent_days,
            max_per_category: options.max_per_category,
        };
        let cold = picks.is_empty();
        let list = if cold {
            cold_start(&ranker.tables, k)
        } else {
            let list = select_picks(picks, &ranker.tables, &options, vocab);
            match member {
                // The kept picks ran out before the list was full (a long list, or options
                // that skip many of them) while the member has more candidates: rank them
                // all again, live (about 0.1 ms).
                Some((lines, _)) if list.len() < k && picks.len() >= KEEP => {
                    let m = lines.member();
                    select_live(
                        ranker,
                        &m,
                        m.answer_day(c.models.churn.as_of),
                        &options,
                        vocab,
                    )
                }
                _ => list,
            }
        };
        return Recommendations {
            kind,
            items: list
                .into_iter()
                .map(|(id, score, reason)| Recommendation {
                    id: vocab.name(id).to_string(),
                    score,
                    reason,
                })
                .collect(),
            cold_start: cold,
            ranker: "learned",
            fallback: None,
            model_version: c.models.version.clone(),
        };
    }
    let (own, as_of) = match answer {
        Some(a) => (a.own(kind), a.as_of),
        None => (&[][..], c.models.churn.as_of),
    };
    let vocab = match kind {
        Kind::Category => &c.store.categories,
        Kind::Item => &c.store.items,
    };
    let items = recommend(own, c.popular, as_of, kind, k, options)
        .iter()
        .map(|r| Recommendation {
            id: vocab.name(r.id).to_string(),
            score: r.score,
            reason: reason_text(r, as_of),
        })
        .collect();
    let fallback = c.models.fallback(match kind {
        Kind::Category => "next_category",
        Kind::Item => "next_item",
    });
    Recommendations {
        kind,
        items,
        cold_start: own.is_empty(),
        ranker: if fallback.is_some() {
            "fallback-popularity"
        } else {
            "interim-popularity"
        },
        fallback,
        model_version: c.models.version.clone(),
    }
}
