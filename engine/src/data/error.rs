//! Everything that can go wrong while reading and splitting a dataset.

use std::path::{Path, PathBuf};

/// Errors of the data module. Every message names the file (or dataset folder) involved and what was
/// expected against what was found, so a user can fix the file without reading the code.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// None of the accepted locations of a file exists.
    #[error("missing {what}: none of these exists: {}", list(.tried))]
    Missing {
        /// What the file is, e.g. "fashion-mnist training images".
        what: String,
        /// Every path that was tried, in order of preference.
        tried: Vec<PathBuf>,
    },

    /// Reading (or gunzipping) a file failed.
    #[error("{}: cannot read: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The first four bytes of an IDX file are not the expected magic number.
    #[error("{}: wrong magic number: expected 0x{expected:08x}, found 0x{found:08x}", .path.display())]
    BadMagic {
        path: PathBuf,
        expected: u32,
        found: u32,
    },

    /// The file is shorter than its header (or the record size) says.
    #[error("{}: truncated: expected {expected} bytes, found {found}", .path.display())]
    Truncated {
        path: PathBuf,
        expected: u64,
        found: u64,
    },

    /// The file is longer than its header says, so it is probably not the file it claims to be.
    #[error("{}: unexpected trailing data: expected {expected} bytes, found {found}", .path.display())]
    TrailingBytes {
        path: PathBuf,
        expected: u64,
        found: u64,
    },

    /// An image file and its label file hold different numbers of examples.
    #[error(
        "image/label count mismatch: {} holds {images_count} images but {} holds {labels_count} labels",
        .images.display(),
        .labels.display()
    )]
    CountMismatch {
        images: PathBuf,
        labels: PathBuf,
        images_count: usize,
        labels_count: usize,
    },

    /// Two files of one dataset hold images of different shapes (e.g. train 28×28, test 32×32).
    #[error("{}: image shape mismatch: expected {expected}, found {found}", .path.display())]
    ShapeMismatch {
        path: PathBuf,
        expected: String,
        found: String,
    },

    /// A label is not below the dataset's number of classes.
    #[error(
        "{}: label out of range at {at}: found {label}, expected 0..{num_classes}",
        .path.display()
    )]
    LabelOutOfRange {
        path: PathBuf,
        /// Where in the file, e.g. "label 17" or "line 3".
        at: String,
        label: u64,
        num_classes: usize,
    },

    /// A line of a CSV file cannot be parsed.
    #[error("{}:{line}: {what}", .path.display())]
    BadCsvLine {
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        what: String,
    },

    /// A split setting (`val_size`, `test_size`, `train_limit`, `test_limit`) does not fit the data.
    #[error(
        "{setting} = {requested} does not fit the data in {} ({available} images available): {why}",
        .dataset.display()
    )]
    BadSplit {
        /// The preset field, e.g. "val_size".
        setting: &'static str,
        requested: usize,
        /// Images the setting chooses from.
        available: usize,
        /// The dataset's folder.
        dataset: PathBuf,
        /// What the setting must satisfy, e.g. "at least 1 image must remain for training".
        why: &'static str,
    },
}

impl DataError {
    /// An [`DataError::Io`] for `path`.
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        DataError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
