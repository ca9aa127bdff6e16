//! The dataset generated window by window, so that order lines never have to be held all at once.
//!
//! Every member is simulated up to the end of a window (a week), paused there (see
//! [`MemberSim`]'s horizon), and the window's lines are sorted and handed on before the next
//! window starts. Only the members' simulation states and one window of lines are held: memory
//! grows with the number of members, not with the number of lines. The output is byte-identical
//! to generating everything first: pausing a member draws nothing, lines are ordered by
//! `(ts, member number, the member's own order)` within each window and windows follow each
//! other in time, and categories are blanked by one random stream over the lines in output
//! order.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::catalog::Catalog;
use super::output::{MemberRecord, OrderLine, RawLine, Tier, join_order, member_id, order_line};
use super::params::SynthValidParams;
use super::simulate::{MemberSim, catalog_of, day_number, start_members};

/// Days per window of generated lines.
pub(crate) const WINDOW_DAYS: i64 = 7;

/// Blanks the category of about `share` of the lines it is shown, in the order shown, drawing
/// from ChaCha8 stream `stream` of `seed`: the same lines in the same order in one call or in
/// many give the same blanks.
pub(crate) struct Blanker {
    rng: ChaCha8Rng,
    share: f64,
}

impl Blanker {
    pub(crate) fn new(share: f64, seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Self { rng, share }
    }

    pub(crate) fn apply(&mut self, orders: &mut [OrderLine]) {
        if self.share <= 0.0 {
            return;
        }
        for order in orders {
            if self.rng.random_bool(self.share) {
                order.category.clear();
            }
        }
    }
}

/// A simulated line waiting for its window: `(member number from 0, the member's own line
/// number, the line)`.
type Pending = (usize, usize, RawLine);

/// Generates the dataset of `params` window by window: calls `sink` with each window's order
/// lines, sorted as [`super::SynthData::orders`] is, and returns the members table (in id
/// order, tiers as of the last day) once every line has been handed on. Stops at the first
/// error of `sink`.
pub fn stream_orders<E>(
    params: &SynthValidParams,
    mut sink: impl FnMut(Vec<OrderLine>) -> Result<(), E>,
) -> Result<Vec<MemberRecord>, E> {
    let p = params.as_params();
    let catalog = catalog_of(p);
    let (start, end) = (day_number(p.start), day_number(p.end));
    let mut sims = start_members(p, &catalog, start - 1);
    let order = join_order(sims.iter().map(|s| &s.profile));
    let ids: Vec<String> = (1..=order.len()).map(member_id).collect();
    let mut numbered = vec![0; order.len()];
    for (m, &i) in order.iter().enumerate() {
        numbered[i] = m;
    }
    let mut taken = vec![0usize; sims.len()];
    let mut later: Vec<Pending> = Vec::new();
    let mut blanker = Blanker::new(p.empty_category_share, p.seed, u64::MAX);
    let mut horizon = start - 1;
    loop {
        let window: Vec<Pending>;
        (window, later) = take_lines(&mut sims, &numbered, &mut taken)
            .chain(std::mem::take(&mut later))
            .filter(|(.., line)| line.bought >= start && line.day <= end)
            .partition(|(.., line)| line.day <= horizon);
        let mut lines = sorted_lines(&catalog, &ids, window);
        blanker.apply(&mut lines);
        if !lines.is_empty() {
            sink(lines)?;
        }
        if horizon >= end {
            break;
        }
        horizon = (horizon + WINDOW_DAYS).min(end);
        for sim in &mut sims {
            sim.advance(horizon);
        }
    }
    Ok(members_table(&sims, &order, ids))
}

/// Takes every line the members have simulated so far out of them, numbered by member.
fn take_lines<'s>(
    sims: &'s mut [MemberSim<'_>],
    numbered: &'s [usize],
    taken: &'s mut [usize],
) -> impl Iterator<Item = Pending> + 's {
    sims.iter_mut()
        .zip(taken.iter_mut())
        .enumerate()
        .flat_map(move |(i, (sim, taken))| {
            let lines = std::mem::take(&mut sim.lines);
            let first = *taken;
            *taken += lines.len();
            let m = numbered[i];
            lines
                .into_iter()
                .enumerate()
                .map(move |(k, line)| (m, first + k, line))
        })
}

/// A window's lines as order lines, by `(ts, member number, the member's own order)`.
fn sorted_lines(catalog: &Catalog, ids: &[String], window: Vec<Pending>) -> Vec<OrderLine> {
    let mut keyed: Vec<_> = window
        .into_iter()
        .map(|(m, seq, line)| {
            let order = order_line(catalog, &ids[m], &line);
            ((order.ts, m, seq), order)
        })
        .collect();
    keyed.sort_unstable_by_key(|(key, _)| *key);
    keyed.into_iter().map(|(_, order)| order).collect()
}

/// The members table in id order, each member's tier from their spend up to the last day.
fn members_table(sims: &[MemberSim<'_>], order: &[usize], ids: Vec<String>) -> Vec<MemberRecord> {
    order
        .iter()
        .zip(ids)
        .map(|(&i, member_id)| {
            let profile = &sims[i].profile;
            MemberRecord {
                member_id,
                joined: profile.joined,
                birthday: profile.birthday,
                age_group: profile.age_group.map(str::to_owned),
                region: profile.region.to_owned(),
                tier: Tier::for_spend(sims[i].spend),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::synth::output::blank_categories;
    use crate::synth::simulate::simulate_members;
    use crate::synth::{SynthParams, generate};

    /// The dataset as it was generated before streaming: every member simulated to the end at
    /// once, every line sorted together, categories blanked over the whole sorted list.
    fn all_at_once(p: &SynthParams) -> Vec<OrderLine> {
        let catalog = catalog_of(p);
        let sims = simulate_members(p, &catalog);
        let order = join_order(sims.iter().map(|s| &s.profile));
        let (start, end) = (day_number(p.start), day_number(p.end));
        let mut keyed = Vec::new();
        for (m, &i) in order.iter().enumerate() {
            let id = member_id(m + 1);
            for (seq, line) in sims[i].lines.iter().enumerate() {
                if line.bought >= start && line.day <= end {
                    let o = order_line(&catalog, &id, line);
                    keyed.push(((o.ts, m, seq), o));
                }
            }
        }
        keyed.sort_by_key(|(key, _)| *key);
        let mut orders: Vec<OrderLine> = keyed.into_iter().map(|(_, o)| o).collect();
        blank_categories(&mut orders, p.empty_category_share, p.seed, u64::MAX);
        orders
    }

    #[test]
    fn window_by_window_equals_all_at_once() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let shapes = [
            SynthParams::default()
                .with_members(400)
                .with_end(date(2023, 12, 31)),
            SynthParams::default()
                .with_seed(5)
                .with_members(250)
                .with_start(date(2022, 3, 15))
                .with_end(date(2022, 5, 2))
                .with_empty_category_share(0.2),
            SynthParams::default()
                .with_seed(9)
                .with_members(150)
                .with_end(date(2023, 2, 3))
                .with_return_rate(0.2),
        ];
        for p in shapes {
            let data = generate(&p.clone().check().unwrap());
            let reference = all_at_once(&p);
            assert!(!reference.is_empty());
            assert_eq!(data.orders, reference, "{p:?}");
            let mut windows = 0;
            stream_orders(&p.check().unwrap(), |w| {
                assert!(!w.is_empty());
                windows += 1;
                Ok::<_, ()>(())
            })
            .unwrap();
            assert!(windows > 1);
        }
    }
}
