//! The order lines of a campaign's outcome window, with a known treatment effect.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::Path;

use chrono::NaiveDateTime;

use super::assignment::{Arm, Assignment};
use super::catalog::Catalog;
use super::error::Result;
use super::output::{
    ORDERS_HEADER, OrderLine, RawLine, blank_categories, join_order, member_id, order_line,
    write_atomically, write_order_line,
};
use super::params::{SynthParams, SynthValidParams};
use super::simulate::{catalog_of, simulate_members};
use super::treatment::{OutcomeValidParams, Shopper};

/// Added to the dataset seed for blanking categories in the window (stream: member number,
/// with the top bit set for extra orders).
const BLANK_SALT: u64 = 0x626c_616e_6b5f_7769;

/// One order line of the window.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeLine {
    /// `outcome-<from>-<member_id>-<k>` for the member's k-th baseline line in the window
    /// starting on `<from>` (`YYYYMMDD`; k from 1, in simulation order), and
    /// `outcome-<from>-<member_id>-x<k>` for the lines of the treatment's extra order. The
    /// baseline ids depend on neither the assignment nor the effect.
    pub event_id: String,
    /// The line itself.
    pub order: OrderLine,
    /// Whether the line belongs to a treatment's extra order.
    pub extra: bool,
}

/// The true effect of the treatment in one group, for the realised draws. Members of the
/// group who are not treated do not change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupTruth {
    /// The group, `None` for assigned members without one.
    pub group: Option<String>,
    /// The effect configured for the group.
    pub effect: f64,
    /// Treated members.
    pub treated: usize,
    /// Control members.
    pub control: usize,
    /// Treated members given an extra order (each gets at most one).
    pub extra_orders: usize,
    /// Total amount of the extra orders, whole NT$.
    pub extra_spend: i64,
    /// Treated members given an extra order without any baseline purchase in the window.
    pub new_buyers: usize,
}

impl GroupTruth {
    /// Extra orders per treated member: the realised uplift in orders per member.
    pub fn orders_uplift(&self) -> f64 {
        ratio(self.extra_orders as f64, self.treated)
    }

    /// New buyers per treated member: the realised uplift in conversion.
    pub fn conversion_uplift(&self) -> f64 {
        ratio(self.new_buyers as f64, self.treated)
    }

    /// Extra spend per treated member: the realised uplift in spend per member.
    pub fn spend_uplift(&self) -> f64 {
        ratio(self.extra_spend as f64, self.treated)
    }
}

fn ratio(x: f64, n: usize) -> f64 {
    if n == 0 { 0.0 } else { x / n as f64 }
}

/// The window's lines and the true effect per group.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Lines dated in the window, sorted by `ts`, then member, baseline before extra.
    pub lines: Vec<OutcomeLine>,
    /// The truth per assigned group, in group order (`None` first).
    pub groups: Vec<GroupTruth>,
}

/// Simulates the order lines of the window of `outcome` after the dataset of `params`, for the
/// campaign `assignment`. Deterministic: equal inputs give byte-identical CSV.
///
/// **Baseline.** Every member (treated, control, or not in the campaign) shops in the window
/// exactly as the generator's own simulation continues past the dataset's `end`: each member
/// is paused at `end` with their pending next purchase day and carries on from there with the
/// rest of their own random stream, so the dataset is unchanged and a shorter window's lines
/// are the start of a longer one's. (Generating with a later `end` is *not* a continuation:
/// join dates and birthdays are drawn relative to `end`.) Returns of purchases made before the
/// window that fall in it are included; members joining after `end` are not simulated.
///
/// **Treatment.** A treated member of group `g` gets, with probability `effect(g)` (a draw
/// keyed by the member, independent of every baseline draw), one extra purchase day in the
/// window, on a day without any baseline line of theirs, never returned; nothing else
/// changes. Hence, among the treated of `g`, compared with their own baseline:
/// - orders per member rise by exactly `effect(g)` in expectation (each extra order is one
///   more distinct purchase day and timestamp);
/// - conversion (at least one purchase line) rises by `effect(g)` times the share of members
///   without a baseline purchase in the window;
/// - spend per member rises by `effect(g)` times the mean amount of an extra order.
///
/// [`Outcome::groups`] gives these three for the realised draws ([`GroupTruth`]); a report's
/// treated-minus-control difference estimates them, with the baseline's sampling noise.
pub fn simulate_outcome(
    params: &SynthValidParams,
    assignment: &Assignment,
    outcome: &OutcomeValidParams,
) -> Outcome {
    let p = params.as_params();
    let catalog = catalog_of(p);
    let mut sims = simulate_members(p, &catalog);
    let no_returns = SynthParams {
        return_rate: 0.0,
        ..p.clone()
    };
    let window = outcome.window();
    let prefix = format!("outcome-{}", outcome.from.format("%Y%m%d"));
    let mut truth: BTreeMap<Option<String>, GroupTruth> = BTreeMap::new();
    let mut keyed = Vec::new();
    for (m, i) in join_order(sims.iter().map(|s| &s.profile))
        .into_iter()
        .enumerate()
    {
        let (number, sim) = (m + 1, &mut sims[i]);
        let assigned = assignment.get(number);
        let treated = assigned.filter(|a| a.arm == Arm::Treated);
        let shopper = treated.map(|_| Shopper {
            profile: sim.profile.clone(),
            spend: sim.spend,
            catalog: &catalog,
            params: &no_returns,
        });
        sim.extend(window.end - 1);
        let baseline: Vec<RawLine> = sim
            .lines
            .iter()
            .filter(|l| window.contains(&l.day))
            .copied()
            .collect();
        keyed.extend(keyed_lines(&catalog, p, &prefix, m, &baseline, false));
        let Some(a) = assigned else { continue };
        let effect = outcome.effect.for_group(a.group.as_deref());
        let t = truth.entry(a.group.clone()).or_insert_with(|| GroupTruth {
            group: a.group.clone(),
            effect,
            ..GroupTruth::default()
        });
        let Some(shopper) = shopper else {
            t.control += 1;
            continue;
        };
        t.treated += 1;
        let busy: Vec<i64> = baseline.iter().map(|l| l.day).collect();
        let extra = shopper.extra_order(p.seed, number, effect, window.clone(), &busy);
        if !extra.is_empty() {
            t.extra_orders += 1;
            t.extra_spend += extra.iter().map(|l| l.amount).sum::<i64>();
            t.new_buyers += usize::from(baseline.iter().all(|l| l.quantity < 0));
        }
        keyed.extend(keyed_lines(&catalog, p, &prefix, m, &extra, true));
    }
    keyed.sort_by_key(|(key, _)| *key);
    Outcome {
        lines: keyed.into_iter().map(|(_, line)| line).collect(),
        groups: truth.into_values().collect(),
    }
}

