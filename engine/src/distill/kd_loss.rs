//! Cross-entropy, the soft-target KL divergence and their KD mix.
//!
//! Everything is built from `candle_nn::ops::log_softmax`, which has a backward pass
//! (`softmax_last_dim` has none: its gradients silently vanish).

use candle_core::{DType, Result, Tensor, D};
use candle_nn::ops::log_softmax;
use serde::{Deserialize, Serialize};

/// How the soft-target KL divergence is reduced over a batch `[B, K]` (`distill.kl_reduction`).
///
/// - `batchmean`: summed over classes, averaged over the batch — PyTorch's
///   `kl_div(..., reduction="batchmean")`, the mathematically correct KL per example, as in
///   Hinton et al. 2015 and torchdistill.
/// - `mean`: averaged over batch *and* classes (`/ (B·K)`) — PyTorch's `nn.KLDivLoss()` default,
///   which the published code of TAKD (Mirzadeh et al. 2020) and DGKD (Son et al. 2021) uses; its
///   soft term is `K` times weaker (10× on 10 classes) at the same `alpha` and `T`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KlReduction {
    /// Sum over classes, mean over the batch.
    #[default]
    Batchmean,
    /// Mean over the batch and the classes.
    Mean,
}

impl KlReduction {
    /// The preset's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            KlReduction::Batchmean => "batchmean",
            KlReduction::Mean => "mean",
        }
    }

    /// True for the default (`batchmean`): presets leave it out.
    pub fn is_default(&self) -> bool {
        *self == KlReduction::Batchmean
    }
}

/// Mean cross-entropy `−(1/B) Σ_b log softmax(s_b)[y_b]` of logits `[B, K]` against labels `[B]`
/// (u32). Returns a scalar tensor (nats).
pub fn cross_entropy(logits: &Tensor, labels: &Tensor) -> Result<Tensor> {
    check_logits("cross_entropy", logits)?;
    let b = logits.dim(0)?;
    if labels.dims() != [b] {
        candle_core::bail!(
            "cross_entropy: labels must be [{b}], got {:?}",
            labels.dims()
        );
    }
    let labels = labels.to_dtype(DType::U32)?;
    let log_p = log_softmax(logits, D::Minus1)?;
    log_p
        .gather(&labels.unsqueeze(1)?, 1)?
        .sum_all()?
        .affine(-1.0 / b as f64, 0.0)
}

/// Soft-target KL divergence `(1/B) Σ_b Σ_k p_t log(p_t / p_s)` with `p_t = softmax(t/T)`,
/// `p_s = softmax(s/T)` — summed over classes, averaged over the batch (PyTorch's
/// `kl_div(..., reduction="batchmean")`). Logits `[B, K]`, `temperature > 0`; scalar tensor (nats).
///
/// The teacher logits are detached: no gradient flows into the teacher.
pub fn soft_target_kl(
    student_logits: &Tensor,
    teacher_logits: &Tensor,
    temperature: f64,
) -> Result<Tensor> {
    soft_target_kl_reduced(
        student_logits,
        teacher_logits,
        temperature,
        KlReduction::Batchmean,
    )
}

/// [`soft_target_kl`] with the batch reduction chosen: divided by `B` (`batchmean`) or by `B·K`
/// (`mean`, PyTorch's `KLDivLoss()` default). Logits `[B, K]`; scalar tensor (nats).
pub fn soft_target_kl_reduced(
    student_logits: &Tensor,
    teacher_logits: &Tensor,
    temperature: f64,
    reduction: KlReduction,
) -> Result<Tensor> {
    check_logits("soft_target_kl student", student_logits)?;
    if teacher_logits.dims() != student_logits.dims() {
        candle_core::bail!(
            "soft_target_kl: teacher logits {:?} and student logits {:?} differ in shape",
            teacher_logits.dims(),
            student_logits.dims()
        );
    }
    if !(temperature > 0.0 && temperature.is_finite()) {
        candle_core::bail!(
            "soft_target_kl: temperature must be positive and finite, got {temperature}"
        );
    }
    let (b, k) = student_logits.dims2()?;
    let divisor = match reduction {
        KlReduction::Batchmean => b,
        KlReduction::Mean => b * k,
    };
    let inv_t = 1.0 / temperature;
    let log_ps = log_softmax(&student_logits.affine(inv_t, 0.0)?, D::Minus1)?;
    let log_pt = log_softmax(&teacher_logits.detach().affine(inv_t, 0.0)?, D::Minus1)?;
    let pt = log_pt.exp()?;
    (pt * (log_pt - log_ps)?)?
        .sum_all()?
        .affine(1.0 / divisor as f64, 0.0)
}

/// The KD loss `(1 − α)·CE(y, s) + α·T²·KL(softmax(t/T) ‖ softmax(s/T))` (Hinton et al. 2015, §2;
/// the `T²` keeps the soft term's gradient scale independent of `T`). Logits `[B, K]`, labels `[B]`
/// (u32), `0 ≤ alpha ≤ 1`, `temperature > 0`. Scalar tensor.
///
/// Gradient w.r.t. the student logits: `α·T·(softmax(s/T) − softmax(t/T))/B + (1−α)·(softmax(s) − onehot(y))/B`.
/// `alpha = 0` is exactly the cross-entropy; `alpha = 1` skips it.
pub fn kd_loss(
    student_logits: &Tensor,
    teacher_logits: &Tensor,
    labels: &Tensor,
    temperature: f64,
    alpha: f64,
) -> Result<Tensor> {
    kd_loss_reduced(
        student_logits,
        teacher_logits,
        labels,
        temperature,
        alpha,
        KlReduction::Batchmean,
    )
}

/// [`kd_loss`] with the KL term reduced by `reduction` ([`KlReduction`]); with `mean` the soft
/// term's weight is effectively `alpha·T²/K`, as in TAKD's and DGKD's code.
pub fn kd_loss_reduced(
    student_logits: &Tensor,
    teacher_logits: &Tensor,
    labels: &Tensor,
    temperature: f64,
    alpha: f64,
    reduction: KlReduction,
) -> Result<Tensor> {
    if !(0.0..=1.0).contains(&alpha) {
        candle_core::bail!("kd_loss: alpha must be in [0, 1], got {alpha}");
    }
    if alpha == 0.0 {
        return cross_entropy(student_logits, labels);
    }
    let soft = soft_target_kl_reduced(student_logits, teacher_logits, temperature, reduction)?
        .affine(alpha * temperature * temperature, 0.0)?;
    if alpha == 1.0 {
        return Ok(soft);
    }
    let hard = cross_entropy(student_logits, labels)?.affine(1.0 - alpha, 0.0)?;
    hard + soft
}

fn check_logits(what: &str, logits: &Tensor) -> Result<()> {
    match logits.dims() {
        [b, k] if *b > 0 && *k > 0 => Ok(()),
        dims => candle_core::bail!("{what}: logits must be [B, K] with B, K ≥ 1, got {dims:?}"),
    }
}
