//! Dense guidance (DGKD): the loss against hand-computed sums, and the dropped teachers.

use candle_core::{Device, Tensor};
use mkd_tui::distill::{dense_loss, kd_loss, kept_teachers};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

const S: [[f64; 3]; 2] = [[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]];
const T1: [[f64; 3]; 2] = [[3.0, 1.0, 0.2], [0.0, 0.0, 1.0]];
const T2: [[f64; 3]; 2] = [[0.0, 1.0, 2.0], [2.0, 0.0, -1.0]];
const T3: [[f64; 3]; 2] = [[-1.0, 0.0, 4.0], [1.0, 1.0, 1.0]];
const Y: [u32; 2] = [2, 0];

fn tensor(rows: &[[f64; 3]; 2]) -> Tensor {
    let flat: Vec<f32> = rows.iter().flatten().map(|&v| v as f32).collect();
    Tensor::from_vec(flat, (2, 3), &Device::Cpu).unwrap()
}

fn scalar(t: &Tensor) -> f64 {
    t.to_scalar::<f32>().unwrap() as f64
}

fn softmax(v: &[f64], temp: f64) -> Vec<f64> {
    let m = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = v.iter().map(|x| ((x - m) / temp).exp()).collect();
    let z: f64 = e.iter().sum();
    e.iter().map(|x| x / z).collect()
}

/// Batch-mean KL(softmax(t/T) ‖ softmax(s/T)) in f64.
fn kl(s: &[[f64; 3]; 2], t: &[[f64; 3]; 2], temp: f64) -> f64 {
    s.iter()
        .zip(t)
        .map(|(s, t)| {
            let (ps, pt) = (softmax(s, temp), softmax(t, temp));
            pt.iter()
                .zip(&ps)
                .map(|(a, b)| a * (a / b).ln())
                .sum::<f64>()
        })
        .sum::<f64>()
        / 2.0
}

/// Batch-mean cross-entropy in f64.
fn ce() -> f64 {
    S.iter()
        .zip(Y)
        .map(|(s, y)| -softmax(s, 1.0)[y as usize].ln())
        .sum::<f64>()
        / 2.0
}

#[test]
fn loss_with_a_fixed_kept_set_is_the_hand_computed_sum() {
    let (temp, alpha) = (2.0, 0.7);
    let labels = Tensor::from_vec(Y.to_vec(), 2, &Device::Cpu).unwrap();
    // Teachers T1, T2, T3 with T2 dropped: the kept ones are T1 and T3.
    let got = dense_loss(
        &tensor(&S),
        &[tensor(&T1), tensor(&T3)],
        &labels,
        temp,
        alpha,
    )
    .unwrap();
    let want = (1.0 - alpha) * ce() + alpha * temp * temp * (kl(&S, &T1, temp) + kl(&S, &T3, temp));
    assert!(
        (scalar(&got) - want).abs() < 1e-5,
        "{} vs {want}",
        scalar(&got)
    );
    // All three kept.
    let got = dense_loss(
        &tensor(&S),
        &[tensor(&T1), tensor(&T2), tensor(&T3)],
        &labels,
        temp,
        alpha,
    )
    .unwrap();
    let want = (1.0 - alpha) * ce()
        + alpha * temp * temp * (kl(&S, &T1, temp) + kl(&S, &T2, temp) + kl(&S, &T3, temp));
    assert!((scalar(&got) - want).abs() < 1e-5);
}

#[test]
fn one_teacher_is_plain_kd_and_none_is_cross_entropy() {
    let labels = Tensor::from_vec(Y.to_vec(), 2, &Device::Cpu).unwrap();
    let dense = dense_loss(&tensor(&S), &[tensor(&T1)], &labels, 4.0, 0.9).unwrap();
    let kd = kd_loss(&tensor(&S), &tensor(&T1), &labels, 4.0, 0.9).unwrap();
    assert!((scalar(&dense) - scalar(&kd)).abs() < 1e-6);
    let none = dense_loss(&tensor(&S), &[], &labels, 4.0, 0.9).unwrap();
    assert!((scalar(&none) - ce()).abs() < 1e-5);
}

#[test]
fn drop_num_never_drops_every_teacher() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for _ in 0..200 {
        assert_eq!(kept_teachers(3, 5, &mut rng).len(), 1);
        assert_eq!(kept_teachers(1, 1, &mut rng), vec![0]);
        assert_eq!(kept_teachers(3, 0, &mut rng), vec![0, 1, 2]);
        let kept = kept_teachers(4, 1, &mut rng);
        assert_eq!(kept.len(), 3);
        assert!(kept.windows(2).all(|w| w[0] < w[1]));
    }
    assert!(kept_teachers(0, 1, &mut rng).is_empty());
}

#[test]
fn the_dropped_teacher_is_random_but_seeded() {
    let draws = |seed| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..50)
            .map(|_| kept_teachers(3, 1, &mut rng))
            .collect::<Vec<_>>()
    };
    assert_eq!(draws(9), draws(9));
    let all = draws(9);
    // Every teacher is dropped at some point.
    for t in 0..3 {
        assert!(all.iter().any(|k| !k.contains(&t)));
    }
}
