//! Presets: YAML experiment files, parsed strictly and validated.

mod schema;

pub use schema::*;