/// Sort key of a window line: time, member (join position), baseline first, line number.
type LineKey = (NaiveDateTime, usize, bool, usize);

/// The `raw` lines of member `m` (join position, `M{m+1}`), exported with event ids starting
/// with `prefix` and their categories blanked on the member's own stream (extra orders on
/// another one).
fn keyed_lines(
    catalog: &Catalog,
    p: &SynthParams,
    prefix: &str,
    m: usize,
    raw: &[RawLine],
    extra: bool,
) -> Vec<(LineKey, OutcomeLine)> {
    let id = member_id(m + 1);
    let mut orders: Vec<OrderLine> = raw.iter().map(|l| order_line(catalog, &id, l)).collect();
    let stream = (m as u64 + 1) | u64::from(extra) << 63;
    let seed = p.seed.wrapping_add(BLANK_SALT);
    blank_categories(&mut orders, p.empty_category_share, seed, stream);
    let tag = if extra { "x" } else { "" };
    orders
        .into_iter()
        .enumerate()
        .map(|(k, order)| {
            let event_id = format!("{prefix}-{id}-{tag}{}", k + 1);
            let line = OutcomeLine {
                event_id,
                order,
                extra,
            };
            ((line.order.ts, m, extra, k), line)
        })
        .collect()
}

impl Outcome {
    /// Writes the lines as CSV for `POST /v1/events`: header `event_id` then
    /// [`ORDERS_HEADER`] (`event_id,member_id,ts,item_id,category,quantity,amount`), `ts` as
    /// `YYYY-MM-DDTHH:MM:SS`.
    pub fn write_csv<W: Write>(&self, writer: W) -> Result<()> {
        let mut w = csv::Writer::from_writer(writer);
        w.write_record(std::iter::once("event_id").chain(ORDERS_HEADER))?;
        for line in &self.lines {
            write_order_line(&mut w, &[&line.event_id], &line.order)?;
        }
        w.flush().map_err(csv::Error::from)?;
        Ok(())
    }

    /// Writes the CSV to `path`, through a temporary file renamed into place.
    pub fn write_to_file(&self, path: &Path) -> Result<()> {
        write_atomically(path, |f| self.write_csv(f))
    }

    /// The truth summed over all groups (`group` is `None`, `effect` the mean effect given).
    pub fn total(&self) -> GroupTruth {
        let mut total = GroupTruth::default();
        for g in &self.groups {
            total.treated += g.treated;
            total.control += g.control;
            total.extra_orders += g.extra_orders;
            total.extra_spend += g.extra_spend;
            total.new_buyers += g.new_buyers;
            total.effect += g.effect * g.treated as f64;
        }
        total.effect = ratio(total.effect, total.treated);
        total
    }
}

/// One line: lines written, treated members and extra orders overall and per group, e.g.
/// `1234 lines; 400 treated, 41 extra orders (champions 30/100, at_risk 11/300)`.
impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.total();
        write!(
            f,
            "{} lines; {} treated, {} extra orders",
            self.lines.len(),
            total.treated,
            total.extra_orders
        )?;
        let groups: Vec<String> = self
            .groups
            .iter()
            .map(|g| {
                let name = g.group.as_deref().unwrap_or("(no group)");
                format!("{name} {}/{}", g.extra_orders, g.treated)
            })
            .collect();
        if !groups.is_empty() {
            write!(f, " ({})", groups.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "outcome_tests.rs"]
mod tests;
