//! The synchronous domain core: event parsing, member state, per-member answers, the
//! interim recommender and the churn list. Nothing here is async or knows about HTTP.

pub mod answer;
pub mod campaign;
pub mod events;
pub mod learned;
pub mod listing;
pub mod offers;
pub mod partitioning;
pub mod policy;
pub mod recommend;
pub mod segments;
pub mod store;
pub mod table;

pub use answer::{ChurnAnswer, MemberAnswer, Portrait};
pub use events::{OrderEvent, parse_csv, parse_json};
pub use listing::{ChurnFilter, ChurnPage};
pub use partitioning::{Misdirected, Partitioning};
pub use policy::{Recommendation, Recommendations};
pub use recommend::{Popular, Ranked, RecommendOptions, recommend};
pub use store::MemberStore;
