//! Which members a replica owns when events come partitioned by member hash
//! ([`features::partition::partition_of`]): it applies their events and answers for them;
//! any other member belongs to another replica.

use std::collections::BTreeSet;

use crate::domain::OrderEvent;

/// Most partitions a stream may be split into.
pub const MAX_PARTITIONS: u32 = 4096;

/// The partitions of the stream and the ones this replica owns (checked: at least one, all
/// below the count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partitioning {
    count: u32,
    owned: BTreeSet<u32>,
}

/// A member this replica does not own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misdirected {
    /// The member id.
    pub member_id: String,
    /// The member's partition.
    pub partition: u32,
    /// The 1-based event line of a batch that named the member (`None` for a lookup).
    pub line: Option<usize>,
}

impl Partitioning {
    /// `count` partitions of which `owned` are this replica's; the error names the problem.
    pub fn new(count: u32, owned: BTreeSet<u32>) -> Result<Partitioning, String> {
        if !(1..=MAX_PARTITIONS).contains(&count) {
            return Err(format!("{count} is outside 1..={MAX_PARTITIONS}"));
        }
        if owned.is_empty() {
            return Err("owns no partition".into());
        }
        if let Some(p) = owned.iter().find(|&&p| p >= count) {
            return Err(format!("partition {p} is outside 0..{count}"));
        }
        Ok(Partitioning { count, owned })
    }

    /// Parses a list of partitions and ranges, e.g. `0-3,6` (inclusive ranges).
    pub fn parse_owned(text: &str) -> Result<BTreeSet<u32>, String> {
        let number = |s: &str| {
            s.trim()
                .parse::<u32>()
                .map_err(|_| format!("{s:?} is not a partition number"))
        };
        let mut owned = BTreeSet::new();
        for part in text.split(',').filter(|s| !s.trim().is_empty()) {
            match part.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (number(a)?, number(b)?);
                    if a > b || b - a >= MAX_PARTITIONS {
                        return Err(format!("range {part:?} is not low-high"));
                    }
                    owned.extend(a..=b);
                }
                None => {
                    owned.insert(number(part)?);
                }
            }
        }
        Ok(owned)
    }

    /// How many partitions the stream has.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// The owned partitions, ascending.
    pub fn owned(&self) -> impl Iterator<Item = u32> + '_ {
        self.owned.iter().copied()
    }

    /// The partition of `member_id`.
    pub fn partition_of(&self, member_id: &str) -> u32 {
        features::partition::partition_of(member_id, self.count)
    }

    /// `Ok` when this replica owns `member_id`, else the member's partition.
    pub fn check(&self, member_id: &str) -> Result<(), Misdirected> {
        let partition = self.partition_of(member_id);
        if self.owned.contains(&partition) {
            return Ok(());
        }
        Err(Misdirected {
            member_id: member_id.to_string(),
            partition,
            line: None,
        })
    }

    /// `Ok` when this replica owns the member of every event, else the first one it does not.
    pub fn check_events(&self, events: &[OrderEvent]) -> Result<(), Misdirected> {
        for (i, e) in events.iter().enumerate() {
            self.check(&e.member_id).map_err(|m| Misdirected {
                line: Some(i + 1),
                ..m
            })?;
        }
        Ok(())
    }

    /// The owned set written back as ranges (`0-3,6`).
    pub fn describe_owned(&self) -> String {
        let mut runs: Vec<(u32, u32)> = Vec::new();
        for &p in &self.owned {
            match runs.last_mut() {
                Some((_, end)) if *end + 1 == p => *end = p,
                _ => runs.push((p, p)),
            }
        }
        let text: Vec<String> = runs
            .iter()
            .map(|&(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a}-{b}")
                }
            })
            .collect();
        text.join(",")
    }
}

impl Misdirected {
    /// The message a client reads: the member, its partition and what this replica owns.
    pub fn message(&self, p: &Partitioning) -> String {
        let line = self
            .line
            .map(|l| format!("event {l}: "))
            .unwrap_or_default();
        format!(
            "{line}member {:?} is in partition {} of {}; this replica owns {} \
             (send it to the replica owning partition {})",
            self.member_id,
            self.partition,
            p.count,
            p.describe_owned(),
            self.partition
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_lists_parse_ranges_and_single_partitions() {
        let owned = Partitioning::parse_owned("0-3, 6,5").unwrap();
        assert_eq!(
            owned.iter().copied().collect::<Vec<_>>(),
            [0, 1, 2, 3, 5, 6]
        );
        let p = Partitioning::new(8, owned).unwrap();
        assert_eq!(p.describe_owned(), "0-3,5-6");
        assert!(Partitioning::parse_owned("3-1").is_err());
        assert!(Partitioning::parse_owned("x").is_err());
    }

    #[test]
    fn partitioning_rejects_empty_and_out_of_range_sets() {
        let set = |s: &str| Partitioning::parse_owned(s).unwrap();
        assert!(
            Partitioning::new(4, set(""))
                .unwrap_err()
                .contains("no partition")
        );
        assert!(
            Partitioning::new(4, set("2-4"))
                .unwrap_err()
                .contains("4 is outside 0..4")
        );
        assert!(Partitioning::new(0, set("0")).is_err());
    }

    #[test]
    fn check_names_the_partition_of_a_member_owned_elsewhere() {
        // partition_of("m1", 8) == 3 (see features::partition).
        let p = Partitioning::new(8, Partitioning::parse_owned("0-2").unwrap()).unwrap();
        let m = p.check("m1").unwrap_err();
        assert_eq!((m.partition, m.line), (3, None));
        assert!(
            m.message(&p)
                .contains("partition 3 of 8; this replica owns 0-2")
        );
        let mine = Partitioning::new(8, Partitioning::parse_owned("3").unwrap()).unwrap();
        assert_eq!(mine.check("m1"), Ok(()));
    }
}
