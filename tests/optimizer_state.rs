//! An optimizer's state saved after some steps and loaded into a fresh optimizer continues exactly
//! as the original would have (what a resumed run relies on).

use std::collections::HashMap;

use candle_core::{Device, Tensor, Var};
use mkd_tui::preset::OptimizerConfig;
use mkd_tui::train::{build_optimizer, OptimizerState};

/// `loss = Σ p³/3 + Σ p` (gradient `p² + 1`): different per element and step.
fn step(opt: &mut dyn mkd_tui::train::Optimizer, p: &Var) {
    let t = p.as_tensor();
    let loss = ((t.powf(3.0).unwrap() / 3.0).unwrap() + t)
        .unwrap()
        .sum_all()
        .unwrap();
    opt.step(&loss.backward().unwrap()).unwrap();
}

fn values(p: &Var) -> Vec<f32> {
    p.as_tensor().flatten_all().unwrap().to_vec1().unwrap()
}

fn continues_exactly(cfg: OptimizerConfig) {
    let init: Vec<f32> = (0..24).map(|i| ((i * 7 % 11) as f32 - 5.0) / 9.0).collect();
    let p = Var::from_tensor(&Tensor::from_vec(init, (4, 6), &Device::Cpu).unwrap()).unwrap();
    let mut original = build_optimizer(&cfg, vec![p.clone()]).unwrap();
    for _ in 0..3 {
        step(original.as_mut(), &p);
    }
    // Through a safetensors file, as the checkpoint does.
    let state = original.state().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("optim.safetensors");
    let tensors: HashMap<String, Tensor> = state.tensors.iter().cloned().collect();
    candle_core::safetensors::save(&tensors, &file).unwrap();
    let loaded = candle_core::safetensors::load(&file, &Device::Cpu).unwrap();

    let q = Var::from_tensor(&p.as_tensor().copy().unwrap()).unwrap();
    let mut resumed = build_optimizer(&cfg, vec![q.clone()]).unwrap();
    resumed
        .load_state(&OptimizerState {
            step: state.step,
            tensors: loaded.into_iter().collect(),
        })
        .unwrap();
    for _ in 0..3 {
        step(original.as_mut(), &p);
        step(resumed.as_mut(), &q);
        assert_eq!(values(&p), values(&q), "{cfg:?}");
    }
}

#[test]
fn adamw_resumes_bit_for_bit() {
    continues_exactly(OptimizerConfig::Adamw {
        lr: 0.05,
        weight_decay: 0.01,
        beta1: 0.9,
        beta2: 0.99,
        eps: 1e-8,
    });
}

#[test]
fn sgd_with_momentum_resumes_bit_for_bit() {
    for nesterov in [false, true] {
        continues_exactly(OptimizerConfig::Sgd {
            lr: 0.05,
            momentum: 0.9,
            weight_decay: 0.001,
            nesterov,
        });
    }
}

#[test]
fn a_state_of_another_shape_is_refused() {
    let cfg = OptimizerConfig::Adamw {
        lr: 0.05,
        weight_decay: 0.01,
        beta1: 0.9,
        beta2: 0.99,
        eps: 1e-8,
    };
    let p =
        Var::from_tensor(&Tensor::zeros((2, 3), candle_core::DType::F32, &Device::Cpu).unwrap())
            .unwrap();
    let mut opt = build_optimizer(&cfg, vec![p]).unwrap();
    let wrong = Tensor::zeros(5, candle_core::DType::F32, &Device::Cpu).unwrap();
    let err = opt
        .load_state(&OptimizerState {
            step: 1,
            tensors: vec![("m.0".into(), wrong.clone()), ("v.0".into(), wrong)],
        })
        .unwrap_err()
        .to_string();
    assert!(err.contains("`m.0`") && err.contains("shape"), "{err}");
}
