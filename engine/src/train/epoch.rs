//! One training epoch: batches in a given order, forward, loss, backward, optimizer step.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use candle_core::Tensor;

use super::{LogitCache, Optimizer, TrainError};
use crate::data::BatchSource;
use crate::distill::{cross_entropy, kd_loss_reduced, KlReduction};
use crate::model::Classifier;

/// The teacher side of a KD arm: the student's loss becomes
/// [`kd_loss`](crate::distill::kd_loss)`(s, teacher(x), y, temperature, alpha)`.
pub struct KdTarget<'a> {
    /// Evaluated with `forward_t(x, false)` and detached: no graph, no gradient, running stats untouched.
    pub teacher: &'a Classifier,
    /// Temperature `T > 0` of the soft targets.
    pub temperature: f64,
    /// Weight of the soft term, in `[0, 1]`. With `0` the teacher is not run at all.
    pub alpha: f64,
    /// Reduction of the KL term over the batch ([`KlReduction`]).
    pub reduction: KlReduction,
    /// The teacher's logits for the training examples, computed once ([`LogitCache::build`]): when
    /// set, they replace the per-batch teacher forward pass (valid only without input augmentation,
    /// and only for the split the cache was built on).
    pub cache: Option<&'a LogitCache>,
}

/// Progress after one batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchReport {
    /// 1-based index of the batch just trained.
    pub batch: usize,
    /// Batches in the epoch (the last partial batch included).
    pub batches: usize,
    /// The batch's training loss (nats; the KD loss on a KD arm).
    pub loss: f64,
}

/// Summary of a completed epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochStats {
    /// Mean of the batch losses (each batch weighted equally).
    pub train_loss: f64,
    /// Images trained on (`order.len()`).
    pub images: usize,
    /// Wall time of the training work in seconds, not counting time spent inside `on_batch`
    /// (so a pause does not count).
    pub seconds: f64,
    /// Images passed through the teacher's forward pass (0 without KD or with `alpha = 0`, and
    /// with a logit cache).
    pub teacher_forwards: u64,
    /// Images whose teacher logits came from a [`LogitCache`] instead of a forward pass.
    pub teacher_cached: u64,
}

/// How an epoch ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EpochOutcome {
    /// Every batch of `order` was trained.
    Completed(EpochStats),
    /// `on_batch` returned `Break`; the batches trained so far have been applied.
    Interrupted,
}

/// Trains `model` for one epoch over the examples of `data` at `order`, in that order, in batches
/// of `batch_size` (the last, partial batch included), with `model.forward_t(x, true)`.
///
/// The loss is the cross-entropy, or with `kd` the KD loss against
/// `teacher.forward_t(x, false)?.detach()` (or the same logits from `kd.cache`). A non-finite loss stops the epoch with
/// [`TrainError::NonFiniteLoss`] before the step. `on_batch` is called after every step; `Break`
/// returns [`EpochOutcome::Interrupted`] (the caller may also block inside it to pause).
pub fn train_epoch(
    model: &Classifier,
    optimizer: &mut dyn Optimizer,
    data: &dyn BatchSource,
    order: &[usize],
    batch_size: usize,
    kd: Option<&KdTarget>,
    on_batch: &mut dyn FnMut(BatchReport) -> ControlFlow<()>,
) -> Result<EpochOutcome, TrainError> {
    let kd = kd.filter(|k| k.alpha != 0.0);
    let mut teacher_forwards = 0u64;
    let mut teacher_cached = 0u64;
    let done = batch_loop(
        model,
        optimizer,
        data,
        order,
        batch_size,
        on_batch,
        |_, indices, images, logits, labels| {
            let Some(k) = kd else {
                return Ok(cross_entropy(logits, labels)?);
            };
            let teacher_logits = match k.cache {
                Some(cache) => {
                    teacher_cached += indices.len() as u64;
                    cache.gather(indices, model.device())?
                }
                None => {
                    teacher_forwards += indices.len() as u64;
                    k.teacher.forward_t(images, false)?.detach()
                }
            };
            Ok(kd_loss_reduced(
                logits,
                &teacher_logits,
                labels,
                k.temperature,
                k.alpha,
                k.reduction,
            )?)
        },
    )?;
    Ok(
        done.map_or(EpochOutcome::Interrupted, |(train_loss, seconds)| {
            EpochOutcome::Completed(EpochStats {
                train_loss,
                images: order.len(),
                seconds,
                teacher_forwards,
                teacher_cached,
            })
        }),
    )
}

/// The batch loop shared by [`train_epoch`] and
/// [`train_epoch_dense`](super::train_epoch_dense): gather, forward in training mode,
/// `loss(batch_index, indices, images, logits, labels)`, the non-finite check, backward, step,
/// `on_batch`. Returns `(mean batch loss, busy seconds)`, or `None` when `on_batch` broke off.
///
/// Errors: a zero batch size, an empty `order`, a non-finite loss (before its step), any tensor
/// error.
pub(super) fn batch_loop(
    model: &Classifier,
    optimizer: &mut dyn Optimizer,
    data: &dyn BatchSource,
    order: &[usize],
    batch_size: usize,
    on_batch: &mut dyn FnMut(BatchReport) -> ControlFlow<()>,
    mut loss_of: impl FnMut(usize, &[usize], &Tensor, &Tensor, &Tensor) -> Result<Tensor, TrainError>
        + Send,
) -> Result<Option<(f64, f64)>, TrainError> {
    if batch_size == 0 {
        return Err(TrainError::ZeroBatchSize);
    }
    if order.is_empty() {
        return Err(TrainError::EmptyEpoch);
    }
    let batches = order.len().div_ceil(batch_size);
    let mut busy = Duration::ZERO;
    let mut loss_sum = 0.0;
    for (i, indices) in order.chunks(batch_size).enumerate() {
        let started = Instant::now();
        // The whole step runs as one job on the thread pool: its parallel products and updates
        // then start from a pool thread, which works on them itself, instead of from this
        // thread, which would sleep and be woken for every one of them.
        let value = rayon::scope(|_| -> Result<f64, TrainError> {
            let (images, labels) = data.gather(indices, model.device())?;
            let pass = model.forward_train(&images)?;
            let loss = loss_of(i, indices, &images, pass.logits(), &labels)?;
            let value = loss.to_dtype(candle_core::DType::F64)?.to_scalar::<f64>()?;
            if !value.is_finite() {
                return Err(TrainError::NonFiniteLoss {
                    batch: i + 1,
                    loss: value,
                });
            }
            let grads = pass.backward(&loss)?;
            optimizer.step(&grads)?;
            Ok(value)
        })?;
        busy += started.elapsed();
        loss_sum += value;
        let report = BatchReport {
            batch: i + 1,
            batches,
            loss: value,
        };
        if on_batch(report).is_break() {
            return Ok(None);
        }
    }
    Ok(Some((loss_sum / batches as f64, busy.as_secs_f64())))
}
