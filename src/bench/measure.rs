//! Measure one [`BenchCase`] in this process: training and inference images/s per round.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use candle_core::Device;
use serde::{Deserialize, Serialize};

use super::case::BenchCase;
use super::peak_memory::peak_rss_mib;
use super::random_images::RandomImages;
use crate::model::Classifier;
use crate::train::{build_optimizer, evaluate, train_epoch, EpochOutcome, KdTarget, LogitCache};

/// Batches of random images per measured epoch (the data are reused every epoch).
const BATCHES_PER_EPOCH: usize = 16;

/// One case's figures: the JSON line both `mkd-tui bench --json` and `pytorch_reference.py` print.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchResult {
    /// `mkd-tui` or `pytorch`.
    pub implementation: String,
    /// The case's name.
    pub case: String,
    /// Worker threads.
    pub threads: usize,
    /// Images per batch.
    pub batch: usize,
    /// Trainable parameters of the trained model.
    pub params: u64,
    /// Training images/s (forward, loss, backward, optimizer step; with the teacher's forward in a
    /// KD case), one figure per round.
    pub train_images_per_s: Vec<f64>,
    /// Inference images/s (eval-mode forward and arg-max at the same batch size), one per round.
    pub infer_images_per_s: Vec<f64>,
    /// Training GFLOP/s per round, counted from multiply-accumulates: `2 × 3 × forward MACs` per
    /// image (forward, input gradient, weight gradient; the common convention, which counts the
    /// first layer's unneeded input gradient and no element-wise op), plus `2 ×` the teacher's
    /// forward MACs in a KD case without a cache. Absent from PyTorch's lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub train_gflops: Vec<f64>,
    /// The processor's FP32 peak the parent worked out ([`FmaPeak`](super::FmaPeak)), GFLOP/s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_gflops: Option<f64>,
    /// Peak resident memory of the process that measured this case alone, MiB (`None` off Linux).
    pub peak_rss_mib: Option<f64>,
    /// The processor it ran on (absent from PyTorch's lines and older ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<super::Cpu>,
    /// The device that trained, in words (`cpu`, `cuda:0 (NVIDIA H100 …)`); empty in lines from
    /// before it was recorded and from `pytorch_reference.py`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub device: String,
}

/// Trains and evaluates `case` on random images for `rounds` rounds of about `seconds` each (per
/// phase), after one warm-up batch, on `device`. Weights from seed 0 (the teacher's from seed 1).
pub fn measure(
    case: &BenchCase,
    rounds: usize,
    seconds: f64,
    device: &Device,
) -> anyhow::Result<BenchResult> {
    let device = device.clone();
    let model = Classifier::new(&case.model, case.input, case.classes, 0, &device)?;
    let teacher = match &case.kd {
        Some(kd) => Some(Classifier::new(
            &kd.teacher,
            case.input,
            case.classes,
            1,
            &device,
        )?),
        None => None,
    };
    let data = RandomImages::new(case.input, BATCHES_PER_EPOCH * case.batch, case.classes, 2);
    // Filled before the timing starts, as a stage fills it before its first epoch.
    let cache = match (&case.kd, &teacher) {
        (Some(k), Some(t)) if k.cached => Some(LogitCache::build(t, &data, case.batch)?),
        _ => None,
    };
    let kd = case
        .kd
        .as_ref()
        .zip(teacher.as_ref())
        .map(|(k, t)| KdTarget {
            teacher: t,
            temperature: k.temperature,
            alpha: k.alpha,
            reduction: Default::default(),
            cache: cache.as_ref(),
        });
    let mut optimizer = build_optimizer(&case.optimizer, model.trainable_vars())?;
    let teacher_macs = match (&case.kd, &teacher) {
        (Some(k), Some(t)) if !k.cached => t.macs_per_image(),
        _ => 0,
    };
    let train_flop_per_image = 2.0 * (3 * model.macs_per_image() + teacher_macs) as f64;
    let order: Vec<usize> = (0..BATCHES_PER_EPOCH * case.batch).collect();
    let go = &mut |_| ControlFlow::Continue(());
    // Warm-up: first-touch allocations, optimizer state, the thread pool.
    train_epoch(
        &model,
        optimizer.as_mut(),
        &data,
        &order[..case.batch],
        case.batch,
        kd.as_ref(),
        go,
    )?;
    let budget = Duration::from_secs_f64(seconds.max(0.0));
    let mut train = Vec::with_capacity(rounds);
    let mut infer = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let (mut images, mut busy) = (0usize, 0f64);
        while busy == 0.0 || Duration::from_secs_f64(busy) < budget {
            let outcome = train_epoch(
                &model,
                optimizer.as_mut(),
                &data,
                &order,
                case.batch,
                kd.as_ref(),
                go,
            )?;
            let EpochOutcome::Completed(stats) = outcome else {
                anyhow::bail!("bench: an epoch was interrupted");
            };
            images += stats.images;
            busy += stats.seconds;
        }
        train.push(images as f64 / busy);
        let (started, mut images) = (Instant::now(), 0usize);
        while images == 0 || started.elapsed() < budget {
            evaluate(&model, &data, case.batch)?;
            images += order.len();
        }
        infer.push(images as f64 / started.elapsed().as_secs_f64());
    }
    Ok(BenchResult {
        implementation: "mkd-tui".into(),
        case: case.name.clone(),
        threads: candle_core::utils::get_num_threads(),
        batch: case.batch,
        params: model.param_count(),
        train_gflops: train
            .iter()
            .map(|ips| ips * train_flop_per_image / 1e9)
            .collect(),
        peak_gflops: None,
        train_images_per_s: train,
        infer_images_per_s: infer,
        peak_rss_mib: peak_rss_mib(),
        cpu: Some(super::Cpu::detect()),
        device: crate::device::describe(&device),
    })
}
