//! Errors of a training epoch.

/// Why [`train_epoch`](super::train_epoch) stopped early.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// The loss of a batch was NaN or infinite (diverged: lower the learning rate). Raised before the
    /// optimizer step, so the weights are those of the previous batch.
    #[error("training loss is not finite ({loss}) at batch {batch}: the run diverged, try a lower learning rate")]
    NonFiniteLoss {
        /// 1-based index of the batch.
        batch: usize,
        /// The loss value (NaN or ±∞).
        loss: f64,
    },

    /// `batch_size` was 0.
    #[error("batch size must be at least 1")]
    ZeroBatchSize,

    /// The epoch's order was empty: there is nothing to train on.
    #[error("the training order is empty: no examples to train on")]
    EmptyEpoch,

    /// An error inside candle (shapes, devices, …).
    #[error("candle: {0}")]
    Candle(#[from] candle_core::Error),
}
