//! Seeded initialisation, forward shapes, and gradients reaching every variable.

use candle_core::{Device, Tensor};
use mkd_tui::data::ImageShape;
use mkd_tui::model::{Classifier, ModelError, ModelSpec};

const GREY28: ImageShape = ImageShape {
    channels: 1,
    height: 28,
    width: 28,
};
const RGB32: ImageShape = ImageShape {
    channels: 3,
    height: 32,
    width: 32,
};
const DIGITS: ImageShape = ImageShape {
    channels: 1,
    height: 8,
    width: 8,
};

fn specs() -> Vec<ModelSpec> {
    vec![
        ModelSpec::Mlp {
            hidden: vec![32, 16],
            dropout: 0.0,
        },
        ModelSpec::PlainCnn {
            channels: vec![4, 8],
            pool_every: 1,
            batch_norm: true,
            hidden: vec![16],
            dropout: 0.0,
        },
        ModelSpec::PlainCnn {
            channels: vec![4, 8, 8],
            pool_every: 2,
            batch_norm: false,
            hidden: vec![],
            dropout: 0.0,
        },
        ModelSpec::ResnetCifar { depth: 8 },
    ]
}

/// Deterministic, non-constant images `[b, C, H, W]`.
fn images(shape: ImageShape, b: usize) -> Tensor {
    let n = b * shape.numel();
    let v: Vec<f32> = (0..n)
        .map(|i| ((i * 7919 % 113) as f32 / 56.0) - 1.0)
        .collect();
    Tensor::from_vec(
        v,
        (b, shape.channels, shape.height, shape.width),
        &Device::Cpu,
    )
    .unwrap()
}

fn all_values(m: &Classifier) -> Vec<(String, Vec<f32>)> {
    m.named_vars()
        .into_iter()
        .map(|(n, v)| (n, v.flatten_all().unwrap().to_vec1::<f32>().unwrap()))
        .collect()
}

#[test]
fn same_seed_gives_identical_weights_and_outputs() {
    for spec in specs() {
        let a = Classifier::new(&spec, GREY28, 10, 7, &Device::Cpu).unwrap();
        let b = Classifier::new(&spec, GREY28, 10, 7, &Device::Cpu).unwrap();
        assert_eq!(all_values(&a), all_values(&b), "{}", spec.label());
        let x = images(GREY28, 3);
        let ya = a.forward_t(&x, false).unwrap().to_vec2::<f32>().unwrap();
        let yb = b.forward_t(&x, false).unwrap().to_vec2::<f32>().unwrap();
        assert_eq!(ya, yb);
    }
}

#[test]
fn different_seed_gives_different_weights_and_outputs() {
    for spec in specs() {
        let a = Classifier::new(&spec, GREY28, 10, 7, &Device::Cpu).unwrap();
        let b = Classifier::new(&spec, GREY28, 10, 8, &Device::Cpu).unwrap();
        for ((name, va), (_, vb)) in all_values(&a).iter().zip(all_values(&b).iter()) {
            let constant = name.contains("bn") || name.contains("downsample.1");
            if !constant {
                assert_ne!(va, vb, "{name} of {}", spec.label());
            }
        }
        let x = images(GREY28, 2);
        let ya = a.forward_t(&x, false).unwrap().to_vec2::<f32>().unwrap();
        let yb = b.forward_t(&x, false).unwrap().to_vec2::<f32>().unwrap();
        assert_ne!(ya, yb);
    }
}

#[test]
fn weights_follow_pytorch_default_bounds_and_bn_starts_at_identity() {
    let spec = ModelSpec::PlainCnn {
        channels: vec![64, 32],
        pool_every: 1,
        batch_norm: true,
        hidden: vec![200],
        dropout: 0.0,
    };
    let m = Classifier::new(&spec, GREY28, 10, 3, &Device::Cpu).unwrap();
    let values: std::collections::HashMap<String, Vec<f32>> = all_values(&m).into_iter().collect();
    // fan_in: conv0 1·9, conv1 64·9, fc0 32·7·7, head 200.
    for (name, fan_in) in [
        ("conv0.weight", 9usize),
        ("conv1.weight", 576),
        ("fc0.weight", 1568),
        ("fc0.bias", 1568),
        ("head.weight", 200),
    ] {
        let bound = 1.0 / (fan_in as f32).sqrt();
        let v = &values[name];
        assert!(
            v.iter().all(|x| x.abs() <= bound),
            "{name} exceeds ±{bound}"
        );
        let max = v.iter().fold(0f32, |a, x| a.max(x.abs()));
        assert!(
            max > 0.9 * bound,
            "{name} max {max} far below the bound {bound}"
        );
        if v.len() > 1000 {
            // U(±b) has variance b²/3.
            let var = v.iter().map(|x| (x * x) as f64).sum::<f64>() / v.len() as f64;
            let expected = (bound * bound / 3.0) as f64;
            assert!(
                (var / expected - 1.0).abs() < 0.1,
                "{name} variance {var} vs {expected}"
            );
        }
    }
    for c in ["bn0", "bn1"] {
        assert!(values[&format!("{c}.weight")].iter().all(|&x| x == 1.0));
        assert!(values[&format!("{c}.bias")].iter().all(|&x| x == 0.0));
        assert!(values[&format!("{c}.running_mean")]
            .iter()
            .all(|&x| x == 0.0));
        assert!(values[&format!("{c}.running_var")]
            .iter()
            .all(|&x| x == 1.0));
    }
    assert!(
        !values.contains_key("conv0.bias"),
        "conv bias is off with batch norm"
    );
}

