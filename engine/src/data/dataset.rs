//! A loaded dataset: three normalised splits and the statistics used to normalise them.

use super::shape::ImageShape;
use crate::preset::DatasetKind;

/// A dataset ready for training: train / validation / test splits, normalised with the training
/// part's per-channel statistics.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub kind: DatasetKind,
    /// Shape of one image (e.g. 1×28×28, 3×32×32, 1×8×8).
    pub shape: ImageShape,
    /// Labels run `0..num_classes`.
    pub num_classes: usize,
    /// Training part of the official training set (after the validation split and `train_limit`).
    pub train: Split,
    /// Validation part, held out of the official training set; used for every decision.
    pub val: Split,
    /// Official test set (first `test_limit` images), or the held-out `test_size` images for digits.
    pub test: Split,
    /// Per-channel mean of the train part, pixels scaled to [0, 1] first.
    pub mean: Vec<f32>,
    /// Per-channel population standard deviation of the train part ([0, 1] units, ≥ 1e-6).
    pub std: Vec<f32>,
    /// Where each image of each split comes from: its index in the training file(s) (train,
    /// validation) or the test file(s) (test); for digits, all three index the one CSV's data
    /// rows. `predict` writes them so that a user can find the raw image.
    pub source: super::SplitIndices,
}

impl Dataset {
    /// The normalised value of a raw 0 pixel, per channel (`−mean/std`): what augmentation fills
    /// uncovered borders with.
    pub fn background(&self) -> Vec<f32> {
        self.mean
            .iter()
            .zip(&self.std)
            .map(|(m, s)| -m / s)
            .collect()
    }
}

/// Labelled, normalised images held in memory: `len · C · H · W` f32 values row-major (NCHW) and
/// one u32 label per image.
#[derive(Clone)]
pub struct Split {
    shape: ImageShape,
    images: Vec<f32>,
    labels: Vec<u32>,
}

impl Split {
    /// A split of `labels.len()` images of `shape`; `images` holds them back to back (NCHW).
    ///
    /// Panics when `images.len() != labels.len() · shape.numel()`.
    pub fn new(shape: ImageShape, images: Vec<f32>, labels: Vec<u32>) -> Split {
        assert_eq!(
            images.len(),
            labels.len() * shape.numel(),
            "Split::new: {} values for {} labels of shape {}×{}×{}",
            images.len(),
            labels.len(),
            shape.channels,
            shape.height,
            shape.width
        );
        Split {
            shape,
            images,
            labels,
        }
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// One label per image, in split order.
    pub fn labels(&self) -> &[u32] {
        &self.labels
    }

    /// The normalised values of image `i` (`C · H · W`, CHW). Panics when `i >= len()`.
    pub fn image(&self, i: usize) -> &[f32] {
        let n = self.shape.numel();
        &self.images[i * n..(i + 1) * n]
    }

    /// All images back to back (`len · C · H · W`, NCHW).
    pub fn images(&self) -> &[f32] {
        &self.images
    }

    /// Shape of one image.
    pub fn shape(&self) -> ImageShape {
        self.shape
    }
}

// By hand: the derived Debug would print millions of pixels.
impl std::fmt::Debug for Split {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Split")
            .field("len", &self.len())
            .field("shape", &self.shape)
            .finish_non_exhaustive()
    }
}
