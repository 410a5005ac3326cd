//! When to stop training a stage.

mod rule;

pub use rule::{StopReason, StopRule};
