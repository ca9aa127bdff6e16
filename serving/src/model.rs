//! One model version folder, loaded and checked once through `features::contract`: the card
//! (checked against this build's folder format and schemas), `churn.json` with the churn model
//! (evaluated natively by [`ChurnEvaluator`], the evaluator training scored with), the member
//! state, the answer snapshot training wrote and the recommendation rankers (evaluated
//! natively by [`GatherTrees`]). tract's plans of the ONNX files are kept to check the native
//! evaluators against on real rows when the state is built.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use features::Kind;
use features::churn::{CHURN_ARTIFACT_FILE, ChurnArtifact, ChurnEvaluator, N_COLS, input_names};
use features::contract::layout::{
    ANSWERS_FILE, CARD_FILE, CHURN_MODEL_FILE, CURRENT, SEGMENTS_FILE,
};
use features::contract::{Card, PackedAnswers, read_packed_answers};
use features::offers::{OFFERS_FILE, OfferParams, ValidOfferParams};
use features::recommend::{
    PortableTables, RANK_FEATURES, RANK_LEN, RECOMMEND_FILE, RecommendManifest, rank_schema_hash,
};
use features::segments::{SegmentModel, Segments};
use features::state::MEMBER_STATE_FILE;
use tract_onnx::pb::ModelProto;
use tract_onnx::prelude::*;

use crate::domain::MemberStore;
use crate::{Error, Result};

mod gather_graph;
pub mod trees;

pub use trees::{GATHER_KIND, GatherArrays, GatherTrees};

/// A loaded, checked model version.
#[derive(Debug, Clone)]
pub struct Models {
    /// The version name (the folder's name, as in the card).
    pub version: String,
    /// The version folder.
    pub dir: PathBuf,
    /// `card.json` as written by training.
    pub card: Card,
    /// `churn.json`.
    pub churn: ChurnArtifact,
    /// The churn model, evaluated natively (built from `churn.json`).
    pub churn_model: ChurnEvaluator,
    /// `churn.onnx`.
    pub churn_path: PathBuf,
    /// tract's plan of `churn.onnx`: the reference the native evaluator is checked against on
    /// real members' rows when the state is built (`None` for models assembled in memory).
    pub churn_reference: Option<TractPlan>,
    /// The learned recommendation rankers with their store tables (empty for a folder
    /// written before rankers were exported: serving then falls back to the interim lists).
    pub rankers: Vec<KindRanker>,
    /// `recommend.json`, when present.
    pub recommend: Option<RecommendManifest>,
    /// `segments.json`, checked (`None` only for models assembled in memory without one).
    pub segments: Option<Segments>,
    /// The offer rules (`offers.json`, or the shipped ones).
    pub offers: ValidOfferParams,
}

/// One kind's exported ranker and store tables (ids as names, resolved against the member
/// store when the state is built).
#[derive(Debug, Clone)]
pub struct KindRanker {
    /// Categories or items.
    pub kind: Kind,
    /// The ranker file.
    pub path: PathBuf,
    /// The store tables at as-of.
    pub tables: PortableTables,
    /// The ranker, evaluated natively on rows of `RANK_LEN` columns.
    pub ranker: GatherTrees,
    /// tract's plan of the same file, typed to `float[N, RANK_LEN]`: the reference the native
    /// ranker is checked against on real candidate rows when the state is built.
    pub reference: TractPlan,
}

/// An exported ONNX model (churn or ranker) as a tract plan typed to `float[N, n_cols]`;
/// `predict` is `&self`. Serving answers with the native evaluators; these plans are the
/// portable files' reading they are checked against.
#[derive(Debug, Clone)]
pub struct TractPlan {
    plan: Arc<TypedRunnableModel>,
    n_cols: usize,
}

impl TractPlan {
    /// Loads, checks the metadata, optimises and plans the churn model at `path`.
    pub fn load(path: &Path) -> Result<TractPlan> {
        Self::load_checked(path, N_COLS, &features::spec::schema_hash())
    }

