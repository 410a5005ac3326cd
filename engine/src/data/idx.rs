//! The IDX format of MNIST and Fashion-MNIST (LeCun et al.): a big-endian header, then raw u8 data.
//!
//! Header: magic `0x0000_08NN` (`08` = unsigned byte data, `NN` = number of dimensions), then one
//! big-endian u32 per dimension. Files may be gzipped; see [`super::file_bytes::read_bytes`].

use std::path::Path;

use super::error::DataError;
use super::file_bytes::read_bytes;

/// Magic of an image file: u8 data, 3 dimensions (count, rows, columns).
pub const IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic of a label file: u8 data, 1 dimension (count).
pub const LABELS_MAGIC: u32 = 0x0000_0801;

/// The content of an IDX image file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxImages {
    /// Number of images.
    pub count: usize,
    /// Image height in pixels.
    pub rows: usize,
    /// Image width in pixels.
    pub cols: usize,
    /// `count · rows · cols` grey values 0..=255, row-major.
    pub pixels: Vec<u8>,
}

/// Read an IDX image file (raw or gzip, detected by content).
///
/// Errors naming `path`: [`DataError::Io`], [`DataError::BadMagic`] (not `0x00000803`),
/// [`DataError::Truncated`] / [`DataError::TrailingBytes`] (size ≠ header + count·rows·cols).
pub fn read_idx_images(path: &Path) -> Result<IdxImages, DataError> {
    let bytes = read_bytes(path)?;
    let (dims, pixels) = parse(path, bytes, IMAGES_MAGIC)?;
    Ok(IdxImages {
        count: dims[0],
        rows: dims[1],
        cols: dims[2],
        pixels,
    })
}

/// Read an IDX label file (raw or gzip, detected by content): one u8 label per example.
///
/// Errors naming `path`: [`DataError::Io`], [`DataError::BadMagic`] (not `0x00000801`),
/// [`DataError::Truncated`] / [`DataError::TrailingBytes`] (size ≠ header + count).
pub fn read_idx_labels(path: &Path) -> Result<Vec<u8>, DataError> {
    let bytes = read_bytes(path)?;
    let (_, labels) = parse(path, bytes, LABELS_MAGIC)?;
    Ok(labels)
}

/// Check the header of `bytes` against `magic` and return the dimensions and the data after the header.
fn parse(path: &Path, mut bytes: Vec<u8>, magic: u32) -> Result<(Vec<usize>, Vec<u8>), DataError> {
    let ndims = (magic & 0xff) as usize;
    let header = 4 + 4 * ndims;
    let found_len = bytes.len() as u64;
    if bytes.len() < 4 {
        return Err(DataError::Truncated {
            path: path.to_path_buf(),
            expected: header as u64,
            found: found_len,
        });
    }
    let found_magic = be_u32(&bytes, 0);
    if found_magic != magic {
        return Err(DataError::BadMagic {
            path: path.to_path_buf(),
            expected: magic,
            found: found_magic,
        });
    }
    if bytes.len() < header {
        return Err(DataError::Truncated {
            path: path.to_path_buf(),
            expected: header as u64,
            found: found_len,
        });
    }
    let dims: Vec<usize> = (0..ndims)
        .map(|d| be_u32(&bytes, 4 + 4 * d) as usize)
        .collect();
    // u64 with saturation so that absurd headers cannot overflow; they fail the size check below.
    let data_len = dims
        .iter()
        .fold(1u64, |acc, &d| acc.saturating_mul(d as u64));
    let expected = (header as u64).saturating_add(data_len);
    if found_len < expected {
        return Err(DataError::Truncated {
            path: path.to_path_buf(),
            expected,
            found: found_len,
        });
    }
    if found_len > expected {
        return Err(DataError::TrailingBytes {
            path: path.to_path_buf(),
            expected,
            found: found_len,
        });
    }
    // In-place move instead of a second 47 MB allocation.
    bytes.drain(..header);
    Ok((dims, bytes))
}

fn be_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}
