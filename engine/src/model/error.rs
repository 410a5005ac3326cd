//! Errors of building, saving and loading a [`Classifier`](super::Classifier).

use std::path::PathBuf;

/// What went wrong with a model: an invalid spec, or a checkpoint that does not fit.
///
/// Every message names the file, tensor or field involved and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The spec cannot be built for this input (see [`ModelSpec::validate`](super::ModelSpec::validate)).
    #[error("invalid architecture {label}: {reason}")]
    InvalidSpec {
        /// [`ModelSpec::label`](super::ModelSpec::label) of the spec.
        label: String,
        /// What is wrong, as a sentence.
        reason: String,
    },

    /// `num_classes` must be at least 1.
    #[error("invalid number of classes {0}: expected at least 1")]
    InvalidClasses(usize),

    /// The checkpoint file could not be read or written.
    #[error("checkpoint {path}: {source}")]
    Io {
        /// The checkpoint file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// Writing the checkpoint failed inside candle's safetensors writer (a full disk arrives here
    /// as candle's own error, which does not name the file).
    #[error("checkpoint {path}: cannot write: {source}")]
    Write {
        /// The checkpoint file.
        path: PathBuf,
        /// candle's error.
        #[source]
        source: candle_core::Error,
    },

    /// The file exists but is not a safetensors file.
    #[error("checkpoint {path} is not a safetensors file: {reason}")]
    NotSafetensors {
        /// The checkpoint file.
        path: PathBuf,
        /// The parser's complaint.
        reason: String,
    },

    /// A PyTorch pickle (`torch.save`) where a safetensors file was expected.
    #[error("checkpoint {path} is a PyTorch pickle (torch.save), not safetensors: convert it in Python with `from safetensors.torch import save_file; save_file(model.state_dict(), \"teacher.safetensors\")`, the model defined as in the model.py that `mkd-tui export` writes")]
    PyTorchPickle {
        /// The checkpoint file.
        path: PathBuf,
    },

    /// The file's tensors have the model's shapes under other names.
    #[error("checkpoint {path} has tensors of the right shapes under other names (only the names differ; a PyTorch nn.Sequential numbers its layers): name them as the model.py that `mkd-tui export` writes does.\n  found:    {found}\n  expected: {expected}")]
    NamesDiffer {
        /// The checkpoint file.
        path: PathBuf,
        /// The file's tensor names with their shapes, sorted by name.
        found: String,
        /// The model's variable names with their shapes, sorted by name.
        expected: String,
    },

    /// A tensor the model needs is absent from the checkpoint.
    #[error("checkpoint {path} has no tensor `{name}` (expected shape {expected:?}); it was saved from another architecture")]
    MissingTensor {
        /// The checkpoint file.
        path: PathBuf,
        /// The variable's name, e.g. `layer1.0.conv1.weight`.
        name: String,
        /// Its shape in the model.
        expected: Vec<usize>,
    },

    /// The checkpoint holds a tensor the model does not have.
    #[error("checkpoint {path} has tensor `{name}` (shape {found:?}) that this model does not have; it was saved from another architecture")]
    UnexpectedTensor {
        /// The checkpoint file.
        path: PathBuf,
        /// The tensor's name in the file.
        name: String,
        /// Its shape in the file.
        found: Vec<usize>,
    },

    /// A tensor has another shape in the checkpoint than in the model.
    #[error(
        "checkpoint {path}: tensor `{name}` has shape {found:?}, the model expects {expected:?}"
    )]
    ShapeMismatch {
        /// The checkpoint file.
        path: PathBuf,
        /// The variable's name.
        name: String,
        /// Its shape in the model.
        expected: Vec<usize>,
        /// Its shape in the file.
        found: Vec<usize>,
    },

    /// A tensor is stored with a non-float dtype.
    #[error("checkpoint {path}: tensor `{name}` has dtype {dtype}, expected a float type (f32)")]
    WrongDtype {
        /// The checkpoint file.
        path: PathBuf,
        /// The tensor's name.
        name: String,
        /// Its dtype in the file.
        dtype: String,
    },

    /// An error inside candle.
    #[error("candle: {0}")]
    Candle(#[from] candle_core::Error),
}
