//! Turns a preset into a plan and runs it on a worker thread, emitting events.

mod arm;
mod control;
pub mod control_cache;
mod emitter;
mod halt;
mod plan;
pub mod resume;
mod stage;
mod worker;

pub use halt::halted_line;
pub use plan::{Plan, StagePlan};
pub use worker::{spawn, spawn_resumed};