    /// Loads a model whose metadata must carry `schema_hash`, with `n_cols` inputs.
    pub fn load_checked(path: &Path, n_cols: usize, schema_hash: &str) -> Result<TractPlan> {
        let proto = read_proto(path)?;
        check_schema_hash(&proto, path, schema_hash)?;
        TractPlan::from_proto(&proto, n_cols)
    }

    /// Optimises and plans a parsed model for `float[N, n_cols]` inputs.
    pub fn from_proto(proto: &ModelProto, n_cols: usize) -> Result<TractPlan> {
        let plan = (|| {
            let model = tract_onnx::onnx().model_for_proto_model(proto)?;
            let batch = model.sym("N");
            model
                .with_input_fact(
                    0,
                    f32::fact(tract_onnx::tract_core::dims!(batch, n_cols)).into(),
                )?
                .into_optimized()?
                .into_runnable()
        })()
        .map_err(Error::Inference)?;
        Ok(TractPlan { plan, n_cols })
    }

    /// The model's probabilities for `rows` (row-major, `n_cols` columns each).
    pub fn predict(&self, rows: &[f32]) -> Result<Vec<f32>> {
        let n = rows.len() / self.n_cols;
        if n == 0 {
            return Ok(Vec::new());
        }
        let input = Tensor::from_shape(&[n, self.n_cols], rows).map_err(Error::Inference)?;
        let out = self
            .plan
            .run(tvec!(input.into()))
            .map_err(Error::Inference)?;
        let view = out[0]
            .to_plain_array_view::<f32>()
            .map_err(Error::Inference)?;
        let flat: Vec<f32> = view.iter().copied().collect();
        match flat.len() {
            l if l == n => Ok(flat),
            l if l == 2 * n => Ok(flat.chunks_exact(2).map(|c| c[1]).collect()),
            l => Err(Error::Inference(anyhow::anyhow!(
                "the model returned {l} values for {n} rows"
            ))),
        }
    }
}

/// The parsed ONNX model at `path`.
fn read_proto(path: &Path) -> Result<ModelProto> {
    tract_onnx::onnx()
        .proto_model_for_path(path)
        .map_err(|e| Error::Model {
            dir: path.to_path_buf(),
            reason: format!("cannot read the ONNX model: {e:#}"),
        })
}

/// Checks that the model's metadata carries `schema_hash`.
fn check_schema_hash(proto: &ModelProto, path: &Path, schema_hash: &str) -> Result<()> {
    let found = proto
        .metadata_props
        .iter()
        .find(|p| p.key == "schema_hash")
        .map(|p| p.value.as_str());
    if found != Some(schema_hash) {
        return Err(Error::Model {
            dir: path.to_path_buf(),
            reason: format!(
                "feature-spec hash {found:?} in the ONNX metadata, this build computes {schema_hash:?}"
            ),
        });
    }
    Ok(())
}

impl Models {
    /// Models assembled in memory from a card and `churn.json`'s contents, with no ranker and
    /// no ONNX file: the seam that lets tests build an engine without a training run (serving
    /// then answers with the interim recommendation lists). The checks are those of
    /// [`Models::load`] on the same parts.
    pub fn assemble(
        card: Card,
        churn: ChurnArtifact,
        segments: Option<SegmentModel>,
    ) -> Result<Models> {
        let err = |reason: String| Error::Model {
            dir: PathBuf::from(format!("(assembled {})", card.version)),
            reason,
        };
        card.check().map_err(|e| err(e.to_string()))?;
        if churn.schema_hash != features::spec::schema_hash() || churn.inputs != input_names() {
            return Err(err(format!(
                "{CHURN_ARTIFACT_FILE} was written for another feature spec or input layout"
            )));
        }
        let churn_model = ChurnEvaluator::new(&churn.model, N_COLS)
            .map_err(|e| err(format!("{CHURN_ARTIFACT_FILE}: the churn model: {e}")))?;
        let segments = segments
            .map(SegmentModel::check)
            .transpose()
            .map_err(|e| err(format!("{SEGMENTS_FILE}: {e}")))?;
        Ok(Models {
            version: card.version.clone(),
            dir: PathBuf::new(),
            card,
            churn,
            churn_model,
            churn_path: PathBuf::from(CHURN_MODEL_FILE),
            churn_reference: None,
            rankers: Vec::new(),
            recommend: None,
            segments,
            offers: ValidOfferParams::default(),
        })
    }

