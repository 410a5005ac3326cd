//! Seeded random images and labels in one contiguous buffer: a stand-in dataset for benchmarks.

use candle_core::{Device, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::data::{BatchSource, ImageShape};

/// `count` images of `shape` with values uniform in `[-0.5, 0.5)` and labels uniform in
/// `0..classes`, from a ChaCha8 RNG seeded with `seed`.
pub struct RandomImages {
    shape: ImageShape,
    images: Vec<f32>,
    labels: Vec<u32>,
}

impl RandomImages {
    /// Draws the images and labels.
    pub fn new(shape: ImageShape, count: usize, classes: usize, seed: u64) -> RandomImages {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        RandomImages {
            shape,
            images: (0..count * shape.numel())
                .map(|_| rng.random::<f32>() - 0.5)
                .collect(),
            labels: (0..count)
                .map(|_| rng.random_range(0..classes as u32))
                .collect(),
        }
    }
}

impl BatchSource for RandomImages {
    fn len(&self) -> usize {
        self.labels.len()
    }

    fn gather(&self, indices: &[usize], device: &Device) -> candle_core::Result<(Tensor, Tensor)> {
        let n = self.shape.numel();
        let mut x = Vec::with_capacity(indices.len() * n);
        for &i in indices {
            x.extend_from_slice(&self.images[i * n..(i + 1) * n]);
        }
        let y: Vec<u32> = indices.iter().map(|&i| self.labels[i]).collect();
        let s = self.shape;
        Ok((
            Tensor::from_vec(x, (indices.len(), s.channels, s.height, s.width), device)?,
            Tensor::from_vec(y, indices.len(), device)?,
        ))
    }
}
