//! One whole training epoch on the device-generic path (the GPU path; on the CPU through
//! `with_generic_ops`, or on `MKD_TEST_DEVICE=cuda`) ends with the same weights, running
//! statistics and optimizer state as on the CPU kernels, within 1e-4.

mod train_support;

use std::ops::ControlFlow;

use candle_core::Device;
use mkd_tui::data::ImageShape;
use mkd_tui::model::{generic_test_device, with_generic_ops, Classifier, ModelSpec};
use mkd_tui::preset::OptimizerConfig;
use mkd_tui::train::{build_optimizer, train_epoch, EpochOutcome};
use train_support::{separable, InMemory};

const SHAPE: ImageShape = ImageShape {
    channels: 3,
    height: 16,
    width: 16,
};

/// Every variable (name, values on the CPU) and the optimizer's state tensors after one epoch.
fn one_epoch(
    spec: &ModelSpec,
    optim: &OptimizerConfig,
    data: &InMemory,
    dev: &Device,
) -> Vec<(String, Vec<f32>)> {
    let model = Classifier::new(spec, SHAPE, 4, 7, dev).unwrap();
    let mut opt = build_optimizer(optim, model.trainable_vars()).unwrap();
    let order: Vec<usize> = (0..data.labels.len()).rev().collect();
    let out = train_epoch(&model, opt.as_mut(), data, &order, 16, None, &mut |_| {
        ControlFlow::Continue(())
    });
    assert!(matches!(out, Ok(EpochOutcome::Completed(_))), "{out:?}");
    let flat = |t: &candle_core::Tensor| {
        t.to_device(&Device::Cpu)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap()
    };
    let mut all: Vec<(String, Vec<f32>)> = model
        .named_vars()
        .into_iter()
        .map(|(name, v)| (name, flat(v.as_tensor())))
        .collect();
    for (name, t) in opt.state().unwrap().tensors {
        all.push((format!("optimizer {name}"), flat(&t)));
    }
    all
}

fn assert_same_epoch(spec: ModelSpec, optim: OptimizerConfig) {
    let data = separable(SHAPE, 4, 64, 5);
    let kernels = one_epoch(&spec, &optim, &data, &Device::Cpu);
    let dev = generic_test_device();
    let generic = with_generic_ops(|| one_epoch(&spec, &optim, &data, &dev));
    assert_eq!(kernels.len(), generic.len());
    let mut moved = 0f32;
    for ((name, k), (name2, g)) in kernels.iter().zip(&generic) {
        assert_eq!(name, name2);
        let scale = k.iter().fold(1f32, |m, v| m.max(v.abs()));
        let diff = k.iter().zip(g).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(
            diff <= 1e-4 * scale,
            "{}: {name} differs by {diff} (largest magnitude {scale})",
            spec.label()
        );
        moved = moved.max(diff);
    }
    // Batch-norm running statistics are among the compared variables.
    assert!(kernels.iter().any(|(n, _)| n.ends_with("running_var")));
    eprintln!("{}: largest difference {moved}", spec.label());
}

#[test]
fn small_cnn_epoch_generic_equals_kernels() {
    assert_same_epoch(
        ModelSpec::PlainCnn {
            channels: vec![8, 16],
            pool_every: 1,
            batch_norm: true,
            hidden: vec![32],
            dropout: 0.0,
        },
        OptimizerConfig::Adamw {
            lr: 0.01,
            weight_decay: 0.01,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        },
    );
}

#[test]
fn resnet8_epoch_generic_equals_kernels() {
    assert_same_epoch(
        ModelSpec::ResnetCifar { depth: 8 },
        OptimizerConfig::Sgd {
            lr: 0.1,
            momentum: 0.9,
            weight_decay: 5e-4,
            nesterov: true,
        },
    );
}
