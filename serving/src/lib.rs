//! tiefen serving: loads an exported model folder (`models/current`), keeps every member's
//! churn and recommendation answers ready, applies new order events durably, and answers over
//! HTTP.
//!
//! Layers: [`config`] (settings and API keys) → [`model`] (the model folder, loaded and checked
//! once) → [`domain`] (synchronous member state, answers and event parsing) → [`engine`] (the
//! core that ties them together with the [`eventlog`]) → [`operations`] (the use cases both
//! front ends share) → [`stream`] (events from NATS JetStream, partitioned by member) and
//! [`http`] (thin axum handlers for the JSON API) and [`console`] (the
//! marketers' pages) → [`startup`] (binding and serving).

pub mod auth;
pub mod campaigns;
pub mod config;
pub mod console;
pub mod domain;
pub mod engine;
pub mod error;
pub mod eventlog;
pub mod http;
pub mod journal;
pub mod model;
pub mod operations;
pub mod startup;
pub mod stream;

pub use error::{Error, Result};
