//! Digits CSV: small files written here and the real file in `data/digits/`.

use std::path::Path;

use mkd_tui::data::digits_csv::read_digits_csv;
use mkd_tui::data::{load, DataError};
use mkd_tui::preset::{DataConfig, DatasetKind};

fn line(first: u8, label: &str) -> String {
    let mut fields: Vec<String> = (0..64)
        .map(|i| ((first as usize + i) % 17).to_string())
        .collect();
    fields.push(label.to_string());
    fields.join(",")
}

#[test]
fn reads_rows_with_or_without_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.csv");
    let header: Vec<String> = (0..64)
        .map(|i| format!("pixel_{i}"))
        .chain(["target".into()])
        .collect();
    let text = format!(
        "{}\n{}\n{}\r\n\n",
        header.join(","),
        line(0, "3"),
        line(5, "9.0")
    );
    std::fs::write(&path, text).unwrap();
    let raw = read_digits_csv(&path).unwrap();
    assert_eq!(raw.labels, vec![3, 9]);
    assert_eq!(
        (raw.shape.channels, raw.shape.height, raw.shape.width),
        (1, 8, 8)
    );
    assert_eq!(raw.image(0)[..3], [0, 1, 2]);
    assert_eq!(raw.image(1)[11..13], [16, 0]);

    let no_header = dir.path().join("n.csv");
    std::fs::write(&no_header, format!("{}\n", line(0, "3"))).unwrap();
    assert_eq!(read_digits_csv(&no_header).unwrap().len(), 1);
}

fn expect_bad_line(text: &str, line_no: usize, needle: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, text).unwrap();
    let err = read_digits_csv(&path).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, DataError::BadCsvLine { line, .. } if line == line_no),
        "{msg}"
    );
    assert!(
        msg.contains(&format!("{}:{line_no}", path.display())),
        "{msg}"
    );
    assert!(msg.contains(needle), "{msg}");
}

#[test]
fn bad_lines_name_path_and_line() {
    let good = line(0, "1");
    expect_bad_line(&format!("{good}\n1,2,3\n"), 2, "found 3");
    expect_bad_line(
        &format!("{good}\n{}\n", line(0, "1").replacen('0', "17", 1)),
        2,
        "pixel 0 is 17",
    );
    expect_bad_line(&format!("{good}\n{good}\n{}\n", line(0, "x")), 3, "label");
    expect_bad_line(
        &format!("{good}\n{}\n", line(0, "1").replacen('0', "a", 1)),
        2,
        "pixel 0",
    );
}

#[test]
fn label_out_of_range_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.csv");
    std::fs::write(&path, format!("{}\n{}\n", line(0, "1"), line(0, "10"))).unwrap();
    let err = read_digits_csv(&path).unwrap_err();
    assert!(
        matches!(err, DataError::LabelOutOfRange { label: 10, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("line 2"), "{err}");
}

fn real_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data"))
}

#[test]
fn real_digits_file() {
    let raw = read_digits_csv(&real_root().join("digits/digits.csv.gz")).unwrap();
    assert_eq!(raw.len(), 1797);
    assert_eq!(raw.pixels.len(), 1797 * 64);
    assert!(raw.pixels.iter().all(|&p| p <= 16));
    let mut seen = [0usize; 10];
    for &l in &raw.labels {
        seen[l as usize] += 1;
    }
    assert!(seen.iter().all(|&c| c > 150), "{seen:?}");
    // The first row of scikit-learn's digits is a 0.
    assert_eq!(raw.labels[0], 0);
    assert_eq!(raw.image(0)[..8], [0, 0, 5, 13, 9, 1, 0, 0]);
}

#[test]
fn real_digits_split_default_test_size() {
    let cfg = DataConfig {
        dataset: DatasetKind::Digits,
        root: real_root().to_path_buf(),
        val_size: 200,
        test_size: None,
        train_limit: None,
        test_limit: None,
        augment: Default::default(),
    };
    let d = load(&cfg, 42).unwrap();
    // 20 % of 1797 rounded down = 359 test; 1438 - 200 = 1238 train.
    assert_eq!((d.test.len(), d.val.len(), d.train.len()), (359, 200, 1238));
    assert_eq!((d.shape.height, d.shape.width, d.num_classes), (8, 8, 10));
    let mut cfg2 = cfg.clone();
    cfg2.test_size = Some(1597);
    let err = load(&cfg2, 42).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::BadSplit {
                setting: "val_size",
                requested: 200,
                available: 200,
                ..
            }
        ),
        "{err}"
    );
}
