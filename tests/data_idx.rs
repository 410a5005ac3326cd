//! IDX reader: small files written here, raw and gzip, and every corrupt case.

use std::io::Write;
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;
use mkd_tui::data::idx::{read_idx_images, read_idx_labels, IMAGES_MAGIC, LABELS_MAGIC};
use mkd_tui::data::DataError;

fn idx_bytes(magic: u32, dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut out = magic.to_be_bytes().to_vec();
    for d in dims {
        out.extend_from_slice(&d.to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

fn write(path: &Path, bytes: &[u8], gzip: bool) {
    if gzip {
        let mut enc = GzEncoder::new(std::fs::File::create(path).unwrap(), Compression::fast());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap();
    } else {
        std::fs::write(path, bytes).unwrap();
    }
}

/// Three 2×3 images whose pixels are `10·image + position`.
fn sample_pixels() -> Vec<u8> {
    (0..3u8)
        .flat_map(|i| (0..6u8).map(move |p| 10 * i + p))
        .collect()
}

fn check_sample(path: &Path) {
    let images = read_idx_images(path).unwrap();
    assert_eq!((images.count, images.rows, images.cols), (3, 2, 3));
    assert_eq!(images.pixels, sample_pixels());
}

#[test]
fn reads_raw_images_and_labels() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("imgs");
    let labels = dir.path().join("lbls");
    write(
        &images,
        &idx_bytes(IMAGES_MAGIC, &[3, 2, 3], &sample_pixels()),
        false,
    );
    write(&labels, &idx_bytes(LABELS_MAGIC, &[3], &[7, 0, 9]), false);
    check_sample(&images);
    assert_eq!(read_idx_labels(&labels).unwrap(), vec![7, 0, 9]);
}

#[test]
fn reads_gzip_by_content_whatever_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("imgs.gz");
    let labels = dir.path().join("no-extension");
    write(
        &images,
        &idx_bytes(IMAGES_MAGIC, &[3, 2, 3], &sample_pixels()),
        true,
    );
    write(&labels, &idx_bytes(LABELS_MAGIC, &[3], &[1, 2, 3]), true);
    check_sample(&images);
    assert_eq!(read_idx_labels(&labels).unwrap(), vec![1, 2, 3]);
}

fn err_text(path: &Path, err: DataError) -> String {
    let text = err.to_string();
    assert!(
        text.contains(&path.display().to_string()),
        "message does not name {}: {text}",
        path.display()
    );
    text
}

#[test]
fn wrong_magic_shows_both_in_hex() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels-as-images");
    write(&path, &idx_bytes(LABELS_MAGIC, &[3], &[1, 2, 3]), false);
    let err = read_idx_images(&path).unwrap_err();
    assert!(matches!(
        err,
        DataError::BadMagic {
            expected: 0x803,
            found: 0x801,
            ..
        }
    ));
    let text = err_text(&path, err);
    assert!(
        text.contains("0x00000803") && text.contains("0x00000801"),
        "{text}"
    );
}

#[test]
fn truncated_data_and_header_are_reported_with_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("short.gz");
    let mut bytes = idx_bytes(IMAGES_MAGIC, &[3, 2, 3], &sample_pixels());
    bytes.truncate(bytes.len() - 5);
    write(&path, &bytes, true);
    let err = read_idx_images(&path).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::Truncated {
                expected: 34,
                found: 29,
                ..
            }
        ),
        "{err}"
    );
    let text = err_text(&path, err);
    assert!(text.contains("34") && text.contains("29"), "{text}");

    let header_only = dir.path().join("header");
    write(&header_only, &IMAGES_MAGIC.to_be_bytes(), false);
    let err = read_idx_images(&header_only).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::Truncated {
                expected: 16,
                found: 4,
                ..
            }
        ),
        "{err}"
    );
    err_text(&header_only, err);
}

#[test]
fn trailing_bytes_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long");
    write(&path, &idx_bytes(LABELS_MAGIC, &[2], &[1, 2, 3]), false);
    let err = read_idx_labels(&path).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::TrailingBytes {
                expected: 10,
                found: 11,
                ..
            }
        ),
        "{err}"
    );
    err_text(&path, err);
}

#[test]
fn corrupt_gzip_is_an_io_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.gz");
    std::fs::write(&path, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2]).unwrap();
    let err = read_idx_labels(&path).unwrap_err();
    assert!(matches!(err, DataError::Io { .. }), "{err}");
    err_text(&path, err);
}

#[test]
fn missing_file_is_an_io_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nothing-here");
    let err = read_idx_images(&path).unwrap_err();
    assert!(matches!(err, DataError::Io { .. }), "{err}");
    err_text(&path, err);
}
