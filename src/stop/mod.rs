//! When to stop training a stage.
//!
//! [`StopRule`] is the foundation's plateau rule; [`ControlStopRule`] is the control-group rule of
//! DESIGN §4.1 that replaces it once the session and the stop panel are wired to it.

mod control_rule;
mod decision;
mod ema;
mod rule;

pub use control_rule::{AfterStop, ControlStopRule, Curves, Manual};
pub use decision::{StopDecision, StopKind};
pub use rule::{StopReason, StopRule};
