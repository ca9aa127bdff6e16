//! The recommendation stage of a run: fit a ranker per kind on the training cutoffs, rank
//! every member's candidates at as-of, and evaluate against the baselines when the data
//! reaches past as-of.

use std::collections::BTreeMap;

use features::recommend::{MemberContext, SelectOptions, StoreTables};
use features::{CutoffPlan, Day, Kind, OrderBook, Window};

use super::fallback::{self, Fallback, RULE_RANKER, fallback_lists, ranker_error, unrankable};
use crate::Result;
use crate::metrics::RankingReport;
use crate::recommend::{
    RankerFit, RecommendValidParams, Recommendations, fit_ranker, global_top, personal_top,
    ranker_cutoffs, recommend_all,
};

/// Everything one kind's recommendations produced.
#[derive(Debug, Clone)]
pub struct KindOutput {
    /// Categories or items.
    pub kind: Kind,
    /// The store tables at as-of (exported for serving).
    pub tables: StoreTables,
    /// The fitted ranker; `None` when the kind fell back (see `fallback`).
    pub fit: Option<RankerFit>,
    /// Why the kind has no ranker and which rule made its lists.
    pub fallback: Option<Fallback>,
    /// The top list of every member it was ranked for (in a run, the fit book's population),
    /// without storefront options (what is evaluated).
    pub recommendations: Recommendations,
    /// Those lists with the run's storefront options, when it has any.
    pub storefront: Option<Recommendations>,
}

/// The `next_category` / `next_item` part of `evaluation.json`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecommendEvaluation {
    /// The model's metrics per kind (`next_category`, `next_item`).
    #[serde(flatten)]
    pub models: BTreeMap<String, RankingReport>,
    /// Baselines per kind (`next_category_baselines`, ...), each by name.
    #[serde(flatten)]
    pub baselines: BTreeMap<String, BTreeMap<String, RankingReport>>,
}

/// The kinds the data supports: categories only when some line has one.
pub fn kinds(book: &OrderBook) -> Vec<Kind> {
    if book.categories().is_empty() {
        vec![Kind::Item]
    } else {
        vec![Kind::Category, Kind::Item]
    }
}

/// Where and for whom one kind's recommendations are made.
#[derive(Debug, Clone, Copy)]
pub struct RecommendTarget<'a> {
    /// Categories or items.
    pub kind: Kind,
    /// The as-of date.
    pub as_of: Day,
    /// The population at `as_of`.
    pub members: &'a [u32],
    /// Storefront options of the written lists.
    pub storefront: &'a SelectOptions,
}

/// Fits and applies the ranker of `target.kind` for `target.members`. When the data's shape
/// does not allow a ranker (fewer than two ids, too few buyers, one-class labels, a
/// degenerate fit), the lists come from the fallback rule and `fallback` says why; other
/// errors fail as `<kind> ranker`.
pub fn recommend_kind(
    book: &OrderBook,
    plan: &CutoffPlan,
    target: RecommendTarget<'_>,
    params: &RecommendValidParams,
    seed: u64,
) -> Result<KindOutput> {
    let model = fit_kind(book, plan, target.kind, target.as_of, params, seed)?;
    let lists = model.rank(book, target.members, params, target.storefront);
    Ok(KindOutput {
        recommendations: lists.recommendations,
        storefront: lists.storefront,
        ..model
    })
}

/// The ranker of `kind` fitted on `book`'s cutoffs before `as_of` and the store tables at
/// `as_of`, or the fallback rule and why; without lists yet ([`KindOutput::rank`] makes them).
fn fit_kind(
    book: &OrderBook,
    plan: &CutoffPlan,
    kind: Kind,
    as_of: Day,
    params: &RecommendValidParams,
    seed: u64,
) -> Result<KindOutput> {
    let first = book.first_day_before(as_of).unwrap_or(as_of);
    let h = plan.cutoffs.first().map_or(28, |c| c.horizon_days);
    let ranker_plan = ranker_cutoffs(first, as_of, h, plan, params);
    let tables = book.store_tables(as_of, kind, &params.tables);
    let fitted = match unrankable(book, kind) {
        Some(reason) => Err(reason),
        None => match fit_ranker(book, &ranker_plan, kind, params, seed) {
            Ok(fit) => Ok(fit),
            Err(e) if e.is_data_shape() => Err(format!("{:#}", anyhow::Error::from(e))),
            Err(e) => return Err(ranker_error(e, kind)),
        },
    };
    let (fit, fallback) = match fitted {
        Ok(fit) => (Some(fit), None),
        Err(reason) => (
            None,
            Some(fallback::record(task_name(kind), RULE_RANKER, reason)),
        ),
    };
    Ok(KindOutput {
        kind,
        tables,
        fit,
        fallback,
        recommendations: Recommendations::default(),
        storefront: None,
    })
}

