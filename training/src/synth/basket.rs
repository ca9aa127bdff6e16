//! What goes into one purchase day: categories, items, quantities, prices and returns.

use chrono::{Datelike, NaiveDate};
use rand::Rng;

use super::calendar;
use super::catalog::Department;
use super::members::pick;
use super::output::{RawLine, Tier};
use super::simulate::{MemberSim, TripKind, date_of};

/// Most lines on one purchase day.
const MAX_LINES: usize = 6;

/// Hour-of-day weights for in-store purchases, 10:00 to 21:00.
const STORE_HOURS: [(u32, f64); 12] = [
    (10, 0.4),
    (11, 0.7),
    (12, 1.0),
    (13, 0.9),
    (14, 0.7),
    (15, 0.7),
    (16, 0.8),
    (17, 0.9),
    (18, 1.1),
    (19, 1.2),
    (20, 1.0),
    (21, 0.6),
];

/// Hour-of-day weights for online orders, peaking in the evening.
const ONLINE_HOURS: [(u32, f64); 24] = [
    (0, 0.5),
    (1, 0.3),
    (2, 0.15),
    (3, 0.1),
    (4, 0.08),
    (5, 0.1),
    (6, 0.2),
    (7, 0.35),
    (8, 0.5),
    (9, 0.6),
    (10, 0.7),
    (11, 0.8),
    (12, 1.0),
    (13, 0.9),
    (14, 0.8),
    (15, 0.8),
    (16, 0.8),
    (17, 0.8),
    (18, 0.9),
    (19, 1.1),
    (20, 1.3),
    (21, 1.4),
    (22, 1.3),
    (23, 0.9),
];

/// Return probability of a line per department, relative to `return_rate`.
fn return_weight(department: Department) -> f64 {
    match department {
        Department::Apparel => 2.2,
        Department::Beauty => 0.6,
        Department::HomeOffice => 0.3,
    }
}

