//! The MLP's forward and backward passes on the CPU without candle's graph.
//!
//! Through candle's graph one MLP step runs about fifteen ops per layer, each allocating its output:
//! the product with a transposed weight view, a broadcast bias add, ReLU, and in the backward the
//! zero-filled accumulators `GradStore` adds every gradient into, the input layer's gradient with
//! respect to the images (which nothing needs: a third of that layer's backward), a transpose copy
//! of every weight gradient and a broadcast-sum for every bias. Here each layer is one GEMM and one
//! pass (bias, ReLU) forward and two GEMMs and one pass backward (one GEMM for the input layer).
//!
//! Every product is the same `gemm` call candle's matmul makes, and bias, ReLU, its mask and the
//! bias gradient sum in the same order, so the weights after a step equal the graph's bit for bit
//! (`tests.rs`: several AdamW and SGD steps, CE and KD losses).

use candle_core::backprop::GradStore;
use candle_core::{Device, Result, Storage, StorageRef, Tensor, Var};
use candle_nn::Linear;

use super::cpu_slice::contiguous_f32;
use super::gemm::{matmul, Mat, Threads};

/// The values of a contiguous f32 CPU tensor, borrowed for as long as `guard` lives.
fn values<'a>(guard: &'a StorageRef<'_>, t: &Tensor, what: &str) -> Result<&'a [f32]> {
    match &**guard {
        Storage::Cpu(s) => contiguous_f32(s, t.layout(), what),
        _ => candle_core::bail!("mlp {what}: expected values on the CPU"),
    }
}

/// Weight `[out, in]` and bias `[out]` of one layer.
fn weight_and_bias(layer: &Linear) -> Result<(&Tensor, &Tensor)> {
    match layer.bias() {
        Some(b) => Ok((layer.weight(), b)),
        None => candle_core::bail!("mlp: every layer has a bias"),
    }
}

/// What the backward pass needs from a training-mode forward pass.
pub(crate) struct MlpTape {
    /// The layers, input layer first (weights shared with the model's variables).
    layers: Vec<Linear>,
    /// The flattened input `[B, in]`, contiguous.
    input: Tensor,
    /// Each hidden layer's output after ReLU, `[B, width]` row-major.
    hidden: Vec<Vec<f32>>,
    /// The logits `[B, classes]` as a leaf, so a loss's backward pass yields their gradient.
    logits: Var,
}

/// `x [B, …]` flattened through `layers` (ReLU after all but the last): logits `[B, classes]`, and
/// with `keep` the tape for [`MlpTape::backward`] (the logits then a leaf variable). f32 on the CPU.
pub(crate) fn forward(
    layers: &[Linear],
    x: &Tensor,
    keep: bool,
) -> Result<(Tensor, Option<MlpTape>)> {
    let input = x.flatten_from(1)?.contiguous()?;
    let (batch, mut width) = input.dims2()?;
    let mut hidden: Vec<Vec<f32>> = Vec::with_capacity(layers.len());
    let guard = input.storage_and_layout().0;
    let x_values = values(&guard, &input, "input")?;
    for (l, layer) in layers.iter().enumerate() {
        let (w, b) = weight_and_bias(layer)?;
        let (out, n_in) = w.dims2()?;
        if n_in != width {
            candle_core::bail!("mlp layer {l}: expects {n_in} inputs, got {width}");
        }
        let x_l = if l == 0 { x_values } else { &hidden[l - 1][..] };
        let mut z = vec![0f32; batch * out];
        {
            let w_guard = w.storage_and_layout().0;
            let w_values = values(&w_guard, w, "weight")?;
            // candle's `x.matmul(&w.t())`: the weight read through its transposed view.
            let w_t = Mat::rows(w_values, n_in).t();
            matmul(
                &mut z,
                (batch, out, n_in),
                Mat::rows(x_l, n_in),
                w_t,
                false,
                Threads::Pool,
            );
        }
        let b_guard = b.storage_and_layout().0;
        let b_values = values(&b_guard, b, "bias")?;
        let last = l + 1 == layers.len();
        for row in z.chunks_mut(out) {
            for (v, &bias) in row.iter_mut().zip(b_values) {
                let s = *v + bias;
                // As `relu.rs`: NaN passes through, so a diverging run is not hidden.
                *v = if last || s > 0.0 || s.is_nan() {
                    s
                } else {
                    0.0
                };
            }
        }
        hidden.push(z);
        width = out;
    }
    drop(guard);
    let logits = hidden.pop().unwrap_or_default();
    if !keep {
        return Ok((
            Tensor::from_vec(logits, (batch, width), &Device::Cpu)?,
            None,
        ));
    }
    let logits = Var::from_vec(logits, (batch, width), &Device::Cpu)?;
    let tape = MlpTape {
        layers: layers.to_vec(),
        input,
        hidden,
        logits: logits.clone(),
    };
    Ok((logits.as_tensor().clone(), Some(tape)))
}

impl MlpTape {
    /// The gradient of `loss` (a scalar computed from the logits this tape returned) with respect
    /// to every weight and bias, in the store `loss.backward()` returns (which also holds the
    /// loss's own intermediate gradients). The input's gradient is not computed: the images are
    /// not trained.
    pub(crate) fn backward(self, loss: &Tensor) -> Result<GradStore> {
        let mut grads = loss.backward()?;
        let (batch, classes) = self.logits.dims2()?;
        let mut g: Vec<f32> = match grads.remove(self.logits.as_tensor()) {
            Some(d) => d.flatten_all()?.to_vec1()?,
            None => vec![0.0; batch * classes],
        };
        let guard = self.input.storage_and_layout().0;
        let x_values = values(&guard, &self.input, "input")?;
        for l in (0..self.layers.len()).rev() {
            let (w, b) = weight_and_bias(&self.layers[l])?;
            let (out, n_in) = w.dims2()?;
            let x_l = if l == 0 {
                x_values
            } else {
                &self.hidden[l - 1][..]
            };
            // `gᵀ · x` in the `[out, in]` layout of `w`: the transpose of candle's `xᵀ · g`, each
            // element the same sum over the batch, with no transposed copy.
            let mut dw = vec![0f32; out * n_in];
            let g_t = Mat::rows(&g, out).t();
            matmul(
                &mut dw,
                (out, n_in, batch),
                g_t,
                Mat::rows(x_l, n_in),
                false,
                Threads::Pool,
            );
            // Rows summed in order, as candle's `sum_keepdim(0)`.
            let mut db = vec![0f32; out];
            for row in g.chunks(out) {
                for (d, &v) in db.iter_mut().zip(row) {
                    *d += v;
                }
            }
            if l > 0 {
                let mut gx = vec![0f32; batch * n_in];
                {
                    let w_guard = w.storage_and_layout().0;
                    let w_values = values(&w_guard, w, "weight")?;
                    let (m, n, k) = (batch, n_in, out);
                    let w_rows = Mat::rows(w_values, n_in);
                    matmul(
                        &mut gx,
                        (m, n, k),
                        Mat::rows(&g, out),
                        w_rows,
                        false,
                        Threads::Pool,
                    );
                }
                // ReLU's backward: the gradient where its output was positive (`relu.rs`).
                for (d, &y) in gx.iter_mut().zip(&self.hidden[l - 1]) {
                    if y.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                        *d = 0.0;
                    }
                }
                g = gx;
            }
            grads.insert(w, Tensor::from_vec(dw, (out, n_in), &Device::Cpu)?);
            grads.insert(b, Tensor::from_vec(db, out, &Device::Cpu)?);
        }
        Ok(grads)
    }
}

#[cfg(test)]
mod tests;
