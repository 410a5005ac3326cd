//! `load`: find the files, read them, split, normalise.

use std::path::{Path, PathBuf};

use super::cifar::{read_cifar_batch, Cifar, CIFAR_SHAPE};
use super::dataset::{Dataset, Split};
use super::digits_csv::{read_digits_csv, DIGITS_CLASSES, DIGITS_MAX};
use super::error::DataError;
use super::idx::{read_idx_images, read_idx_labels};
use super::layout;
use super::normalise::Normaliser;
use super::raw::RawImages;
use super::shape::ImageShape;
use super::split::{split_with_test_set, split_without_test_set, SplitIndices};
use crate::preset::{DataConfig, DatasetKind};

/// Classes of MNIST and Fashion-MNIST.
const IDX_CLASSES: usize = 10;

/// Load the dataset `cfg.dataset` from `cfg.root` (used as given: resolve it before), split it with
/// sub-seeds of `seed` and normalise it with the train part's statistics.
///
/// Layout under `cfg.root`: `fashion-mnist/` and `mnist/` hold `{train,t10k}-{images-idx3,labels-idx1}-ubyte`
/// (each raw or `.gz`); `digits/digits.csv[.gz]`; `cifar10/` (or `cifar-10-batches-bin/`) holds
/// `data_batch_{1..5}.bin` and `test_batch.bin`; `cifar100/` (or `cifar-100-binary/`) holds `train.bin`
/// and `test.bin`. Same `cfg` and `seed` give identical splits.
///
/// Errors: every [`DataError`] variant: missing files (all tried paths), unreadable or corrupt files,
/// train and test of different image shapes, and split settings that do not fit the data.
pub fn load(cfg: &DataConfig, seed: u64) -> Result<Dataset, DataError> {
    let root = cfg.root.as_path();
    match cfg.dataset {
        kind @ (DatasetKind::FashionMnist | DatasetKind::Mnist) => {
            let files = layout::idx_files(root, kind)?;
            let train = read_idx_set(&files.train_images, &files.train_labels)?;
            let test = read_idx_set(&files.test_images, &files.test_labels)?;
            check_shape(&files.test_images, train.shape, test.shape)?;
            let indices = split_with_test_set(
                train.len(),
                test.len(),
                cfg,
                seed,
                &root.join(kind.as_str()),
            )?;
            Ok(assemble(kind, IDX_CLASSES, 255, &train, &test, &indices))
        }
        DatasetKind::Digits => {
            let path = layout::digits_file(root)?;
            let all = read_digits_csv(&path)?;
            let indices = split_without_test_set(all.len(), cfg, seed, &path)?;
            Ok(assemble(
                DatasetKind::Digits,
                DIGITS_CLASSES,
                DIGITS_MAX,
                &all,
                &all,
                &indices,
            ))
        }
        kind @ (DatasetKind::Cifar10 | DatasetKind::Cifar100) => {
            let format = if kind == DatasetKind::Cifar10 {
                Cifar::Ten
            } else {
                Cifar::Hundred
            };
            let (train_files, test_files) = layout::cifar_files(root, format)?;
            let train = read_cifar_files(&train_files, format)?;
            let test = read_cifar_files(&test_files, format)?;
            let dir = train_files[0].parent().unwrap_or(root);
            let indices = split_with_test_set(train.len(), test.len(), cfg, seed, dir)?;
            Ok(assemble(
                kind,
                format.num_classes(),
                255,
                &train,
                &test,
                &indices,
            ))
        }
    }
}

/// Fit the normaliser on the train indices of `train_raw` and build the three splits.
fn assemble(
    kind: DatasetKind,
    num_classes: usize,
    max_value: u8,
    train_raw: &RawImages,
    test_raw: &RawImages,
    indices: &SplitIndices,
) -> Dataset {
    let norm = Normaliser::fit(train_raw, &indices.train, max_value);
    let make = |raw: &RawImages, idx: &[usize]| {
        let labels = idx.iter().map(|&i| u32::from(raw.labels[i])).collect();
        Split::new(raw.shape, norm.apply(raw, idx), labels)
    };
    Dataset {
        kind,
        shape: train_raw.shape,
        num_classes,
        train: make(train_raw, &indices.train),
        val: make(train_raw, &indices.val),
        test: make(test_raw, &indices.test),
        mean: norm.mean.clone(),
        std: norm.std.clone(),
        source: indices.clone(),
    }
}

/// An IDX image file and its label file, checked against each other and against 10 classes.
fn read_idx_set(images_path: &Path, labels_path: &Path) -> Result<RawImages, DataError> {
    let images = read_idx_images(images_path)?;
    let labels = read_idx_labels(labels_path)?;
    if images.count != labels.len() {
        return Err(DataError::CountMismatch {
            images: images_path.to_path_buf(),
            labels: labels_path.to_path_buf(),
            images_count: images.count,
            labels_count: labels.len(),
        });
    }
    if let Some((i, &label)) = labels
        .iter()
        .enumerate()
        .find(|(_, &l)| l as usize >= IDX_CLASSES)
    {
        return Err(DataError::LabelOutOfRange {
            path: labels_path.to_path_buf(),
            at: format!("label {i}"),
            label: u64::from(label),
            num_classes: IDX_CLASSES,
        });
    }
    Ok(RawImages {
        shape: ImageShape {
            channels: 1,
            height: images.rows,
            width: images.cols,
        },
        pixels: images.pixels,
        labels,
    })
}

/// The batches of `files`, concatenated in order.
fn read_cifar_files(files: &[PathBuf], format: Cifar) -> Result<RawImages, DataError> {
    let mut all = RawImages {
        shape: CIFAR_SHAPE,
        pixels: Vec::new(),
        labels: Vec::new(),
    };
    for f in files {
        all.append(read_cifar_batch(f, format)?);
    }
    Ok(all)
}

fn check_shape(path: &Path, expected: ImageShape, found: ImageShape) -> Result<(), DataError> {
    if expected == found {
        return Ok(());
    }
    let show = |s: ImageShape| format!("{}×{}×{}", s.channels, s.height, s.width);
    Err(DataError::ShapeMismatch {
        path: path.to_path_buf(),
        expected: show(expected),
        found: show(found),
    })
}
