//! One training epoch under dense guidance: several teachers, some dropped per batch (DGKD).

use std::ops::ControlFlow;

use candle_core::{Device, Result as CandleResult, Tensor};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::epoch::batch_loop;
use super::{BatchReport, EpochOutcome, EpochStats, LogitCache, Optimizer, TrainError};
use crate::data::BatchSource;
use crate::distill::{dense_loss_reduced, kept_teachers, KlReduction};
use crate::model::Classifier;

/// Where a teacher's logits for a batch come from: a model's forward pass, or a cache of logits
/// over the training set ([`CachedTeacher`]).
pub trait TeacherSource: Sync {
    /// Detached logits `[batch, classes]` for the training examples at `indices`, whose images are
    /// `images` (`[batch, …]`, in the same order).
    fn logits(&self, images: &Tensor, indices: &[usize]) -> CandleResult<Tensor>;

    /// True when the logits are read from a cache (no forward pass is counted).
    fn is_cached(&self) -> bool {
        false
    }
}

/// A teacher's logits read from its [`LogitCache`] (valid only for un-augmented inputs of the split
/// the cache was built on).
pub struct CachedTeacher<'a> {
    /// The teacher's logits over the training split.
    pub cache: &'a LogitCache,
    /// Where the logits tensors are made.
    pub device: Device,
}

impl TeacherSource for CachedTeacher<'_> {
    /// The cached rows of `indices`: what the teacher's forward pass on those images returns.
    fn logits(&self, _images: &Tensor, indices: &[usize]) -> CandleResult<Tensor> {
        self.cache.gather(indices, &self.device)
    }

    fn is_cached(&self) -> bool {
        true
    }
}

impl TeacherSource for Classifier {
    /// `forward_t(images, false)`, detached: no graph, running statistics untouched.
    fn logits(&self, images: &Tensor, _indices: &[usize]) -> CandleResult<Tensor> {
        Ok(self.forward_t(images, false)?.detach())
    }
}

/// The teachers of a densely guided arm: the student's loss is
/// [`dense_loss`](crate::distill::dense_loss) over the teachers kept for each batch.
pub struct DenseTarget<'a> {
    /// Every model above the student, teacher first.
    pub teachers: Vec<&'a dyn TeacherSource>,
    /// Temperature `T > 0`.
    pub temperature: f64,
    /// Weight of the soft terms, in `[0, 1]`; with `0` no teacher is run.
    pub alpha: f64,
    /// Reduction of each KL term over the batch.
    pub reduction: KlReduction,
    /// Teachers dropped at random per batch (at most all but one).
    pub drop_num: usize,
    /// Seed of this epoch's dropped sets (one draw per batch, in batch order).
    pub drop_seed: u64,
}

/// As [`train_epoch`](super::train_epoch) with a [`DenseTarget`]: per batch, the kept teachers'
/// logits (dropped teachers are not run) and the dense loss. `teacher_forwards` counts images
/// times kept teachers that ran; `teacher_cached` those read from a cache.
pub fn train_epoch_dense(
    model: &Classifier,
    optimizer: &mut dyn Optimizer,
    data: &dyn BatchSource,
    order: &[usize],
    batch_size: usize,
    dense: &DenseTarget,
    on_batch: &mut dyn FnMut(BatchReport) -> ControlFlow<()>,
) -> Result<EpochOutcome, TrainError> {
    let mut rng = ChaCha8Rng::seed_from_u64(dense.drop_seed);
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
            // Drawn every batch, alpha or not, so the dropped sets do not depend on alpha.
            let kept = kept_teachers(dense.teachers.len(), dense.drop_num, &mut rng);
            let kept: &[usize] = if dense.alpha == 0.0 { &[] } else { &kept };
            let teacher_logits: Vec<Tensor> = kept
                .iter()
                .map(|&j| dense.teachers[j].logits(images, indices))
                .collect::<CandleResult<_>>()?;
            for &j in kept {
                if dense.teachers[j].is_cached() {
                    teacher_cached += indices.len() as u64;
                } else {
                    teacher_forwards += indices.len() as u64;
                }
            }
            Ok(dense_loss_reduced(
                logits,
                &teacher_logits,
                labels,
                dense.temperature,
                dense.alpha,
                dense.reduction,
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
