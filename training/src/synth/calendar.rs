//! The brand's calendar: weekly rhythm, holidays, sales events and their discounts.

use chrono::{Datelike, NaiveDate, Weekday};

use super::catalog::Department;

/// Lunar New Year's Day (正月初一) for 2010..=2035; other years have no Lunar New Year effect.
const LUNAR_NEW_YEAR: [(i32, u32, u32); 26] = [
    (2010, 2, 14),
    (2011, 2, 3),
    (2012, 1, 23),
    (2013, 2, 10),
    (2014, 1, 31),
    (2015, 2, 19),
    (2016, 2, 8),
    (2017, 1, 28),
    (2018, 2, 16),
    (2019, 2, 5),
    (2020, 1, 25),
    (2021, 2, 12),
    (2022, 2, 1),
    (2023, 1, 22),
    (2024, 2, 10),
    (2025, 1, 29),
    (2026, 2, 17),
    (2027, 2, 6),
    (2028, 1, 26),
    (2029, 2, 13),
    (2030, 2, 3),
    (2031, 1, 23),
    (2032, 2, 11),
    (2033, 1, 31),
    (2034, 2, 19),
    (2035, 2, 8),
];

/// Lunar New Year's Day of `year`, when it is in the built-in table (2010..=2035).
pub fn lunar_new_year(year: i32) -> Option<NaiveDate> {
    LUNAR_NEW_YEAR
        .iter()
        .find(|(y, _, _)| *y == year)
        .and_then(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
}

/// Mother's Day in Taiwan: the second Sunday of May.
pub fn mothers_day(year: i32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, 5, Weekday::Sun, 2).unwrap_or_default()
}

/// Days from `a` to `b` (negative when `b` is earlier).
fn days(a: NaiveDate, b: NaiveDate) -> i64 {
    (b - a).num_days()
}

/// Store traffic multiplier of a day, about 1 on an ordinary weekday: weekends are busier,
/// the week before Lunar New Year (年貨) is busy and the holiday itself quiet, and 618,
/// Double 11 (雙11), Double 12 and the year-end sale spike.
pub fn traffic(date: NaiveDate) -> f64 {
    let weekday = match date.weekday() {
        Weekday::Mon | Weekday::Tue => 0.8,
        Weekday::Wed => 0.85,
        Weekday::Thu => 0.9,
        Weekday::Fri => 1.1,
        Weekday::Sat => 1.5,
        Weekday::Sun => 1.4,
    };
    weekday * holiday(date)
}

/// The holiday and sales-event part of [`traffic`].
fn holiday(date: NaiveDate) -> f64 {
    let (m, d) = (date.month(), date.day());
    let lny = lunar_new_year(date.year())
        .map(|l| days(l, date))
        .or_else(|| lunar_new_year(date.year() + 1).map(|l| days(l, date)));
    match lny {
        Some(-10..=-2) => return 1.8,
        Some(-1..=3) => return 0.3,
        Some(4..=6) => return 0.8,
        _ => {}
    }
    if (-10..=0).contains(&days(mothers_day(date.year()), date)) {
        return 1.5;
    }
    match (m, d) {
        (6, 16..=18) => 2.0,
        (11, 11) => 6.0,
        (11, 9..=12) => 2.0,
        (12, 12) => 2.5,
        (12, 20..=31) => 1.6,
        _ => 1.0,
    }
}

/// The largest value [`traffic`] takes, for thinning.
pub const MAX_TRAFFIC: f64 = 9.0;

/// True on the big sale days that make members wait to stock up: 618, 雙11, 雙12.
pub fn is_big_sale(date: NaiveDate) -> bool {
    matches!((date.month(), date.day()), (6, 18) | (11, 11) | (12, 12))
}

/// The next big sale day (see [`is_big_sale`]) strictly after `date` and at most `within` days on.
pub fn next_big_sale(date: NaiveDate, within: i64) -> Option<NaiveDate> {
    (1..=within)
        .filter_map(|k| date.checked_add_days(chrono::Days::new(k as u64)))
        .find(|&d| is_big_sale(d))
}

/// Event discount on `date` for a department, as a fraction of the base price (0 = full price).
pub fn event_discount(date: NaiveDate, department: Department) -> f64 {
    let (m, d) = (date.month(), date.day());
    let clearance = department == Department::Apparel && matches!((m, d), (1, 5..=31) | (7, _));
    let mothers = department == Department::Beauty
        && (-10..=0).contains(&days(mothers_day(date.year()), date));
    let new_year = lunar_new_year(date.year()).is_some_and(|l| (-10..=-2).contains(&days(l, date)));
    match (m, d) {
        (11, 11) => 0.25,
        (12, 12) => 0.2,
        (6, 16..=18) | (11, 9..=12) => 0.15,
        _ if clearance => 0.3,
        _ if mothers => 0.15,
        (12, 20..=31) => 0.1,
        _ if new_year => 0.1,
        _ => 0.0,
    }
}

/// Seasonal demand for categories marked summer or winter (sunscreen, jackets, scarves):
/// a multiplier around 1, high in season and low out of it.
pub fn season_weight(date: NaiveDate, season: Option<Season>) -> f64 {
    let m = date.month();
    match season {
        None => 1.0,
        Some(Season::Summer) => match m {
            5..=8 => 2.0,
            4 | 9 => 1.0,
            _ => 0.25,
        },
        Some(Season::Winter) => match m {
            11 | 12 | 1 | 2 => 2.0,
            3 | 10 => 1.0,
            _ => 0.2,
        },
    }
}

/// When a seasonal category sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Season {
    /// May to August.
    Summer,
    /// November to February.
    Winter,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn mothers_day_is_the_second_sunday_of_may() {
        assert_eq!(mothers_day(2024), day(2024, 5, 12));
        assert_eq!(mothers_day(2023), day(2023, 5, 14));
    }

    #[test]
    fn double_eleven_is_the_busiest_day_and_lunar_new_year_is_quiet() {
        let d11 = traffic(day(2024, 11, 11));
        assert!(d11 > 5.0 * traffic(day(2024, 11, 4)));
        assert!(traffic(day(2023, 11, 11)) <= MAX_TRAFFIC);
        assert!(traffic(day(2024, 2, 10)) < 0.6);
        assert!(traffic(day(2024, 2, 3)) > traffic(day(2024, 3, 2)));
    }

    #[test]
    fn next_big_sale_finds_double_eleven() {
        assert_eq!(next_big_sale(day(2024, 11, 1), 14), Some(day(2024, 11, 11)));
        assert_eq!(next_big_sale(day(2024, 9, 1), 14), None);
    }
}
