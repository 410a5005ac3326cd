//! Turns a preset into a plan and runs it on a worker thread, emitting events.

mod arm;
mod checkpointer;
mod context;
mod control;
pub mod control_cache;
mod dense;
mod emitter;
mod epoch_inputs;
mod halt;
mod plan;
mod planning;
mod probe;
pub mod resume;
mod stage;
pub mod strategy;
mod teacher_logits;
mod worker;

pub use plan::{Plan, StagePlan};
pub use worker::{spawn, spawn_resumed};
