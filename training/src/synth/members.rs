//! Members: who they are (join date, birthday, age group, region) and what they like.

use chrono::{Days, Months, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::calendar;
use super::catalog::{Catalog, Department};
use super::params::SynthParams;

/// Age groups as written in the `age_group` column, with the share of members in each.
pub const AGE_GROUPS: [(&str, f64); 10] = [
    ("<25", 0.12),
    ("25-29", 0.16),
    ("30-34", 0.18),
    ("35-39", 0.16),
    ("40-44", 0.12),
    ("45-49", 0.09),
    ("50-54", 0.07),
    ("55-59", 0.05),
    ("60-64", 0.03),
    (">65", 0.02),
];

/// Regions (city or county of residence) with the share of members in each.
pub const REGIONS: [(&str, f64); 14] = [
    ("台北市", 0.18),
    ("新北市", 0.20),
    ("桃園市", 0.10),
    ("台中市", 0.13),
    ("台南市", 0.07),
    ("高雄市", 0.11),
    ("新竹市", 0.03),
    ("新竹縣", 0.03),
    ("基隆市", 0.02),
    ("彰化縣", 0.04),
    ("宜蘭縣", 0.02),
    ("屏東縣", 0.02),
    ("嘉義市", 0.02),
    ("花蓮縣", 0.03),
];

/// A category a member buys regularly, and their own rhythm for it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Favourite {
    pub(crate) category: usize,
    pub(crate) cycle: f64,
    pub(crate) usual_item: usize,
    pub(crate) next_due: i64,
}

/// A member's attributes and latent tastes, before any purchase.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Profile {
    pub(crate) joined: NaiveDate,
    pub(crate) birthday: Option<NaiveDate>,
    pub(crate) age_group: Option<&'static str>,
    pub(crate) region: &'static str,
    pub(crate) activity: f64,
    pub(crate) frailty: f64,
    pub(crate) online: f64,
    pub(crate) affinity: [f64; 3],
    pub(crate) favourites: Vec<Favourite>,
    pub(crate) excluded: Vec<usize>,
}

impl Profile {
    /// Weight of a category for this member: category popularity times department affinity,
    /// almost nil for a category blocked by an exclusive style choice.
    pub(crate) fn taste(&self, catalog: &Catalog, category: usize) -> f64 {
        let c = &catalog.categories[category];
        let dept = match c.department {
            Department::Apparel => self.affinity[0],
            Department::Beauty => self.affinity[1],
            Department::HomeOffice => self.affinity[2],
        };
        let blocked = if self.excluded.contains(&category) {
            0.02
        } else {
            1.0
        };
        c.popularity * dept * blocked
    }

    /// Makes `category` a favourite and blocks the other categories of its exclusive group.
    pub(crate) fn adopt(&mut self, rng: &mut ChaCha8Rng, catalog: &Catalog, category: usize) {
        let c = &catalog.categories[category];
        if let Some(group) = c.exclusive_group {
            for (other, oc) in catalog.categories.iter().enumerate() {
                if oc.exclusive_group == Some(group) && other != category {
                    self.favourites.retain(|f| f.category != other);
                    self.excluded.push(other);
                }
            }
        }
        let pace = (0.12 * rng.sample::<f64, _>(StandardNormal)).exp() / self.activity.powf(0.15);
        self.favourites.push(Favourite {
            category,
            cycle: c.cycle_days * pace,
            usual_item: catalog.pick_item(rng, category),
            next_due: i64::MAX,
        });
    }
}

/// Draws from a table of `(value, weight)` pairs.
pub(crate) fn pick<T: Copy>(rng: &mut ChaCha8Rng, table: &[(T, f64)]) -> T {
    let total: f64 = table.iter().map(|(_, w)| w).sum();
    let mut x = rng.random::<f64>() * total;
    for &(v, w) in table {
        x -= w;
        if x <= 0.0 {
            return v;
        }
    }
    table[table.len() - 1].0
}

