//! Handlers, one file per resource.

pub mod admin;
pub mod campaigns;
pub mod churn_list;
pub mod events;
pub mod health;
pub mod members;
pub mod segments;
