//! The member-by-member simulation: when each member shops, and when they stop.

use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1, Gamma, StandardNormal};

use super::calendar::{self, MAX_TRAFFIC};
use super::catalog::Catalog;
use super::members::{Profile, draw_profile};
use super::output::{RawLine, SynthData};
use super::params::{SynthParams, SynthValidParams};
use super::stream::stream_orders;

/// Day number (days since 0001-01-01, the chrono "CE" count) of a date.
pub(crate) fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

/// The date of a day number.
pub(crate) fn date_of(day: i64) -> NaiveDate {
    i32::try_from(day)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or(NaiveDate::MAX)
}

/// What brings a member to the shop on a purchase day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TripKind {
    /// The sign-up purchase.
    First,
    /// A favourite category ran out.
    Due,
    /// Unplanned, more likely on busy days and sales.
    Impulse,
    /// Spending the birthday-month coupon, often on a gift.
    Birthday,
}

/// Generates the whole dataset: catalogue, members and every order line, deterministically
/// from `params.seed`. Member `i` (before sorting by join date) draws from ChaCha8 stream
/// `i + 1`, so adding members leaves the earlier ones unchanged. Holds every line: for large
/// datasets, [`stream_orders`] hands them on window by window instead.
pub fn generate(params: &SynthValidParams) -> SynthData {
    let mut orders = Vec::new();
    let members = stream_orders(params, |window| {
        orders.extend(window);
        Ok::<_, std::convert::Infallible>(())
    });
    match members {
        Ok(members) => SynthData { members, orders },
        Err(never) => match never {},
    }
}

/// The catalogue of a dataset, drawn first from the main stream of `p.seed`.
pub(crate) fn catalog_of(p: &SynthParams) -> Catalog {
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
    Catalog::generate(&mut rng, p.items_per_category)
}

/// Every member simulated up to `p.end`, in draw order (not yet in join order). Each is
/// paused there, so [`MemberSim::extend`] can carry it on past the end.
pub(crate) fn simulate_members<'a>(p: &'a SynthParams, catalog: &'a Catalog) -> Vec<MemberSim<'a>> {
    start_members(p, catalog, day_number(p.end))
}

/// Every member drawn and simulated up to `horizon` (at most `p.end`), in draw order; each is
/// paused there, so [`MemberSim::advance`] carries it on.
pub(crate) fn start_members<'a>(
    p: &'a SynthParams,
    catalog: &'a Catalog,
    horizon: i64,
) -> Vec<MemberSim<'a>> {
    (0..p.members)
        .map(|i| {
            let mut member_rng = ChaCha8Rng::seed_from_u64(p.seed);
            member_rng.set_stream(i as u64 + 1);
            let profile = draw_profile(&mut member_rng, p, catalog);
            let mut sim = MemberSim::new(p, catalog, member_rng, profile);
            sim.stop = horizon.min(sim.end);
            sim.run();
            sim
        })
        .collect()
}

/// How far past the dataset's `end` a continued member draws its pending purchase days
/// (21 years), so that the continuation does not depend on where it stops.
pub(crate) const CONTINUATION_DAYS: i64 = 21 * 366;

/// One member's simulation state.
///
/// The simulation stops at a horizon (`stop`) and pauses there, holding the pending candidates
/// for the next purchase day, so [`MemberSim::extend`] can carry on from exactly where the
/// member stood without redoing any earlier draw. Candidates are only drawn up to `end`: the
/// dataset's `end` for the dataset itself, [`CONTINUATION_DAYS`] later once continued.
pub(crate) struct MemberSim<'a> {
    pub(crate) p: &'a SynthParams,
    pub(crate) catalog: &'a Catalog,
    pub(crate) rng: ChaCha8Rng,
    pub(crate) profile: Profile,
    pub(crate) lines: Vec<RawLine>,
    pub(crate) spend: f64,
    pub(crate) end: i64,
    stop: i64,
    state: Option<Pending>,
}

/// Where a member who is still shopping stands at the horizon.
#[derive(Debug, Clone, Copy)]
struct Pending {
    /// The last purchase day, or the first one while `trips == 0`.
    day: i64,
    trips: u32,
    /// No purchase day before this one (the day after the last, or the end of a lapse).
    floor: i64,
    /// Next impulse day, drawn from `impulse_from`; `i64::MAX` when beyond the horizon.
    impulse: i64,
    impulse_from: i64,
    /// Next birthday-coupon day, drawn from `birthday_from`; `i64::MAX` when beyond the horizon.
    birthday: i64,
    birthday_from: i64,
    /// Next day a favourite runs out (after [`MemberSim::due_trip_day`]).
    due: i64,
}

