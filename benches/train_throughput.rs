//! Training throughput (images/s) on random 28×28 grey images, batch 128:
//! MLP 784-512-256-10 and the plain CNN conv32-pool-conv64-pool-fc128, with AdamW and SGD.
//!
//! `cargo bench --bench train_throughput` (release profile; `BENCH_IMAGES=n` images per epoch, default
//! 2048; `BENCH_ONLY=text` for the lines whose label contains it). Prints one line per model, the
//! best of three epochs; not a test. glibc's allocator returns large buffers to the OS after every
//! op; `MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=4294967296` (or mimalloc) avoids
//! the page faults.

use std::ops::ControlFlow;
use std::time::Instant;

use candle_core::{Device, Tensor};
use mkd_tui::data::{BatchSource, ImageShape};
use mkd_tui::model::{Classifier, ModelSpec};
use mkd_tui::preset::OptimizerConfig;
use mkd_tui::train::{build_optimizer, evaluate, train_epoch, EpochOutcome, KdTarget};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SHAPE: ImageShape = ImageShape {
    channels: 1,
    height: 28,
    width: 28,
};
const BATCH: usize = 128;

struct Random {
    images: Vec<f32>,
    labels: Vec<u32>,
}

impl BatchSource for Random {
    fn len(&self) -> usize {
        self.labels.len()
    }
    fn gather(&self, indices: &[usize], device: &Device) -> candle_core::Result<(Tensor, Tensor)> {
        let n = SHAPE.numel();
        let mut x = Vec::with_capacity(indices.len() * n);
        for &i in indices {
            x.extend_from_slice(&self.images[i * n..(i + 1) * n]);
        }
        let y: Vec<u32> = indices.iter().map(|&i| self.labels[i]).collect();
        Ok((
            Tensor::from_vec(x, (indices.len(), 1, 28, 28), device)?,
            Tensor::from_vec(y, indices.len(), device)?,
        ))
    }
}

fn random(count: usize) -> Random {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    Random {
        images: (0..count * SHAPE.numel())
            .map(|_| rng.random::<f32>() - 0.5)
            .collect(),
        labels: (0..count).map(|_| rng.random_range(0..10)).collect(),
    }
}

fn adamw() -> OptimizerConfig {
    OptimizerConfig::Adamw {
        lr: 1e-3,
        weight_decay: 0.01,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
    }
}

fn sgd() -> OptimizerConfig {
    OptimizerConfig::Sgd {
        lr: 0.01,
        momentum: 0.9,
        weight_decay: 5e-4,
        nesterov: false,
    }
}

/// Repetitions of every measurement; the best is reported (the machine may be shared).
const REPEATS: usize = 3;

/// Images/s of `train_epoch` over `count` images (after one warm-up batch), best of [`REPEATS`]
/// epochs. Uses the epoch's own `seconds` (training work only).
fn train_rate(
    m: &Classifier,
    cfg: &OptimizerConfig,
    data: &Random,
    count: usize,
    kd: Option<&KdTarget>,
) -> f64 {
    let mut opt = build_optimizer(cfg, m.trainable_vars()).unwrap();
    let go = &mut |_| ControlFlow::Continue(());
    let warm: Vec<usize> = (0..BATCH).collect();
    train_epoch(m, opt.as_mut(), data, &warm, BATCH, None, go).unwrap();
    let order: Vec<usize> = (0..count).collect();
    let mut best = 0f64;
    for _ in 0..REPEATS {
        let out = train_epoch(m, opt.as_mut(), data, &order, BATCH, kd, go).unwrap();
        let EpochOutcome::Completed(stats) = out else {
            unreachable!()
        };
        best = best.max(count as f64 / stats.seconds);
    }
    best
}

/// Images/s of `evaluate` (batch 512), best of [`REPEATS`].
fn eval_rate(m: &Classifier, data: &Random) -> f64 {
    let mut best = 0f64;
    for _ in 0..REPEATS {
        let start = Instant::now();
        evaluate(m, data, 512).unwrap();
        best = best.max(data.len() as f64 / start.elapsed().as_secs_f64());
    }
    best
}

/// `BENCH_ONLY=<text>` runs only the lines whose label contains it.
fn selected(label: &str) -> bool {
    std::env::var("BENCH_ONLY").map_or(true, |only| label.contains(&only))
}

fn main() {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let count = std::env::var("BENCH_IMAGES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2048);
    let data = random(count);
    let mlp = ModelSpec::Mlp {
        hidden: vec![512, 256],
        dropout: 0.0,
    };
    let cnn = ModelSpec::PlainCnn {
        channels: vec![32, 64],
        pool_every: 1,
        batch_norm: false,
        hidden: vec![128],
        dropout: 0.0,
    };
    let cnn_bn = ModelSpec::PlainCnn {
        channels: vec![32, 64],
        pool_every: 1,
        batch_norm: true,
        hidden: vec![128],
        dropout: 0.0,
    };
    let resnet8 = ModelSpec::ResnetCifar { depth: 8 };
    println!("{count} random 28×28 images, batch {BATCH}, {threads} threads available");
    for (spec, cfg, name) in [
        (&mlp, adamw(), "adamw"),
        (&mlp, sgd(), "sgd-momentum"),
        (&cnn, adamw(), "adamw"),
        (&cnn, sgd(), "sgd-momentum"),
        (&cnn_bn, sgd(), "sgd-momentum"),
        (&resnet8, sgd(), "sgd-momentum"),
    ] {
        if !selected(&spec.label()) {
            continue;
        }
        let m = Classifier::new(spec, SHAPE, 10, 0, &Device::Cpu).unwrap();
        let rate = train_rate(&m, &cfg, &data, count, None);
        println!("train {:<24} {name:<13} {rate:>9.0} images/s", spec.label());
    }
    let teacher = Classifier::new(&cnn, SHAPE, 10, 1, &Device::Cpu).unwrap();
    let student = Classifier::new(&mlp, SHAPE, 10, 0, &Device::Cpu).unwrap();
    let kd = KdTarget {
        teacher: &teacher,
        temperature: 4.0,
        alpha: 0.9,
        reduction: Default::default(),
        cache: None,
    };
    let rate = train_rate(&student, &adamw(), &data, count, Some(&kd));
    println!(
        "train {:<24} {:<13} {rate:>9.0} images/s",
        "mlp-512-256 ← cnn KD", "adamw"
    );
    for spec in [&mlp, &cnn, &resnet8] {
        let m = Classifier::new(spec, SHAPE, 10, 0, &Device::Cpu).unwrap();
        println!(
            "eval  {:<24} {:<13} {:>9.0} images/s",
            spec.label(),
            "batch 512",
            eval_rate(&m, &data)
        );
    }
}
