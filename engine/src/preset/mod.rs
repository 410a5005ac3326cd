//! Presets: YAML experiment files, parsed strictly, overridable with `--set`, and validated.

mod error;
mod load;
mod locate;
mod overrides;
mod schema;
mod validate;

pub use error::PresetError;
pub use load::{load, load_recorded, LoadedPreset};
pub use schema::*;
pub use validate::Issue;