impl<'a> MemberSim<'a> {
    pub(crate) fn new(
        p: &'a SynthParams,
        catalog: &'a Catalog,
        rng: ChaCha8Rng,
        profile: Profile,
    ) -> Self {
        Self {
            p,
            catalog,
            rng,
            profile,
            lines: Vec::new(),
            spend: 0.0,
            end: day_number(p.end),
            stop: day_number(p.end),
            state: None,
        }
    }

    /// Runs the member from sign-up until they leave or the horizon is reached.
    fn run(&mut self) {
        if self.rng.random_bool(self.p.never_buy_share) {
            return;
        }
        let joined = day_number(self.profile.joined);
        let mut day = joined;
        if !self.rng.random_bool(0.85) {
            day += (self.rng.sample::<f64, _>(Exp1) * 20.0).ceil() as i64;
        }
        for i in 0..self.profile.favourites.len() {
            let cycle = self.profile.favourites[i].cycle;
            self.profile.favourites[i].next_due = day + self.rng.random_range(1.0..cycle) as i64;
        }
        let impulse = self.next_impulse(day + 1);
        let birthday = self.next_birthday_trip(day + 1);
        self.state = Some(Pending {
            day,
            trips: 0,
            floor: day,
            impulse,
            impulse_from: day + 1,
            birthday,
            birthday_from: day + 1,
            due: i64::MAX,
        });
        self.resume();
    }

    /// Moves the horizon to `horizon` (never backwards) and simulates the member's further
    /// purchase days. On the first call, candidates cut off at the dataset's `end` are drawn
    /// again from the day after it, now up to [`CONTINUATION_DAYS`] later: impulse days are a
    /// Poisson process, birthday trips are drawn per year and due days are drawn only when
    /// reached, so nothing already drawn is lost. Later calls only carry on, so the lines up
    /// to a horizon do not depend on any later one.
    pub(crate) fn extend(&mut self, horizon: i64) {
        self.stop = self.stop.max(horizon);
        let old = self.end;
        self.end = old.max(day_number(self.p.end) + CONTINUATION_DAYS);
        let Some(mut s) = self.state else {
            return;
        };
        if self.end > old {
            if s.impulse == i64::MAX {
                s.impulse_from = s.impulse_from.max(old + 1);
                s.impulse = self.next_impulse(s.impulse_from);
            }
            if s.birthday == i64::MAX {
                let next_year = date_of(old).year() + 1;
                let january = NaiveDate::from_ymd_opt(next_year, 1, 1).map_or(i64::MAX, day_number);
                s.birthday_from = s.birthday_from.max(january);
                s.birthday = self.next_birthday_trip(s.birthday_from);
            }
            if s.trips > 0 && s.due == i64::MAX {
                s.due = self.due_trip_day(s.floor);
            }
        }
        self.state = Some(s);
        self.resume();
    }

    /// Moves the horizon to `horizon` (never backwards, never past the current `end`) and
    /// simulates the purchase days up to it. Pausing draws nothing, so a member advanced in
    /// steps has exactly the lines of one advanced at once.
    pub(crate) fn advance(&mut self, horizon: i64) {
        self.stop = self.stop.max(horizon.min(self.end));
        self.resume();
    }

