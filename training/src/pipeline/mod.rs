//! The `tiefen-train` run: load and validate, snapshot, fit and calibrate the churn model on
//! earlier cutoffs, score the population at as-of, evaluate when the data allows, export and
//! publish the model (promoting it to `current` when the gate lets it), and write the run's
//! files.

mod answers;
mod apply;
mod artifacts;
mod baseline;
mod card;
mod churn;
mod churn_params;
mod compare;
mod design;
mod evaluate;
mod fallback;
mod gate;
mod level;
mod load;
mod offers;
mod outputs;
mod parquet_out;
mod recommend;
mod recommend_export;
mod registry;
mod rescore;
mod rows;
mod score;
mod segments;
mod stages;
mod summary;

pub use answers::AnswerWriter;
pub use apply::DEFAULT_CHUNK_MEMBERS;
pub use artifacts::{Artifact, FileArtifact, FileSink, churn_artifact, churn_json};
pub use baseline::{RFM_BASELINE, RFM_COLUMNS, RfmOneHotBaseline};
pub use card::{CardInputs, card};
pub use churn::{ChurnFit, ChurnModel, ChurnTraining, fit_churn, log_recency};
pub use churn_params::{
    ChurnParams, ChurnValidParams, DEFAULT_FIT_MEMBERS, DEFAULT_RIDGE, MIN_FIT_MEMBERS,
    MIN_MEMBERS_FLOOR,
};
pub use compare::compare_cards;
pub use design::{
    BGNBD_COLUMNS, Design, N_COLS, design_at, design_of, design_with_effects, input_names, rfm_of,
};
pub use evaluate::{ChurnEvaluation, evaluate_churn, evaluate_value};
pub use fallback::{
    Fallback, MIN_CHURN_MEMBERS, RULE_CHURN_BGNBD, RULE_CHURN_RECENCY, RULE_NO_CUTOFF, RULE_RANKER,
    RULE_SHORT_CUTOFF, RULE_SKIPPED, churn_or_fallback,
};
pub use features::churn::{MAX_REASONS, reasons};
pub use features::recommend::{RECOMMEND_FILE, RecommendManifest};
pub use gate::{
    DEFAULT_TOLERANCE, GatedMetric, MetricChange, PromoteMode, Promotion, PromotionPolicy,
    Rescored, ServingVersion, churn_metrics, compare, compare_metrics, decide, describe_falls,
    gated_metrics, ranker_metrics, same_backtest_date,
};
pub use level::LevelShift;
pub use load::{LoadedData, load};
pub use offers::{OfferRow, OfferSummary, offers_at};
pub use outputs::{RecommendationRow, write_json};
pub use recommend::{
    KindLists, KindOutput, RecommendEvaluation, RecommendTarget, evaluate_recommendations, kinds,
    recommend_kind, task_name,
};
pub use recommend_export::{RANKER_PARITY_TOLERANCE, check_ranker_parity, recommend_artifacts};
pub use registry::{
    PARITY_TOLERANCE, Publication, Published, check_parity, publish, serving_version,
};
pub use rescore::{metrics_of, refit_metrics, serving_metrics, validation_cutoff};
pub use score::{MemberScore, risk_band, score_design, score_population};
pub use segments::{
    GroupSummary, SegmentFit, SegmentRow, SegmentSummary, SegmentTally, fit_segments, segment_rows,
};
pub use stages::Stages;

use std::path::PathBuf;

use features::contract::RecommendationsRecord;
use features::{CutoffPlan, Day, training_cutoffs};

use crate::onnx::ExportMeta;
use crate::{Error, Result, TrainConfig};

/// What a run did, written to `OUT/run.json` and summarised on one line at the end.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunSummary {
    /// The as-of date used ("today").
    pub as_of: Day,
    /// Horizon in days.
    pub horizon_days: u32,
    /// Data rows read.
    pub rows_read: u64,
    /// Rows skipped as bad (only with `--skip-bad-rows`; listed in `rejects.csv`).
    pub rows_rejected: u64,
    /// Lines that are returns or cancellations.
    pub return_lines: u64,
    /// SHA-256 of the transactions file.
    pub data_fingerprint: String,
    /// First and last day with a line in the file.
    pub data_range: (Day, Day),
    /// Members with a line before as-of.
    pub population: usize,
    /// The training cutoffs and any fallback note.
    pub cutoffs: CutoffPlan,
    /// Feature schema version and hash.
    pub feature_schema: (u32, String),
    /// The published model version and its folder.
    pub model_version: String,
    /// Whether the version was promoted to `models/current`, and the gate's comparison with
    /// the serving version.
    pub promotion: Promotion,
    /// The chosen churn model kind (`logistic`, `boosted_trees`, or `fallback` when the
    /// churn part fell back; see `fallbacks`).
    pub churn_model: &'static str,
    /// Every part that could not be fitted and the rule that replaced it (empty when all
    /// parts were fitted).
    pub fallbacks: Vec<Fallback>,
    /// The churn evaluation, when the data reaches past as-of.
    pub evaluation: Option<ChurnEvaluation>,
    /// The recommendation evaluation, when the data reaches past as-of.
    pub recommendations: Option<RecommendEvaluation>,
    /// The members' segments (layers, movement, lifecycle, tiers, value) at as-of.
    pub segments: SegmentSummary,
    /// How many members each offer type reaches, and their next best offers' types.
    pub offers: OfferSummary,
    /// The storefront options `recommendations.csv` was written with.
    pub storefront: features::recommend::SelectOptions,
    /// Wall-clock seconds per stage, in order.
    pub stages: Stages,
    /// Files written.
    pub outputs: Vec<PathBuf>,
}

