//! Dynamic assistant setting (DESIGN §4.2): ladders of candidate architectures, the prior from the
//! parameter ratio, and the probe-driven search that chooses the assistants.

mod config;
pub mod ladder;
pub mod prior;
pub mod search;

pub use config::{check_thresholds, PlannerConfig, Strategy};
pub use ladder::{Ladder, LadderSpec, Rung};
pub use search::{Member, PlannerOutcome, Probe, ProbeOracle, Search};
