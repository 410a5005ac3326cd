//! Saving and loading a [`Classifier`]'s variables as safetensors.

use std::collections::HashMap;
use std::path::Path;

use candle_core::safetensors::{BufferedSafetensors, Load};
use candle_core::{DType, Tensor};

use super::metadata::{CheckpointMeta, Provenance};
use super::{Classifier, ModelError};

/// PyTorch's batch-norm step counter: present in converted PyTorch checkpoints, unused here.
const IGNORED_SUFFIX: &str = ".num_batches_tracked";

impl Classifier {
    /// Writes every variable (batch-norm running stats included) to `path` as safetensors (f32),
    /// named as in [`named_vars`](Self::named_vars) (the PyTorch `state_dict` names of the
    /// `model.py` that `mkd-tui export` writes), with the architecture in the metadata.
    pub fn save(&self, path: &Path) -> Result<(), ModelError> {
        self.save_with(path, None)
    }

    /// [`save`](Self::save), with the dataset, class names and input normalisation in the
    /// metadata when `provenance` is given (see [`CheckpointMeta`]).
    pub fn save_with(
        &self,
        path: &Path,
        provenance: Option<&Provenance>,
    ) -> Result<(), ModelError> {
        let tensors: Vec<(String, Tensor)> = self
            .named_vars()
            .into_iter()
            .map(|(name, var)| (name, var.as_detached_tensor()))
            .collect();
        write_safetensors(tensors, &self.metadata(provenance), path)
    }

    /// What [`save_with`](Self::save_with) writes into the metadata.
    pub fn metadata(&self, provenance: Option<&Provenance>) -> CheckpointMeta {
        CheckpointMeta {
            spec: self.spec().clone(),
            input: self.input_shape(),
            num_classes: self.num_classes(),
            provenance: provenance.cloned(),
        }
    }

    /// Replaces every variable with the tensor of the same name in the safetensors file at `path`.
    ///
    /// The whole file is checked before anything is written: each model variable must be present
    /// with the same shape and a float dtype (converted to f32), and the file must hold no other
    /// tensor (`*.num_batches_tracked` from PyTorch checkpoints is ignored). On error the model is
    /// unchanged.
    pub fn load(&mut self, path: &Path) -> Result<(), ModelError> {
        let file = open(path)?;
        let vars = self.named_vars();
        let file_shapes: HashMap<String, Vec<usize>> = file
            .tensors()
            .into_iter()
            .map(|(name, view)| (name, view.shape().to_vec()))
            .collect();
        names_differ(path, &vars, &file_shapes)?;
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

/// The checkpoint's metadata when it was written here (`None` for a file saved elsewhere, e.g.
/// from PyTorch).
///
/// Errors: the file cannot be read, is not safetensors (a PyTorch pickle is named as such), or
/// its metadata was written here but is unreadable.
pub fn read_metadata(path: &Path) -> Result<Option<CheckpointMeta>, ModelError> {
    let bytes = read(path)?;
    let (_, header) = safetensors::SafeTensors::read_metadata(&bytes)
        .map_err(|e| not_safetensors(path, &bytes, e.to_string()))?;
    match header.metadata() {
        Some(m) => CheckpointMeta::from_map(m, path),
        None => Ok(None),
    }
}

/// Write `tensors` (name, tensor) with `meta` to `path` as safetensors, byte for byte the same
/// for the same tensors and metadata (the metadata keys sorted: safetensors writes them in a
/// `HashMap`'s random order, and a resumed run's checkpoints must equal an uninterrupted run's).
///
/// Errors: [`ModelError::Io`] or [`ModelError::Write`], naming `path`.
pub fn write_safetensors(
    tensors: Vec<(String, Tensor)>,
    meta: &CheckpointMeta,
    path: &Path,
) -> Result<(), ModelError> {
    let mut bytes = safetensors::tensor::serialize(tensors, Some(meta.to_map())).map_err(|e| {
        ModelError::Write {
            path: path.to_path_buf(),
            source: e.into(),
        }
    })?;
    sort_header(&mut bytes);
    std::fs::write(path, &bytes).map_err(|source| ModelError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Rewrite the JSON header of serialised safetensors `bytes` with every object's keys sorted.
/// The same keys and values in another order serialise to the same length, so the header size and
/// the data offsets stay as they are.
fn sort_header(bytes: &mut [u8]) {
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) as usize;
    let header = &bytes[8..8 + n];
    // serde_json's `Value` keeps objects in a BTreeMap (no `preserve_order` feature): sorted.
    let value: serde_json::Value =
        serde_json::from_slice(header).expect("safetensors wrote a JSON header");
    let sorted = serde_json::to_vec(&value).expect("a JSON value serialises");
    assert!(
        sorted.len() <= n,
        "the sorted header is as long as the original"
    );
    bytes[8..8 + sorted.len()].copy_from_slice(&sorted);
    bytes[8 + sorted.len()..8 + n].fill(b' ');
}

fn read(path: &Path) -> Result<Vec<u8>, ModelError> {
    std::fs::read(path).map_err(|source| ModelError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn open(path: &Path) -> Result<BufferedSafetensors, ModelError> {
    let bytes = read(path)?;
    let head = bytes[..bytes.len().min(8)].to_vec();
    BufferedSafetensors::new(bytes).map_err(|e| not_safetensors(path, &head, e.to_string()))
}

/// The error for a file that safetensors cannot parse: a PyTorch pickle is named as such (a zip
/// archive since PyTorch 1.6, `PK\x03\x04`; a bare pickle before, protocol 2+ opcode `\x80`).
fn not_safetensors(path: &Path, head: &[u8], reason: String) -> ModelError {
    if head.starts_with(b"PK\x03\x04") || head.first() == Some(&0x80) {
        ModelError::PyTorchPickle {
            path: path.to_path_buf(),
        }
    } else {
        ModelError::NotSafetensors {
            path: path.to_path_buf(),
            reason,
        }
    }
}

/// Refuse, naming both lists, a file whose tensors have exactly the model's shapes under other
/// names (typically a PyTorch `nn.Sequential`, which numbers its layers `0.weight`, `2.weight`, …):
/// a plain "missing tensor" would hide that only the names are wrong.
fn names_differ(
    path: &Path,
    vars: &[(String, candle_core::Var)],
    file: &HashMap<String, Vec<usize>>,
) -> Result<(), ModelError> {
    let mut found: Vec<(&String, &Vec<usize>)> = file
        .iter()
        .filter(|(name, _)| !name.ends_with(IGNORED_SUFFIX))
        .collect();
    if found.len() != vars.len() || vars.iter().all(|(n, _)| file.contains_key(n)) {
        return Ok(());
    }
    let mut want: Vec<Vec<usize>> = vars.iter().map(|(_, v)| v.dims().to_vec()).collect();
    let mut have: Vec<Vec<usize>> = found.iter().map(|(_, s)| (*s).clone()).collect();
    want.sort();
    have.sort();
    if want != have {
        return Ok(());
    }
    found.sort();
    let list = |names: Vec<String>| names.join(", ");
    Err(ModelError::NamesDiffer {
        path: path.to_path_buf(),
        found: list(found.iter().map(|(n, s)| format!("{n} {s:?}")).collect()),
        expected: list(
            vars.iter()
                .map(|(n, v)| format!("{n} {:?}", v.dims()))
                .collect(),
        ),
    })
}
