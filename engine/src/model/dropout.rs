//! Dropout (Srivastava et al. 2014, "Dropout: A Simple Way to Prevent Neural Networks from
//! Overfitting"), inverted as in PyTorch's `nn.Dropout`: in training mode every unit is zeroed with
//! probability `p` and the kept ones are scaled by `1/(1−p)`, so eval mode is the identity.
//!
//! candle's `ops::dropout` draws from the device RNG, which cannot be seeded on the CPU; the masks
//! here come from a ChaCha8 stream that the training loop reseeds at the start of every epoch
//! ([`Classifier::reseed_dropout`](super::Classifier::reseed_dropout)), so a resumed run draws the
//! same masks as an uninterrupted one.

use std::sync::{Arc, Mutex};

use candle_core::{Result, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A dropout layer with its own seeded mask stream. Clones share the stream.
#[derive(Debug, Clone)]
pub struct Dropout {
    p: f64,
    rng: Arc<Mutex<ChaCha8Rng>>,
}

impl Dropout {
    /// Zeroes units with probability `p` (in `[0, 1)`; 0 = off). The stream starts from seed 0
    /// until [`reseed`](Self::reseed).
    pub fn new(p: f64) -> Dropout {
        Dropout {
            p,
            rng: Arc::new(Mutex::new(ChaCha8Rng::seed_from_u64(0))),
        }
    }

    /// The probability of zeroing a unit.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// Restart the mask stream from `seed`.
    pub fn reseed(&self, seed: u64) {
        *self.rng.lock().expect("dropout rng lock poisoned") = ChaCha8Rng::seed_from_u64(seed);
    }

    /// `x` (any shape, f32) with units zeroed with probability `p` and the rest scaled by
    /// `1/(1−p)` when `train`; `x` unchanged otherwise or when `p = 0`. The mask is a constant:
    /// the gradient flows through the kept units only, scaled the same way.
    pub fn forward_t(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        if !train || self.p == 0.0 {
            return Ok(x.clone());
        }
        let keep = (1.0 / (1.0 - self.p)) as f32;
        let p = self.p as f32;
        let n = x.elem_count();
        let mask: Vec<f32> = {
            let mut rng = self.rng.lock().expect("dropout rng lock poisoned");
            (0..n)
                .map(|_| if rng.random::<f32>() < p { 0.0 } else { keep })
                .collect()
        };
        let mask = Tensor::from_vec(mask, x.shape(), x.device())?;
        x * mask
    }
}
