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
        batch_tensors(images, labels, shape, device)
    }
}

/// Images `[B, C, H, W]` (f32, `B` = `labels.len()`, back to back) and labels `[B]` (u32) as tensors.
pub(super) fn batch_tensors(
    images: Vec<f32>,
    labels: Vec<u32>,
    shape: super::ImageShape,
    device: &Device,
) -> candle_core::Result<(Tensor, Tensor)> {
    let b = labels.len();
    let images = Tensor::from_vec(
        images,
        (b, shape.channels, shape.height, shape.width),
        device,
    )?;
    Ok((images, Tensor::from_vec(labels, b, device)?))
}