/// `evaluation.json`: the churn evaluation and, beside it, the recommendation one and the
/// value backtest (under `value`).
#[derive(serde::Serialize)]
struct Evaluation<'a> {
    #[serde(flatten)]
    churn: &'a ChurnEvaluation,
    #[serde(flatten)]
    recommendations: Option<&'a RecommendEvaluation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a crate::value::ValueEvaluation>,
}

/// Runs the whole training job described by `config`.
pub fn run(config: &TrainConfig) -> Result<RunSummary> {
    let mut stages = Stages::default();
    let out = &config.out_dir;
    std::fs::create_dir_all(out).map_err(|source| Error::Io {
        path: out.clone(),
        source,
    })?;
    let data = stages.time("load", || load(config))?;
    let (first, last) = data
        .day_range()
        .ok_or_else(|| Error::NoHistory("the transactions file has no order line".into()))?;
    let as_of = config.as_of.unwrap_or(last.plus(1));
    if data.first_day_before(as_of).is_none() {
        return Err(Error::NoHistory(format!(
            "no order line before the as-of date {as_of} (data covers {first} to {last})"
        )));
    }
    let cutoffs = plan_cutoffs(data.first_day_before(as_of), as_of, config)?;
    let mut fallbacks: Vec<Fallback> = fallback::cutoffs_fallback(&cutoffs).into_iter().collect();
    let h = config.horizon_days;
    // Every model is fitted once, on the fit book: the whole book, or in a store of more than
    // `[churn] fit_members` members their member-hash sample (all of a member's lines, the
    // same ids; read from the buckets when the lines are bucketed); then every member is
    // scored a range at a time (`apply`), a bucket at a time when bucketed.
    let sample = match &data.buckets {
        Some(_) => None,
        None => data.book.member_sample(config.churn.fit_members()),
    };
    let sampled_members = match &data.buckets {
        Some(_) => Some(data.book.buyer_count()),
        None => sample.as_ref().map(features::OrderBook::buyer_count),
    };
    if let Some(n) = sampled_members {
        tracing::info!(
            members = data.buyer_count(),
            sampled = n,
            "the models are fitted and evaluated on a member-hash sample; every member is scored"
        );
    }
    let fit_book = sample.as_ref().unwrap_or(&data.book);
    let (mut fit, churn_fallback) = stages.time("fit churn", || {
        churn_or_fallback(fit_book, &cutoffs, as_of, h, &config.churn)
    })?;
    fit.training.sampled_members = sampled_members;
    fallbacks.extend(churn_fallback.clone());
    let (at_t, scores) = stages.time("score", || score_population(fit_book, as_of, h, &fit))?;
    fallbacks.extend(fallback::bgnbd_fallback(&at_t));
    let probs: Vec<f32> = scores.iter().map(|s| s.churn_probability).collect();
    let (evaluation, value_evaluation) = stages.time("evaluate", || {
        let churn = fallback::skip_on_shape(
            evaluate_churn(fit_book, &at_t, &probs, h, last, &fit),
            "churn_evaluation",
            &mut fallbacks,
        )?;
        let value = evaluate_value(fit_book, &at_t, h, last);
        let value = fallback::skip_on_shape(value, "value_evaluation", &mut fallbacks)?;
        Result::Ok((churn, value))
    })?;
    drop(probs);
    let spend_fallback = value_evaluation
        .as_ref()
        .and_then(|v| v.fitted.spend.fallback.as_ref());
    if let Some(f) = spend_fallback {
        fallbacks.push(fallback::record("value_spend", f.rule, f.reason.clone()));
    }
    let reco_params = &config.recommend;
    let mut recos: Vec<KindOutput> = Vec::new();
    if data.book.categories().is_empty() {
        fallbacks.push(fallback::record(
            "next_category",
            RULE_SKIPPED,
            "no order line has a category: no category lists",
        ));
    }
    for kind in kinds(&data.book) {
        let stage = format!("fit + rank {}", task_name(kind));
        recos.push(stages.time(&stage, || {
            recommend_kind(
                fit_book,
                &cutoffs,
                RecommendTarget {
                    kind,
                    as_of,
                    members: &at_t.snapshot.members,
                    storefront: &config.storefront,
                },
                reco_params,
                config.seed,
            )
        })?);
    }
    fallbacks.extend(recos.iter().filter_map(|r| r.fallback.clone()));
    let reco_evaluation = stages.time("evaluate recommendations", || {
        fallback::skip_on_shape(
            evaluate_recommendations(fit_book, &recos, h, last),
            "recommend_evaluation",
            &mut fallbacks,
        )
    })?;
    let seg = stages.time("fit segments", || {
        fit_segments(fit_book, &at_t, h, &config.segments)
    })?;
    let (churn_file, churn_read_back, churn_model) = churn_json(as_of, h, &fit, &at_t)?;
    let mut outputs = vec![
        out.join("features.csv"),
        out.join("scores.csv"),
        out.join("scores.parquet"),
        out.join("recommendations.csv"),
        out.join("recommendations.parquet"),
        out.join("segments.csv"),
        out.join("segments.parquet"),
        out.join("offers.csv"),
        out.join("offers.parquet"),
    ];
    let applied = stages.time("score, rank and write every member", || {
        let models = apply::Models {
            as_of,
            horizon_days: h,
            fit: &fit,
            at_t: &at_t,
            scores: &scores,
            whole: sampled_members.is_none(),
            recos: &recos,
            recommend: reco_params,
            storefront: &config.storefront,
            segments: &seg.segments,
            offers: &config.offers,
            churn: (&churn_read_back, &churn_model),
        };
        let targets = apply::Targets {
            outputs: &outputs,
            models_dir: &config.models_dir,
        };
        let state_count = data.state_count(as_of);
        let mut applier = apply::Applier::create(
            &data.book,
            state_count,
            &models,
            &targets,
            config.chunk_members,
        )?;
        match &data.buckets {
            None => applier.add(&data.book)?,
            Some(buckets) => {
                for i in 0..buckets.len() {
                    applier.add(&buckets.book(i)?)?;
                }
            }
        }
        applier.finish()
    })?;
    if data.buckets.is_some() {
        load::remove_buckets(&out.join("buckets"));
    }
    let mut segment_summary = applied.segments;
    segment_summary.value = seg.value_fallback.clone();
    if let Some(e) = &evaluation {
        outputs.push(out.join("evaluation.json"));
        let both = Evaluation {
            churn: e,
            recommendations: reco_evaluation.as_ref(),
            value: value_evaluation.as_ref(),
        };
        write_json(&out.join("evaluation.json"), &both)?;
    }
    let card = card(CardInputs {
        config,
        data: &data,
        as_of,
        fit: &fit,
        at_t: &at_t,
        evaluation: evaluation.as_ref(),
        churn_fallback: churn_fallback.as_ref(),
        fallbacks: &fallbacks,
        recommendations: RecommendationsRecord {
            rank_schema_hash: features::recommend::rank_schema_hash(),
            params: card::json(reco_params),
            training: card::json(
                &recos
                    .iter()
                    .filter_map(|r| Some((task_name(r.kind), &r.fit.as_ref()?.training)))
                    .collect::<std::collections::BTreeMap<_, _>>(),
            ),
            metrics: reco_evaluation.as_ref().map(card::ranker_evaluation),
        },
    });
    let meta = ExportMeta {
        model_name: "churn".into(),
        version: as_of.to_string(),
        schema_hash: features::spec::schema_hash(),
        feature_names: input_names(),
        extra: vec![
            ("horizon_days".into(), h.to_string()),
            ("as_of".into(), as_of.to_string()),
        ],
    };
    let ranker_artifacts = stages.time("export rankers", || {
        recommend_artifacts(fit_book, &recos, h, &reco_params.candidates)
    })?;
    let mut serving_files = vec![churn_file];
    serving_files.push((
        features::segments::SEGMENTS_FILE.to_string(),
        serde_json::to_vec_pretty(&seg.model).map_err(|e| Error::InvalidModel {
            reason: format!("cannot serialise segments.json: {e}"),
        })?,
    ));
    serving_files.push((
        features::offers::OFFERS_FILE.to_string(),
        serde_json::to_vec_pretty(config.offers.as_params()).map_err(|e| Error::InvalidModel {
            reason: format!("cannot serialise offers.json: {e}"),
        })?,
    ));
    let serving = serving_version(&config.models_dir);
    let rescored = stages.time("promotion backtest", || {
        rescore_for_gate(config, fit_book, &card, serving.as_ref(), last)
    });
    let Published {
        version: model_version,
        promotion,
    } = stages.time("export", || {
        let mut artifacts = serving_files;
        artifacts.extend(ranker_artifacts);
        let publication = Publication {
            card,
            check_rows: &at_t.x,
            artifacts,
            files: applied.files,
            policy: config.promotion,
            serving,
            rescored,
        };
        publish(&config.models_dir, as_of, &fit.model, &meta, publication)
    })?;
    outputs.push(config.models_dir.join(&model_version));
    let mut summary = RunSummary {
        as_of,
        horizon_days: h,
        rows_read: data.rows_read,
        rows_rejected: data.rows_rejected,
        return_lines: data.return_lines,
        data_fingerprint: data.fingerprint.clone(),
        data_range: (first, last),
        population: applied.population,
        cutoffs,
        feature_schema: (
            features::spec::SCHEMA_VERSION,
            features::spec::schema_hash(),
        ),
        model_version,
        promotion,
        churn_model: if churn_fallback.is_some() {
            "fallback"
        } else {
            fit.model.kind()
        },
        fallbacks,
        evaluation,
        recommendations: reco_evaluation,
        segments: segment_summary,
        offers: applied.offers,
        storefront: config.storefront,
        stages,
        outputs,
    };
    let run_json = out.join("run.json");
    summary.outputs.push(run_json.clone());
    write_json(&run_json, &summary)?;
    Ok(summary)
}