    /// The fallback training recorded for `part` (`churn`, `next_category`, `next_item`) in
    /// the card's `fallbacks`, as `"<rule>: <reason>"`; `None` when the part was fitted.
    pub fn fallback(&self, part: &str) -> Option<String> {
        self.card.fallback(part)
    }

    /// Loads `models_dir/current` (following the symlink) and checks that the card,
    /// `churn.json`, the ONNX metadata and this build's feature spec agree. Also returns the
    /// member state of the version and the answers training computed for it.
    pub fn load(models_dir: &Path) -> Result<Loaded> {
        let current = models_dir.join(CURRENT);
        let dir = std::fs::canonicalize(&current).map_err(|e| Error::Model {
            dir: current.clone(),
            reason: format!("cannot resolve (train a model first with tiefen-train): {e}"),
        })?;
        let err = |reason: String| Error::Model {
            dir: dir.clone(),
            reason,
        };
        let read =
            |name: &str| std::fs::read(dir.join(name)).map_err(|e| err(format!("{name}: {e}")));
        let card = Card::from_json(&read(CARD_FILE)?).map_err(|e| err(e.to_string()))?;
        card.check().map_err(|e| err(e.to_string()))?;
        let hash = features::spec::schema_hash();
        let churn: ChurnArtifact = serde_json::from_slice(&read(CHURN_ARTIFACT_FILE)?)
            .map_err(|e| err(format!("{CHURN_ARTIFACT_FILE}: {e}")))?;
        if churn.schema_hash != hash || churn.inputs != input_names() {
            return Err(err(format!(
                "{CHURN_ARTIFACT_FILE} was written for another feature spec or input layout"
            )));
        }
        if churn.explainer.weights.len() != N_COLS {
            return Err(err(format!(
                "{CHURN_ARTIFACT_FILE}: the explainer does not have {N_COLS} columns"
            )));
        }
        let churn_model = ChurnEvaluator::new(&churn.model, N_COLS)
            .map_err(|e| err(format!("{CHURN_ARTIFACT_FILE}: the churn model: {e}")))?;
        let churn_path = dir.join(CHURN_MODEL_FILE);
        let churn_reference = Some(TractPlan::load(&churn_path)?);
        let state_path = dir.join(MEMBER_STATE_FILE);
        let file = std::fs::File::open(&state_path)
            .map_err(|e| err(format!("{MEMBER_STATE_FILE}: {e}")))?;
        let (state_as_of, state) = MemberStore::read(&mut std::io::BufReader::new(file))
            .map_err(|e| err(format!("{MEMBER_STATE_FILE}: {e}")))?;
        if state_as_of != churn.as_of {
            return Err(err(format!(
                "{MEMBER_STATE_FILE} is as of {state_as_of}, {CHURN_ARTIFACT_FILE} as of {}",
                churn.as_of
            )));
        }
        let answers = read_packed_answers(read(ANSWERS_FILE)?)
            .map_err(|e| err(format!("{ANSWERS_FILE}: {e}")))?;
        let members = state.members.len();
        if answers.codec.as_of() != churn.as_of || answers.len() != members {
            return Err(err(format!(
                "{ANSWERS_FILE} holds {} answers as of {}, {MEMBER_STATE_FILE} {members} members as of {}",
                answers.len(),
                answers.codec.as_of(),
                churn.as_of
            )));
        }
        let segments: SegmentModel = serde_json::from_slice(&read(SEGMENTS_FILE)?)
            .map_err(|e| err(format!("{SEGMENTS_FILE}: {e}")))?;
        if segments.as_of != churn.as_of {
            return Err(err(format!(
                "{SEGMENTS_FILE} is as of {}, {CHURN_ARTIFACT_FILE} as of {}",
                segments.as_of, churn.as_of
            )));
        }
        let segments = segments
            .check()
            .map_err(|e| err(format!("{SEGMENTS_FILE}: {e}")))?;
        let offers = load_offers(&dir)?;
        let (recommend, rankers) = load_rankers(&dir)?;
        if let Some(r) = rankers
            .iter()
            .find(|r| !answers.codec.kinds().contains(&r.kind))
        {
            return Err(err(format!(
                "{ANSWERS_FILE} has no picks of the {:?} ranker",
                r.kind
            )));
        }
        let models = Models {
            version: card.version.clone(),
            dir,
            card,
            churn,
            churn_model,
            churn_path,
            churn_reference,
            rankers,
            recommend,
            segments: Some(segments),
            offers,
        };
        Ok(Loaded {
            models,
            state,
            answers,
        })
    }
}

