//! Images as read from disk, before splitting and normalisation.

use super::shape::ImageShape;

/// Labelled images as stored in a file: integer pixels and their labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawImages {
    /// Shape of one image.
    pub shape: ImageShape,
    /// `len · C · H · W` pixel values, row-major, channel planes in order (NCHW). Units are the file's:
    /// 0..=255 for IDX and CIFAR, 0..=16 for digits.
    pub pixels: Vec<u8>,
    /// One label per image, `0..num_classes`.
    pub labels: Vec<u8>,
}

impl RawImages {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The pixels of image `i` (`C · H · W` values). Panics when `i >= len()`.
    pub fn image(&self, i: usize) -> &[u8] {
        let n = self.shape.numel();
        &self.pixels[i * n..(i + 1) * n]
    }

    /// Append the images of `other`, which must have the same shape (CIFAR-10's five batches).
    pub(crate) fn append(&mut self, mut other: RawImages) {
        debug_assert_eq!(self.shape, other.shape);
        self.pixels.append(&mut other.pixels);
        self.labels.append(&mut other.labels);
    }
}
