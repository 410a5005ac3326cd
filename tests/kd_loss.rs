//! KD loss, soft-target KL and cross-entropy against values worked out independently in f64.

use candle_core::{Device, Tensor, Var};
use mkd_tui::distill::{cross_entropy, kd_loss, soft_target_kl};

const S: [[f64; 3]; 2] = [[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]];
const T: [[f64; 3]; 2] = [[3.0, 1.0, 0.2], [0.0, 0.0, 1.0]];
const Y: [u32; 2] = [2, 0];

fn tensor(rows: &[[f64; 3]]) -> Tensor {
    let flat: Vec<f32> = rows.iter().flatten().map(|&v| v as f32).collect();
    Tensor::from_vec(flat, (rows.len(), 3), &Device::Cpu).unwrap()
}

fn labels() -> Tensor {
    Tensor::from_vec(Y.to_vec(), 2, &Device::Cpu).unwrap()
}

fn scalar(t: &Tensor) -> f64 {
    t.to_scalar::<f32>().unwrap() as f64
}

/// Reference softmax of `v / temp`, in f64.
fn softmax(v: &[f64], temp: f64) -> Vec<f64> {
    let m = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = v.iter().map(|x| ((x - m) / temp).exp()).collect();
    let z: f64 = e.iter().sum();
    e.iter().map(|x| x / z).collect()
}

fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} vs {b}");
}

// Values from a separate f64 computation (log-sum-exp by hand):
// row 1: lse(1,2,3) = 3 + ln(1 + e⁻¹ + e⁻²) = 3.4076060, −log p₂ = 0.4076060;
// row 2: lse(0.5,−1,2) = 2 + ln(1 + e⁻¹·⁵ + e⁻³) = 2.2413113, −log p₀ = 1.7413113.
const CE: f64 = 1.0744586305507688;
const KL: [(f64, f64); 3] = [
    (1.0, 0.9323848172080608),
    (2.0, 0.28453524317775053),
    (4.0, 0.07373621998624338),
];

#[test]
fn cross_entropy_matches_hand_value() {
    let ce = cross_entropy(&tensor(&S), &labels()).unwrap();
    close(scalar(&ce), CE, 1e-6);
    close(
        scalar(&ce),
        (0.4076059644443806 + 1.7413112966571571) / 2.0,
        1e-6,
    );
}

#[test]
fn soft_target_kl_matches_hand_values() {
    for (temp, kl) in KL {
        let got = soft_target_kl(&tensor(&S), &tensor(&T), temp).unwrap();
        close(scalar(&got), kl, 1e-6);
    }
}

#[test]
fn kd_loss_mixes_both_terms_for_several_t_and_alpha() {
    for (temp, kl) in KL {
        for alpha in [0.0, 0.5, 0.9, 1.0] {
            let got = kd_loss(&tensor(&S), &tensor(&T), &labels(), temp, alpha).unwrap();
            let expected = (1.0 - alpha) * CE + alpha * temp * temp * kl;
            close(scalar(&got), expected, 1e-5);
        }
    }
    // Two literal mixes, so the test does not only share the formula with the code.
    let got = kd_loss(&tensor(&S), &tensor(&T), &labels(), 4.0, 0.9).unwrap();
    close(scalar(&got), 1.1692474308569816, 1e-5);
    let got = kd_loss(&tensor(&S), &tensor(&T), &labels(), 2.0, 0.5).unwrap();
    close(scalar(&got), 1.1062998016308856, 1e-5);
}

#[test]
fn alpha_zero_is_cross_entropy() {
    let kd = kd_loss(&tensor(&S), &tensor(&T), &labels(), 3.0, 0.0).unwrap();
    let ce = cross_entropy(&tensor(&S), &labels()).unwrap();
    assert_eq!(scalar(&kd), scalar(&ce));
}

#[test]
fn identical_logits_give_zero_kl() {
    for temp in [0.5, 1.0, 4.0] {
        let kl = soft_target_kl(&tensor(&S), &tensor(&S), temp).unwrap();
        close(scalar(&kl), 0.0, 1e-7);
    }
}

