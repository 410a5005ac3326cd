//! A built, seeded image classifier: network, variables, and its spec.

use candle_core::backprop::GradStore;
use candle_core::{Device, Result, Tensor, Var};
use candle_nn::VarMap;

use super::init::ParamBuilder;
use super::mlp::Mlp;
use super::mlp_tape::MlpTape;
use super::plain_cnn::PlainCnn;
use super::resnet_cifar::ResnetCifar;
use super::{ModelError, ModelSpec};
use crate::data::ImageShape;

/// The network behind a [`Classifier`].
#[derive(Debug, Clone)]
enum Net {
    Mlp(Mlp),
    PlainCnn(PlainCnn),
    ResnetCifar(ResnetCifar),
}

/// An image classifier built from a [`ModelSpec`], with every variable in one named store.
///
/// `Send + Sync`: it can be moved to, and shared with, a worker thread. Its variables have interior
/// mutability (optimizer steps and batch-norm running stats write them in place), so two threads
/// must not train the same model at once.
pub struct Classifier {
    spec: ModelSpec,
    input: ImageShape,
    num_classes: usize,
    device: Device,
    net: Net,
    vars: VarMap,
    param_count: u64,
    macs: u64,
}

impl std::fmt::Debug for Classifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier")
            .field("spec", &self.spec.label())
            .field("input", &self.input)
            .field("num_classes", &self.num_classes)
            .field("param_count", &self.param_count)
            .finish()
    }
}

impl Classifier {
    /// Builds `spec` for `input` images and `num_classes` classes on `device`, with weights drawn from
    /// a ChaCha8 RNG seeded with `seed` (same seed ⇒ bit-identical weights).
    ///
    /// Init follows PyTorch's defaults: Linear/Conv weights `kaiming_uniform_(a=√5)`, i.e.
    /// `U(±1/√fan_in)`, biases `U(±1/√fan_in)`; batch-norm weight 1, bias 0, running mean 0, var 1.
    /// Variables are filled in name order.
    pub fn new(
        spec: &ModelSpec,
        input: ImageShape,
        num_classes: usize,
        seed: u64,
        device: &Device,
    ) -> std::result::Result<Classifier, ModelError> {
        spec.validate(input)
            .map_err(|reason| ModelError::InvalidSpec {
                label: spec.label(),
                reason,
            })?;
        if num_classes == 0 {
            return Err(ModelError::InvalidClasses(num_classes));
        }
        let mut pb = ParamBuilder::new(device);
        let net = match spec {
            ModelSpec::Mlp { hidden, dropout } => Net::Mlp(Mlp::new(
                &mut pb,
                input.numel(),
                hidden,
                *dropout,
                num_classes,
            )?),
            ModelSpec::PlainCnn { .. } => {
                Net::PlainCnn(PlainCnn::new(&mut pb, input, spec, num_classes)?)
            }
            ModelSpec::ResnetCifar { depth } => Net::ResnetCifar(ResnetCifar::new(
                &mut pb,
                input.channels,
                *depth,
                num_classes,
            )?),
        };
        let vars = pb.finish(seed)?;
        let mut model = Classifier {
            spec: spec.clone(),
            input,
            num_classes,
            device: device.clone(),
            net,
            vars,
            param_count: 0,
            macs: spec.macs(input, num_classes),
        };
        model.param_count = model
            .trainable_vars()
            .iter()
            .map(|v| v.elem_count() as u64)
            .sum();
        Ok(model)
    }

    /// Logits `[B, num_classes]` (f32) of images `[B, C, H, W]` (f32). `train = true` uses batch
    /// statistics in batch norm and updates its running stats; `false` uses the running stats.
    pub fn forward_t(&self, images: &Tensor, train: bool) -> Result<Tensor> {
        self.check_input(images)?;
        match &self.net {
            Net::Mlp(m) => m.forward_t(images, train),
            Net::PlainCnn(m) => m.forward_t(images, train),
            Net::ResnetCifar(m) => m.forward_t(images, train),
        }
    }

