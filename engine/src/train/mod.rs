//! Optimizers, learning-rate schedules, the training epoch and evaluation.

#![warn(missing_docs)]

mod adamw;
mod dense_epoch;
mod epoch;
mod error;
mod evaluate;
mod fused;
mod logit_cache;
mod optimizer;
mod optimizer_state;
mod schedule;
mod sgd;

pub use adamw::AdamW;
pub use dense_epoch::{train_epoch_dense, CachedTeacher, DenseTarget, TeacherSource};
pub use epoch::{train_epoch, BatchReport, EpochOutcome, EpochStats, KdTarget};
pub use error::TrainError;
pub use evaluate::{evaluate, logits, near_chance, NEAR_CHANCE};
pub use logit_cache::LogitCache;
pub use optimizer::{build_optimizer, Optimizer};
pub use optimizer_state::OptimizerState;
pub use schedule::learning_rate;
pub use sgd::Sgd;