#[test]
fn kl_is_positive_for_different_logits_and_matches_reference_loop() {
    for temp in [0.7, 1.5, 3.0] {
        let mut expected = 0.0;
        for (s, t) in S.iter().zip(T.iter()) {
            let (ps, pt) = (softmax(s, temp), softmax(t, temp));
            expected += pt
                .iter()
                .zip(&ps)
                .map(|(a, b)| a * (a / b).ln())
                .sum::<f64>();
        }
        expected /= 2.0;
        let got = scalar(&soft_target_kl(&tensor(&S), &tensor(&T), temp).unwrap());
        assert!(got > 0.0);
        close(got, expected, 1e-6);
    }
}

#[test]
fn gradient_wrt_student_logits_is_the_closed_form() {
    let b = S.len() as f64;
    for (temp, alpha) in [(1.0, 0.5), (4.0, 0.9), (2.0, 0.0), (3.0, 1.0)] {
        let s = Var::from_tensor(&tensor(&S)).unwrap();
        let t = tensor(&T);
        let loss = kd_loss(s.as_tensor(), &t, &labels(), temp, alpha).unwrap();
        let grads = loss.backward().unwrap();
        let g = grads.get(s.as_tensor()).unwrap().to_vec2::<f32>().unwrap();
        for row in 0..2 {
            let ps_t = softmax(&S[row], temp);
            let pt_t = softmax(&T[row], temp);
            let ps = softmax(&S[row], 1.0);
            for k in 0..3 {
                let onehot = if Y[row] as usize == k { 1.0 } else { 0.0 };
                let expected =
                    alpha * temp * (ps_t[k] - pt_t[k]) / b + (1.0 - alpha) * (ps[k] - onehot) / b;
                close(g[row][k] as f64, expected, 1e-6);
            }
        }
    }
}

#[test]
fn no_gradient_reaches_the_teacher() {
    let s = Var::from_tensor(&tensor(&S)).unwrap();
    let t = Var::from_tensor(&tensor(&T)).unwrap();
    let loss = kd_loss(s.as_tensor(), t.as_tensor(), &labels(), 4.0, 0.9).unwrap();
    let grads = loss.backward().unwrap();
    assert!(grads.get(t.as_tensor()).is_none());
}

#[test]
fn bad_arguments_are_errors() {
    let (s, t, y) = (tensor(&S), tensor(&T), labels());
    assert!(kd_loss(&s, &t, &y, 4.0, 1.5).is_err());
    assert!(soft_target_kl(&s, &t, 0.0).is_err());
    assert!(soft_target_kl(&s, &t.narrow(1, 0, 2).unwrap(), 1.0).is_err());
    assert!(cross_entropy(&s, &Tensor::from_vec(vec![0u32], 1, &Device::Cpu).unwrap()).is_err());
}

/// TAKD's and DGKD's `nn.KLDivLoss()` ('mean'): the batchmean value divided by the class count K.
#[test]
fn mean_reduction_is_batchmean_over_the_class_count() {
    use mkd_tui::distill::{kd_loss_reduced, soft_target_kl_reduced, KlReduction};
    for (temp, kl) in KL {
        let got = scalar(
            &soft_target_kl_reduced(&tensor(&S), &tensor(&T), temp, KlReduction::Mean).unwrap(),
        );
        close(got, kl / 3.0, 1e-5);
    }
    // KD at T = 4, alpha = 0.9: 0.1·CE + 0.9·16·KL/3 under 'mean'.
    let kl4 = KL.iter().find(|(t, _)| *t == 4.0).map(|(_, k)| *k);
    if let Some(kl4) = kl4 {
        let got = kd_loss_reduced(
            &tensor(&S),
            &tensor(&T),
            &labels(),
            4.0,
            0.9,
            KlReduction::Mean,
        )
        .unwrap();
        close(scalar(&got), 0.1 * CE + 0.9 * 16.0 * kl4 / 3.0, 1e-4);
    }
    let batchmean = kd_loss_reduced(
        &tensor(&S),
        &tensor(&T),
        &labels(),
        2.0,
        0.5,
        KlReduction::Batchmean,
    )
    .unwrap();
    let plain = kd_loss(&tensor(&S), &tensor(&T), &labels(), 2.0, 0.5).unwrap();
    close(scalar(&batchmean), scalar(&plain), 1e-7);
}
