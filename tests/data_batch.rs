//! `Split` as a `BatchSource`: shapes, order and values of gathered batches.

use candle_core::{DType, Device};
use mkd_tui::data::{BatchSource, ImageShape, Split};

fn split() -> Split {
    let shape = ImageShape {
        channels: 2,
        height: 1,
        width: 3,
    };
    // Image i holds 10·i + k for k in 0..6.
    let images = (0..4)
        .flat_map(|i| (0..6).map(move |k| (10 * i + k) as f32))
        .collect();
    Split::new(shape, images, vec![7, 8, 9, 6])
}

#[test]
fn accessors() {
    let s = split();
    assert_eq!(s.len(), 4);
    assert!(!s.is_empty());
    assert_eq!(s.labels(), &[7, 8, 9, 6]);
    assert_eq!(s.image(2), &[20.0, 21.0, 22.0, 23.0, 24.0, 25.0]);
    assert_eq!(s.shape().numel(), 6);
}

#[test]
fn gather_returns_rows_in_index_order() {
    let s = split();
    let (x, y) = s.gather(&[3, 0, 3], &Device::Cpu).unwrap();
    assert_eq!(x.dims(), &[3, 2, 1, 3]);
    assert_eq!(x.dtype(), DType::F32);
    assert_eq!(y.dims(), &[3]);
    assert_eq!(y.dtype(), DType::U32);
    assert_eq!(y.to_vec1::<u32>().unwrap(), vec![6, 7, 6]);
    let flat = x.flatten_all().unwrap().to_vec1::<f32>().unwrap();
    let want: Vec<f32> = [3, 0, 3]
        .iter()
        .flat_map(|&i| (0..6).map(move |k| (10 * i + k) as f32))
        .collect();
    assert_eq!(flat, want);
    // Channel 1 of the first row: values 33, 34, 35.
    let c1 = x.get(0).unwrap().get(1).unwrap().flatten_all().unwrap();
    assert_eq!(c1.to_vec1::<f32>().unwrap(), vec![33.0, 34.0, 35.0]);
}

#[test]
fn gather_out_of_range_is_an_error() {
    assert!(split().gather(&[0, 4], &Device::Cpu).is_err());
}

#[test]
#[should_panic(expected = "Split::new: 7 values for 2 labels of shape 1×2×2")]
fn new_rejects_a_length_mismatch() {
    let shape = ImageShape {
        channels: 1,
        height: 2,
        width: 2,
    };
    Split::new(shape, vec![0.0; 7], vec![1, 2]);
}
