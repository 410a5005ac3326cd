//! Input augmentation of training batches: random translation and horizontal flip.
//!
//! - `pad: p` is torchvision's `RandomCrop(size, padding=p)` (the CIFAR recipe of He et al. 2016,
//!   used by TAKD and DGKD): the image is padded by `p` background pixels on every side and a
//!   window of the original size is cut at a uniformly random offset, i.e. the image moves by
//!   `(dx, dy)` uniform in `{−p, …, p}²` and the uncovered border is background.
//! - `jitter: k` is Hinton et al. 2015's "jittered" MNIST inputs (§3): a random shift of up to `k`
//!   pixels in each direction — the same operation under the name that paper uses. Set one of the
//!   two; the preset check refuses both.
//! - `flip: true` mirrors the image left–right with probability ½ (off by default: digits and
//!   clothes are not mirror-symmetric in general; CIFAR's objects are).
//!
//! The background is a raw pixel of 0 after normalisation (`−mean/std` per channel).
//!
//! Every random choice is a pure function of `(epoch seed, example index)`: an example gets the same
//! shift in every arm of a stage (the arms stay paired), and a resumed run sees the same batches as
//! an uninterrupted one. The epoch seed is derived from the preset's seed, the stage and the epoch.

use candle_core::{Device, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::batch_source::BatchSource;
use super::dataset::Split;
use super::shape::ImageShape;

/// `data.augment` in a preset. All zero / false (the default) means no augmentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Augment {
    /// Random crop with this much padding, pixels (shift uniform in `{−pad, …, pad}²`).
    #[serde(default)]
    pub pad: usize,
    /// Hinton's jitter: random shift by up to this many pixels (same operation as `pad`).
    #[serde(default)]
    pub jitter: usize,
    /// Horizontal flip with probability ½.
    #[serde(default)]
    pub flip: bool,
}

impl Augment {
    /// True when some augmentation is on.
    pub fn is_on(&self) -> bool {
        self.max_shift() > 0 || self.flip
    }

    /// Largest shift in pixels (`pad` or `jitter`, whichever is set).
    pub fn max_shift(&self) -> usize {
        self.pad.max(self.jitter)
    }

    /// One line for `check`, the screen and the report: `pad 2 · flip` or `none`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if self.pad > 0 {
            parts.push(format!("random crop, pad {} px", self.pad));
        }
        if self.jitter > 0 {
            parts.push(format!("jitter ±{} px", self.jitter));
        }
        if self.flip {
            parts.push("horizontal flip".to_string());
        }
        if parts.is_empty() {
            "none".into()
        } else {
            parts.join(" · ")
        }
    }

    /// The transform of example `index` in the epoch whose seed is `epoch_seed`: shift
    /// `(dx, dy)` in pixels (positive = right / down) and whether to mirror first.
    pub fn draw(&self, epoch_seed: u64, index: usize) -> Transform {
        let mut rng = ChaCha8Rng::seed_from_u64(crate::seed::derive(epoch_seed, &[index as u64]));
        let s = self.max_shift() as i64;
        let (dx, dy) = if s > 0 {
            (
                rng.random_range(-s..=s) as isize,
                rng.random_range(-s..=s) as isize,
            )
        } else {
            (0, 0)
        };
        let flip = self.flip && rng.random_bool(0.5);
        Transform { dx, dy, flip }
    }
}

/// What is done to one image: mirror (if `flip`), then move by `(dx, dy)` pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transform {
    pub dx: isize,
    pub dy: isize,
    pub flip: bool,
}

/// Writes the transformed `image` (`C·H·W`, CHW) to `out`: `out[c][y][x] = m[c][y−dy][x−dx]` where
/// `m` is the image (mirrored when `t.flip`: `m[c][y][x] = image[c][y][W−1−x]`), and
/// `background[c]` where `(y−dy, x−dx)` falls outside the image.
pub fn transform_image(
    image: &[f32],
    shape: ImageShape,
    t: Transform,
    background: &[f32],
    out: &mut Vec<f32>,
) {
    let (h, w) = (shape.height as isize, shape.width as isize);
    let plane = shape.height * shape.width;
    for c in 0..shape.channels {
        let src = &image[c * plane..(c + 1) * plane];
        for y in 0..h {
            let sy = y - t.dy;
            for x in 0..w {
                let sx = x - t.dx;
                let v = if (0..h).contains(&sy) && (0..w).contains(&sx) {
                    let sx = if t.flip { w - 1 - sx } else { sx };
                    src[(sy * w + sx) as usize]
                } else {
                    background[c]
                };
                out.push(v);
            }
        }
    }
}

/// A training split seen through one epoch's augmentation: a [`BatchSource`] whose batches are the
/// transformed images (labels unchanged).
pub struct AugmentedSplit<'a> {
    split: &'a Split,
    augment: Augment,
    epoch_seed: u64,
    background: Vec<f32>,
}

impl<'a> AugmentedSplit<'a> {
    /// `background` has one normalised value per channel ([`Dataset::background`](super::Dataset::background)).
    pub fn new(
        split: &'a Split,
        augment: Augment,
        epoch_seed: u64,
        background: Vec<f32>,
    ) -> AugmentedSplit<'a> {
        AugmentedSplit {
            split,
            augment,
            epoch_seed,
            background,
        }
    }
}

impl BatchSource for AugmentedSplit<'_> {
    fn len(&self) -> usize {
        self.split.len()
    }

    /// Images `[B, C, H, W]` of `indices`, each transformed by [`Augment::draw`]`(epoch seed,
    /// index)`, and their labels `[B]` (u32). Errors when an index is out of range.
    fn gather(&self, indices: &[usize], device: &Device) -> candle_core::Result<(Tensor, Tensor)> {
        let shape = self.split.shape();
        let n = self.split.len();
        let mut images = Vec::with_capacity(indices.len() * shape.numel());
        let mut labels = Vec::with_capacity(indices.len());
        for &i in indices {
            if i >= n {
                candle_core::bail!("gather: index {i} out of range for a split of {n}");
            }
            let t = self.augment.draw(self.epoch_seed, i);
            transform_image(self.split.image(i), shape, t, &self.background, &mut images);
            labels.push(self.split.labels()[i]);
        }
        super::batch::batch_tensors(images, labels, shape, device)
    }
}
