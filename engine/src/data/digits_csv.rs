//! The 8×8 handwritten digits (UCI "optdigits" as shipped by scikit-learn): one CSV line per image,
//! 64 pixel values 0..=16 row-major, then the label 0..=9. No header in the shipped file, but one is
//! skipped if present.

use std::path::Path;

use super::error::DataError;
use super::file_bytes::read_bytes;
use super::raw::RawImages;
use super::shape::ImageShape;

/// Shape of one digits image: 1 × 8 × 8.
pub const DIGITS_SHAPE: ImageShape = ImageShape {
    channels: 1,
    height: 8,
    width: 8,
};

/// Largest pixel value (the count of set cells in a 4×4 block of the 32×32 bitmap).
pub const DIGITS_MAX: u8 = 16;

/// Number of classes (digits 0..=9).
pub const DIGITS_CLASSES: usize = 10;

const PIXELS: usize = 64;

/// Read the digits CSV at `path` (raw or gzip, detected by content). Values may be written as
/// integers or integral decimals (`3` or `3.0`); blank lines are skipped; a first line whose first
/// field is not a number is taken for a header and skipped.
///
/// Errors naming `path`: [`DataError::Io`]; [`DataError::BadCsvLine`] (`path:line`) for a wrong
/// number of fields, a non-numeric value or a pixel outside 0..=16; [`DataError::LabelOutOfRange`]
/// ("line N") for a label outside 0..=9.
pub fn read_digits_csv(path: &Path) -> Result<RawImages, DataError> {
    let bytes = read_bytes(path)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        DataError::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()),
        )
    })?;
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let bad = |what: String| DataError::BadCsvLine {
            path: path.to_path_buf(),
            line: line_no,
            what,
        };
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if i == 0 && fields[0].parse::<f64>().is_err() {
            continue; // header row
        }
        if fields.len() != PIXELS + 1 {
            return Err(bad(format!(
                "expected {} fields (64 pixels and a label), found {}",
                PIXELS + 1,
                fields.len()
            )));
        }
        for (col, field) in fields[..PIXELS].iter().enumerate() {
            match integral(field) {
                Some(v) if (0..=DIGITS_MAX as i64).contains(&v) => pixels.push(v as u8),
                Some(v) => {
                    return Err(bad(format!(
                        "pixel {col} is {v}, expected 0..={DIGITS_MAX}"
                    )))
                }
                None => {
                    return Err(bad(format!(
                        "pixel {col} is {field:?}, expected an integer 0..={DIGITS_MAX}"
                    )))
                }
            }
        }
        let label_field = fields[PIXELS];
        match integral(label_field) {
            Some(v) if (0..DIGITS_CLASSES as i64).contains(&v) => labels.push(v as u8),
            Some(v) if v >= 0 => {
                return Err(DataError::LabelOutOfRange {
                    path: path.to_path_buf(),
                    at: format!("line {line_no}"),
                    label: v as u64,
                    num_classes: DIGITS_CLASSES,
                })
            }
            _ => {
                return Err(bad(format!(
                    "label is {label_field:?}, expected an integer 0..{DIGITS_CLASSES}"
                )))
            }
        }
    }
    Ok(RawImages {
        shape: DIGITS_SHAPE,
        pixels,
        labels,
    })
}

/// `field` as an integer when it is one (`"3"`, `"3.0"`), else `None`.
fn integral(field: &str) -> Option<i64> {
    if let Ok(v) = field.parse::<i64>() {
        return Some(v);
    }
    let v = field.parse::<f64>().ok()?;
    (v.fract() == 0.0 && v.abs() < 1e15).then_some(v as i64)
}
