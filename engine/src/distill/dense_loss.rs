//! Dense guidance (DGKD: Son, Na, Choi & Hwang, "Densely Guided Knowledge Distillation using
//! Multiple Teacher Assistants", ICCV 2021, §3): a model is taught by *every* model above it in the
//! chain — the teacher and each assistant trained before it — and, per mini-batch, some of those
//! teachers are dropped at random ("stochastic DGKD", like dropout over teachers), so that the
//! student does not over-fit one teacher's errors. The paper's student loss is the hard-label term
//! plus the *sum* of one KD term per kept teacher (Eqs. 4–6 of the arXiv version, 2009.08825);
//! with our KD weighting:
//!
//! `L = (1 − α)·CE(y, s) + α·T²·Σ_{j ∈ kept} KL(softmax(t_j/T) ‖ softmax(s/T))`
//!
//! With one teacher and nothing dropped this is exactly [`kd_loss`](super::kd_loss).

use candle_core::{Result, Tensor};
use rand::seq::index::sample;
use rand::Rng;

use super::kd_loss::{cross_entropy, soft_target_kl_reduced, KlReduction};

/// Indices (ascending) of the teachers kept for one batch: `n` teachers, `drop_num` of them
/// dropped uniformly at random, but never all — at most `n − 1` are dropped, so at least one
/// teacher always teaches. `n = 0` keeps none.
pub fn kept_teachers(n: usize, drop_num: usize, rng: &mut impl Rng) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let keep = n - drop_num.min(n - 1);
    let mut kept = sample(rng, n, keep).into_vec();
    kept.sort_unstable();
    kept
}

/// The DGKD loss (see the module docs) of student logits `[B, K]` against the kept teachers'
/// logits (each `[B, K]`, detached inside), labels `[B]` (u32), `0 ≤ alpha ≤ 1`, `temperature > 0`.
/// Scalar tensor (nats). With no teacher it is the cross-entropy. The KL terms are `batchmean`;
/// [`dense_loss_reduced`] chooses.
pub fn dense_loss(
    student_logits: &Tensor,
    teacher_logits: &[Tensor],
    labels: &Tensor,
    temperature: f64,
    alpha: f64,
) -> Result<Tensor> {
    dense_loss_reduced(
        student_logits,
        teacher_logits,
        labels,
        temperature,
        alpha,
        KlReduction::Batchmean,
    )
}

/// [`dense_loss`] with each KL term reduced by `reduction` (DGKD's code: `mean`).
pub fn dense_loss_reduced(
    student_logits: &Tensor,
    teacher_logits: &[Tensor],
    labels: &Tensor,
    temperature: f64,
    alpha: f64,
    reduction: KlReduction,
) -> Result<Tensor> {
    if !(0.0..=1.0).contains(&alpha) {
        candle_core::bail!("dense_loss: alpha must be in [0, 1], got {alpha}");
    }
    if alpha == 0.0 || teacher_logits.is_empty() {
        return cross_entropy(student_logits, labels);
    }
    let mut soft: Option<Tensor> = None;
    for t in teacher_logits {
        let kl = soft_target_kl_reduced(student_logits, t, temperature, reduction)?;
        soft = Some(match soft {
            None => kl,
            Some(s) => (s + kl)?,
        });
    }
    let soft = soft
        .expect("at least one teacher")
        .affine(alpha * temperature * temperature, 0.0)?;
    if alpha == 1.0 {
        return Ok(soft);
    }
    let hard = cross_entropy(student_logits, labels)?.affine(1.0 - alpha, 0.0)?;
    hard + soft
}
