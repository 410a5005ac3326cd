//! Dropout: the eval pass is the network without dropout, the train pass keeps the expected
//! fraction of units, the masks are seeded, and the name says so.

use candle_core::{Device, Tensor};
use mkd_tui::data::ImageShape;
use mkd_tui::model::{Classifier, Dropout, ModelSpec};

#[test]
fn train_pass_keeps_the_expected_fraction_scaled_up() {
    let n = 100_000;
    let ones = Tensor::ones(n, candle_core::DType::F32, &Device::Cpu).unwrap();
    let d = Dropout::new(0.3);
    d.reseed(5);
    let out = d.forward_t(&ones, true).unwrap().to_vec1::<f32>().unwrap();
    let kept = out.iter().filter(|&&v| v != 0.0).count();
    // Binomial(100000, 0.7): mean 70000, sd √(n·p·q) ≈ 144.9; 5 sd either side.
    assert!((69_275..=70_725).contains(&kept), "{kept} kept of {n}");
    let scale = 1.0 / 0.7f32;
    assert!(out.iter().all(|&v| v == 0.0 || (v - scale).abs() < 1e-6));
    // Eval mode: the identity.
    let eval = d.forward_t(&ones, false).unwrap().to_vec1::<f32>().unwrap();
    assert!(eval.iter().all(|&v| v == 1.0));
    // Reseeding repeats the masks.
    d.reseed(5);
    let again = d.forward_t(&ones, true).unwrap().to_vec1::<f32>().unwrap();
    assert_eq!(out, again);
}

fn mlp(dropout: f64) -> ModelSpec {
    ModelSpec::Mlp {
        hidden: vec![64, 32],
        dropout,
    }
}

#[test]
fn eval_pass_equals_the_network_without_dropout() {
    let shape = ImageShape {
        channels: 1,
        height: 8,
        width: 8,
    };
    let x = Tensor::randn(0f32, 1.0, (16, 1, 8, 8), &Device::Cpu).unwrap();
    let plain = Classifier::new(&mlp(0.0), shape, 10, 3, &Device::Cpu).unwrap();
    let with = Classifier::new(&mlp(0.5), shape, 10, 3, &Device::Cpu).unwrap();
    let a = plain.forward_t(&x, false).unwrap().flatten_all().unwrap();
    let b = with.forward_t(&x, false).unwrap().flatten_all().unwrap();
    assert_eq!(a.to_vec1::<f32>().unwrap(), b.to_vec1::<f32>().unwrap());
    // Training mode differs with dropout, and not without.
    let c = with.forward_t(&x, true).unwrap().flatten_all().unwrap();
    assert_ne!(a.to_vec1::<f32>().unwrap(), c.to_vec1::<f32>().unwrap());
    let d = plain.forward_t(&x, true).unwrap().flatten_all().unwrap();
    assert_eq!(a.to_vec1::<f32>().unwrap(), d.to_vec1::<f32>().unwrap());
}

#[test]
fn dropout_is_part_of_the_name_and_checked() {
    let hinton = ModelSpec::Mlp {
        hidden: vec![1200, 1200],
        dropout: 0.5,
    };
    assert_eq!(hinton.label(), "mlp-1200-1200-d0.5");
    assert_eq!(mlp(0.0).label(), "mlp-64-32");
    let cnn = ModelSpec::PlainCnn {
        channels: vec![8],
        pool_every: 1,
        batch_norm: true,
        hidden: vec![32],
        dropout: 0.25,
    };
    assert_eq!(cnn.label(), "cnn-8-p1-bn-fc32-d0.25");
    let shape = ImageShape {
        channels: 1,
        height: 28,
        width: 28,
    };
    let err = mlp(1.0).validate(shape).unwrap_err();
    assert!(err.contains("dropout 1"), "{err}");
    let linear = ModelSpec::Mlp {
        hidden: vec![],
        dropout: 0.5,
    };
    let err = linear.validate(shape).unwrap_err();
    assert!(err.contains("has none"), "{err}");
    // A preset without `dropout` reads as 0 and writes no key (old control caches stay valid).
    let spec: ModelSpec = serde_yaml::from_str("{ kind: mlp, hidden: [16] }").unwrap();
    assert_eq!(spec, mlp_16());
    assert!(!serde_yaml::to_string(&spec).unwrap().contains("dropout"));
}

fn mlp_16() -> ModelSpec {
    ModelSpec::Mlp {
        hidden: vec![16],
        dropout: 0.0,
    }
}
