//! The training epoch and evaluation on a small separable problem.

mod train_support;

use std::ops::ControlFlow;

use candle_core::{Device, Tensor};
use mkd_tui::data::{BatchSource, ImageShape};
use mkd_tui::model::{Classifier, ModelSpec};
use mkd_tui::preset::OptimizerConfig;
use mkd_tui::train::{
    build_optimizer, evaluate, train_epoch, EpochOutcome, EpochStats, KdTarget, TrainError,
};
use train_support::{separable, InMemory};

const SHAPE: ImageShape = ImageShape {
    channels: 1,
    height: 4,
    width: 4,
};

fn adamw(lr: f64) -> OptimizerConfig {
    OptimizerConfig::Adamw {
        lr,
        weight_decay: 0.0,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
    }
}

fn model(spec: &ModelSpec, seed: u64) -> Classifier {
    Classifier::new(spec, SHAPE, 4, seed, &Device::Cpu).unwrap()
}

fn mlp() -> ModelSpec {
    ModelSpec::Mlp {
        hidden: vec![16],
        dropout: 0.0,
    }
}

/// Trains `epochs` epochs in index order; returns every epoch's stats.
fn fit(m: &Classifier, data: &InMemory, epochs: usize, kd: Option<&KdTarget>) -> Vec<EpochStats> {
    let mut opt = build_optimizer(&adamw(0.02), m.trainable_vars()).unwrap();
    let order: Vec<usize> = (0..data.len()).collect();
    (0..epochs)
        .map(|_| {
            match train_epoch(m, opt.as_mut(), data, &order, 16, kd, &mut |_| {
                ControlFlow::Continue(())
            }) {
                Ok(EpochOutcome::Completed(s)) => s,
                other => panic!("{other:?}"),
            }
        })
        .collect()
}

#[test]
fn loss_falls_and_accuracy_rises_above_90_percent() {
    let train = separable(SHAPE, 4, 256, 1);
    let val = separable(SHAPE, 4, 200, 2);
    let m = model(&mlp(), 0);
    let before = evaluate(&m, &val, 64).unwrap();
    let stats = fit(&m, &train, 5, None);
    assert!(stats[4].train_loss < 0.5 * stats[0].train_loss, "{stats:?}");
    let after = evaluate(&m, &val, 64).unwrap();
    assert!(after > 90.0, "accuracy {after}% (before {before}%)");
    assert!(after > before);
    assert!(stats
        .iter()
        .all(|s| s.images == 256 && s.teacher_forwards == 0 && s.seconds > 0.0));
}

#[test]
fn cnn_and_resnet_also_learn() {
    let shape = ImageShape {
        channels: 1,
        height: 8,
        width: 8,
    };
    let train = separable(shape, 4, 128, 3);
    let val = separable(shape, 4, 100, 4);
    for spec in [
        ModelSpec::PlainCnn {
            channels: vec![4, 8],
            pool_every: 1,
            batch_norm: true,
            hidden: vec![16],
            dropout: 0.0,
        },
        ModelSpec::ResnetCifar { depth: 8 },
    ] {
        let m = Classifier::new(&spec, shape, 4, 0, &Device::Cpu).unwrap();
        let stats = fit(&m, &train, 4, None);
        assert!(
            stats[3].train_loss < stats[0].train_loss,
            "{}: {stats:?}",
            spec.label()
        );
        let acc = evaluate(&m, &val, 32).unwrap();
        assert!(acc > 80.0, "{}: {acc}%", spec.label());
    }
}

#[test]
fn a_model_and_its_optimizer_train_on_a_worker_thread() {
    let train = separable(SHAPE, 4, 64, 11);
    let m = model(&mlp(), 0);
    let mut opt = build_optimizer(&adamw(0.01), m.trainable_vars()).unwrap();
    let worker = std::thread::spawn(move || {
        let order: Vec<usize> = (0..train.len()).collect();
        let out = train_epoch(&m, opt.as_mut(), &train, &order, 16, None, &mut |_| {
            ControlFlow::Continue(())
        });
        assert!(matches!(out, Ok(EpochOutcome::Completed(_))));
        (m, opt)
    });
    let (m, _opt) = worker.join().unwrap();
    assert_eq!(m.num_classes(), 4);
}