    /// A training-mode forward pass (`forward_t(images, true)`) whose
    /// [`backward`](TrainingPass::backward) gives every variable's gradient. An MLP on the CPU runs
    /// its own kernels for both ([`MlpTape`]; the same numbers as the graph); every other model
    /// records candle's graph.
    pub fn forward_train(&self, images: &Tensor) -> Result<TrainingPass> {
        if let Net::Mlp(m) = &self.net {
            self.check_input(images)?;
            if let Some((logits, tape)) = m.forward_taped(images)? {
                return Ok(TrainingPass {
                    logits,
                    tape: Some(tape),
                });
            }
        }
        Ok(TrainingPass {
            logits: self.forward_t(images, true)?,
            tape: None,
        })
    }

    /// Errors unless `images` is `[B, channels, height, width]` of this model's input shape.
    fn check_input(&self, images: &Tensor) -> Result<()> {
        let s = self.input;
        match images.dims() {
            [_, c, h, w] if (*c, *h, *w) == (s.channels, s.height, s.width) => Ok(()),
            dims => candle_core::bail!(
                "{}: expected images [B, {}, {}, {}], got {dims:?}",
                self.spec.label(),
                s.channels,
                s.height,
                s.width
            ),
        }
    }

    /// Restart the dropout masks from `seed` (the training loop calls this at the start of every
    /// epoch with a seed derived from the preset's seed, the stage and the epoch). No effect on a
    /// model without dropout.
    pub fn reseed_dropout(&self, seed: u64) {
        match &self.net {
            Net::Mlp(m) => m.dropout().reseed(seed),
            Net::PlainCnn(m) => m.dropout().reseed(seed),
            Net::ResnetCifar(_) => {}
        }
    }

    /// The variables an optimizer updates, sorted by name: every weight and bias, batch-norm scales
    /// and shifts; not the batch-norm running stats.
    pub fn trainable_vars(&self) -> Vec<Var> {
        self.named_vars()
            .into_iter()
            .filter(|(name, _)| !is_running_stat(name))
            .map(|(_, v)| v)
            .collect()
    }

    /// Every variable with its name (running stats included), sorted by name.
    pub fn named_vars(&self) -> Vec<(String, Var)> {
        let map = self
            .vars
            .data()
            .lock()
            .expect("variable store lock poisoned");
        let mut v: Vec<(String, Var)> = map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    /// Trainable parameters (element count of [`trainable_vars`](Self::trainable_vars)).
    pub fn param_count(&self) -> u64 {
        self.param_count
    }

    /// Multiply-accumulates of one image's forward pass ([`ModelSpec::macs`]).
    pub fn macs_per_image(&self) -> u64 {
        self.macs
    }

    /// The architecture this model was built from.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// Number of classes: the width of the logits.
    pub fn num_classes(&self) -> usize {
        self.num_classes
    }

    /// Shape of one input image; `forward_t` takes `[B, channels, height, width]`.
    pub fn input_shape(&self) -> ImageShape {
        self.input
    }

    /// The device the variables live on; inputs must be on it too.
    pub fn device(&self) -> &Device {
        &self.device
    }
}

/// A training-mode forward pass ([`Classifier::forward_train`]): the logits, and the way back
/// from a loss on them to the variables' gradients.
pub struct TrainingPass {
    logits: Tensor,
    /// Set when the MLP kernels ran the pass; `None` for candle's graph.
    tape: Option<MlpTape>,
}

impl TrainingPass {
    /// Logits `[B, num_classes]` (f32), to compute the loss from.
    pub fn logits(&self) -> &Tensor {
        &self.logits
    }

    /// The gradients of `loss` (a scalar computed from [`logits`](Self::logits)) with respect to
    /// the model's variables, as `loss.backward()` gives them.
    pub fn backward(self, loss: &Tensor) -> Result<GradStore> {
        match self.tape {
            Some(tape) => tape.backward(loss),
            None => loss.backward(),
        }
    }
}

/// Batch-norm running statistics: saved and loaded, never trained.
pub(crate) fn is_running_stat(name: &str) -> bool {
    name.ends_with(".running_mean") || name.ends_with(".running_var")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifier_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Classifier>();
    }
}
