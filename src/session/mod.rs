//! Turns a preset into a plan and runs it on a worker thread, emitting events.

mod arm;
mod control;
pub mod control_cache;
mod emitter;
mod plan;
mod stage;
mod teacher_logits;
mod worker;

pub use plan::{Plan, StagePlan};
pub use worker::spawn;
