//! Knowledge distillation: the KD loss (Hinton, Vinyals & Dean 2015, "Distilling the Knowledge in a
//! Neural Network").

#![warn(missing_docs)]

mod kd_loss;

pub use kd_loss::{cross_entropy, kd_loss, soft_target_kl};
