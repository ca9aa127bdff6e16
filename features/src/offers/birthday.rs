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

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> Day {
        Day::from_date(date(y, m, d))
    }

    #[test]
    fn a_29_february_birthday_falls_on_28_february_in_other_years() {
        let leap = date(1996, 2, 29);

        assert_eq!(birthday_in(leap, 2024), day(2024, 2, 29));
        assert_eq!(birthday_in(leap, 2023), day(2023, 2, 28));
        let on = |as_of| birthday_period(leap, as_of, BirthdayMode::DaysBefore, 0);
        assert_eq!(on(day(2023, 2, 28)).map(|p| p.end), Some(day(2023, 2, 28)));
        assert_eq!(on(day(2023, 3, 1)), None);
        assert_eq!(on(day(2024, 2, 28)), None, "in a leap year it is the 29th");
        assert_eq!(on(day(2024, 2, 29)).map(|p| p.end), Some(day(2024, 2, 29)));
        let month = birthday_period(leap, day(2023, 2, 1), BirthdayMode::Month, 0).unwrap();
        assert_eq!(
            (month.start, month.end),
            (day(2023, 2, 1), day(2023, 2, 28))
        );
    }

    #[test]
    fn birthday_periods_are_the_month_or_the_days_before_even_across_new_year() {
        let jan3 = date(1990, 1, 3);
        let dec = date(1990, 12, 31);

        let p = birthday_period(jan3, day(2023, 12, 27), BirthdayMode::DaysBefore, 7).unwrap();
        assert_eq!((p.start, p.end), (day(2023, 12, 27), day(2024, 1, 3)));
        assert_eq!(
            birthday_period(jan3, day(2023, 12, 26), BirthdayMode::DaysBefore, 7),
            None
        );
        let m = birthday_period(dec, day(2023, 12, 5), BirthdayMode::Month, 7).unwrap();
        assert_eq!(
            (m.start, m.end, m.birthday),
            (day(2023, 12, 1), day(2023, 12, 31), day(2023, 12, 31))
        );
        assert_eq!(
            birthday_period(dec, day(2024, 1, 1), BirthdayMode::Month, 7),
            None
        );
    }
}
