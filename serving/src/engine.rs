//! The serving core: the loaded model, every member's state and precomputed answers, and the
//! event log, behind synchronous methods. A model loads with the answers training computed
//! for it (the answer snapshot); only the members that logged events touch are computed again.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use features::{Day, Kind};

use crate::domain::answer::answers;
use crate::domain::learned::{KEEP, LearnedRanker, cold_start, select_live, select_picks};
use crate::domain::listing::{page, parse_cursor};
use crate::domain::recommend::reason_text;
use crate::domain::{
    ChurnFilter, ChurnPage, MemberAnswer, MemberStore, OrderEvent, Popular, RecommendOptions,
    recommend,
};
use crate::eventlog::{EventLog, LogRecord};
use crate::model::{Loaded, Models};
use crate::{Error, Result};

struct State {
    models: Arc<Models>,
    store: MemberStore,
    answers: Vec<Arc<MemberAnswer>>,
    popular: Popular,
    learned: Vec<LearnedRanker>,
}

/// What `ingest` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct IngestReport {
    /// Lines appended to the log and applied.
    pub accepted: usize,
    /// Lines whose `event_id` was accepted before (acknowledged, not applied again).
    pub duplicates: usize,
}

/// One member's answer with the model version it came from.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// The model version.
    pub version: Arc<Models>,
    /// The answer, `None` for an unknown member.
    pub answer: Option<Arc<MemberAnswer>>,
}

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

/// The serving core.
pub struct Engine {
    models_dir: PathBuf,
    state: RwLock<State>,
    log: Mutex<EventLog>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("models_dir", &self.models_dir)
            .finish()
    }
}

