//! Knowledge distillation: the KD loss (Hinton, Vinyals & Dean 2015, "Distilling the Knowledge in a
//! Neural Network") and dense guidance over several teachers (DGKD, Son et al. 2021).

#![warn(missing_docs)]

mod dense_loss;
mod kd_loss;

pub use dense_loss::{dense_loss, dense_loss_reduced, kept_teachers};
pub use kd_loss::{
    cross_entropy, kd_loss, kd_loss_reduced, soft_target_kl, soft_target_kl_reduced, KlReduction,
};