/// Draws the join day: uniform over the `prior_years` before `start` for early members, else
/// between `start` and `end` with a growing trend and more sign-ups on busy days.
fn join_day(rng: &mut ChaCha8Rng, p: &SynthParams) -> NaiveDate {
    if rng.random_bool(p.prior_member_share) {
        let back = i64::from(p.prior_years.max(1)) * 365;
        return p.start - chrono::Duration::days(rng.random_range(1..=back));
    }
    let span = (p.end - p.start).num_days();
    loop {
        let k = rng.random_range(0..=span);
        let day = p.start + chrono::Duration::days(k);
        let weight = calendar::traffic(day) * (1.0 + 0.4 * k as f64 / span as f64);
        if rng.random::<f64>() * calendar::MAX_TRAFFIC * 1.4 < weight {
            return day;
        }
    }
}

/// Draws a birthday so that the age on `end` falls in `group`.
fn birthday(rng: &mut ChaCha8Rng, group: &str, end: NaiveDate) -> NaiveDate {
    let (lo, hi) = match group {
        "<25" => (18, 24),
        ">65" => (65, 78),
        g => {
            let (a, b) = g.split_once('-').unwrap_or(("30", "34"));
            (a.parse().unwrap_or(30), b.parse().unwrap_or(34))
        }
    };
    let age: u32 = rng.random_range(lo..=hi);
    let youngest = end.checked_sub_months(Months::new(12 * age)).unwrap_or(end);
    youngest
        .checked_sub_days(Days::new(rng.random_range(0..365)))
        .unwrap_or(youngest)
}

/// Draws one member's profile; favourites get their `next_due` set by the simulation.
pub(crate) fn draw_profile(rng: &mut ChaCha8Rng, p: &SynthParams, catalog: &Catalog) -> Profile {
    let joined = join_day(rng, p);
    let group = pick(rng, &AGE_GROUPS);
    let known = !rng.random_bool(p.missing_birthday_share);
    let young = matches!(group, "<25" | "25-29" | "30-34");
    let mut affinity = [0.0; 3];
    for (i, a) in affinity.iter_mut().enumerate() {
        let tilt = match (i, young) {
            (0, true) | (2, false) => 1.4,
            _ => 1.0,
        };
        *a = tilt * (1.1 * rng.sample::<f64, _>(StandardNormal)).exp();
    }
    let lognormal =
        |rng: &mut ChaCha8Rng, sigma: f64| (sigma * rng.sample::<f64, _>(StandardNormal)).exp();
    let mut profile = Profile {
        joined,
        birthday: known.then(|| birthday(rng, group, p.end)),
        age_group: known.then_some(group),
        region: pick(rng, &REGIONS),
        activity: lognormal(rng, 0.5),
        frailty: lognormal(rng, 0.6),
        online: rng.random_range(0.1..0.7),
        affinity,
        favourites: Vec::new(),
        excluded: Vec::new(),
    };
    profile.excluded = style_choices(rng, catalog);
    let wanted = 1 + (rng.random_range(0.0..4.0) * profile.activity.sqrt()).round() as usize;
    for _ in 0..wanted.min(6) {
        let table: Vec<(usize, f64)> = (0..catalog.categories.len())
            .filter(|c| profile.favourites.iter().all(|f| f.category != *c))
            .filter(|c| !profile.excluded.contains(c))
            .map(|c| (c, profile.taste(catalog, c).powi(2)))
            .collect();
        let category = pick(rng, &table);
        profile.adopt(rng, catalog, category);
    }
    profile
}

/// Picks one category of every exclusive group (by popularity) and returns the others, which
/// the member will rarely buy: a skirts person, a laser-printer owner, a coffee drinker.
fn style_choices(rng: &mut ChaCha8Rng, catalog: &Catalog) -> Vec<usize> {
    let mut excluded = Vec::new();
    let mut groups: Vec<&str> = catalog
        .categories
        .iter()
        .filter_map(|c| c.exclusive_group)
        .collect();
    groups.sort_unstable();
    groups.dedup();
    for group in groups {
        let members: Vec<(usize, f64)> = catalog
            .categories
            .iter()
            .enumerate()
            .filter(|(_, c)| c.exclusive_group == Some(group))
            .map(|(i, c)| (i, c.popularity))
            .collect();
        let chosen = pick(rng, &members);
        excluded.extend(members.iter().map(|m| m.0).filter(|&i| i != chosen));
    }
    excluded
}
