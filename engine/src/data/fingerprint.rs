//! The data's identity for the control-curve cache: the SHA-256 of the files a dataset is read
//! from, so a replaced or edited data file never replays curves trained on the old one.

use std::io::Read as _;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::cifar::Cifar;
use super::error::DataError;
use super::layout;
use crate::preset::{DataConfig, DatasetKind};

/// Hex SHA-256 over the files `cfg` names (in the loader's order, each file's name and bytes), as
/// stored on disk (compressed files are hashed compressed). Read once per run: ~0.1 s for MNIST.
///
/// Errors: a file is missing or unreadable ([`DataError::Missing`], [`DataError::Io`]).
pub fn fingerprint(cfg: &DataConfig) -> Result<String, DataError> {
    let mut hash = Sha256::new();
    for path in files(cfg)? {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        hash.update(name.unwrap_or_default().as_bytes());
        let mut file = std::fs::File::open(&path).map_err(|source| DataError::Io {
            path: path.clone(),
            source,
        })?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = file.read(&mut buf).map_err(|source| DataError::Io {
                path: path.clone(),
                source,
            })?;
            if n == 0 {
                break;
            }
            hash.update(&buf[..n]);
        }
    }
    Ok(crate::describe::hex(&hash.finalize()))
}

/// The files the loader reads for `cfg`, in its order.
fn files(cfg: &DataConfig) -> Result<Vec<PathBuf>, DataError> {
    let root = cfg.root.as_path();
    Ok(match cfg.dataset {
        kind @ (DatasetKind::FashionMnist | DatasetKind::Mnist) => {
            let f = layout::idx_files(root, kind)?;
            vec![f.train_images, f.train_labels, f.test_images, f.test_labels]
        }
        DatasetKind::Digits => vec![layout::digits_file(root)?],
        kind @ (DatasetKind::Cifar10 | DatasetKind::Cifar100) => {
            let format = if kind == DatasetKind::Cifar10 {
                Cifar::Ten
            } else {
                Cifar::Hundred
            };
            let (mut train, test) = layout::cifar_files(root, format)?;
            train.extend(test);
            train
        }
    })
}
