//! SGD against PyTorch's `torch.optim.SGD` rule worked out by hand; AdamW with a learning-rate change.

use candle_core::{Device, Tensor, Var};
use mkd_tui::preset::OptimizerConfig;
use mkd_tui::train::{build_optimizer, Optimizer};

/// One step on `loss = Σ p²` (gradient `2p`), returning the new parameters.
fn step(opt: &mut dyn Optimizer, p: &Var) -> Vec<f64> {
    let loss = p.as_tensor().sqr().unwrap().sum_all().unwrap();
    opt.step(&loss.backward().unwrap()).unwrap();
    p.as_tensor()
        .to_vec1::<f32>()
        .unwrap()
        .iter()
        .map(|&x| x as f64)
        .collect()
}

fn var(values: &[f32]) -> Var {
    Var::from_tensor(&Tensor::new(values, &Device::Cpu).unwrap()).unwrap()
}

fn sgd(lr: f64, momentum: f64, weight_decay: f64, nesterov: bool) -> OptimizerConfig {
    OptimizerConfig::Sgd {
        lr,
        momentum,
        weight_decay,
        nesterov,
    }
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-5, "{a} vs {b}");
}

#[test]
fn sgd_momentum_and_weight_decay_by_hand() {
    // p₀ = 1, lr 0.1, μ 0.9, wd 0.1, g = 2p:
    // 1: g = 2 + 0.1 = 2.1; b = 2.1 (first step: b = g); p = 1 − 0.21 = 0.79
    // 2: g = 1.58 + 0.079 = 1.659; b = 0.9·2.1 + 1.659 = 3.549; p = 0.79 − 0.3549 = 0.4351
    // 3: g = 0.8702 + 0.04351 = 0.91371; b = 0.9·3.549 + 0.91371 = 4.10781; p = 0.4351 − 0.410781 = 0.024319
    let p = var(&[1.0]);
    let mut opt = build_optimizer(&sgd(0.1, 0.9, 0.1, false), vec![p.clone()]).unwrap();
    for expected in [0.79, 0.4351, 0.024319] {
        close(step(opt.as_mut(), &p)[0], expected);
    }
}

#[test]
fn sgd_nesterov_by_hand() {
    // p₀ = 1, lr 0.1, μ 0.9, wd 0.1, nesterov: g ← g + μ·b
    // 1: g = 2.1; b = 2.1; g' = 2.1 + 1.89 = 3.99; p = 1 − 0.399 = 0.601
    // 2: g = 1.202 + 0.0601 = 1.2621; b = 1.89 + 1.2621 = 3.1521; g' = 1.2621 + 2.83689 = 4.09899;
    //    p = 0.601 − 0.409899 = 0.191101
    let p = var(&[1.0]);
    let mut opt = build_optimizer(&sgd(0.1, 0.9, 0.1, true), vec![p.clone()]).unwrap();
    for expected in [0.601, 0.191101] {
        close(step(opt.as_mut(), &p)[0], expected);
    }
}

#[test]
fn sgd_two_parameters_follow_the_pytorch_loop() {
    // The torch.optim.SGD loop, written out in f64, for several settings.
    for (lr, mu, wd, nesterov) in [
        (0.05, 0.0, 0.0, false),
        (0.05, 0.5, 0.0, false),
        (0.02, 0.9, 5e-4, true),
    ] {
        let p = var(&[1.0, -2.0]);
        let mut opt = build_optimizer(&sgd(lr, mu, wd, nesterov), vec![p.clone()]).unwrap();
        let mut q = [1.0f64, -2.0];
        let mut buf: Option<[f64; 2]> = None;
        for _ in 0..5 {
            let got = step(opt.as_mut(), &p);
            let mut d = [2.0 * q[0] + wd * q[0], 2.0 * q[1] + wd * q[1]];
            if mu != 0.0 {
                let b = match buf {
                    None => d,
                    Some(b) => [mu * b[0] + d[0], mu * b[1] + d[1]],
                };
                buf = Some(b);
                d = if nesterov {
                    [d[0] + mu * b[0], d[1] + mu * b[1]]
                } else {
                    b
                };
            }
            q = [q[0] - lr * d[0], q[1] - lr * d[1]];
            close(got[0], q[0]);
            close(got[1], q[1]);
        }
    }
}

#[test]
fn sgd_plain_step_is_lr_times_gradient() {
    let p = var(&[3.0, -1.0]);
    let mut opt = build_optimizer(&sgd(0.25, 0.0, 0.0, false), vec![p.clone()]).unwrap();
    let got = step(opt.as_mut(), &p);
    close(got[0], 3.0 - 0.25 * 6.0);
    close(got[1], -1.0 + 0.25 * 2.0);
}

#[test]
fn sgd_learning_rate_can_change() {
    let p = var(&[1.0]);
    let mut opt = build_optimizer(&sgd(0.1, 0.0, 0.0, false), vec![p.clone()]).unwrap();
    assert_eq!(opt.learning_rate(), 0.1);
    opt.set_learning_rate(0.0);
    assert_eq!(opt.learning_rate(), 0.0);
    close(step(opt.as_mut(), &p)[0], 1.0);
}

#[test]
fn sgd_rejects_nesterov_without_momentum() {
    assert!(build_optimizer(&sgd(0.1, 0.0, 0.0, true), vec![var(&[1.0])]).is_err());
    assert!(build_optimizer(&sgd(-0.1, 0.0, 0.0, false), vec![var(&[1.0])]).is_err());
}

#[test]
fn adamw_by_hand_with_a_learning_rate_change() {
    // p₀ = 1, g = 2p, β₁ 0.9, β₂ 0.999, ε 1e-8, wd 0.01.
    // 1 (lr 0.1): m = 0.2, v = 0.004, m̂ = 2, v̂ = 4; p = 1·(1 − 0.001) − 0.1·2/2 = 0.899
    // 2 (lr 0.01): g = 1.798; m = 0.18 + 0.1798 = 0.3598; v = 0.003996 + 0.001·1.798² = 0.007228804;
    //    m̂ = 0.3598/0.19, v̂ = 0.007228804/0.001999; p = 0.899·(1 − 1e-4) − 0.01·m̂/(√v̂ + ε)
    let cfg = OptimizerConfig::Adamw {
        lr: 0.1,
        weight_decay: 0.01,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
    };
    let p = var(&[1.0]);
    let mut opt = build_optimizer(&cfg, vec![p.clone()]).unwrap();
    assert_eq!(opt.learning_rate(), 0.1);
    close(step(opt.as_mut(), &p)[0], 0.899);
    opt.set_learning_rate(0.01);
    assert_eq!(opt.learning_rate(), 0.01);
    let m_hat = 0.3598 / 0.19;
    let v_hat: f64 = 0.007228804 / 0.001999;
    let expected = 0.899 * (1.0 - 1e-4) - 0.01 * m_hat / (v_hat.sqrt() + 1e-8);
    close(step(opt.as_mut(), &p)[0], expected);
    close(expected, 0.888952); // ≈ 0.899·0.9999 − 0.01·0.99582
}

#[test]
fn optimizers_skip_variables_without_gradient() {
    let used = var(&[1.0]);
    let unused = var(&[5.0]);
    for cfg in [
        sgd(0.1, 0.9, 0.1, false),
        OptimizerConfig::Adamw {
            lr: 0.1,
            weight_decay: 0.1,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        },
    ] {
        let mut opt = build_optimizer(&cfg, vec![used.clone(), unused.clone()]).unwrap();
        step(opt.as_mut(), &used);
        assert_eq!(unused.as_tensor().to_vec1::<f32>().unwrap(), [5.0]);
    }
}
