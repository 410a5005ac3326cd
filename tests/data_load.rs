//! `load` on small IDX datasets written here: layout, cross-file checks, split and normalisation.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use mkd_tui::data::idx::{IMAGES_MAGIC, LABELS_MAGIC};
use mkd_tui::data::{load, DataError, Dataset, Split};
use mkd_tui::preset::{DataConfig, DatasetKind};

fn idx_bytes(magic: u32, dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut out = magic.to_be_bytes().to_vec();
    for d in dims {
        out.extend_from_slice(&d.to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

/// `n` distinct 2×2 images (pixels encode the index) with labels `index % 10`.
fn images_and_labels(n: usize, offset: usize) -> (Vec<u8>, Vec<u8>) {
    let pixels = (0..n)
        .flat_map(|i| {
            let k = i + offset;
            [(k % 256) as u8, (k / 256) as u8, (k * 7 % 251) as u8, 255]
        })
        .collect();
    let labels = (0..n).map(|i| (i % 10) as u8).collect();
    (pixels, labels)
}

/// Writes `<root>/<kind>/` with `n_train` and `n_test` 2×2 images, uncompressed.
fn write_idx_dataset(root: &Path, kind: &str, n_train: usize, n_test: usize) -> PathBuf {
    let dir = root.join(kind);
    std::fs::create_dir_all(&dir).unwrap();
    for (prefix, n, offset) in [("train", n_train, 0), ("t10k", n_test, 10_000)] {
        let (pixels, labels) = images_and_labels(n, offset);
        std::fs::write(
            dir.join(format!("{prefix}-images-idx3-ubyte")),
            idx_bytes(IMAGES_MAGIC, &[n as u32, 2, 2], &pixels),
        )
        .unwrap();
        std::fs::write(
            dir.join(format!("{prefix}-labels-idx1-ubyte")),
            idx_bytes(LABELS_MAGIC, &[n as u32], &labels),
        )
        .unwrap();
    }
    dir
}

fn config(root: &Path, val_size: usize) -> DataConfig {
    DataConfig {
        dataset: DatasetKind::FashionMnist,
        root: root.to_path_buf(),
        val_size,
        test_size: None,
        train_limit: None,
        test_limit: None,
        augment: Default::default(),
    }
}

fn images(split: &Split) -> Vec<Vec<u32>> {
    (0..split.len())
        .map(|i| split.image(i).iter().map(|v| v.to_bits()).collect())
        .collect()
}

#[test]
fn split_sizes_disjoint_and_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    write_idx_dataset(dir.path(), "fashion-mnist", 100, 30);
    let cfg = config(dir.path(), 20);
    let a = load(&cfg, 7).unwrap();
    assert_eq!((a.train.len(), a.val.len(), a.test.len()), (80, 20, 30));
    assert_eq!(a.num_classes, 10);
    assert_eq!((a.shape.channels, a.shape.height, a.shape.width), (1, 2, 2));

    // Images are distinct, so equal normalised values mean the same source image.
    let train: HashSet<_> = images(&a.train).into_iter().collect();
    let val: HashSet<_> = images(&a.val).into_iter().collect();
    assert_eq!(train.len(), 80);
    assert_eq!(val.len(), 20);
    assert!(train.is_disjoint(&val));

    let b = load(&cfg, 7).unwrap();
    assert_eq!(images(&a.val), images(&b.val));
    assert_eq!(a.train.labels(), b.train.labels());
    let c = load(&cfg, 8).unwrap();
    assert_ne!(
        images(&a.val).into_iter().collect::<HashSet<_>>(),
        images(&c.val).into_iter().collect::<HashSet<_>>()
    );
}

#[test]
fn train_and_test_limits() {
    let dir = tempfile::tempdir().unwrap();
    write_idx_dataset(dir.path(), "mnist", 100, 30);
    let mut cfg = config(dir.path(), 20);
    cfg.dataset = DatasetKind::Mnist;
    let full = load(&cfg, 3).unwrap();
    cfg.train_limit = Some(25);
    cfg.test_limit = Some(4);
    let limited = load(&cfg, 3).unwrap();
    assert_eq!(limited.train.len(), 25);
    // Test: the first 4 images in file order, whose labels are 0, 1, 2, 3.
    assert_eq!(limited.test.labels(), &[0, 1, 2, 3]);
    // Compare source images (normalisation differs, as the train part differs).
    assert_eq!(
        raw_images(&limited, &limited.val),
        raw_images(&full, &full.val),
        "the limit must not move the validation split"
    );
    let full_train: HashSet<_> = raw_images(&full, &full.train).into_iter().collect();
    let limited_train: HashSet<_> = raw_images(&limited, &limited.train).into_iter().collect();
    assert_eq!(limited_train.len(), 25);
    assert!(limited_train.is_subset(&full_train));
    // A random subset, not the first 25 of the file.
    assert_ne!(limited.train.labels(), &full.train.labels()[..25]);
}

/// The u8 pixels behind a split's normalised images.
fn raw_images(d: &Dataset, s: &Split) -> Vec<Vec<i64>> {
    (0..s.len())
        .map(|i| {
            s.image(i)
                .iter()
                .map(|v| ((v * d.std[0] + d.mean[0]) * 255.0).round() as i64)
                .collect()
        })
        .collect()
}

#[test]
fn train_part_is_normalised_to_zero_mean_unit_std() {
    let dir = tempfile::tempdir().unwrap();
    write_idx_dataset(dir.path(), "fashion-mnist", 200, 10);
    let d = load(&config(dir.path(), 50), 1).unwrap();
    let x = d.train.images();
    let n = x.len() as f64;
    let mean = x.iter().map(|&v| v as f64).sum::<f64>() / n;
    let var = x.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
    assert!(mean.abs() < 1e-5, "mean {mean}");
    assert!((var.sqrt() - 1.0).abs() < 1e-5, "std {}", var.sqrt());
    assert!(d.mean[0] > 0.0 && d.mean[0] < 1.0);
}

#[test]
fn missing_files_name_both_tried_paths() {
    let dir = tempfile::tempdir().unwrap();
    let err = load(&config(dir.path(), 1), 0).unwrap_err();
    let text = err.to_string();
    let raw = dir.path().join("fashion-mnist/train-images-idx3-ubyte");
    assert!(matches!(err, DataError::Missing { .. }));
    assert!(text.contains(&raw.display().to_string()), "{text}");
    assert!(text.contains(&format!("{}.gz", raw.display())), "{text}");
}

#[test]
fn gzip_files_are_found_too() {
    let dir = tempfile::tempdir().unwrap();
    let ds = write_idx_dataset(dir.path(), "fashion-mnist", 20, 5);
    // Replace the test images by a gzipped copy under the `.gz` name.
    let raw = ds.join("t10k-images-idx3-ubyte");
    let bytes = std::fs::read(&raw).unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut enc, &bytes).unwrap();
    std::fs::write(ds.join("t10k-images-idx3-ubyte.gz"), enc.finish().unwrap()).unwrap();
    std::fs::remove_file(&raw).unwrap();
    assert_eq!(load(&config(dir.path(), 5), 0).unwrap().test.len(), 5);
}

#[test]
fn count_mismatch_names_both_files_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let ds = write_idx_dataset(dir.path(), "fashion-mnist", 20, 5);
    let labels = ds.join("train-labels-idx1-ubyte");
    std::fs::write(&labels, idx_bytes(LABELS_MAGIC, &[19], &[0; 19])).unwrap();
    let err = load(&config(dir.path(), 5), 0).unwrap_err();
    assert!(matches!(
        err,
        DataError::CountMismatch {
            images_count: 20,
            labels_count: 19,
            ..
        }
    ));
    let text = err.to_string();
    assert!(text.contains(&labels.display().to_string()), "{text}");
    assert!(
        text.contains(&ds.join("train-images-idx3-ubyte").display().to_string()),
        "{text}"
    );
    assert!(text.contains("20") && text.contains("19"), "{text}");
}

