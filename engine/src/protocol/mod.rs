//! The only types shared by the engine and the front ends: [`Event`] (worker → front end) and
//! [`Command`] (front end → worker), and the [`FrontEndLink`] that carries them.

mod command;
mod event;
pub mod float;
mod link;
mod planner;

pub use command::Command;
pub use event::*;
pub use link::FrontEndLink;
pub use planner::{LadderEntry, PlannerThresholds, ProbeKind, Verdict};
