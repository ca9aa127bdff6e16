//! The serving core: the loaded model, every member's state and precomputed answers, and the
//! event log, behind synchronous methods. A model loads with the answers training computed
//! for it (the answer snapshot); only the members that logged events touch are computed again.
//! Members' lines and answers are kept packed ([`crate::domain::store`],
//! [`crate::domain::table`]) and decoded per request.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use features::{Day, Kind};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

use crate::domain::answer::{Names, answers};
use crate::domain::campaign::Outcome;
use crate::domain::learned::LearnedRanker;
use crate::domain::listing::{page, parse_cursor};
use crate::domain::offers::{OfferView, member_offers};
use crate::domain::partitioning::Partitioning;
pub use crate::domain::policy::{Recommendation, Recommendations};
use crate::domain::store::Member;
use crate::domain::table::AnswerTable;
use crate::domain::{
    ChurnFilter, ChurnPage, MemberAnswer, MemberStore, OrderEvent, Popular, RecommendOptions,
    policy,
};
use crate::eventlog::{EventLog, FoldPolicy, LogRecord, LogStats};
use crate::model::{Loaded, Models};
use crate::{Error, Result};

struct State {
    /// Counts the versions loaded; an event's answers computed under an earlier one are
    /// dropped (the later version's build computed that member again).
    generation: u64,
    /// Log records before this position are applied to this state.
    base_seq: usize,
    models: Arc<Models>,
    store: MemberStore,
    /// Every member's packed answer (`None` for a new member while its first answer is
    /// computed, and for members another replica owns).
    answers: AnswerTable,
    /// The member's line count each answer was computed from (lines only grow, so a larger
    /// count is a later answer).
    computed_lines: Vec<u32>,
    popular: Popular,
    learned: Arc<[LearnedRanker]>,
}

/// Counters of the engine's writes, for `/metrics` (cheap clones share the values).
#[derive(Debug, Clone, Default)]
pub struct EngineStats {
    /// Event lines by outcome (`accepted`, `duplicate`).
    pub events: Family<OutcomeLabel, Counter>,
    /// Reloads by result (`ok`, `failed`; a failed one left the old version serving).
    pub reloads: Family<ResultLabel, Counter>,
}

/// The `outcome` label of event lines.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    /// `accepted` or `duplicate`.
    pub outcome: &'static str,
}

/// The `result` label of reloads.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabel {
    /// `ok` or `failed`.
    pub result: &'static str,
}

impl EngineStats {
    /// Registers the counters with `registry`.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "tiefen_events",
            "Event lines received, by outcome.",
            self.events.clone(),
        );
        registry.register(
            "tiefen_reloads",
            "Model reloads, by result.",
            self.reloads.clone(),
        );
    }

    fn event_lines(&self, outcome: &'static str, n: usize) {
        self.events
            .get_or_create(&OutcomeLabel { outcome })
            .inc_by(n as u64);
    }

    fn reload(&self, result: &'static str) {
        self.reloads.get_or_create(&ResultLabel { result }).inc();
    }
}

/// What an event batch's answers are computed from, taken under the state's lock and used
/// outside it.
struct Work {
    generation: u64,
    models: Arc<Models>,
    learned: Arc<[LearnedRanker]>,
    categories: Arc<features::Vocab>,
    items: Arc<features::Vocab>,
    members: Vec<(u32, Member)>,
}

/// A member id, its answer and its offer types.
pub type MemberRow = (String, Arc<MemberAnswer>, Vec<&'static str>);

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

/// The serving core.
///
/// Reads take the state's read lock for the length of one answer. Writes hold its write lock
/// only to apply lines and to swap answers in: an event batch is committed to the log (in a
/// group with concurrent batches), applied, and its members' answers computed outside the
/// lock, then swapped in per member. `writers` orders applies against a reload, which builds
/// the new version from the log while the old one keeps answering.
pub struct Engine {
    models_dir: PathBuf,
    state: RwLock<State>,
    log: EventLog,
    writers: Mutex<()>,
    stats: EngineStats,
    /// The partitions this replica answers for (`None`: every member).
    owned: Option<Partitioning>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("models_dir", &self.models_dir)
            .finish()
    }
}

