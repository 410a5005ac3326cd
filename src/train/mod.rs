//! Optimizers, learning-rate schedules, the training epoch and evaluation.