#[test]
fn trainable_vars_exclude_running_stats() {
    let m = Classifier::new(
        &ModelSpec::ResnetCifar { depth: 8 },
        RGB32,
        10,
        0,
        &Device::Cpu,
    )
    .unwrap();
    let all = m.named_vars();
    let running = all.iter().filter(|(n, _)| n.contains("running_")).count();
    assert_eq!(running, 2 * (1 + 3 * 2 + 2)); // BN layers: stem, 3 blocks × 2, 2 shortcuts
    assert_eq!(m.trainable_vars().len(), all.len() - running);
}

#[test]
fn forward_gives_logits_of_every_kind_and_input() {
    for spec in specs() {
        for input in [GREY28, RGB32, DIGITS] {
            let m = Classifier::new(&spec, input, 7, 1, &Device::Cpu).unwrap();
            for train in [false, true] {
                let y = m.forward_t(&images(input, 5), train).unwrap();
                assert_eq!(y.dims(), [5, 7], "{} on {input:?}", spec.label());
            }
        }
    }
}

#[test]
fn wrong_input_shape_is_an_error() {
    let m = Classifier::new(
        &ModelSpec::Mlp {
            hidden: vec![4],
            dropout: 0.0,
        },
        GREY28,
        10,
        0,
        &Device::Cpu,
    )
    .unwrap();
    let err = m
        .forward_t(&images(DIGITS, 2), false)
        .unwrap_err()
        .to_string();
    assert!(err.contains("[B, 1, 28, 28]"), "{err}");
}

#[test]
fn invalid_spec_is_an_error() {
    let err = Classifier::new(
        &ModelSpec::ResnetCifar { depth: 21 },
        RGB32,
        10,
        0,
        &Device::Cpu,
    )
    .unwrap_err();
    assert!(matches!(err, ModelError::InvalidSpec { .. }));
    assert!(
        err.to_string().contains("resnet21") && err.to_string().contains("6n+2"),
        "{err}"
    );
    let err = Classifier::new(
        &ModelSpec::Mlp {
            hidden: vec![],
            dropout: 0.0,
        },
        RGB32,
        0,
        0,
        &Device::Cpu,
    )
    .unwrap_err();
    assert!(matches!(err, ModelError::InvalidClasses(0)));
}

#[test]
fn gradient_reaches_every_trainable_variable() {
    for spec in specs() {
        let m = Classifier::new(&spec, DIGITS, 4, 2, &Device::Cpu).unwrap();
        let labels = Tensor::from_vec(vec![0u32, 1, 2, 3, 1, 2], 6, &Device::Cpu).unwrap();
        let logits = m.forward_t(&images(DIGITS, 6), true).unwrap();
        let loss = mkd_tui::distill::kd_loss(
            &logits,
            &logits.detach().affine(0.5, 0.1).unwrap(),
            &labels,
            2.0,
            0.5,
        )
        .unwrap();
        let grads = loss.backward().unwrap();
        for (name, var) in m.named_vars() {
            let g = grads.get(var.as_tensor());
            if name.contains("running_") {
                assert!(g.is_none(), "{name} must not be trained");
                continue;
            }
            let g = g.unwrap_or_else(|| panic!("no gradient for {name} of {}", spec.label()));
            let norm = g
                .sqr()
                .unwrap()
                .sum_all()
                .unwrap()
                .to_scalar::<f32>()
                .unwrap();
            assert!(norm > 0.0, "zero gradient for {name} of {}", spec.label());
        }
    }
}

#[test]
fn train_mode_updates_running_stats_and_eval_mode_does_not() {
    let spec = ModelSpec::ResnetCifar { depth: 8 };
    let m = Classifier::new(&spec, DIGITS, 3, 0, &Device::Cpu).unwrap();
    let mean = |m: &Classifier| {
        m.named_vars()
            .into_iter()
            .find(|(n, _)| n == "bn1.running_mean")
            .unwrap()
            .1
            .to_vec1::<f32>()
            .unwrap()
    };
    m.forward_t(&images(DIGITS, 4), false).unwrap();
    assert!(mean(&m).iter().all(|&x| x == 0.0));
    m.forward_t(&images(DIGITS, 4), true).unwrap();
    assert!(mean(&m).iter().any(|&x| x != 0.0));
}
