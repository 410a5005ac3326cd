//! What a checkpoint says about itself, in the safetensors header's `__metadata__` (string → string):
//! the architecture, and — for checkpoints written by a run — the dataset, its class names and the
//! input normalisation, so the weights can be used without this program (or guessing).

use std::collections::HashMap;
use std::path::Path;

use super::{ModelError, ModelSpec};
use crate::data::{Dataset, ImageShape};

/// Metadata keys (all values are strings; lists and the spec are JSON).
mod key {
    pub const FORMAT: &str = "format";
    pub const ARCH: &str = "arch";
    pub const SPEC: &str = "spec";
    pub const INPUT_SHAPE: &str = "input_shape";
    pub const NUM_CLASSES: &str = "num_classes";
    pub const DATASET: &str = "dataset";
    pub const PIXEL_MAX: &str = "pixel_max";
    pub const MEAN: &str = "mean";
    pub const STD: &str = "std";
    pub const NORMALISE: &str = "normalise";
    pub const CLASS_NAMES: &str = "class_names";
}

/// `format` of every checkpoint written here.
pub const FORMAT: &str = "mkd-tui";

/// How the model's inputs were made from raw pixels, and what its outputs mean.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    /// `fashion-mnist`, `mnist`, `digits`, `cifar10`, `cifar100`.
    pub dataset: String,
    /// Raw pixels run `0..=pixel_max` (255, or 16 for the 8×8 digits).
    pub pixel_max: u8,
    /// Per-channel mean of the training part, in `[0, 1]` units (pixel / pixel_max).
    pub mean: Vec<f32>,
    /// Per-channel population standard deviation of the training part, `[0, 1]` units.
    pub std: Vec<f32>,
    /// Name of each class, label 0 first.
    pub class_names: Vec<String>,
}

impl Provenance {
    /// The provenance of models trained on `data`.
    pub fn of(data: &Dataset) -> Provenance {
        Provenance {
            dataset: data.kind.as_str().to_string(),
            pixel_max: crate::data::pixel_max(data.kind),
            mean: data.mean.clone(),
            std: data.std.clone(),
            class_names: crate::data::class_names(data.kind),
        }
    }
}

/// A checkpoint's metadata, as written by [`Classifier::save_with`](super::Classifier::save_with).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckpointMeta {
    /// The architecture.
    pub spec: ModelSpec,
    /// One input image's shape.
    pub input: ImageShape,
    /// Width of the logits.
    pub num_classes: usize,
    /// Dataset, normalisation and class names; `None` in checkpoints written outside a run.
    pub provenance: Option<Provenance>,
}

impl CheckpointMeta {
    /// The string map stored in the safetensors header.
    pub fn to_map(&self) -> HashMap<String, String> {
        let json = |v: serde_json::Value| v.to_string();
        let mut m = HashMap::from([
            (key::FORMAT.into(), FORMAT.into()),
            (key::ARCH.into(), self.spec.label()),
            (
                key::SPEC.into(),
                serde_json::to_string(&self.spec).expect("a spec always serialises"),
            ),
            (
                key::INPUT_SHAPE.into(),
                json(serde_json::json!([
                    self.input.channels,
                    self.input.height,
                    self.input.width
                ])),
            ),
            (key::NUM_CLASSES.into(), self.num_classes.to_string()),
        ]);
        if let Some(p) = &self.provenance {
            m.insert(key::DATASET.into(), p.dataset.clone());
            m.insert(key::PIXEL_MAX.into(), p.pixel_max.to_string());
            m.insert(key::MEAN.into(), json(serde_json::json!(p.mean)));
            m.insert(key::STD.into(), json(serde_json::json!(p.std)));
            m.insert(
                key::CLASS_NAMES.into(),
                json(serde_json::json!(p.class_names)),
            );
            m.insert(
                key::NORMALISE.into(),
                "input[c] = (pixel / pixel_max - mean[c]) / std[c], images NCHW float32".into(),
            );
        }
        m
    }

    /// Read back from a safetensors header's metadata. `None` when the file was not written here
    /// (no `format: mkd-tui`, e.g. a file saved from PyTorch).
    ///
    /// Errors: a key written here holds something unreadable (the file was edited).
    pub fn from_map(m: &HashMap<String, String>, path: &Path) -> Result<Option<Self>, ModelError> {
        if m.get(key::FORMAT).map(String::as_str) != Some(FORMAT) {
            return Ok(None);
        }
        let bad = |k: &str, e: String| ModelError::NotSafetensors {
            path: path.to_path_buf(),
            reason: format!("metadata `{k}`: {e}"),
        };
        fn field<T: serde::de::DeserializeOwned>(
            m: &HashMap<String, String>,
            k: &str,
        ) -> Result<Option<T>, String> {
            m.get(k)
                .map(|v| serde_json::from_str(v).map_err(|e| format!("{e} in {v:?}")))
                .transpose()
        }
        let need = |k: &str| m.get(k).ok_or_else(|| bad(k, "missing".into()));
        let spec: ModelSpec =
            serde_json::from_str(need(key::SPEC)?).map_err(|e| bad(key::SPEC, e.to_string()))?;
        let [channels, height, width]: [usize; 3] =
            serde_json::from_str(need(key::INPUT_SHAPE)?)
                .map_err(|e| bad(key::INPUT_SHAPE, e.to_string()))?;
        let num_classes = need(key::NUM_CLASSES)?
            .parse()
            .map_err(|e: std::num::ParseIntError| bad(key::NUM_CLASSES, e.to_string()))?;
        let provenance = match m.get(key::DATASET) {
            None => None,
            Some(dataset) => Some(Provenance {
                dataset: dataset.clone(),
                pixel_max: field(m, key::PIXEL_MAX)
                    .map_err(|e| bad(key::PIXEL_MAX, e))?
                    .ok_or_else(|| bad(key::PIXEL_MAX, "missing".into()))?,
                mean: field(m, key::MEAN)
                    .map_err(|e| bad(key::MEAN, e))?
                    .ok_or_else(|| bad(key::MEAN, "missing".into()))?,
                std: field(m, key::STD)
                    .map_err(|e| bad(key::STD, e))?
                    .ok_or_else(|| bad(key::STD, "missing".into()))?,
                class_names: field(m, key::CLASS_NAMES)
                    .map_err(|e| bad(key::CLASS_NAMES, e))?
                    .unwrap_or_default(),
            }),
        };
        Ok(Some(CheckpointMeta {
            spec,
            input: ImageShape {
                channels,
                height,
                width,
            },
            num_classes,
            provenance,
        }))
    }
}