/// One order line of a member as the console shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberLine {
    /// Seconds since 1970 (UTC).
    pub ts: i64,
    /// Item id.
    pub item: String,
    /// Category id (empty when the line has none).
    pub category: String,
    /// Quantity (negative for a return).
    pub quantity: f64,
    /// Line money total.
    pub amount: f64,
}

impl Engine {
    /// Loads `models_dir/current`, opens the event log and replays it.
    /// A replica owning `owned`'s partitions (`None`: every member) builds only its own
    /// members' answers and histories (see [`Engine::owning`]).
    pub fn start(
        models_dir: PathBuf,
        event_log: &std::path::Path,
        fold: FoldPolicy,
        owned: Option<Partitioning>,
    ) -> Result<Engine> {
        let loaded = Models::load(&models_dir)?;
        let log = EventLog::open_with(event_log, fold)?;
        Engine::assemble(models_dir, loaded, log, owned)
    }

    /// The engine over an already loaded (or assembled) version, with the event log at
    /// `event_log` replayed onto it; `models_dir` is where a reload looks. The seam for tests
    /// that build the engine from parts.
    pub fn from_parts(
        models_dir: PathBuf,
        loaded: Loaded,
        event_log: &std::path::Path,
    ) -> Result<Engine> {
        Engine::with_log(models_dir, loaded, EventLog::open(event_log)?)
    }

    /// The engine over a loaded version with `log` (open already) replayed onto it.
    pub fn with_log(models_dir: PathBuf, loaded: Loaded, log: EventLog) -> Result<Engine> {
        Engine::assemble(models_dir, loaded, log, None)
    }

    fn assemble(
        models_dir: PathBuf,
        loaded: Loaded,
        log: EventLog,
        owned: Option<Partitioning>,
    ) -> Result<Engine> {
        let state = build(loaded, &log, 0, owned.as_ref())?;
        tracing::info!(
            version = %state.models.version,
            members = state.answers.answered(),
            replayed = state.base_seq,
            "model loaded"
        );
        Ok(Engine {
            models_dir,
            state: RwLock::new(state),
            log,
            writers: Mutex::new(()),
            stats: EngineStats::default(),
            owned,
        })
    }

    /// The engine of a replica that owns the members of `partitioning`'s owned partitions
    /// (`None`: every member): the other members' answers are dropped now and at every reload,
    /// so the lists (churn list, segments, exports, campaign audiences) hold the owned members
    /// only and memory follows the replica's share. Their histories are dropped too, once the
    /// store-wide popularity (the same on every replica) is computed from every member.
    pub fn owning(mut self, partitioning: Option<Partitioning>) -> Engine {
        if partitioning.is_some() && partitioning == self.owned {
            // Built for these partitions already (`Engine::start`).
            return self;
        }
        if let Some(p) = &partitioning {
            let state = self.state.get_mut().unwrap_or_else(|e| e.into_inner());
            let kept = keep_owned(state, p);
            tracing::info!(
                partitions = %p.describe_owned(),
                of = p.count(),
                members = kept,
                "answers and histories kept for the owned partitions' members only"
            );
        }
        self.owned = partitioning;
        self
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }

    fn writers(&self) -> std::sync::MutexGuard<'_, ()> {
        self.writers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The loaded model.
    pub fn models(&self) -> Arc<Models> {
        Arc::clone(&self.read().models)
    }

    /// Members in state.
    pub fn member_count(&self) -> usize {
        self.read().answers.len()
    }

    /// The write counters.
    pub fn stats(&self) -> &EngineStats {
        &self.stats
    }

    /// The event log's commit counters.
    pub fn log_stats(&self) -> &LogStats {
        self.log.stats()
    }

    /// A member's precomputed answer.
    pub fn member(&self, member_id: &str) -> Lookup {
        let s = self.read();
        Lookup {
            version: Arc::clone(&s.models),
            answer: s
                .store
                .id_of(member_id)
                .and_then(|m| s.answer(m))
                .map(Arc::new),
        }
    }

    /// A member's attributes, when known.
    pub fn attributes(&self, member_id: &str) -> Option<features::MemberAttributes> {
        let s = self.read();
        let m = s.store.id_of(member_id)?;
        s.store.members[m as usize].attributes().cloned()
    }

