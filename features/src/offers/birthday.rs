//! Birthday periods: when in a year a member's birthday offer holds.

use chrono::{Datelike, NaiveDate};

use super::params::BirthdayMode;
use crate::Day;

/// One year's birthday period of a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BirthdayPeriod {
    /// The birthday that year ([`birthday_in`]).
    pub birthday: Day,
    /// First day of the period.
    pub start: Day,
    /// Last day of the period (the offer's `valid_until`).
    pub end: Day,
}

/// The day of a birthday in `year`: the same month and day, except that 29 February falls
/// on 28 February in a year without it (SHOPLINE's rule; the birthday stays in its month).
/// Note that [`MemberAttributes::days_to_birthday`](crate::MemberAttributes::days_to_birthday),
/// a model feature, moves it to 1 March instead; the two are kept apart on purpose.
pub fn birthday_in(birthday: NaiveDate, year: i32) -> Day {
    let date = NaiveDate::from_ymd_opt(year, birthday.month(), birthday.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 2, 28))
        .unwrap_or(NaiveDate::MIN);
    Day::from_date(date)
}

/// The birthday period that contains `as_of`, if any: under [`BirthdayMode::Month`] the
/// whole birthday month; under [`BirthdayMode::DaysBefore`] from `days_before` days before
/// the birthday through the birthday (a period may start in the year before the birthday).
pub fn birthday_period(
    birthday: NaiveDate,
    as_of: Day,
    mode: BirthdayMode,
    days_before: u32,
) -> Option<BirthdayPeriod> {
    let year = as_of.to_date().year();
    match mode {
        BirthdayMode::Month => {
            let date = as_of.to_date();
            if date.month() != birthday.month() {
                return None;
            }
            let start = NaiveDate::from_ymd_opt(year, date.month(), 1)?;
            let next = if date.month() == 12 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(year, date.month() + 1, 1)?
            };
            Some(BirthdayPeriod {
                birthday: birthday_in(birthday, year),
                start: Day::from_date(start),
                end: Day::from_date(next).plus(-1),
            })
        }
        BirthdayMode::DaysBefore => [year, year + 1].into_iter().find_map(|y| {
            let day = birthday_in(birthday, y);
            let start = day.plus(-(days_before as i32));
            (start <= as_of && as_of <= day).then_some(BirthdayPeriod {
                birthday: day,
                start,
                end: day,
            })
        }),
    }
}