/// A model version folder as read: the checked models, the member state and the answer
/// snapshot (one answer per member of the state, in its order). Parts assembled in memory may
/// carry fewer answers (none at all): the state computes the members after the last one.
#[derive(Debug)]
pub struct Loaded {
    /// The models.
    pub models: Models,
    /// The member state, each member's lines packed.
    pub state: MemberStore,
    /// The precomputed answers, packed.
    pub answers: PackedAnswers,
}

/// The offer rules of the folder's `offers.json`, checked; the shipped rules when the folder
/// has none.
fn load_offers(dir: &Path) -> Result<ValidOfferParams> {
    let path = dir.join(OFFERS_FILE);
    if !path.exists() {
        return Ok(ValidOfferParams::default());
    }
    let err = |reason: String| Error::ModelFile {
        path: path.clone(),
        reason,
    };
    let bytes = std::fs::read(&path).map_err(|e| err(e.to_string()))?;
    let params: OfferParams = serde_json::from_slice(&bytes).map_err(|e| err(e.to_string()))?;
    params.check().map_err(|e| err(e.to_string()))
}

/// Loads `recommend.json` and every ranker and tables file it names, checking the ranker row
/// schema; `(None, [])` when the folder has no `recommend.json`.
fn load_rankers(dir: &Path) -> Result<(Option<RecommendManifest>, Vec<KindRanker>)> {
    let err = |reason: String| Error::Model {
        dir: dir.to_path_buf(),
        reason,
    };
    let path = dir.join(RECOMMEND_FILE);
    if !path.exists() {
        return Ok((None, Vec::new()));
    }
    let bytes = std::fs::read(&path).map_err(|e| err(format!("{RECOMMEND_FILE}: {e}")))?;
    let manifest: RecommendManifest =
        serde_json::from_slice(&bytes).map_err(|e| err(format!("{RECOMMEND_FILE}: {e}")))?;
    let hash = rank_schema_hash();
    if manifest.rank_schema_hash != hash || manifest.inputs != RANK_FEATURES {
        return Err(err(format!(
            "{RECOMMEND_FILE} has ranker schema hash {}, this build computes {hash}: retrain or run a matching build",
            manifest.rank_schema_hash
        )));
    }
    let rankers = manifest
        .models
        .iter()
        .map(|(kind, onnx, tables)| {
            let path = dir.join(onnx);
            let proto = read_proto(&path)?;
            check_schema_hash(&proto, &path, &hash)?;
            let ranker = trees::from_proto(&proto, &path, RANK_LEN)?;
            let reference =
                TractPlan::from_proto(&proto, RANK_LEN).map_err(|e| Error::ModelFile {
                    path: path.clone(),
                    reason: format!("tract cannot plan it: {e}"),
                })?;
            let bytes =
                std::fs::read(dir.join(tables)).map_err(|e| err(format!("{tables}: {e}")))?;
            let tables: PortableTables =
                serde_json::from_slice(&bytes).map_err(|e| err(format!("{tables}: {e}")))?;
            if tables.kind != *kind {
                return Err(err(format!(
                    "the tables file of {kind:?} holds {:?}",
                    tables.kind
                )));
            }
            Ok(KindRanker {
                kind: *kind,
                path,
                tables,
                ranker,
                reference,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((Some(manifest), rankers))
}