    /// The top `k` ids of `kind` for a member (cold start for an unknown member), by
    /// [`policy::recommendations`].
    pub fn recommendations(
        &self,
        member_id: &str,
        kind: Kind,
        k: usize,
        options: RecommendOptions,
    ) -> Recommendations {
        let s = self.read();
        // The policy reads the picks and own picks only: the segments are not decoded.
        let member = s
            .store
            .id_of(member_id)
            .and_then(|m| Some((&s.store.members[m as usize], s.answers.get(m, None)?)));
        let context = self.context(&s);
        let member = member.as_ref().map(|(m, a)| (policy::Lines::Stored(m), a));
        policy::recommendations(&context, member, kind, k, options)
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
        let segments = s.models.segments.as_ref();
        let all = s
            .store
            .ids
            .names()
            .zip(s.answers.views())
            .enumerate()
            .filter_map(|(m, (id, v))| Some((id, m as u32, v?)));
        let page = page(all, filter, after, segments, |m| {
            s.answers.head(m, segments)
        });
        Ok((page, Arc::clone(&s.models)))
    }

    /// The live segment summary, with the version it is of; `None` when the version has no
    /// segments (models assembled without them).
    pub fn segment_summary(
        &self,
    ) -> Option<(crate::domain::segments::SegmentSummary, Arc<Models>)> {
        let s = self.read();
        let segments = s.models.segments.as_ref()?;
        let views = s.answers.views().flatten();
        let summary = crate::domain::segments::summarise(views, segments);
        Some((summary, Arc::clone(&s.models)))
    }

    /// Every member with an answer, `(member id, answer head, offer types)`, with the version
    /// they are of (a consistent copy taken under one read lock, for work that should not hold
    /// it); the heads carry the churn answer, portrait and segments but no picks; the offer
    /// types are computed only `with_offers`.
    pub fn answers(&self, with_offers: bool) -> (Vec<MemberRow>, Arc<Models>) {
        if !with_offers {
            let s = self.read();
            let all = s
                .store
                .ids
                .names()
                .zip(s.answers.heads(s.models.segments.as_ref()))
                .filter_map(|(id, a)| Some((id.to_string(), Arc::new(a?), Vec::new())))
                .collect();
            return (all, Arc::clone(&s.models));
        }
        // The offers of every member take a while: they are computed on a copy of the state's
        // parts taken under the read lock, so event batches do not wait for them.
        let (store, answers, models, learned, popular) = {
            let s = self.read();
            (
                s.store.clone(),
                s.answers.clone(),
                Arc::clone(&s.models),
                Arc::clone(&s.learned),
                s.popular.clone(),
            )
        };
        let context = policy::Context {
            models: &models,
            store: &store,
            learned: &learned,
            popular: &popular,
        };
        let segments = models.segments.as_ref();
        let all = store
            .ids
            .names()
            .enumerate()
            .filter_map(|(m, id)| {
                let mut a = answers.get(m as u32, segments)?;
                let member = store.member(m as u32);
                let types = member_offers(&context, &member, &a, RecommendOptions::default())
                    .iter()
                    .map(|o| o.kind)
                    .collect();
                a.own_categories = Vec::new();
                a.own_items = Vec::new();
                a.learned = Vec::new();
                Some((id.to_string(), Arc::new(a), types))
            })
            .collect();
        (all, models)
    }

    /// A member's next best offers (`None` for an unknown member), with the version.
    pub fn offers(
        &self,
        member_id: &str,
        options: RecommendOptions,
    ) -> (Option<Vec<OfferView>>, Arc<Models>) {
        let s = self.read();
        let context = self.context(&s);
        let offers = s.store.id_of(member_id).and_then(|m| {
            let answer = s.answer(m)?;
            Some(member_offers(
                &context,
                &s.store.member(m),
                &answer,
                options,
            ))
        });
        (offers, Arc::clone(&s.models))
    }

