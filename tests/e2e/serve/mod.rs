//! The real server (`serving::startup::Application`) on a random loopback port, over models
//! that training really exported from the bundled sample, driven with a real HTTP client.

mod api;
mod campaigns;
mod events;
mod export;
pub(crate) mod helpers;
mod jetstream;
mod kill9;
mod learned;
mod measurement;
mod nats;
mod offers;
mod parts;
mod ranker;
mod reload;
mod restart;
mod segments;
mod snapshot;
