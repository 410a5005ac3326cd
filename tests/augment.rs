//! Input augmentation: hand-computed shifts and flips, seeded draws that a resume repeats, and the
//! preset check.

use candle_core::Device;
use mkd_tui::data::augment::{transform_image, Transform};
use mkd_tui::data::{Augment, AugmentedSplit, BatchSource, ImageShape, Split};

const SHAPE: ImageShape = ImageShape {
    channels: 1,
    height: 3,
    width: 3,
};

/// 1 2 3 / 4 5 6 / 7 8 9
const IMAGE: [f32; 9] = [1., 2., 3., 4., 5., 6., 7., 8., 9.];

fn apply(t: Transform) -> Vec<f32> {
    let mut out = Vec::new();
    transform_image(&IMAGE, SHAPE, t, &[-1.0], &mut out);
    out
}

#[test]
fn shifts_and_flips_match_hand_values() {
    let t = |dx, dy, flip| Transform { dx, dy, flip };
    // One pixel right: the first column becomes background.
    assert_eq!(
        apply(t(1, 0, false)),
        [-1., 1., 2., -1., 4., 5., -1., 7., 8.]
    );
    // One pixel up: the last row becomes background.
    assert_eq!(
        apply(t(0, -1, false)),
        [4., 5., 6., 7., 8., 9., -1., -1., -1.]
    );
    // Left by one and down by one.
    assert_eq!(
        apply(t(-1, 1, false)),
        [-1., -1., -1., 2., 3., -1., 5., 6., -1.]
    );
    // Mirror only.
    assert_eq!(apply(t(0, 0, true)), [3., 2., 1., 6., 5., 4., 9., 8., 7.]);
    // Mirror, then one right.
    assert_eq!(
        apply(t(1, 0, true)),
        [-1., 3., 2., -1., 6., 5., -1., 9., 8.]
    );
    // Identity.
    assert_eq!(apply(t(0, 0, false)), IMAGE);
}

fn split(n: usize) -> Split {
    let shape = ImageShape {
        channels: 2,
        height: 5,
        width: 4,
    };
    let images: Vec<f32> = (0..n * shape.numel()).map(|v| v as f32).collect();
    Split::new(shape, images, (0..n as u32).collect())
}

#[test]
fn an_augmented_batch_is_each_image_shifted_by_its_draw() {
    let data = split(6);
    let aug = Augment {
        pad: 2,
        jitter: 0,
        flip: true,
    };
    let bg = vec![-0.5, -0.25];
    let source = AugmentedSplit::new(&data, aug, 1234, bg.clone());
    let indices = [4, 0, 5];
    let (images, labels) = source.gather(&indices, &Device::Cpu).unwrap();
    assert_eq!(images.dims(), [3, 2, 5, 4]);
    assert_eq!(labels.to_vec1::<u32>().unwrap(), [4, 0, 5]);
    let got = images.flatten_all().unwrap().to_vec1::<f32>().unwrap();
    // The same shift written out by hand, plane by plane.
    let mut want = Vec::new();
    for &i in &indices {
        let t = aug.draw(1234, i);
        assert!(t.dx.abs() <= 2 && t.dy.abs() <= 2);
        let img = data.image(i);
        for (c, &fill) in bg.iter().enumerate() {
            for y in 0..5isize {
                for x in 0..4isize {
                    let (sy, sx) = (y - t.dy, x - t.dx);
                    want.push(if (0..5).contains(&sy) && (0..4).contains(&sx) {
                        let sx = if t.flip { 3 - sx } else { sx };
                        img[c * 20 + (sy * 4 + sx) as usize]
                    } else {
                        fill
                    });
                }
            }
        }
    }
    assert_eq!(got, want);
}

#[test]
fn the_same_epoch_seed_gives_the_same_batch_after_a_resume() {
    let data = split(8);
    let aug = Augment {
        pad: 0,
        jitter: 2,
        flip: false,
    };
    let batch = |seed| {
        AugmentedSplit::new(&data, aug, seed, vec![0.0, 0.0])
            .gather(&[7, 3, 1], &Device::Cpu)
            .unwrap()
            .0
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap()
    };
    // A second, independently built source (as after a resume) repeats the batch exactly.
    assert_eq!(batch(99), batch(99));
    // Another epoch draws other shifts.
    assert_ne!(batch(99), batch(100));
    // The draw of one example does not depend on the batch it is in.
    assert_eq!(aug.draw(99, 3), aug.draw(99, 3));
}

#[test]
fn draws_cover_the_shift_range_and_flip_half_the_time() {
    let aug = Augment {
        pad: 2,
        jitter: 0,
        flip: true,
    };
    let n = 4000;
    let mut seen = std::collections::BTreeSet::new();
    let mut flips = 0;
    for i in 0..n {
        let t = aug.draw(7, i);
        seen.insert((t.dx, t.dy));
        flips += usize::from(t.flip);
    }
    assert_eq!(seen.len(), 25, "every shift in {{-2..2}}² appears");
    // Binomial(4000, ½): sd ≈ 31.6; 5 sd either side.
    assert!((1842..=2158).contains(&flips), "{flips} flips of {n}");
    let off = Augment::default();
    assert!(!off.is_on());
    assert_eq!(
        off.draw(7, 3),
        Transform {
            dx: 0,
            dy: 0,
            flip: false
        }
    );
}
