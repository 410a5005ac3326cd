//! Normalisation statistics against hand-computed values.

use mkd_tui::data::normalise::{Normaliser, STD_FLOOR};
use mkd_tui::data::{ImageShape, RawImages};

fn raw(channels: usize, pixels: Vec<u8>) -> RawImages {
    let shape = ImageShape {
        channels,
        height: 1,
        width: 2,
    };
    let n = pixels.len() / shape.numel();
    RawImages {
        shape,
        pixels,
        labels: vec![0; n],
    }
}

fn close(a: f32, b: f64) -> bool {
    (a as f64 - b).abs() < 1e-6
}

#[test]
fn grey_stats_match_hand_computation() {
    // Images 0 and 1 are fitted: scaled values 0, 1, 1, 1 → mean 0.75, variance 0.1875.
    // Image 2 (all 0) is not fitted and must not move the statistics.
    let r = raw(1, vec![0, 255, 255, 255, 0, 0]);
    let n = Normaliser::fit(&r, &[0, 1], 255);
    assert!(close(n.mean[0], 0.75), "{:?}", n.mean);
    assert!(close(n.std[0], 0.1875f64.sqrt()), "{:?}", n.std);
    let out = n.apply(&r, &[2, 0]);
    let lo = (-0.75 / 0.1875f64.sqrt()) as f32;
    let hi = (0.25 / 0.1875f64.sqrt()) as f32;
    assert_eq!(out.len(), 4);
    for (got, want) in out.iter().zip([lo, lo, lo, hi]) {
        assert!((got - want).abs() < 1e-6, "{out:?}");
    }
}

#[test]
fn per_channel_stats_and_digits_scale() {
    // Two channels of 1×2; digits scale (max 16). Channel 0: 0, 16, 8, 8 → mean 0.5, var 0.125.
    // Channel 1: all 4 → mean 0.25, std floored.
    let r = raw(2, vec![0, 16, 4, 4, 8, 8, 4, 4]);
    let n = Normaliser::fit(&r, &[0, 1], 16);
    assert!(
        close(n.mean[0], 0.5) && close(n.mean[1], 0.25),
        "{:?}",
        n.mean
    );
    assert!(close(n.std[0], 0.125f64.sqrt()), "{:?}", n.std);
    assert_eq!(n.std[1], STD_FLOOR);
    let out = n.apply(&r, &[0]);
    assert!((out[0] + 0.5 / 0.125f32.sqrt()).abs() < 1e-5, "{out:?}");
    assert_eq!(
        &out[2..],
        &[0.0, 0.0],
        "a constant channel maps to 0, not NaN"
    );
}

#[test]
fn fitted_part_has_zero_mean_unit_std() {
    let pixels: Vec<u8> = (0..200u32).map(|i| (i * 37 % 256) as u8).collect();
    let r = raw(1, pixels);
    let idx: Vec<usize> = (0..100).collect();
    let n = Normaliser::fit(&r, &idx, 255);
    let out = n.apply(&r, &idx);
    let m = out.iter().map(|&v| v as f64).sum::<f64>() / out.len() as f64;
    let s = (out.iter().map(|&v| (v as f64 - m).powi(2)).sum::<f64>() / out.len() as f64).sqrt();
    assert!(m.abs() < 1e-6 && (s - 1.0).abs() < 1e-6, "mean {m} std {s}");
}
