//! Member attributes from an optional members table.

use chrono::{Datelike, NaiveDate};

use crate::Day;

/// What the members table says about one member. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MemberAttributes {
    /// Day the member joined the programme.
    pub joined: Option<Day>,
    /// Date of birth (the year is used for age, month and day for the birthday).
    pub birthday: Option<NaiveDate>,
    /// Age group as written, for example `25-29`, `<25`, `>65`.
    pub age_group: Option<String>,
    /// Region or area code as written.
    pub region: Option<String>,
    /// Tier name as written.
    pub tier: Option<String>,
    /// Position of `tier` in the configured tier order, 1 = lowest; 0 when unknown.
    pub tier_rank: u32,
}

impl MemberAttributes {
    /// Age in whole years on `as_of`: from the birthday when known, otherwise the middle of the
    /// age group (`25-29` -> 27, `<25` -> 22, `>65` or `65+` -> 68).
    pub fn age_years(&self, as_of: Day) -> Option<f32> {
        if let Some(b) = self.birthday {
            let d = as_of.to_date();
            let mut age = d.year() - b.year();
            if (d.month(), d.day()) < (b.month(), b.day()) {
                age -= 1;
            }
            return Some(age.max(0) as f32);
        }
        self.age_group.as_deref().and_then(age_group_midpoint)
    }

    /// Days from `as_of` to the next birthday (0 on the day itself, at most 365); a 29 February
    /// birthday falls on 1 March in other years.
    pub fn days_to_birthday(&self, as_of: Day) -> Option<f32> {
        let b = self.birthday?;
        let d = as_of.to_date();
        let this_year = birthday_in(b, d.year());
        let next = if this_year >= d {
            this_year
        } else {
            birthday_in(b, d.year() + 1)
        };
        Some((next - d).num_days() as f32)
    }
}

fn birthday_in(b: NaiveDate, year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, b.month(), b.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
        .unwrap_or(NaiveDate::MIN)
}

/// The middle of an age group written as `a-b`, `<a`, `>a` or `a+`.
pub fn age_group_midpoint(group: &str) -> Option<f32> {
    let g = group.trim();
    let num = |s: &str| s.trim().parse::<f32>().ok();
    if let Some(rest) = g.strip_prefix('<') {
        return num(rest).map(|a| a - 3.0);
    }
    if let Some(rest) = g.strip_prefix('>') {
        return num(rest).map(|a| a + 3.0);
    }
    if let Some(rest) = g.strip_suffix('+') {
        return num(rest).map(|a| a + 3.0);
    }
    let (a, b) = g.split_once('-')?;
    Some((num(a)? + num(b)?) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Day {
        Day::from_date(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn age_groups_map_to_their_middle() {
        assert_eq!(age_group_midpoint("25-29"), Some(27.0));
        assert_eq!(age_group_midpoint("<25"), Some(22.0));
        assert_eq!(age_group_midpoint(">65"), Some(68.0));
        assert_eq!(age_group_midpoint("65+"), Some(68.0));
        assert_eq!(age_group_midpoint("unknown"), None);
    }

    #[test]
    fn birthday_gives_age_and_days_to_next_birthday() {
        let a = MemberAttributes {
            birthday: NaiveDate::from_ymd_opt(1980, 3, 10),
            ..Default::default()
        };
        assert_eq!(a.age_years(day(2001, 3, 9)), Some(20.0));
        assert_eq!(a.age_years(day(2001, 3, 10)), Some(21.0));
        assert_eq!(a.days_to_birthday(day(2001, 3, 10)), Some(0.0));
        assert_eq!(a.days_to_birthday(day(2001, 3, 9)), Some(1.0));
        assert_eq!(a.days_to_birthday(day(2001, 3, 11)), Some(364.0));
        let leap = MemberAttributes {
            birthday: NaiveDate::from_ymd_opt(1980, 2, 29),
            ..Default::default()
        };
        assert_eq!(leap.days_to_birthday(day(2001, 2, 28)), Some(1.0));
    }
}