    fn context<'s>(&self, s: &'s State) -> policy::Context<'s> {
        policy::Context {
            models: &s.models,
            store: &s.store,
            learned: &s.learned,
            popular: &s.popular,
        }
    }

    /// The outcome of each of `member_ids` in `[from, until)` (a zero outcome for a member the
    /// store does not know), and the last day with an order line in the store.
    pub fn outcomes<'a>(
        &self,
        member_ids: impl Iterator<Item = &'a str>,
        from: Day,
        until: Day,
    ) -> (Vec<Outcome>, Option<Day>) {
        let s = self.read();
        let outcomes = member_ids
            .map(|id| {
                s.store.id_of(id).map_or_else(Outcome::default, |m| {
                    Outcome::of(&s.store.members[m as usize].lines(), from, until)
                })
            })
            .collect();
        let last = s
            .store
            .members
            .iter()
            .filter_map(|m| m.lines().last().map(|l| Day::of_ts(l.ts)))
            .max();
        (outcomes, last)
    }

    /// Members per churn-probability bin (`bins` equal bins over `[0, 1]`) and per churn
    /// band, from the current answers.
    pub fn churn_distribution(
        &self,
        bins: usize,
    ) -> (Vec<u64>, std::collections::BTreeMap<&'static str, u64>) {
        let bins = bins.max(1);
        let mut counts = vec![0u64; bins];
        let mut bands = std::collections::BTreeMap::new();
        let s = self.read();
        let views = s.answers.views().flatten();
        for (probability, band) in views.filter_map(|v| v.numbers.churn) {
            let i = ((probability.clamp(0.0, 1.0) * bins as f32) as usize).min(bins - 1);
            counts[i] += 1;
            *bands.entry(band).or_default() += 1;
        }
        (counts, bands)
    }

    /// A member's order lines, oldest first (`None` for an unknown member).
    pub fn member_lines(&self, member_id: &str) -> Option<Vec<MemberLine>> {
        let s = self.read();
        let m = s.store.id_of(member_id)?;
        Some(
            s.store.members[m as usize]
                .lines()
                .iter()
                .map(|l| MemberLine {
                    ts: l.ts,
                    item: s.store.items.name(l.item).to_string(),
                    category: if l.category == features::NO_CATEGORY {
                        String::new()
                    } else {
                        s.store.categories.name(l.category).to_string()
                    },
                    quantity: l.quantity,
                    amount: l.amount,
                })
                .collect(),
        )
    }

    /// Whether the serving version's group table has a group `id`.
    pub fn has_segment_group(&self, id: &str) -> bool {
        let s = self.read();
        let groups = s.models.segments.as_ref().map(|seg| seg.groups());
        groups.is_some_and(|g| g.index_of(id).is_some())
    }

    /// Logs `events` (acknowledged once on disk, committed in a group with concurrent
    /// batches), applies them and swaps their members' new answers in; duplicates of
    /// accepted ids are acknowledged only.
    pub fn ingest(&self, events: Vec<OrderEvent>) -> Result<IngestReport> {
        let committed = self.log.append(events, self.as_of())?;
        let report = IngestReport {
            accepted: committed.records.len(),
            duplicates: committed.duplicates,
        };
        self.stats.event_lines("accepted", report.accepted);
        self.stats.event_lines("duplicate", report.duplicates);
        let Some(work) = self.apply(&committed.records) else {
            return Ok(report);
        };
        let members: Vec<&Member> = work.members.iter().map(|(_, m)| m).collect();
        let names = Names {
            categories: &work.categories,
            items: &work.items,
        };
        let new = answers(&members, &work.models, &work.learned, names)?;
        let mut s = self.write();
        if s.generation == work.generation {
            let segments = work.models.segments.as_ref();
            for ((m, member), a) in work.members.iter().zip(new) {
                let packed = s.answers.pack(&a, segments);
                s.swap_in(*m, member.lines.len() as u32, packed);
            }
        }
        Ok(report)
    }

    /// Applies the committed records this state does not hold yet and takes what their
    /// members' answers are computed from; `None` when there is nothing to compute.
    fn apply(&self, records: &[(usize, LogRecord)]) -> Option<Work> {
        let _writers = self.writers();
        let mut s = self.write();
        let s = &mut *s;
        let mut touched: Vec<u32> = records
            .iter()
            .filter(|(seq, _)| *seq >= s.base_seq)
            .map(|(_, r)| s.store.apply(&r.event))
            .collect();
        if touched.is_empty() {
            return None;
        }
        touched.sort_unstable();
        touched.dedup();
        if let Some(&last) = touched.last() {
            let n = last as usize + 1;
            if s.computed_lines.len() < n {
                s.answers.grow(n);
                s.computed_lines.resize(n, 0);
            }
        }
        Some(Work {
            generation: s.generation,
            models: Arc::clone(&s.models),
            learned: Arc::clone(&s.learned),
            categories: Arc::clone(&s.store.categories),
            items: Arc::clone(&s.store.items),
            members: touched
                .into_iter()
                .map(|m| (m, s.store.member(m)))
                .collect(),
        })
    }

    /// Loads `models_dir/current` again and swaps it in with its precomputed answers (the
    /// members of logged events computed again); on failure the old model keeps serving and
    /// the error says why. Reads go on against the old version while the new one builds;
    /// event batches wait to be applied until it is swapped in.
    pub fn reload(&self) -> Result<String> {
        let built = {
            let _writers = self.writers();
            Models::load(&self.models_dir).and_then(|loaded| {
                let generation = self.read().generation + 1;
                let state = build(loaded, &self.log, generation, self.owned.as_ref())?;
                let version = state.models.version.clone();
                let old = std::mem::replace(&mut *self.write(), state);
                Ok((version, old))
            })
        };
        match built {
            Ok((version, old)) => {
                // The old version is dropped outside every lock.
                drop(old);
                self.stats.reload("ok");
                tracing::info!(%version, "model reloaded");
                Ok(version)
            }
            Err(e) => {
                self.stats.reload("failed");
                Err(e)
            }
        }
    }

    /// The as-of date of the loaded model.
    pub fn as_of(&self) -> Day {
        self.read().models.churn.as_of
    }
}

