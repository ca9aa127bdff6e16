//! Training cutoffs before an as-of date.

use crate::{Day, Error, Result};

/// One training example set: features strictly before `as_of`, labels from
/// `[as_of, as_of + horizon_days)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Cutoff {
    /// The cutoff date.
    pub as_of: Day,
    /// Length of its label window in days.
    pub horizon_days: u32,
}

/// The training cutoffs for an as-of date, and a note when the fallback rule was used.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CutoffPlan {
    /// Cutoffs, most recent first.
    pub cutoffs: Vec<Cutoff>,
    /// Set when history was too short for full-length cutoffs: says what was done instead.
    pub fallback: Option<String>,
}

/// Lists training cutoffs `T - H, T - 2H, ...` (at most `max`) for as-of `T` and horizon `H`.
///
/// Rule: a cutoff `c` is used when at least `H` days of history lie before it
/// (`c - first_day >= H`); its label window `[c, c + H)` ends at or before `T`, so nothing at or
/// after `T` is ever read. When even `T - H` fails that test (history before `T` shorter than
/// `2H`), the fallback is one cutoff in the middle of the history, `c = T - h` with
/// `h = floor((T - first_day) / 2)` and a label window shortened to `h` days; the plan says so in
/// `fallback`. History shorter than 2 days is an error.
pub fn training_cutoffs(
    first_day: Day,
    as_of: Day,
    horizon_days: u32,
    max: usize,
) -> Result<CutoffPlan> {
    if horizon_days == 0 {
        return Err(Error::InvalidArgument(
            "the horizon must be at least 1 day".into(),
        ));
    }
    let span = as_of.0 - first_day.0;
    let h = horizon_days as i32;
    let cutoffs: Vec<Cutoff> = (1..=max as i32)
        .map(|k| as_of.plus(-k * h))
        .take_while(|c| c.0 - first_day.0 >= h)
        .map(|as_of| Cutoff {
            as_of,
            horizon_days,
        })
        .collect();
    if !cutoffs.is_empty() {
        return Ok(CutoffPlan {
            cutoffs,
            fallback: None,
        });
    }
    if span < 2 {
        return Err(Error::InvalidArgument(format!(
            "history before {as_of} spans {span} day(s) from {first_day}; at least 2 days are needed to train"
        )));
    }
    let short = span / 2;
    let c = as_of.plus(-short);
    Ok(CutoffPlan {
        cutoffs: vec![Cutoff {
            as_of: c,
            horizon_days: short as u32,
        }],
        fallback: Some(format!(
            "history before {as_of} spans {span} days, shorter than 2 x the {horizon_days}-day horizon: \
             trained on one cutoff at {c} with a {short}-day label window"
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tafeng_protocol_gives_two_full_cutoffs() {
        let first = Day(11_262); // 2000-11-01
        let t = Day(11_354); // 2001-02-01
        let plan = training_cutoffs(first, t, 28, 10).unwrap();
        let dates: Vec<String> = plan.cutoffs.iter().map(|c| c.as_of.to_string()).collect();
        assert_eq!(dates, ["2001-01-04", "2000-12-07"]);
        assert!(plan.cutoffs.iter().all(|c| c.horizon_days == 28));
        assert_eq!(plan.fallback, None);
        assert_eq!(training_cutoffs(first, t, 28, 1).unwrap().cutoffs.len(), 1);
    }

    #[test]
    fn short_history_falls_back_to_one_shortened_window_that_ends_at_t() {
        let plan = training_cutoffs(Day(100), Day(140), 28, 10).unwrap();
        assert_eq!(
            plan.cutoffs,
            [Cutoff {
                as_of: Day(120),
                horizon_days: 20
            }]
        );
        assert!(plan.fallback.unwrap().contains("40 days"));
    }

    #[test]
    fn too_little_history_or_zero_horizon_is_an_error() {
        assert!(matches!(
            training_cutoffs(Day(100), Day(101), 28, 3),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            training_cutoffs(Day(0), Day(500), 0, 3),
            Err(Error::InvalidArgument(_))
        ));
    }
}
