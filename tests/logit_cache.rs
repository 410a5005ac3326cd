//! The teacher-logit cache gives what the per-batch teacher forward pass gives.

mod train_support;

use std::ops::ControlFlow;

use candle_core::Device;
use mkd_tui::data::{BatchSource, ImageShape};
use mkd_tui::distill::kd_loss;
use mkd_tui::model::{Classifier, ModelSpec};
use mkd_tui::preset::OptimizerConfig;
use mkd_tui::train::{build_optimizer, train_epoch, EpochOutcome, KdTarget, LogitCache};
use train_support::separable;

const SHAPE: ImageShape = ImageShape {
    channels: 1,
    height: 8,
    width: 8,
};

fn model(spec: &ModelSpec, seed: u64) -> Classifier {
    Classifier::new(spec, SHAPE, 4, seed, &Device::Cpu).unwrap()
}

fn cnn_bn() -> ModelSpec {
    ModelSpec::PlainCnn {
        channels: vec![4],
        pool_every: 1,
        batch_norm: true,
        hidden: vec![],
        dropout: 0.0,
    }
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn cached_logits_are_the_teachers_forward_pass_on_any_batch() {
    let data = separable(SHAPE, 4, 37, 1);
    for spec in [
        ModelSpec::Mlp {
            hidden: vec![16],
            dropout: 0.0,
        },
        cnn_bn(),
    ] {
        let teacher = model(&spec, 3);
        // A cache filled in batches of 10 serves a batch in another order and size.
        let cache = LogitCache::build(&teacher, &data, 10).unwrap();
        assert_eq!((cache.len(), cache.classes()), (37, 4));
        let batch = [36, 0, 17, 5, 5, 22];
        let (x, _) = data.gather(&batch, &Device::Cpu).unwrap();
        let live = teacher.forward_t(&x, false).unwrap();
        let cached = cache.gather(&batch, &Device::Cpu).unwrap();
        assert_eq!(cached.dims(), live.dims());
        let d = max_abs_diff(
            &live.flatten_all().unwrap().to_vec1().unwrap(),
            &cached.flatten_all().unwrap().to_vec1().unwrap(),
        );
        assert!(d < 1e-5, "{}: max difference {d}", spec.label());
    }
}

#[test]
fn cached_kd_loss_equals_the_per_batch_kd_loss() {
    let data = separable(SHAPE, 4, 40, 2);
    let teacher = model(&cnn_bn(), 4);
    let student = model(
        &ModelSpec::Mlp {
            hidden: vec![8],
            dropout: 0.0,
        },
        5,
    );
    let cache = LogitCache::build(&teacher, &data, 16).unwrap();
    let batch: Vec<usize> = (0..40).rev().step_by(3).collect();
    let (x, y) = data.gather(&batch, &Device::Cpu).unwrap();
    let s = student.forward_t(&x, true).unwrap();
    let live = kd_loss(
        &s,
        &teacher.forward_t(&x, false).unwrap().detach(),
        &y,
        3.0,
        0.7,
    )
    .unwrap()
    .to_scalar::<f32>()
    .unwrap();
    let cached = kd_loss(
        &s,
        &cache.gather(&batch, &Device::Cpu).unwrap(),
        &y,
        3.0,
        0.7,
    )
    .unwrap()
    .to_scalar::<f32>()
    .unwrap();
    assert!((live - cached).abs() < 1e-6, "{live} vs {cached}");
}

#[test]
fn an_epoch_on_the_cache_runs_no_teacher_and_trains_like_the_per_batch_epoch() {
    let data = separable(SHAPE, 4, 50, 3);
    let teacher = model(
        &ModelSpec::Mlp {
            hidden: vec![16],
            dropout: 0.0,
        },
        6,
    );
    let cache = LogitCache::build(&teacher, &data, 1000).unwrap();
    let adamw = OptimizerConfig::Adamw {
        lr: 1e-2,
        weight_decay: 0.0,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
    };
    let order: Vec<usize> = (0..50).map(|i| (i * 7) % 50).collect();
    let run = |cache: Option<&LogitCache>| {
        let student = model(
            &ModelSpec::Mlp {
                hidden: vec![8],
                dropout: 0.0,
            },
            7,
        );
        let mut opt = build_optimizer(&adamw, student.trainable_vars()).unwrap();
        let kd = KdTarget {
            teacher: &teacher,
            temperature: 2.0,
            alpha: 0.5,
            reduction: Default::default(),
            cache,
        };
        let go = &mut |_| ControlFlow::Continue(());
        let EpochOutcome::Completed(stats) =
            train_epoch(&student, opt.as_mut(), &data, &order, 16, Some(&kd), go).unwrap()
        else {
            unreachable!()
        };
        (stats, weights(&student))
    };
    let (live, w_live) = run(None);
    let (cached, w_cached) = run(Some(&cache));
    assert_eq!((live.teacher_forwards, live.teacher_cached), (50, 0));
    assert_eq!((cached.teacher_forwards, cached.teacher_cached), (0, 50));
    assert!((live.train_loss - cached.train_loss).abs() < 1e-5);
    assert!(max_abs_diff(&w_live, &w_cached) < 1e-5);
}

#[test]
fn an_index_outside_the_cache_is_an_error() {
    let data = separable(SHAPE, 4, 5, 4);
    let cache = LogitCache::build(
        &model(
            &ModelSpec::Mlp {
                hidden: vec![],
                dropout: 0.0,
            },
            1,
        ),
        &data,
        2,
    )
    .unwrap();
    let e = cache.gather(&[0, 5], &Device::Cpu).unwrap_err().to_string();
    assert!(e.contains("example 5 out of range for 5"), "{e}");
}

/// Dense guidance (DGKD) on cached teachers: no teacher runs, and the epoch trains as with the
/// per-batch forward passes.
#[test]
fn a_dense_epoch_on_cached_teachers_trains_like_the_per_batch_epoch() {
    use mkd_tui::train::{train_epoch_dense, CachedTeacher, DenseTarget, TeacherSource};
    let data = separable(SHAPE, 4, 40, 5);
    let mlp = |hidden: Vec<usize>, seed| {
        model(
            &ModelSpec::Mlp {
                hidden,
                dropout: 0.0,
            },
            seed,
        )
    };
    let (teacher, assistant) = (mlp(vec![16], 8), mlp(vec![12], 9));
    let caches = [
        LogitCache::build(&teacher, &data, 1000).unwrap(),
        LogitCache::build(&assistant, &data, 1000).unwrap(),
    ];
    let cached: Vec<CachedTeacher> = caches
        .iter()
        .map(|cache| CachedTeacher {
            cache,
            device: Device::Cpu,
        })
        .collect();
    let sgd = OptimizerConfig::Sgd {
        lr: 0.05,
        momentum: 0.9,
        weight_decay: 0.0,
        nesterov: false,
    };
    let order: Vec<usize> = (0..40).rev().collect();
    let run = |teachers: Vec<&dyn TeacherSource>| {
        let student = mlp(vec![8], 10);
        let mut opt = build_optimizer(&sgd, student.trainable_vars()).unwrap();
        let dense = DenseTarget {
            teachers,
            temperature: 4.0,
            alpha: 0.9,
            reduction: Default::default(),
            drop_num: 1,
            drop_seed: 77,
        };
        let go = &mut |_| ControlFlow::Continue(());
        let EpochOutcome::Completed(stats) =
            train_epoch_dense(&student, opt.as_mut(), &data, &order, 8, &dense, go).unwrap()
        else {
            unreachable!()
        };
        (stats, weights(&student))
    };
    let (live, w_live) = run(vec![&teacher, &assistant]);
    let (from_cache, w_cached) = run(cached.iter().map(|c| c as &dyn TeacherSource).collect());
    // Two teachers, one dropped per batch: one kept teacher per image.
    assert_eq!((live.teacher_forwards, live.teacher_cached), (40, 0));
    assert_eq!(
        (from_cache.teacher_forwards, from_cache.teacher_cached),
        (0, 40)
    );
    assert!((live.train_loss - from_cache.train_loss).abs() < 1e-5);
    assert!(max_abs_diff(&w_live, &w_cached) < 1e-5);
}

/// Every trainable value of `model`, in variable order.
fn weights(model: &Classifier) -> Vec<f32> {
    model
        .trainable_vars()
        .iter()
        .flat_map(|v| v.flatten_all().unwrap().to_vec1::<f32>().unwrap())
        .collect()
}