#[test]
fn training_is_reproducible() {
    // Same seed, data and order ⇒ bit-identical weights (the control-arm cache relies on it).
    let shape = ImageShape {
        channels: 1,
        height: 8,
        width: 8,
    };
    let train = separable(shape, 4, 96, 10);
    let spec = ModelSpec::PlainCnn {
        channels: vec![4, 8],
        pool_every: 1,
        batch_norm: true,
        hidden: vec![16],
        dropout: 0.0,
    };
    let run = || {
        let m = Classifier::new(&spec, shape, 4, 3, &Device::Cpu).unwrap();
        fit(&m, &train, 2, None);
        m.named_vars()
            .into_iter()
            .map(|(n, v)| (n, v.flatten_all().unwrap().to_vec1::<f32>().unwrap()))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

#[test]
fn kd_arm_runs_the_teacher_once_per_image() {
    let train = separable(SHAPE, 4, 100, 5);
    let teacher = model(
        &ModelSpec::Mlp {
            hidden: vec![32],
            dropout: 0.0,
        },
        1,
    );
    fit(&teacher, &train, 3, None);
    let student = model(
        &ModelSpec::Mlp {
            hidden: vec![4],
            dropout: 0.0,
        },
        2,
    );
    let kd = KdTarget {
        teacher: &teacher,
        temperature: 4.0,
        alpha: 0.9,
        reduction: Default::default(),
        cache: None,
    };
    let teacher_before: Vec<_> = teacher
        .trainable_vars()
        .iter()
        .map(|v| v.flatten_all().unwrap().to_vec1::<f32>().unwrap())
        .collect();
    let stats = fit(&student, &train, 3, Some(&kd));
    assert!(stats
        .iter()
        .all(|s| s.teacher_forwards == 100 && s.images == 100));
    assert!(stats[2].train_loss < stats[0].train_loss, "{stats:?}");
    let teacher_after: Vec<_> = teacher
        .trainable_vars()
        .iter()
        .map(|v| v.flatten_all().unwrap().to_vec1::<f32>().unwrap())
        .collect();
    assert_eq!(
        teacher_before, teacher_after,
        "the teacher must not be trained"
    );

    let no_soft = KdTarget { alpha: 0.0, ..kd };
    let stats = fit(&student, &train, 1, Some(&no_soft));
    assert_eq!(stats[0].teacher_forwards, 0, "alpha 0 needs no teacher");
}

#[test]
fn kd_from_a_good_teacher_differs_from_labels_only() {
    // Same init and order; the soft term must change the trajectory.
    let train = separable(SHAPE, 4, 64, 6);
    let teacher = model(&mlp(), 1);
    fit(&teacher, &train, 3, None);
    let a = model(&mlp(), 9);
    let b = model(&mlp(), 9);
    let kd = KdTarget {
        teacher: &teacher,
        temperature: 2.0,
        alpha: 0.5,
        reduction: Default::default(),
        cache: None,
    };
    let la = fit(&a, &train, 1, None)[0].train_loss;
    let lb = fit(&b, &train, 1, Some(&kd))[0].train_loss;
    assert_ne!(la, lb);
}

#[test]
fn every_batch_is_reported_and_the_last_partial_batch_is_trained() {
    let data = separable(SHAPE, 4, 50, 7);
    let m = model(&mlp(), 0);
    let mut opt = build_optimizer(&adamw(0.01), m.trainable_vars()).unwrap();
    let order: Vec<usize> = (0..50).rev().collect();
    let mut reports = Vec::new();
    let out = train_epoch(&m, opt.as_mut(), &data, &order, 16, None, &mut |r| {
        reports.push(r);
        ControlFlow::Continue(())
    })
    .unwrap();
    let batches: Vec<(usize, usize)> = reports.iter().map(|r| (r.batch, r.batches)).collect();
    assert_eq!(batches, [(1, 4), (2, 4), (3, 4), (4, 4)]); // 16 + 16 + 16 + 2
    let EpochOutcome::Completed(stats) = out else {
        panic!("{out:?}")
    };
    assert_eq!(stats.images, 50);
    let mean = reports.iter().map(|r| r.loss).sum::<f64>() / 4.0;
    assert!((stats.train_loss - mean).abs() < 1e-12);
}

#[test]
fn break_from_on_batch_interrupts() {
    let data = separable(SHAPE, 4, 64, 8);
    let m = model(&mlp(), 0);
    let mut opt = build_optimizer(&adamw(0.01), m.trainable_vars()).unwrap();
    let order: Vec<usize> = (0..64).collect();
    let mut calls = 0;
    let out = train_epoch(&m, opt.as_mut(), &data, &order, 16, None, &mut |r| {
        calls += 1;
        if r.batch == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap();
    assert_eq!(out, EpochOutcome::Interrupted);
    assert_eq!(calls, 2);
}

/// A source whose images are NaN: the loss cannot be finite.
struct Poisoned;

impl BatchSource for Poisoned {
    fn len(&self) -> usize {
        8
    }
    fn gather(&self, indices: &[usize], device: &Device) -> candle_core::Result<(Tensor, Tensor)> {
        let x = Tensor::full(f32::NAN, (indices.len(), 1, 4, 4), device)?;
        let y = Tensor::zeros(indices.len(), candle_core::DType::U32, device)?;
        Ok((x, y))
    }
}

#[test]
fn non_finite_loss_is_an_error_before_the_step() {
    // With a hidden layer: the ReLU must pass NaN on (candle's own maps it to 0).
    let m = model(&mlp(), 0);
    let before: Vec<_> = m
        .trainable_vars()
        .iter()
        .map(|v| v.flatten_all().unwrap().to_vec1::<f32>().unwrap())
        .collect();
    let mut opt = build_optimizer(&adamw(0.01), m.trainable_vars()).unwrap();
    let err = train_epoch(
        &m,
        opt.as_mut(),
        &Poisoned,
        &[0, 1, 2],
        2,
        None,
        &mut |_| ControlFlow::Continue(()),
    )
    .unwrap_err();
    assert!(
        matches!(err, TrainError::NonFiniteLoss { batch: 1, loss } if loss.is_nan()),
        "{err}"
    );
    let after: Vec<_> = m
        .trainable_vars()
        .iter()
        .map(|v| v.flatten_all().unwrap().to_vec1::<f32>().unwrap())
        .collect();
    assert_eq!(before, after);
}

#[test]
fn empty_order_and_zero_batch_size_are_errors() {
    let data = separable(SHAPE, 4, 8, 9);
    let m = model(&mlp(), 0);
    let mut opt = build_optimizer(&adamw(0.01), m.trainable_vars()).unwrap();
    let mut go = |_| ControlFlow::Continue(());
    assert!(matches!(
        train_epoch(&m, opt.as_mut(), &data, &[], 4, None, &mut go),
        Err(TrainError::EmptyEpoch)
    ));
    assert!(matches!(
        train_epoch(&m, opt.as_mut(), &data, &[0], 0, None, &mut go),
        Err(TrainError::ZeroBatchSize)
    ));
}

#[test]
fn evaluate_counts_top1_hits_exactly() {
    // A linear classifier on 2-pixel images with identity weights predicts the brighter pixel.
    let shape = ImageShape {
        channels: 1,
        height: 1,
        width: 2,
    };
    let m = Classifier::new(
        &ModelSpec::Mlp {
            hidden: vec![],
            dropout: 0.0,
        },
        shape,
        2,
        0,
        &Device::Cpu,
    )
    .unwrap();
    for (name, var) in m.named_vars() {
        let value = match name.as_str() {
            "head.weight" => Tensor::new(&[[1f32, 0.0], [0.0, 1.0]], &Device::Cpu).unwrap(),
            _ => Tensor::zeros(2, candle_core::DType::F32, &Device::Cpu).unwrap(),
        };
        var.set(&value).unwrap();
    }
    let data = InMemory {
        shape,
        // predictions: 0, 1, 1, 0, 1
        images: vec![2.0, 1.0, 0.0, 3.0, -1.0, 1.0, 5.0, 4.0, 0.1, 0.2],
        labels: vec![0, 1, 0, 0, 0],
    };
    for batch in [1, 2, 3, 5, 64] {
        assert_eq!(evaluate(&m, &data, batch).unwrap(), 60.0, "batch {batch}");
    }
    let empty = InMemory {
        shape,
        images: vec![],
        labels: vec![],
    };
    assert!(evaluate(&m, &empty, 4).is_err());
}