    /// Simulates purchase days from the pending state until the member leaves (`state`
    /// becomes `None`) or the next purchase day is beyond the horizon.
    fn resume(&mut self) {
        let Some(mut s) = self.state else {
            return;
        };
        let mut kind = TripKind::First;
        loop {
            if s.trips > 0 {
                let next;
                (next, kind) = [
                    (s.due, TripKind::Due),
                    (s.impulse, TripKind::Impulse),
                    (s.birthday, TripKind::Birthday),
                ]
                .into_iter()
                .min_by_key(|(d, _)| *d)
                .unwrap_or((i64::MAX, TripKind::Due));
                if next > self.stop {
                    self.state = Some(s);
                    return;
                }
                let ratio = (next - s.day) as f64 / self.usual_gap();
                let stay = (-self.p.gap_hazard * self.profile.frailty * ratio * ratio).exp();
                if !self.rng.random_bool(stay.clamp(0.0, 1.0)) {
                    self.state = None;
                    return;
                }
                if next == s.impulse {
                    s.impulse_from = next + 1;
                    s.impulse = self.next_impulse(s.impulse_from);
                }
                if next == s.birthday {
                    s.birthday_from = next + 1;
                    s.birthday = self.next_birthday_trip(s.birthday_from);
                }
                s.day = next;
            } else if s.day > self.stop {
                self.state = Some(s);
                return;
            }
            self.trip(s.day, kind);
            s.trips += 1;
            if s.trips == 1 && self.rng.random_bool(self.p.one_time_share) {
                self.state = None;
                return;
            }
            s.floor = s.day + 1;
            if self.rng.random_bool(self.p.lapse_rate) {
                let z: f64 = self.rng.sample(StandardNormal);
                s.floor = s.day + (self.p.lapse_days * (0.5 * z).exp()).ceil() as i64;
                for f in &mut self.profile.favourites {
                    f.next_due = f.next_due.max(s.floor + (f.cycle * 0.5) as i64);
                }
            }
            if s.impulse < s.floor {
                s.impulse_from = s.floor;
                s.impulse = self.next_impulse(s.floor);
            }
            if s.birthday < s.floor {
                s.birthday_from = s.floor;
                s.birthday = self.next_birthday_trip(s.floor);
            }
            s.due = self.due_trip_day(s.floor);
        }
    }

    /// Expected days between purchase days from the current favourites' cycles and impulse
    /// trips together.
    fn usual_gap(&self) -> f64 {
        let rate: f64 = self
            .profile
            .favourites
            .iter()
            .map(|f| 1.0 / f.cycle)
            .sum::<f64>()
            + self.impulse_rate();
        1.0 / rate.max(1e-6)
    }

    fn impulse_rate(&self) -> f64 {
        self.p.impulse_per_month / 30.0 * self.profile.activity
    }

    /// The next impulse day on or after `from`: a Poisson process thinned by [`calendar::traffic`].
    fn next_impulse(&mut self, from: i64) -> i64 {
        let top = self.impulse_rate() * MAX_TRAFFIC;
        if top <= 0.0 {
            return i64::MAX;
        }
        let mut t = from as f64;
        loop {
            t += self.rng.sample::<f64, _>(Exp1) / top;
            let day = t.floor() as i64;
            if day > self.end {
                return i64::MAX;
            }
            if self.rng.random::<f64>() * MAX_TRAFFIC < calendar::traffic(date_of(day)) {
                return day;
            }
        }
    }

    /// A day in a coming birthday month (on or after `from`) when the member uses the coupon.
    fn next_birthday_trip(&mut self, from: i64) -> i64 {
        let Some(birthday) = self.profile.birthday else {
            return i64::MAX;
        };
        let mut year = date_of(from).year();
        while year <= date_of(self.end).year() {
            let first = NaiveDate::from_ymd_opt(year, birthday.month(), 1).unwrap_or_default();
            let day = day_number(first) + self.rng.random_range(0..28);
            if day >= from && self.rng.random_bool(self.p.birthday_trip_rate) {
                return day;
            }
            year += 1;
        }
        i64::MAX
    }

    /// When the next favourite runs out, moved to a nearby busier day (weekends), or postponed
    /// to a big sale within 12 days, never before `floor`.
    fn due_trip_day(&mut self, floor: i64) -> i64 {
        let due = self
            .profile
            .favourites
            .iter()
            .map(|f| f.next_due)
            .min()
            .unwrap_or(i64::MAX)
            .max(floor);
        if due > self.end {
            return i64::MAX;
        }
        if let Some(sale) = calendar::next_big_sale(date_of(due), 12)
            && self.rng.random_bool(0.35)
        {
            return day_number(sale);
        }
        let window: Vec<(i64, f64)> = (due - 2..=due + 3)
            .filter(|&d| d >= floor)
            .map(|d| (d, calendar::traffic(date_of(d))))
            .collect();
        super::members::pick(&mut self.rng, &window)
    }

    /// Draws a gap of about `mean` days with the category's coefficient of variation.
    pub(crate) fn gap(&mut self, mean: f64, cv: f64) -> i64 {
        let shape = 1.0 / (cv * cv).max(1e-3);
        let g = Gamma::new(shape, mean / shape)
            .map(|g| g.sample(&mut self.rng))
            .unwrap_or(mean);
        g.round().max(1.0) as i64
    }
}