/// The serving state of a loaded version: its member store with the logged events that apply
/// to it, training's answers for every member, and fresh answers for the members those
/// events touch (new members included).
fn build(
    loaded: Loaded,
    log: &EventLog,
    generation: u64,
    owned: Option<&Partitioning>,
) -> Result<State> {
    let Loaded {
        models,
        state: member_state,
        answers: snapshot,
    } = loaded;
    let mut store = member_state;
    let as_of = models.churn.as_of;
    let mut touched: Vec<u32> = Vec::new();
    let replayed = log.replay(|r| {
        if r.applies_to(as_of) {
            touched.push(store.apply(&r.event));
        }
    })?;
    // Members the snapshot has no answer for (parts assembled without one) are computed too.
    touched.extend(snapshot.len() as u32..store.members.len() as u32);
    touched.sort_unstable();
    touched.dedup();
    let popular = Popular::compute(&store, as_of);
    let params = models
        .recommend
        .as_ref()
        .map(|m| m.candidates)
        .unwrap_or_default();
    let learned: Arc<[LearnedRanker]> = models
        .rankers
        .iter()
        .map(|r| LearnedRanker::resolve(r, &mut store, params))
        .collect();
    let sample = tract_check_sample(&store, as_of);
    let dated: Vec<(&Member, Day)> = sample.iter().map(|(m, d)| (m, *d)).collect();
    for (ranker, loaded) in learned.iter().zip(&models.rankers) {
        let rows = ranker.check_against_tract(loaded, &dated)?;
        tracing::info!(kind = ?ranker.kind, rows, "native ranker agrees with tract");
    }
    let rows = crate::domain::answer::check_churn_against_tract(
        &models,
        &dated,
        crate::domain::learned::TRACT_CHECK_MEMBERS,
    )?;
    tracing::info!(rows, "native churn model agrees with tract");
    drop(dated);
    drop(sample);
    // A partitioned replica keeps its own members only: the others' histories are dropped
    // before any answer is packed (the popular ids above counted every member).
    let mask = owned.map(|p| owned_mask(&store, p));
    let keep = |m: u32| mask.as_ref().is_none_or(|k| k[m as usize]);
    for m in 0..store.members.len() as u32 {
        if !keep(m) {
            store.forget(m);
        }
    }
    touched.retain(|&m| keep(m));
    let mut table = answer_table(&snapshot, &store, &models, &learned, &keep)?;
    drop(snapshot);
    let members: Vec<Member> = touched.iter().map(|&m| store.member(m)).collect();
    let refs: Vec<&Member> = members.iter().collect();
    let fresh = crate::domain::answer::answers(&refs, &models, &learned, Names::of(&store))?;
    let segments = models.segments.as_ref();
    for (m, a) in touched.iter().zip(fresh) {
        let packed = table.pack(&a, segments);
        table.put(*m, packed, segments);
    }
    table.grow(store.members.len());
    let computed_lines = store
        .members
        .iter()
        .map(|m| m.line_count() as u32)
        .collect();
    Ok(State {
        generation,
        base_seq: replayed,
        models: Arc::new(models),
        store,
        answers: table,
        computed_lines,
        popular,
        learned,
    })
}

