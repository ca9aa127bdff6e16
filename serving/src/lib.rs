//! tiefen serving: loads exported models and answers member queries over HTTP.
//!
//! Not built yet: the HTTP API is the subject of a later issue. The crate exists so the
//! workspace layout and its dependency direction (`serving -> features`) hold from the start.

pub use features::spec::schema_hash;
