//! End-to-end tests: the bundled sample through reading, features, training, export and
//! reloading the exported model with tract.

mod chunks;
mod console;
mod serve;
mod shapes;
mod train;
