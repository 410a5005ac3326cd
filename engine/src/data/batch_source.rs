//! What the training loop needs from a split: batches gathered by example index.

use candle_core::{Device, Tensor};

/// A set of labelled images that can be gathered into batches.
pub trait BatchSource: Sync {
    /// Number of examples.
    fn len(&self) -> usize;

    /// True when there are no examples.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Images `[B, C, H, W]` (f32, normalised) and labels `[B]` (u32) of the examples at `indices`,
    /// in that order.
    fn gather(&self, indices: &[usize], device: &Device) -> candle_core::Result<(Tensor, Tensor)>;
}
