//! CIFAR-10 / CIFAR-100 binary batches: small files written here.

use std::path::Path;

use mkd_tui::data::cifar::{read_cifar_batch, Cifar};
use mkd_tui::data::{load, DataError};
use mkd_tui::preset::{DataConfig, DatasetKind};

/// One record: label byte(s), then R, G, B planes whose values are 1, 2, 3 plus `seed`, with pixel
/// (row 0, col 1) of each plane marked 100 + plane so that row-major order is checked too.
fn record(labels: &[u8], seed: u8) -> Vec<u8> {
    let mut rec = labels.to_vec();
    for plane in 0..3u8 {
        let mut values = vec![plane + 1 + seed; 1024];
        values[1] = 100 + plane;
        rec.extend(values);
    }
    rec
}

#[test]
fn cifar10_planes_and_labels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data_batch_1.bin");
    let bytes: Vec<u8> = [record(&[3], 0), record(&[9], 10)].concat();
    std::fs::write(&path, bytes).unwrap();
    let raw = read_cifar_batch(&path, Cifar::Ten).unwrap();
    assert_eq!(raw.labels, vec![3, 9]);
    assert_eq!(
        (raw.shape.channels, raw.shape.height, raw.shape.width),
        (3, 32, 32)
    );
    let img = raw.image(1);
    assert_eq!(img.len(), 3072);
    // R plane first, then G, then B.
    assert_eq!((img[0], img[1024], img[2048]), (11, 12, 13));
    assert_eq!((img[1], img[1025], img[2049]), (100, 101, 102));
    assert_eq!(img[32], 11, "row 1, col 0 of R");
}

#[test]
fn cifar100_keeps_the_fine_label() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.bin");
    let bytes: Vec<u8> = [record(&[19, 99], 0), record(&[0, 42], 5)].concat();
    std::fs::write(&path, bytes).unwrap();
    let raw = read_cifar_batch(&path, Cifar::Hundred).unwrap();
    assert_eq!(raw.labels, vec![99, 42]);
    let img = raw.image(0);
    assert_eq!((img[0], img[1024], img[2048]), (1, 2, 3));
    assert_eq!(raw.image(1)[2047], 7);
}

#[test]
fn partial_record_is_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("test_batch.bin");
    let mut bytes = [record(&[1], 0), record(&[2], 0)].concat();
    bytes.pop();
    std::fs::write(&path, bytes).unwrap();
    let err = read_cifar_batch(&path, Cifar::Ten).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::Truncated {
                expected: 6146,
                found: 6145,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains(&path.display().to_string()));
}

#[test]
fn label_out_of_range_names_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("test.bin");
    std::fs::write(&path, [record(&[0, 1], 0), record(&[0, 100], 0)].concat()).unwrap();
    let err = read_cifar_batch(&path, Cifar::Hundred).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::LabelOutOfRange {
                label: 100,
                num_classes: 100,
                ..
            }
        ),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains(&path.display().to_string()) && text.contains("record 1"),
        "{text}"
    );
}

fn write_cifar10(dir: &Path, per_batch: u8) {
    std::fs::create_dir_all(dir).unwrap();
    for b in 1..=5u8 {
        let bytes: Vec<u8> = (0..per_batch)
            .flat_map(|i| record(&[i % 10], b * 10 + i))
            .collect();
        std::fs::write(dir.join(format!("data_batch_{b}.bin")), bytes).unwrap();
    }
    let bytes: Vec<u8> = (0..per_batch).flat_map(|i| record(&[i % 10], i)).collect();
    std::fs::write(dir.join("test_batch.bin"), bytes).unwrap();
}

fn cfg(root: &Path, dataset: DatasetKind) -> DataConfig {
    DataConfig {
        dataset,
        root: root.to_path_buf(),
        val_size: 5,
        test_size: None,
        train_limit: None,
        test_limit: None,
        augment: Default::default(),
    }
}

#[test]
fn load_cifar10_from_the_official_folder_name() {
    let dir = tempfile::tempdir().unwrap();
    write_cifar10(&dir.path().join("cifar-10-batches-bin"), 4);
    let d = load(&cfg(dir.path(), DatasetKind::Cifar10), 0).unwrap();
    assert_eq!((d.train.len(), d.val.len(), d.test.len()), (15, 5, 4));
    assert_eq!((d.num_classes, d.mean.len(), d.std.len()), (10, 3, 3));
    assert_eq!(d.test.labels(), &[0, 1, 2, 3]);
}

#[test]
fn load_cifar10_missing_names_every_folder_tried() {
    let dir = tempfile::tempdir().unwrap();
    let err = load(&cfg(dir.path(), DatasetKind::Cifar10), 0).unwrap_err();
    let text = err.to_string();
    for tried in [
        "cifar10/test_batch.bin",
        "cifar-10-batches-bin/test_batch.bin",
    ] {
        assert!(
            text.contains(&dir.path().join(tried).display().to_string()),
            "{text}"
        );
    }
    // A folder with the test batch but no training batch names the missing one.
    write_cifar10(&dir.path().join("cifar10"), 2);
    let missing = dir.path().join("cifar10/data_batch_3.bin");
    std::fs::remove_file(&missing).unwrap();
    let err = load(&cfg(dir.path(), DatasetKind::Cifar10), 0).unwrap_err();
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );
}

#[test]
fn load_cifar100() {
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("cifar100");
    std::fs::create_dir_all(&ds).unwrap();
    let train: Vec<u8> = (0..12u8)
        .flat_map(|i| record(&[i % 20, i * 8], i))
        .collect();
    std::fs::write(ds.join("train.bin"), train).unwrap();
    std::fs::write(ds.join("test.bin"), record(&[1, 77], 0)).unwrap();
    let d = load(&cfg(dir.path(), DatasetKind::Cifar100), 0).unwrap();
    assert_eq!(
        (d.train.len(), d.val.len(), d.test.len(), d.num_classes),
        (7, 5, 1, 100)
    );
    assert_eq!(d.test.labels(), &[77]);
    let mut all: Vec<u32> = d
        .train
        .labels()
        .iter()
        .chain(d.val.labels())
        .copied()
        .collect();
    all.sort_unstable();
    assert_eq!(all, (0..12).map(|i| i * 8).collect::<Vec<u32>>());
}
