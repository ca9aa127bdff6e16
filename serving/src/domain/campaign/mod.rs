//! Campaigns: a checked request, a frozen audience (frequency caps, then a holdout by a stable
//! hash of campaign and member) and the uplift report from the orders that arrive after the
//! send. The durable store is [`crate::campaigns`].

pub mod audience;
pub mod report;
pub mod request;

pub use audience::{
    Assignment, AudienceCounts, AudienceMember, Candidate, Frozen, PowerNote, Warning, freeze,
    matches, warnings,
};
pub use report::{CampaignReport, Outcome, report, report_csv};
pub use request::{AudienceRequest, CampaignRequest, CampaignSpec, FieldError, RankBy, Vocabulary};