/// One kind's lists for some members: those of a range of ids, made by [`KindOutput::rank`]
/// or cut from a whole population's by [`KindOutput::lists_in`].
#[derive(Debug, Clone)]
pub struct KindLists {
    /// Categories or items.
    pub kind: Kind,
    /// Whether a fitted ranker made the lists (not the fallback rule).
    pub learned: bool,
    /// The lists without storefront options.
    pub recommendations: Recommendations,
    /// The lists with the run's storefront options, when it has any.
    pub storefront: Option<Recommendations>,
}

impl KindLists {
    /// The lists written to `recommendations.csv`.
    pub fn published(&self) -> &Recommendations {
        self.storefront.as_ref().unwrap_or(&self.recommendations)
    }
}

impl KindOutput {
    /// The lists of `members` (ascending ids of `book`) at the tables' as-of date: the
    /// ranker's, with and without `storefront`'s options, or the fallback rule's.
    pub fn rank(
        &self,
        book: &OrderBook,
        members: &[u32],
        params: &RecommendValidParams,
        storefront: &SelectOptions,
    ) -> KindLists {
        let (kind, tables) = (self.kind, &self.tables);
        let Some(fit) = &self.fit else {
            return KindLists {
                kind,
                learned: false,
                recommendations: fallback_lists(book, members, tables.as_of, tables, storefront.k),
                storefront: None,
            };
        };
        let rank = |options: &SelectOptions| {
            recommend_all(
                book,
                members,
                tables.as_of,
                tables,
                &fit.trees,
                &params.candidates,
                options,
            )
        };
        let plain = SelectOptions {
            k: storefront.k,
            ..SelectOptions::default()
        };
        KindLists {
            kind,
            learned: true,
            recommendations: rank(&plain),
            storefront: (*storefront != plain).then(|| rank(storefront)),
        }
    }

    /// The lists this output holds of the members with ids in `ids`, without ranking again.
    pub fn lists_in(&self, ids: std::ops::Range<u32>) -> KindLists {
        KindLists {
            kind: self.kind,
            learned: self.fit.is_some(),
            recommendations: self.recommendations.of_range(ids.clone()),
            storefront: self.storefront.as_ref().map(|s| s.of_range(ids)),
        }
    }
}

/// The evaluation name of a kind: `next_category` or `next_item`.
pub fn task_name(kind: Kind) -> &'static str {
    features::contract::layout::ranker_task(kind)
}

/// Evaluates every kind on `[as_of, as_of + horizon)`: members of the population who buy
/// something of that kind there. `None` when the data ends before as-of.
pub fn evaluate_recommendations(
    book: &OrderBook,
    outputs: &[KindOutput],
    horizon_days: u32,
    last_day: Day,
) -> Result<Option<RecommendEvaluation>> {
    let Some(first) = outputs.first() else {
        return Ok(None);
    };
    let as_of = first.tables.as_of;
    if last_day < as_of {
        return Ok(None);
    }
    let window = Window::new(as_of, horizon_days);
    let mut eval = RecommendEvaluation {
        models: BTreeMap::new(),
        baselines: BTreeMap::new(),
    };
    for out in outputs {
        let recs = &out.recommendations;
        let truth: Vec<Vec<u32>> = recs
            .members
            .iter()
            .map(|&m| window.truth(&book.history(m), out.kind))
            .collect();
        let ranked: Vec<Vec<u32>> = recs
            .lists
            .iter()
            .map(|l| l.iter().map(|r| r.id).collect())
            .collect();
        let global = global_top(&out.tables, 20);
        let personal: Vec<Vec<u32>> = recs
            .members
            .iter()
            .map(|&m| {
                let ctx = MemberContext::new(&book.history(m), as_of, out.kind);
                personal_top(&ctx, &out.tables, 20)
            })
            .collect();
        let report = |lists: Vec<&[u32]>| {
            RankingReport::compute(lists.into_iter().zip(truth.iter().map(Vec::as_slice)))
        };
        let name = task_name(out.kind);
        eval.models.insert(
            name.to_string(),
            report(ranked.iter().map(Vec::as_slice).collect())?,
        );
        let mut b = BTreeMap::new();
        b.insert(
            "global_top".to_string(),
            report(vec![global.as_slice(); truth.len()])?,
        );
        b.insert(
            "personal_top".to_string(),
            report(personal.iter().map(Vec::as_slice).collect())?,
        );
        eval.baselines.insert(format!("{name}_baselines"), b);
    }
    Ok(Some(eval))
}
