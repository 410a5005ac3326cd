//! Saving and loading a [`Classifier`]'s variables as safetensors.

use std::collections::HashMap;
use std::path::Path;

use candle_core::safetensors::{BufferedSafetensors, Load};
use candle_core::{DType, Tensor};

use super::{Classifier, ModelError};

/// PyTorch's batch-norm step counter: present in converted PyTorch checkpoints, unused here.
const IGNORED_SUFFIX: &str = ".num_batches_tracked";

impl Classifier {
    /// Writes every variable (batch-norm running stats included) to `path` as safetensors (f32),
    /// named as in [`named_vars`](Self::named_vars).
    pub fn save(&self, path: &Path) -> Result<(), ModelError> {
        let tensors: HashMap<String, Tensor> = self
            .named_vars()
            .into_iter()
            .map(|(name, var)| (name, var.as_detached_tensor()))
            .collect();
        candle_core::safetensors::save(&tensors, path).map_err(|e| match e {
            candle_core::Error::Io(source) => ModelError::Io {
                path: path.to_path_buf(),
                source,
            },
            other => ModelError::Write {
                path: path.to_path_buf(),
                source: other,
            },
        })
    }

    /// Replaces every variable with the tensor of the same name in the safetensors file at `path`.
    ///
    /// The whole file is checked before anything is written: each model variable must be present
    /// with the same shape and a float dtype (converted to f32), and the file must hold no other
    /// tensor (`*.num_batches_tracked` from PyTorch checkpoints is ignored). On error the model is
    /// unchanged.
    pub fn load(&mut self, path: &Path) -> Result<(), ModelError> {
        let bytes = std::fs::read(path).map_err(|source| ModelError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let file = BufferedSafetensors::new(bytes).map_err(|e| ModelError::NotSafetensors {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let vars = self.named_vars();
        let file_shapes: HashMap<String, Vec<usize>> = file
            .tensors()
            .into_iter()
            .map(|(name, view)| (name, view.shape().to_vec()))
            .collect();
        for (name, var) in &vars {
            let expected = var.dims().to_vec();
            let Some(found) = file_shapes.get(name) else {
                return Err(ModelError::MissingTensor {
                    path: path.to_path_buf(),
                    name: name.clone(),
                    expected,
                });
            };
            if *found != expected {
                return Err(ModelError::ShapeMismatch {
                    path: path.to_path_buf(),
                    name: name.clone(),
                    expected,
                    found: found.clone(),
                });
            }
        }
        let mut extra: Vec<(&String, &Vec<usize>)> = file_shapes
            .iter()
            .filter(|(name, _)| !name.ends_with(IGNORED_SUFFIX))
            .filter(|(name, _)| vars.binary_search_by(|(n, _)| n.cmp(name)).is_err())
            .collect();
        extra.sort();
        if let Some((name, found)) = extra.into_iter().next() {
            return Err(ModelError::UnexpectedTensor {
                path: path.to_path_buf(),
                name: name.clone(),
                found: found.clone(),
            });
        }
        let mut loaded = Vec::with_capacity(vars.len());
        for (name, var) in &vars {
            let view = file.get(name)?;
            let wrong_dtype = |dtype: String| ModelError::WrongDtype {
                path: path.to_path_buf(),
                name: name.clone(),
                dtype,
            };
            let t = view
                .load(self.device())
                .map_err(|_| wrong_dtype(format!("{:?}", view.dtype())))?;
            if !t.dtype().is_float() {
                return Err(wrong_dtype(format!("{:?}", t.dtype())));
            }
            loaded.push((var, t.to_dtype(DType::F32)?));
        }
        for (var, t) in loaded {
            var.set(&t)?;
        }
        Ok(())
    }
}
