//! Batches of a [`Split`] as candle tensors.

use candle_core::{Device, Tensor};

use super::batch_source::BatchSource;
use super::dataset::Split;

impl BatchSource for Split {
    fn len(&self) -> usize {
        Split::len(self)
    }

    /// Images `[B, C, H, W]` f32 and labels `[B]` u32 of `indices`, in that order; one buffer per
    /// tensor. Errors (no panic) when an index is out of range.
    fn gather(&self, indices: &[usize], device: &Device) -> candle_core::Result<(Tensor, Tensor)> {
        let shape = self.shape();
        let mut images = Vec::with_capacity(indices.len() * shape.numel());
        let mut labels = Vec::with_capacity(indices.len());
        for &i in indices {
            if i >= Split::len(self) {
                candle_core::bail!(
                    "gather: index {i} out of range for a split of {}",
                    Split::len(self)
                );
            }
            images.extend_from_slice(self.image(i));
            labels.push(self.labels()[i]);
        }
        let b = indices.len();
        let images = Tensor::from_vec(
            images,
            (b, shape.channels, shape.height, shape.width),
            device,
        )?;
        let labels = Tensor::from_vec(labels, b, device)?;
        Ok((images, labels))
    }
}
