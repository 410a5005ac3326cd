//! When distillation stops: the control-group rule of DESIGN §4.1, a pure function of the arms'
//! validation curves, the thresholds and the user's manual overrides.

mod decision;
mod ema;
mod rule;

pub use decision::{StopDecision, StopKind};
pub use rule::{AfterStop, Curves, Manual, StopRule};