/// Up to [`crate::domain::learned::TRACT_CHECK_MEMBERS`] members with lines, spread over the
/// store, unpacked with their answer days: the rows the native evaluators are checked on.
fn tract_check_sample(store: &MemberStore, as_of: Day) -> Vec<(Member, Day)> {
    let with_lines: Vec<u32> = (0..store.members.len() as u32)
        .filter(|&m| store.members[m as usize].line_count() > 0)
        .collect();
    let step = with_lines
        .len()
        .div_ceil(crate::domain::learned::TRACT_CHECK_MEMBERS)
        .max(1);
    with_lines
        .iter()
        .step_by(step)
        .map(|&m| {
            let member = store.member(m);
            let day = member.answer_day(as_of);
            (member, day)
        })
        .collect()
}

/// Training's answers as this state keeps them: each snapshot record with the member's
/// segments packed in front, its lists in the order of this state's rankers (records are
/// decoded and packed again only when the snapshot lists them in another order;
/// `Models::load` checked that the snapshot has every ranker's kind).
fn answer_table(
    snapshot: &features::contract::PackedAnswers,
    store: &MemberStore,
    models: &Models,
    learned: &[LearnedRanker],
    keep: &dyn Fn(u32) -> bool,
) -> Result<AnswerTable> {
    let kinds: Vec<Kind> = learned.iter().map(|r| r.kind).collect();
    let same_order = snapshot.codec.kinds() == kinds.as_slice();
    let mut table = AnswerTable::new(snapshot.codec.with_kinds(&kinds));
    table.grow(store.members.len());
    let segments = models.segments.as_ref();
    let bad = |e: std::io::Error| Error::Model {
        dir: models.dir.clone(),
        reason: format!("{}: {e}", features::contract::layout::ANSWERS_FILE),
    };
    for (m, record) in snapshot.records().enumerate() {
        if !keep(m as u32) {
            continue;
        }
        let member = store.member(m as u32);
        let as_of = snapshot.codec.numbers(record).map_err(bad)?.as_of;
        let segment = segments.and_then(|s| Some((s, s.answer(&member.history(), as_of)?)));
        let packed = if same_order {
            table.pack_record(record, segment.as_ref().map(|(s, a)| (*s, a)))
        } else {
            let mut a = snapshot.codec.decode(record).map_err(bad)?;
            let mut lists = std::mem::take(&mut a.learned);
            a.learned = kinds
                .iter()
                .map(|k| {
                    let j = snapshot.codec.kinds().iter().position(|x| x == k);
                    j.map(|j| std::mem::take(&mut lists[j])).unwrap_or_default()
                })
                .collect();
            a.segment = segment.map(|(_, s)| s);
            table.pack(&a, segments)
        };
        table.put(m as u32, packed, segments);
    }
    Ok(table)
}

/// Drops the answers and histories of the members `p` does not own; the owned members with an
/// answer.
fn keep_owned(state: &mut State, p: &Partitioning) -> usize {
    let mask = owned_mask(&state.store, p);
    for (m, _) in mask.iter().enumerate().filter(|(_, owned)| !**owned) {
        state.answers.remove(m as u32);
        state.store.forget(m as u32);
    }
    state.answers.answered()
}

/// Per member of `store`, whether `p` owns it.
fn owned_mask(store: &MemberStore, p: &Partitioning) -> Vec<bool> {
    store.ids.names().map(|id| p.check(id).is_ok()).collect()
}

impl State {
    fn answer(&self, m: u32) -> Option<MemberAnswer> {
        self.answers.get(m, self.models.segments.as_ref())
    }

    /// Puts a member's new packed answer in unless a later one (from more lines) is there
    /// already.
    fn swap_in(&mut self, m: u32, lines: u32, packed: Box<[u8]>) {
        let i = m as usize;
        if !self.answers.has(m) || lines >= self.computed_lines[i] {
            self.answers.put(m, packed, self.models.segments.as_ref());
            self.computed_lines[i] = lines;
        }
    }
}
