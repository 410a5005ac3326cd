//! Test helpers shared by the `train_*` tests: an in-memory `BatchSource` and a synthetic,
//! linearly separable image problem.

#![allow(dead_code)]

use candle_core::{Device, Tensor};
use mkd_tui::data::{BatchSource, ImageShape};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Images and labels held in vectors; `gather` copies the requested rows.
pub struct InMemory {
    pub shape: ImageShape,
    pub images: Vec<f32>,
    pub labels: Vec<u32>,
}

impl BatchSource for InMemory {
    fn len(&self) -> usize {
        self.labels.len()
    }

    fn gather(&self, indices: &[usize], device: &Device) -> candle_core::Result<(Tensor, Tensor)> {
        let n = self.shape.numel();
        let mut x = Vec::with_capacity(indices.len() * n);
        let mut y = Vec::with_capacity(indices.len());
        for &i in indices {
            x.extend_from_slice(&self.images[i * n..(i + 1) * n]);
            y.push(self.labels[i]);
        }
        let s = self.shape;
        let x = Tensor::from_vec(x, (indices.len(), s.channels, s.height, s.width), device)?;
        let y = Tensor::from_vec(y, indices.len(), device)?;
        Ok((x, y))
    }
}

/// `count` images of `shape` in `classes` classes: class `k` lights up its own block of pixels
/// (value 1.5) over Gaussian-ish noise of amplitude 0.3, so a linear model separates them.
pub fn separable(shape: ImageShape, classes: usize, count: usize, seed: u64) -> InMemory {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = shape.numel();
    let block = n / classes;
    let mut images = Vec::with_capacity(count * n);
    let mut labels = Vec::with_capacity(count);
    for _ in 0..count {
        let k = rng.random_range(0..classes);
        for p in 0..n {
            let noise = (rng.random::<f32>() - 0.5) * 0.6;
            let signal = if p / block == k { 1.5 } else { 0.0 };
            images.push(signal + noise);
        }
        labels.push(k as u32);
    }
    InMemory {
        shape,
        images,
        labels,
    }
}
