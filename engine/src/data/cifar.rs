//! The binary version of CIFAR-10 and CIFAR-100 (Krizhevsky 2009), as in `cifar-10-batches-bin/` and
//! `cifar-100-binary/`: fixed-size records, no header.

use std::path::Path;

use super::error::DataError;
use super::file_bytes::read_bytes;
use super::raw::RawImages;
use super::shape::ImageShape;

/// Shape of one CIFAR image: 3 × 32 × 32.
pub const CIFAR_SHAPE: ImageShape = ImageShape {
    channels: 3,
    height: 32,
    width: 32,
};

/// Pixels of one record: the R plane, then G, then B, each 32×32 row-major (already CHW).
const PIXELS: usize = 3 * 32 * 32;

/// Which of the two CIFAR binary formats a file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cifar {
    /// CIFAR-10: record = 1 label byte (0..10) + 3072 pixel bytes.
    Ten,
    /// CIFAR-100: record = 1 coarse label byte (0..20) + 1 fine label byte (0..100) + 3072 pixel bytes;
    /// the fine label is kept.
    Hundred,
}

impl Cifar {
    /// Label bytes before the pixels of each record.
    fn label_bytes(self) -> usize {
        match self {
            Cifar::Ten => 1,
            Cifar::Hundred => 2,
        }
    }

    /// Bytes of one record.
    pub fn record_bytes(self) -> usize {
        self.label_bytes() + PIXELS
    }

    /// Number of classes of the kept label: 10 or 100 (fine).
    pub fn num_classes(self) -> usize {
        match self {
            Cifar::Ten => 10,
            Cifar::Hundred => 100,
        }
    }
}

/// Read one CIFAR binary batch file (`data_batch_N.bin`, `test_batch.bin`, `train.bin`, `test.bin`;
/// a gzipped file is accepted too). Returns 3×32×32 images (u8, NCHW) and labels (CIFAR-100: fine).
///
/// Errors naming `path`: [`DataError::Io`]; [`DataError::Truncated`] when the size is not a whole
/// number of records (expected = the next whole number of records); [`DataError::LabelOutOfRange`]
/// ("record i") when a label is ≥ 10 (CIFAR-10) or a fine label ≥ 100 (CIFAR-100).
pub fn read_cifar_batch(path: &Path, format: Cifar) -> Result<RawImages, DataError> {
    let bytes = read_bytes(path)?;
    let record = format.record_bytes();
    if bytes.len() % record != 0 {
        return Err(DataError::Truncated {
            path: path.to_path_buf(),
            expected: bytes.len().div_ceil(record) as u64 * record as u64,
            found: bytes.len() as u64,
        });
    }
    let count = bytes.len() / record;
    let mut pixels = Vec::with_capacity(count * PIXELS);
    let mut labels = Vec::with_capacity(count);
    let label_at = format.label_bytes() - 1;
    for (i, rec) in bytes.chunks_exact(record).enumerate() {
        let label = rec[label_at];
        if label as usize >= format.num_classes() {
            return Err(DataError::LabelOutOfRange {
                path: path.to_path_buf(),
                at: format!("record {i}"),
                label: label as u64,
                num_classes: format.num_classes(),
            });
        }
        labels.push(label);
        pixels.extend_from_slice(&rec[format.label_bytes()..]);
    }
    Ok(RawImages {
        shape: CIFAR_SHAPE,
        pixels,
        labels,
    })
}
