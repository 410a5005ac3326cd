//! Optimizers, learning-rate schedules, the training epoch and evaluation.

#![warn(missing_docs)]

mod adamw;
mod epoch;
mod error;
mod evaluate;
mod fused;
mod optimizer;
mod optimizer_state;
mod schedule;
mod sgd;

pub use adamw::AdamW;
pub use epoch::{train_epoch, BatchReport, EpochOutcome, EpochStats, KdTarget};
pub use error::TrainError;
pub use evaluate::evaluate;
pub use optimizer::{build_optimizer, Optimizer};
pub use optimizer_state::OptimizerState;
pub use schedule::learning_rate;
pub use sgd::Sgd;
