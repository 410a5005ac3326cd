//! Turns a preset into a plan and runs it on a worker thread, emitting events.

mod arm;
mod control;
pub mod control_cache;
mod emitter;
mod plan;
pub mod resume;
mod stage;
mod worker;

pub use plan::{Plan, StagePlan};
pub use worker::{spawn, spawn_resumed};