impl Engine {
    /// Loads `models_dir/current`, opens the event log and replays it.
    pub fn start(models_dir: PathBuf, event_log: &std::path::Path) -> Result<Engine> {
        let loaded = Models::load(&models_dir)?;
        let log = EventLog::open(event_log)?;
        let state = build(loaded, log.records())?;
        tracing::info!(
            version = %state.models.version,
            members = state.answers.len(),
            replayed = log.records().len(),
            "model loaded"
        );
        Ok(Engine {
            models_dir,
            state: RwLock::new(state),
            log: Mutex::new(log),
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The loaded model.
    pub fn models(&self) -> Arc<Models> {
        Arc::clone(&self.read().models)
    }

    /// Members in state.
    pub fn member_count(&self) -> usize {
        self.read().answers.len()
    }

    /// A member's precomputed answer.
    pub fn member(&self, member_id: &str) -> Lookup {
        let s = self.read();
        Lookup {
            version: Arc::clone(&s.models),
            answer: s
                .store
                .id_of(member_id)
                .map(|m| Arc::clone(&s.answers[m as usize])),
        }
    }

    /// A member's attributes, when known.
    pub fn attributes(&self, member_id: &str) -> Option<features::MemberAttributes> {
        let s = self.read();
        let m = s.store.id_of(member_id)?;
        s.store.members[m as usize].attributes.clone()
    }

    /// The top `k` ids of `kind` for a member (cold start for an unknown member).
    pub fn recommendations(
        &self,
        member_id: &str,
        kind: Kind,
        k: usize,
        options: RecommendOptions,
    ) -> Recommendations {
        let s = self.read();
        let member = s.store.id_of(member_id);
        let answer = member.map(|m| &s.answers[m as usize]);
        if let Some(i) = s.learned.iter().position(|r| r.kind == kind) {
            let ranker = &s.learned[i];
            let vocab = match kind {
                Kind::Category => &s.store.categories,
                Kind::Item => &s.store.items,
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
                    Some(m) if list.len() < k && picks.len() >= KEEP => {
                        let m = &s.store.members[m as usize];
                        select_live(
                            ranker,
                            m,
                            m.answer_day(s.models.churn.as_of),
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
                model_version: s.models.version.clone(),
            };
        }
        let (own, as_of) = match answer {
            Some(a) => (a.own(kind), a.as_of),
            None => (&[][..], s.models.churn.as_of),
        };
        let vocab = match kind {
            Kind::Category => &s.store.categories,
            Kind::Item => &s.store.items,
        };
        let items = recommend(own, &s.popular, as_of, kind, k, options)
            .iter()
            .map(|r| Recommendation {
                id: vocab.name(r.id).to_string(),
                score: r.score,
                reason: reason_text(r, as_of),
            })
            .collect();
        let fallback = s.models.fallback(match kind {
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
            model_version: s.models.version.clone(),
        }
    }

    /// One page of the churn list; `Err(BadEvent)` for a malformed cursor.
    pub fn churn_list(&self, filter: &ChurnFilter) -> Result<(ChurnPage, Arc<Models>)> {
        let after = match &filter.cursor {
            Some(c) => Some(
                parse_cursor(c)
                    .ok_or_else(|| Error::BadEvent(format!("malformed cursor {c:?}")))?,
            ),
            None => None,
        };
        let s = self.read();
        let all = s.store.ids.names().zip(s.answers.iter());
        Ok((page(all, filter, after), Arc::clone(&s.models)))
    }

    /// Logs (fsynced) and applies `events`; duplicates of accepted ids are acknowledged only.
    pub fn ingest(&self, events: Vec<OrderEvent>) -> Result<IngestReport> {
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        let as_of = self.read().models.churn.as_of;
        let mut batch_ids = rustc_hash::FxHashSet::default();
        let total = events.len();
        let fresh: Vec<LogRecord> = events
            .into_iter()
            .filter(|e| !log.contains(&e.event_id) && batch_ids.insert(e.event_id.clone()))
            .map(|event| LogRecord {
                event,
                accepted_under: as_of,
            })
            .collect();
        let report = IngestReport {
            accepted: fresh.len(),
            duplicates: total - fresh.len(),
        };
        log.append(fresh.clone())?;
        let mut s = self.state.write().unwrap_or_else(|p| p.into_inner());
        let mut touched: Vec<u32> = fresh.iter().map(|r| s.store.apply(&r.event)).collect();
        touched.sort_unstable();
        touched.dedup();
        let members: Vec<&crate::domain::store::Member> = touched
            .iter()
            .map(|&m| &s.store.members[m as usize])
            .collect();
        let new = answers(&members, &s.models, &s.learned, &s.store)?;
        for (m, a) in touched.into_iter().zip(new) {
            let m = m as usize;
            if m == s.answers.len() {
                s.answers.push(Arc::new(a));
            } else {
                s.answers[m] = Arc::new(a);
            }
        }
        Ok(report)
    }

    /// Loads `models_dir/current` again and swaps it in with its precomputed answers (the
    /// members of logged events computed again); on failure the old model keeps serving and
    /// the error says why.
    pub fn reload(&self) -> Result<String> {
        let log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        let loaded = Models::load(&self.models_dir)?;
        let state = build(loaded, log.records())?;
        let version = state.models.version.clone();
        *self.state.write().unwrap_or_else(|p| p.into_inner()) = state;
        tracing::info!(%version, "model reloaded");
        Ok(version)
    }

    /// The as-of date of the loaded model.
    pub fn as_of(&self) -> Day {
        self.read().models.churn.as_of
    }
}

/// The serving state of a loaded version: its member store with the logged events that apply
/// to it, training's answers for every member, and fresh answers for the members those
/// events touch (new members included).
fn build(loaded: Loaded, records: &[LogRecord]) -> Result<State> {
    let Loaded {
        models,
        state: member_state,
        answers: snapshot,
    } = loaded;
    let mut store = MemberStore::from_state(member_state);
    let as_of = models.churn.as_of;
    let mut touched: Vec<u32> = records
        .iter()
        .filter(|r| r.applies_to(as_of))
        .map(|r| store.apply(&r.event))
        .collect();
    touched.sort_unstable();
    touched.dedup();
    let popular = Popular::compute(&store, as_of);
    let params = models
        .recommend
        .as_ref()
        .map(|m| m.candidates)
        .unwrap_or_default();
    let learned: Vec<LearnedRanker> = models
        .rankers
        .iter()
        .map(|r| LearnedRanker::resolve(r, &mut store, params))
        .collect();
    let dated: Vec<(&crate::domain::store::Member, Day)> = store
        .members
        .iter()
        .filter(|m| !m.lines.is_empty())
        .map(|m| (m, m.answer_day(as_of)))
        .collect();
    for (ranker, loaded) in learned.iter().zip(&models.rankers) {
        let rows = ranker.check_against_tract(loaded, &dated)?;
        tracing::info!(kind = ?ranker.kind, rows, "native ranker agrees with tract");
    }
    // The snapshot's lists in the order of this state's rankers (Models::load checked that
    // the snapshot has every ranker's kind).
    let order: Vec<usize> = learned
        .iter()
        .filter_map(|r| snapshot.kinds.iter().position(|k| *k == r.kind))
        .collect();
    let mut answers: Vec<Arc<MemberAnswer>> = snapshot
        .answers
        .into_iter()
        .map(|mut a| {
            if order.iter().enumerate().any(|(i, &j)| i != j) || order.len() != a.learned.len() {
                let mut lists = std::mem::take(&mut a.learned);
                a.learned = order
                    .iter()
                    .map(|&j| std::mem::take(&mut lists[j]))
                    .collect();
            }
            Arc::new(a)
        })
        .collect();
    let members: Vec<&crate::domain::store::Member> = touched
        .iter()
        .map(|&m| &store.members[m as usize])
        .collect();
    let fresh = crate::domain::answer::answers(&members, &models, &learned, &store)?;
    for (m, a) in touched.iter().zip(fresh) {
        let m = *m as usize;
        if m == answers.len() {
            answers.push(Arc::new(a));
        } else {
            answers[m] = Arc::new(a);
        }
    }
    Ok(State {
        models: Arc::new(models),
        store,
        answers,
        popular,
        learned,
    })
}
