//! A store's distribution of one value, and tie-safe mid-rank percentiles in it.

/// The distinct values of one measure over a population, ascending, with how many members
/// have each. Serialisable, so a store's distribution can be published and reused to score a
/// member live.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Ranking {
    values: Vec<f64>,
    counts: Vec<u64>,
    /// `below[i]`: members with a value below `values[i]`.
    below: Vec<u64>,
    total: u64,
}

impl Ranking {
    /// The distribution of `values` (NaN values are left out).
    pub fn new(values: impl IntoIterator<Item = f64>) -> Ranking {
        let mut all: Vec<f64> = values.into_iter().filter(|v| !v.is_nan()).collect();
        all.sort_unstable_by(f64::total_cmp);
        let mut r = Ranking::default();
        for v in all {
            if r.values.last() == Some(&v) {
                if let Some(c) = r.counts.last_mut() {
                    *c += 1;
                }
            } else {
                r.values.push(v);
                r.counts.push(1);
                r.below.push(r.total);
            }
            r.total += 1;
        }
        r
    }

    /// Number of members in the distribution.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// True when no member is in the distribution.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The distinct values, ascending, with their member counts.
    pub fn distinct(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        self.values.iter().copied().zip(self.counts.iter().copied())
    }

    /// Members with a value below `v`, and members with exactly `v`.
    pub fn below_and_equal(&self, v: f64) -> (u64, u64) {
        let i = self.values.partition_point(|&x| x < v);
        let below = self.below.get(i).copied().unwrap_or(self.total);
        let equal = match self.values.get(i) {
            Some(&x) if x == v => self.counts[i],
            _ => 0,
        };
        (below, equal)
    }

    /// The mid-rank percentile of `v` among the values at or above `floor`: (members below `v`,
    /// plus half the members equal to it) / members, all counted from `floor` up, in `[0, 1]`.
    /// Equal values always get equal percentiles. `0.5` when no value is at or above `floor`.
    pub fn mid_rank_from(&self, v: f64, floor: f64) -> f64 {
        let (below_floor, _) = self.below_and_equal(floor);
        let n = self.total - below_floor;
        if n == 0 {
            return 0.5;
        }
        let (below, equal) = self.below_and_equal(v);
        let below = below.saturating_sub(below_floor) as f64;
        ((below + equal as f64 / 2.0) / n as f64).clamp(0.0, 1.0)
    }

    /// The mid-rank percentile of `v` in the whole distribution (see [`Ranking::mid_rank_from`]).
    pub fn mid_rank(&self, v: f64) -> f64 {
        self.mid_rank_from(v, f64::NEG_INFINITY)
    }
}

/// The bin of percentile `p` among `k` equal bins: `floor(k * p)`, capped at `k - 1`, so
/// `p = 0.5` falls in the upper half.
pub(crate) fn bin_of(p: f64, k: u8) -> u8 {
    ((p * f64::from(k)).floor() as u8).min(k - 1)
}
