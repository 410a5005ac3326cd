//! Top-1 accuracy of a model on a split.

use candle_core::{DType, Result, D};

use crate::data::BatchSource;
use crate::model::Classifier;

/// Top-1 accuracy in percent (0–100) of `model` on every example of `data`, in index order, in
/// batches of `batch_size`, with `forward_t(x, false)` (batch-norm running stats, nothing updated).
/// Ties in the logits go to the lowest class index. Errors on empty data or `batch_size` 0.
pub fn evaluate(model: &Classifier, data: &dyn BatchSource, batch_size: usize) -> Result<f64> {
    if batch_size == 0 {
        candle_core::bail!("evaluate: batch size must be at least 1");
    }
    let n = data.len();
    if n == 0 {
        candle_core::bail!("evaluate: the split is empty");
    }
    let indices: Vec<usize> = (0..n).collect();
    let mut correct = 0u64;
    for chunk in indices.chunks(batch_size) {
        let (images, labels) = data.gather(chunk, model.device())?;
        let predicted = model
            .forward_t(&images, false)?
            .detach()
            .argmax(D::Minus1)?;
        correct += predicted
            .eq(&labels.to_dtype(DType::U32)?)?
            .to_dtype(DType::U32)?
            .sum_all()?
            .to_scalar::<u32>()? as u64;
    }
    Ok(100.0 * correct as f64 / n as f64)
}

/// The logits of `model` for every example of `data`, in index order: `len · num_classes` f32
/// values, row-major (`[N, K]`), from `forward_t(x, false)` in batches of `batch_size`.
/// Errors on `batch_size` 0.
pub fn logits(model: &Classifier, data: &dyn BatchSource, batch_size: usize) -> Result<Vec<f32>> {
    if batch_size == 0 {
        candle_core::bail!("logits: batch size must be at least 1");
    }
    let indices: Vec<usize> = (0..data.len()).collect();
    let mut out = Vec::with_capacity(data.len() * model.num_classes());
    for chunk in indices.chunks(batch_size) {
        let (images, _) = data.gather(chunk, model.device())?;
        let logits = model.forward_t(&images, false)?.detach();
        out.extend(logits.flatten_all()?.to_vec1::<f32>()?);
    }
    Ok(out)
}

/// A model whose accuracy is below this multiple of chance (100 / classes %) is "near chance":
/// loaded weights that were trained on other data, or with another input normalisation.
pub const NEAR_CHANCE: f64 = 2.0;

/// `accuracy` (%) is below [`NEAR_CHANCE`] × chance for `num_classes` classes.
pub fn near_chance(accuracy: f64, num_classes: usize) -> bool {
    accuracy < NEAR_CHANCE * 100.0 / num_classes.max(1) as f64
}