/// The churn training cutoffs for a model at `as_of` (the run's, or the promotion backtest's).
fn plan_cutoffs(first_before: Option<Day>, as_of: Day, config: &TrainConfig) -> Result<CutoffPlan> {
    let first_before = first_before
        .ok_or_else(|| Error::NoHistory(format!("no order line before the as-of date {as_of}")))?;
    Ok(if as_of.0 - first_before.0 < 2 {
        fallback::no_cutoffs(first_before, as_of)
    } else {
        training_cutoffs(first_before, as_of, config.horizon_days, config.max_cutoffs)?
    })
}

/// When a serving version exists whose card cannot be compared with `card` directly (another
/// as-of date), both versions scored at the latest common validation cutoff (see
/// [`gate`]); `None` when there is nothing to compare with or `--promote never`.
fn rescore_for_gate(
    config: &TrainConfig,
    book: &features::OrderBook,
    card: &features::contract::Card,
    serving: Option<&ServingVersion>,
    last: Day,
) -> Option<std::result::Result<Rescored, String>> {
    if config.promotion.mode == PromoteMode::Never {
        return None;
    }
    let (version, Ok(serving)) = serving? else {
        return None;
    };
    if gate::same_backtest_date(serving, card) {
        return None;
    }
    Some(rescore_at_common_cutoff(
        config, book, card, serving, version, last,
    ))
}