#[test]
fn label_out_of_range_names_file_index_and_label() {
    let dir = tempfile::tempdir().unwrap();
    let ds = write_idx_dataset(dir.path(), "fashion-mnist", 20, 5);
    let labels = ds.join("t10k-labels-idx1-ubyte");
    std::fs::write(&labels, idx_bytes(LABELS_MAGIC, &[5], &[0, 1, 2, 10, 4])).unwrap();
    let err = load(&config(dir.path(), 5), 0).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::LabelOutOfRange {
                label: 10,
                num_classes: 10,
                ..
            }
        ),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains(&labels.display().to_string()) && text.contains("label 3"),
        "{text}"
    );
}

#[test]
fn test_images_of_another_shape_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let ds = write_idx_dataset(dir.path(), "fashion-mnist", 20, 5);
    let path = ds.join("t10k-images-idx3-ubyte");
    std::fs::write(&path, idx_bytes(IMAGES_MAGIC, &[5, 1, 4], &[0; 20])).unwrap();
    let err = load(&config(dir.path(), 5), 0).unwrap_err();
    assert!(matches!(err, DataError::ShapeMismatch { .. }), "{err}");
    assert!(err.to_string().contains(&path.display().to_string()));
}

#[test]
fn split_settings_too_large_say_sizes() {
    let dir = tempfile::tempdir().unwrap();
    write_idx_dataset(dir.path(), "fashion-mnist", 20, 5);
    let err = load(&config(dir.path(), 20), 0).unwrap_err();
    let text = err.to_string();
    assert!(matches!(
        err,
        DataError::BadSplit {
            setting: "val_size",
            requested: 20,
            available: 20,
            ..
        }
    ));
    assert!(text.contains("fashion-mnist"), "{text}");

    let mut cfg = config(dir.path(), 5);
    cfg.train_limit = Some(16);
    let err = load(&cfg, 0).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::BadSplit {
                setting: "train_limit",
                requested: 16,
                available: 15,
                ..
            }
        ),
        "{err}"
    );

    let mut cfg = config(dir.path(), 5);
    cfg.test_limit = Some(6);
    let err = load(&cfg, 0).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::BadSplit {
                setting: "test_limit",
                requested: 6,
                available: 5,
                ..
            }
        ),
        "{err}"
    );
}
