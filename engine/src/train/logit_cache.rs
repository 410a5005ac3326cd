//! A teacher's logits for every training example, computed once and reused every epoch.
//!
//! Without input augmentation a teacher in eval mode gives the same logits for an example in every
//! epoch, so its forward pass need not be repeated: 55,000 × 10 floats is 2.2 MB. One cache per
//! teacher model (dense guidance gives a student several teachers, each with its own cache).

use candle_core::{DType, Device, Result, Tensor};

use crate::data::BatchSource;
use crate::model::Classifier;

/// Logits `[examples, classes]` of one teacher on one split, row `i` for example `i`.
#[derive(Debug, Clone)]
pub struct LogitCache {
    logits: Vec<f32>,
    classes: usize,
}

impl LogitCache {
    /// Runs `teacher.forward_t(x, false)` (eval mode, no graph: exactly the per-batch teacher
    /// forward of a KD step) over every example of `data` in index order, in batches of
    /// `batch_size`. Costs `data.len()` teacher forward passes. Errors on `batch_size` 0.
    pub fn build(
        teacher: &Classifier,
        data: &dyn BatchSource,
        batch_size: usize,
    ) -> Result<LogitCache> {
        if batch_size == 0 {
            candle_core::bail!("logit cache: batch size must be at least 1");
        }
        let classes = teacher.num_classes();
        let n = data.len();
        let mut logits = Vec::with_capacity(n * classes);
        let indices: Vec<usize> = (0..n).collect();
        for chunk in indices.chunks(batch_size) {
            let (images, _) = data.gather(chunk, teacher.device())?;
            let out = teacher.forward_t(&images, false)?.detach();
            logits.extend(out.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()?);
        }
        Ok(LogitCache { logits, classes })
    }

    /// Examples cached (= the teacher forward passes the cache cost).
    pub fn len(&self) -> usize {
        self.logits.len() / self.classes.max(1)
    }

    /// True when no example is cached.
    pub fn is_empty(&self) -> bool {
        self.logits.is_empty()
    }

    /// Classes per row.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The cached logits `[indices.len(), classes]` (f32) of the examples at `indices`, in that
    /// order: what the teacher's forward pass on that batch returns. Errors when an index is out of
    /// range.
    pub fn gather(&self, indices: &[usize], device: &Device) -> Result<Tensor> {
        let (k, n) = (self.classes, self.len());
        let mut rows = Vec::with_capacity(indices.len() * k);
        for &i in indices {
            if i >= n {
                candle_core::bail!("logit cache: example {i} out of range for {n} cached");
            }
            rows.extend_from_slice(&self.logits[i * k..(i + 1) * k]);
        }
        Tensor::from_vec(rows, (indices.len(), k), device)
    }
}