fn rescore_at_common_cutoff(
    config: &TrainConfig,
    book: &features::OrderBook,
    card: &features::contract::Card,
    serving: &features::contract::Card,
    version: &str,
    last: Day,
) -> std::result::Result<Rescored, String> {
    let cutoff = rescore::validation_cutoff(
        (serving.as_of, serving.horizon_days),
        (card.as_of, card.horizon_days),
        last,
    )?;
    let dir = config.models_dir.join(version);
    let started = std::time::Instant::now();
    let serving_metrics = rescore::serving_metrics(&dir, book, cutoff, config.storefront.k)
        .map_err(|e| format!("the serving version {version} cannot be scored at {cutoff}: {e}"))?;
    tracing::info!(
        version,
        %cutoff,
        seconds = started.elapsed().as_secs_f64(),
        "the serving version scored at the promotion backtest's cutoff"
    );
    let own_backtest = card.as_of == cutoff
        && card
            .churn
            .evaluation
            .as_ref()
            .is_some_and(|e| e.label_window_complete);
    let (new, how) = if own_backtest {
        (gated_metrics(card), "this version's own backtest there")
    } else {
        let refit = rescore::refit_metrics(config, book, cutoff, last)
            .map_err(|e| format!("this configuration cannot be refitted at {cutoff}: {e:#}"))?;
        (refit, "this configuration refitted on the data before it")
    };
    Ok(Rescored {
        cutoff,
        serving: serving_metrics,
        new,
        basis: format!(
            "at {cutoff}: the serving version {version} as built (trained for {}), {how}",
            serving.as_of
        ),
    })
}
