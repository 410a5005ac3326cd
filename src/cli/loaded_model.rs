//! `check` on a model whose weights are loaded (`chain.teacher.weights`): it must load, and its
//! validation accuracy is measured so that weights trained on other data are seen before a run.

use std::path::Path;

use crate::data::Dataset;
use crate::model::{read_metadata, Classifier};
use crate::session::{Plan, StagePlan};

/// Images per forward pass of the evaluation.
const BATCH: usize = 256;

/// What `check` prints under a loaded model.
pub struct LoadedNote {
    /// `validation accuracy 98.10% (1,000 images; chance 10.00%)`.
    pub accuracy: String,
    /// Near chance; trained on another dataset or with another normalisation (from the file's
    /// metadata).
    pub warnings: Vec<String>,
}

/// Load the weights at `path` into the stage's architecture and evaluate them on the validation
/// split of `data`.
///
/// Errors: the file does not load (not safetensors, a PyTorch pickle, other names or shapes).
pub fn judge(
    stage: &StagePlan,
    plan: &Plan,
    data: &Dataset,
    path: &Path,
) -> anyhow::Result<LoadedNote> {
    let device = candle_core::Device::Cpu;
    let mut model = Classifier::new(&stage.spec, plan.input, plan.num_classes, 0, &device)?;
    model.load(path)?;
    let acc = crate::train::evaluate(&model, &data.val, BATCH)?;
    let chance = 100.0 / plan.num_classes as f64;
    let mut warnings = Vec::new();
    if crate::train::near_chance(acc, plan.num_classes) {
        warnings.push(format!(
            "{}: validation accuracy {acc:.2}% is near chance ({chance:.2}% for {} classes): were these weights trained on {} with this program's input normalisation (see `mkd-tui export`'s model.py)?",
            stage.name,
            plan.num_classes,
            data.kind.as_str()
        ));
    }
    if let Some(p) = read_metadata(path)?.and_then(|m| m.provenance) {
        if p.dataset != data.kind.as_str() {
            warnings.push(format!(
                "{}: the file says it was trained on {}, this preset uses {}",
                stage.name,
                p.dataset,
                data.kind.as_str()
            ));
        } else if !close(&p.mean, &data.mean) || !close(&p.std, &data.std) {
            warnings.push(format!(
                "{}: trained with input mean {:?} std {:?}, this preset's data is normalised with mean {:?} std {:?}",
                stage.name, p.mean, p.std, data.mean, data.std
            ));
        }
    }
    Ok(LoadedNote {
        accuracy: format!(
            "validation accuracy {acc:.2}% ({} images; chance {chance:.2}%)",
            data.val.len()
        ),
        warnings,
    })
}

/// Statistics that differ by more than another seed's split gives (a few 0.1 %) mean another
/// normalisation: within 0.01 ([0, 1] pixel units) per channel.
fn close(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 0.01)
}
