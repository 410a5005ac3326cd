//! A trained model for PyTorch: its weights under `state_dict` names (safetensors, with the
//! architecture, dataset, class names and input normalisation in the metadata) and a `model.py`
//! defining the same network as a `torch.nn.Module`.

mod model_py;

use std::path::{Path, PathBuf};

use candle_core::{Device, Tensor};

pub use model_py::model_py;

use crate::error::{Error, Result};
use crate::model::{Classifier, Provenance};

/// File names inside an export folder.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// See [`WEIGHTS_FILE`].
pub const MODEL_PY_FILE: &str = "model.py";

/// The model's PyTorch `state_dict`: every variable by name (f32), plus
/// `<bn>.num_batches_tracked` (i64 scalar) for each batch norm, which PyTorch keeps and this
/// program does not: written as 0 (PyTorch reads it only when `momentum=None`).
pub fn state_dict(model: &Classifier) -> Result<Vec<(String, Tensor)>> {
    let mut out = Vec::new();
    for (name, var) in model.named_vars() {
        if let Some(bn) = name.strip_suffix(".running_mean") {
            out.push((
                format!("{bn}.num_batches_tracked"),
                Tensor::new(0i64, &Device::Cpu)?,
            ));
        }
        out.push((name, var.as_detached_tensor()));
    }
    Ok(out)
}

/// What [`export`] wrote.
#[derive(Debug, Clone)]
pub struct Exported {
    /// `<dir>/model.safetensors`.
    pub weights: PathBuf,
    /// `<dir>/model.py`.
    pub model_py: PathBuf,
}

/// Write `model` into `dir` (created if needed) as `model.safetensors` ([`state_dict`], metadata
/// with `provenance`) and `model.py` ([`model_py`]; `origin` names where it came from).
///
/// Errors: either file exists already (an export is never overwritten), or cannot be written.
pub fn export(
    model: &Classifier,
    provenance: Option<&Provenance>,
    dir: &Path,
    origin: &str,
) -> Result<Exported> {
    let files = Exported {
        weights: dir.join(WEIGHTS_FILE),
        model_py: dir.join(MODEL_PY_FILE),
    };
    if dir.exists() && !dir.is_dir() {
        return Err(Error::File {
            path: dir.to_path_buf(),
            error: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "exists and is not a folder: --to names the folder to write model.safetensors and model.py into (new, or without them)",
            ),
        });
    }
    for f in [&files.weights, &files.model_py] {
        if f.exists() {
            return Err(Error::File {
                path: f.clone(),
                error: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "exists already (an export is never overwritten): choose another --to",
                ),
            });
        }
    }
    std::fs::create_dir_all(dir).map_err(|error| Error::File {
        path: dir.to_path_buf(),
        error,
    })?;
    let meta = model.metadata(provenance);
    let tmp = dir.join(format!(".{WEIGHTS_FILE}.tmp"));
    crate::model::write_safetensors(state_dict(model)?, &meta, &tmp)?;
    std::fs::rename(&tmp, &files.weights).map_err(|error| Error::File {
        path: files.weights.clone(),
        error,
    })?;
    crate::run_dir::atomic::write_atomic(
        &files.model_py,
        model_py(&meta, origin).as_bytes(),
        "writing the PyTorch model definition",
    )
    .map_err(|error| Error::File {
        path: files.model_py.clone(),
        error,
    })?;
    Ok(files)
}
