//! A campaign's audience over a synthetic dataset: which members are treated, which are held
//! out, and the group (RFM layer) each belongs to.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

pub use features::uplift::Arm;

use super::error::{Error, Result};
use super::output::member_id;
use super::params::SynthValidParams;

/// One member's place in a campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    /// Treated (gets the campaign) or control (held out).
    pub arm: Arm,
    /// The member's group, e.g. `champions`; `None` takes the default effect.
    pub group: Option<String>,
}

/// Why one cell of an assignment is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AssignmentProblem {
    /// The header lacks a required column.
    #[error("the header has no such column")]
    MissingColumn,
    /// The arm is neither `treated` nor `control`.
    #[error("arm `{0}` is neither `treated` nor `control`")]
    UnknownArm(String),
    /// The member id is not one of the dataset's (`M000001` up to the member count).
    #[error("member `{member_id}` is not in the dataset (M000001 ..= {last})")]
    UnknownMember {
        /// The rejected id.
        member_id: String,
        /// The dataset's last member id.
        last: String,
    },
    /// The member already has an arm.
    #[error("member `{member_id}` is already assigned on row {first_row}")]
    DuplicateMember {
        /// The repeated id.
        member_id: String,
        /// Row of the first assignment.
        first_row: usize,
    },
}

/// Members of one dataset with their arm and group, at most one entry per member. Members
/// left out are in neither arm (they still shop, see [`super::simulate_outcome`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Assignment {
    /// By member number (`M000042` is 42), with the row that assigned it.
    members: BTreeMap<usize, (Assigned, usize)>,
    last: usize,
}

impl Assignment {
    /// An empty assignment over the members of `params`.
    pub fn new(params: &SynthValidParams) -> Self {
        Self {
            members: BTreeMap::new(),
            last: params.as_params().members,
        }
    }

    /// Assigns `member_id` to `arm` and `group`; `row` is where the entry came from (a CSV
    /// line number, or any position), named by a later duplicate. Fails with
    /// [`AssignmentProblem::UnknownMember`] or [`AssignmentProblem::DuplicateMember`].
    pub fn insert(
        &mut self,
        member_id: &str,
        assigned: Assigned,
        row: usize,
    ) -> std::result::Result<(), AssignmentProblem> {
        let number = self.number_of(member_id)?;
        if let Some((_, first_row)) = self.members.get(&number) {
            return Err(AssignmentProblem::DuplicateMember {
                member_id: member_id.to_owned(),
                first_row: *first_row,
            });
        }
        self.members.insert(number, (assigned, row));
        Ok(())
    }

    /// Reads an audience CSV: a header with at least `member_id` and `arm` (`treated` or
    /// `control`) and optionally `group` (empty means none), in any order, other columns
    /// ignored. Rows are counted as lines of the file, the header being row 1. Fails with
    /// [`Error::BadAssignment`] naming `file`, the row and the column, or [`Error::ReadCsv`].
    pub fn from_csv<R: Read>(reader: R, file: &Path, params: &SynthValidParams) -> Result<Self> {
        let read_err = |source| Error::ReadCsv {
            path: file.to_owned(),
            source,
        };
        let bad = |row, column, problem| Error::BadAssignment {
            file: file.to_owned(),
            row,
            column,
            problem,
        };
        let mut csv = csv::Reader::from_reader(reader);
        let headers = csv.headers().map_err(read_err)?.clone();
        let column = |name: &'static str| headers.iter().position(|h| h.trim() == name);
        let member = column("member_id")
            .ok_or_else(|| bad(1, "member_id", AssignmentProblem::MissingColumn))?;
        let arm = column("arm").ok_or_else(|| bad(1, "arm", AssignmentProblem::MissingColumn))?;
        let group = column("group");
        let mut assignment = Self::new(params);
        for record in csv.records() {
            let record = record.map_err(read_err)?;
            let row = record.position().map_or(0, |p| p.line() as usize);
            let cell = |i: usize| record.get(i).unwrap_or("").trim();
            let arm = match cell(arm) {
                "treated" => Arm::Treated,
                "control" => Arm::Control,
                other => return Err(bad(row, "arm", AssignmentProblem::UnknownArm(other.into()))),
            };
            let group = group.map(cell).filter(|g| !g.is_empty()).map(str::to_owned);
            assignment
                .insert(cell(member), Assigned { arm, group }, row)
                .map_err(|problem| bad(row, "member_id", problem))?;
        }
        Ok(assignment)
    }

    /// Reads the audience CSV at `path`, as [`Assignment::from_csv`] does.
    pub fn read_csv(path: &Path, params: &SynthValidParams) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|source| Error::ReadCsv {
            path: path.to_owned(),
            source: source.into(),
        })?;
        Self::from_csv(std::io::BufReader::new(file), path, params)
    }

    /// The arm and group of the member numbered `number` (from 1, `M000042` is 42).
    pub fn get(&self, number: usize) -> Option<&Assigned> {
        self.members.get(&number).map(|(a, _)| a)
    }

    /// Number of assigned members, both arms.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether no member is assigned.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    fn number_of(&self, id: &str) -> std::result::Result<usize, AssignmentProblem> {
        id.strip_prefix('M')
            .and_then(|digits| digits.parse::<usize>().ok())
            .filter(|&n| (1..=self.last).contains(&n) && member_id(n) == id)
            .ok_or_else(|| AssignmentProblem::UnknownMember {
                member_id: id.to_owned(),
                last: member_id(self.last),
            })
    }
}