impl MemberSim<'_> {
    /// Records one purchase day: the basket's lines, and any later returns of them.
    pub(crate) fn trip(&mut self, day: i64, kind: TripKind) {
        let catalog = self.catalog;
        let date = date_of(day);
        let sale = calendar::is_big_sale(date);
        let categories = self.choose_categories(day, kind, sale);
        let secs = self.time_of_day(date, true);
        for category in categories {
            let fav = self
                .profile
                .favourites
                .iter()
                .position(|f| f.category == category);
            let item = self.choose_item(category, fav);
            let quantity = self.quantity(category, sale);
            let c = &catalog.categories[category];
            if let Some(i) = fav {
                let lasts = if c.consumable { quantity as f64 } else { 1.0 };
                let (cycle, cv) = (self.profile.favourites[i].cycle, c.cycle_cv);
                self.profile.favourites[i].next_due = day + self.gap(cycle * lasts, cv);
            }
            let unit = self.unit_price(item, date, kind);
            self.record((day, day), secs, item, quantity, unit);
            let returns = self.p.return_rate * return_weight(c.department);
            if self.rng.random_bool(returns.min(1.0)) {
                let back = day + self.rng.random_range(1..=14);
                let q = if quantity > 1 && self.rng.random_bool(0.5) {
                    1
                } else {
                    quantity
                };
                let secs = self.time_of_day(date_of(back), false);
                self.record((back, day), secs, item, -q, unit);
            }
        }
        for f in &mut self.profile.favourites {
            if f.next_due <= day {
                f.next_due = day + 7;
            }
        }
    }

    fn record(
        &mut self,
        (day, bought): (i64, i64),
        secs: u32,
        item: usize,
        quantity: i64,
        unit: i64,
    ) {
        let amount = quantity * unit;
        self.spend += amount as f64;
        self.lines.push(RawLine {
            day,
            bought,
            secs,
            item,
            quantity,
            amount,
        });
    }

    /// The categories of one basket, at most [`MAX_LINES`]: favourites that ran out, some that
    /// are nearly out, a gift on birthday trips, and now and then a category to explore.
    fn choose_categories(&mut self, day: i64, kind: TripKind, sale: bool) -> Vec<usize> {
        let date = date_of(day);
        let mut chosen = Vec::new();
        for i in 0..self.profile.favourites.len() {
            let f = &self.profile.favourites[i];
            let c = &self.catalog.categories[f.category];
            let season = calendar::season_weight(date, c.season).min(1.0);
            let early = f.cycle * (1.5 * c.cycle_cv).min(0.5);
            let due = f.next_due <= day + 3;
            let p = match (due, ((f.next_due - day) as f64) <= early, sale) {
                (true, ..) => 0.92,
                (false, true, true) => 0.6,
                (false, true, false) => 0.4,
                (false, false, _) => 0.0,
            };
            let category = f.category;
            if self.rng.random_bool(p * season) {
                chosen.push(category);
            } else if due && season < 1.0 {
                self.profile.favourites[i].next_due = day + 30;
            }
        }
        if kind == TripKind::Birthday || (gift_season(date) && self.rng.random_bool(0.3)) {
            let gifts: Vec<(usize, f64)> = (0..self.catalog.categories.len())
                .filter(|&c| self.catalog.categories[c].gift)
                .map(|c| (c, self.profile.taste(self.catalog, c) + 0.2))
                .collect();
            chosen.push(pick(&mut self.rng, &gifts));
        }
        if chosen.is_empty() && !self.rng.random_bool(self.p.explore_rate) {
            let table: Vec<(usize, f64)> = self
                .profile
                .favourites
                .iter()
                .map(|f| {
                    let season = self.catalog.categories[f.category].season;
                    (f.category, calendar::season_weight(date, season))
                })
                .collect();
            chosen.push(pick(&mut self.rng, &table));
        }
        let explore = if sale { 1.5 } else { 1.0 } * self.p.explore_rate;
        if chosen.is_empty() || self.rng.random_bool(explore.min(1.0)) {
            chosen.push(self.explore(date));
        }
        let mut seen = Vec::with_capacity(chosen.len());
        chosen.retain(|c| {
            let new = !seen.contains(c);
            seen.push(*c);
            new
        });
        chosen.truncate(MAX_LINES);
        if chosen.len() < MAX_LINES && self.rng.random_bool(0.15) {
            let extra = chosen[self.rng.random_range(0..chosen.len())];
            if self.catalog.categories[extra].department == Department::Apparel {
                chosen.push(extra);
            }
        }
        chosen
    }

    /// A category outside the favourites, by taste and season; sometimes it becomes a favourite.
    fn explore(&mut self, date: NaiveDate) -> usize {
        let table: Vec<(usize, f64)> = (0..self.catalog.categories.len())
            .filter(|c| self.profile.favourites.iter().all(|f| f.category != *c))
            .map(|c| {
                let season = calendar::season_weight(date, self.catalog.categories[c].season);
                (c, self.profile.taste(self.catalog, c) * season)
            })
            .collect();
        if table.is_empty() {
            return self.profile.favourites[0].category;
        }
        let category = pick(&mut self.rng, &table);
        if !self.profile.excluded.contains(&category) && self.rng.random_bool(self.p.adopt_rate) {
            self.profile.adopt(&mut self.rng, self.catalog, category);
        }
        category
    }

    /// The member's usual item of a favourite most of the time (for consumables), otherwise a
    /// popular one; a consumable's usual item sometimes switches to the new one.
    fn choose_item(&mut self, category: usize, fav: Option<usize>) -> usize {
        let c = &self.catalog.categories[category];
        let Some(i) = fav else {
            return self.catalog.pick_item(&mut self.rng, category);
        };
        if self.rng.random_bool(c.repeat) {
            return self.profile.favourites[i].usual_item;
        }
        let item = self.catalog.pick_item(&mut self.rng, category);
        if c.consumable && self.rng.random_bool(0.3) {
            self.profile.favourites[i].usual_item = item;
        }
        item
    }

    /// Units on a line: mostly 1, multi-packs for socks and consumables, stocking up on sales.
    fn quantity(&mut self, category: usize, sale: bool) -> i64 {
        let c = &self.catalog.categories[category];
        let table: &[(i64, f64)] = match (c.consumable, c.department, c.repeat >= 0.5) {
            (true, ..) => &[(1, 0.8), (2, 0.15), (3, 0.05)],
            (false, Department::Apparel, true) => &[(1, 0.5), (2, 0.3), (3, 0.2)],
            _ => &[(1, 0.93), (2, 0.07)],
        };
        let q = pick(&mut self.rng, table);
        q + i64::from(sale && c.consumable && self.rng.random_bool(0.4))
    }

    /// Price paid per unit in whole NT$: base price less the event discount, the birthday
    /// coupon (10%), the gold-tier discount (5%) and occasional markdowns (10%).
    fn unit_price(&mut self, item: usize, date: NaiveDate, kind: TripKind) -> i64 {
        let item = &self.catalog.items[item];
        let department = self.catalog.categories[item.category].department;
        let mut price = item.base_price * (1.0 - calendar::event_discount(date, department));
        if kind == TripKind::Birthday {
            price *= 0.9;
        }
        if Tier::for_spend(self.spend) == Tier::Gold {
            price *= 0.95;
        }
        if self.rng.random_bool(0.05) {
            price *= 0.9;
        }
        (price.round() as i64).max(1)
    }

    /// Seconds after midnight: store hours, or any time for online orders (a midnight rush
    /// on 雙11).
    fn time_of_day(&mut self, date: NaiveDate, may_be_online: bool) -> u32 {
        let online = may_be_online && self.rng.random_bool(self.profile.online);
        let hour = if online && (date.month(), date.day()) == (11, 11) && self.rng.random_bool(0.3)
        {
            0
        } else if online {
            pick(&mut self.rng, &ONLINE_HOURS)
        } else {
            pick(&mut self.rng, &STORE_HOURS)
        };
        hour * 3600 + self.rng.random_range(0..3600)
    }
}

/// Weeks when members buy presents: before Lunar New Year, before Mother's Day, year end.
fn gift_season(date: NaiveDate) -> bool {
    let lny = calendar::lunar_new_year(date.year()).map(|l| (l - date).num_days());
    let mothers = (calendar::mothers_day(date.year()) - date).num_days();
    matches!(lny, Some(2..=10))
        || (0..=10).contains(&mothers)
        || date.month() == 12 && date.day() >= 15
}
