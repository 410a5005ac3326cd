//! A model of a run directory, for `export` and `predict`: found by name among its checkpoints,
//! built from the checkpoint's own metadata (or, for checkpoints from before it had any, from the
//! run's preset), weights loaded.

use std::path::{Path, PathBuf};

use crate::model::{read_metadata, Classifier, ModelSpec, Provenance};
use crate::preset::Preset;
use crate::session::Plan;

/// A loaded model and where it came from.
pub struct RunModel {
    /// `student`, `ta1`, `student-scratch`, …
    pub name: String,
    /// The checkpoint file.
    pub path: PathBuf,
    pub model: Classifier,
    /// From the checkpoint's metadata; `None` for checkpoints written without it.
    pub provenance: Option<Provenance>,
    /// The run's preset (`preset.yaml`, paths absolute).
    pub preset: Preset,
}

/// Open model `name` (default: the last model of the chain, the student) of the run in `dir`.
///
/// Returns `Err(message)` for bad input (not a run directory, no such model — the message lists
/// the models there —, a checkpoint that does not load); `anyhow` errors are unexpected failures.
pub fn open(dir: &Path, name: Option<&str>) -> anyhow::Result<Result<RunModel, String>> {
    let preset_path = dir.join("preset.yaml");
    if !preset_path.is_file() {
        return Ok(Err(not_a_run(dir)));
    }
    // The run's own checkpoints are read: a loaded teacher's file, named by the absolute path it
    // had when the run started, may be gone (the comparison was moved) without harm.
    let preset = match crate::preset::load_recorded(&preset_path, &[]) {
        Ok(l) => l.preset,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let plan = Plan::new(&preset);
    let name = match name {
        Some(n) => n.to_string(),
        None => plan
            .stages
            .last()
            .map(|s| s.name.clone())
            .unwrap_or_else(|| "student".into()),
    };
    let checkpoints = dir.join("checkpoints");
    let in_run = checkpoints.join(format!("{name}.safetensors"));
    let loaded = plan
        .stages
        .iter()
        .find(|s| s.name == name)
        .and_then(|s| s.weights.clone());
    let path = match (in_run.is_file(), loaded) {
        (true, _) => in_run,
        (false, Some(w)) => w,
        (false, None) => {
            return Ok(Err(format!(
                "{}: no model `{name}` (checkpoints/{name}.safetensors); models here: {}",
                dir.display(),
                available(&checkpoints, &plan).join(", ")
            )))
        }
    };
    let meta = match read_metadata(&path) {
        Ok(m) => m,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let (spec, input, classes): (ModelSpec, _, _) = match &meta {
        Some(m) => (m.spec.clone(), m.input, m.num_classes),
        None => {
            // A checkpoint from before the metadata: the preset's stage of that name (a control
            // arm's file is `<model>-<arm>`).
            let stage = plan.stages.iter().find(|s| {
                name == s.name
                    || name
                        .strip_prefix(s.name.as_str())
                        .is_some_and(|rest| rest.starts_with('-'))
            });
            match stage {
                Some(s) => (s.spec.clone(), plan.input, plan.num_classes),
                None => {
                    return Ok(Err(format!(
                        "{}: carries no architecture in its metadata and the run's preset has no model `{name}`",
                        path.display()
                    )))
                }
            }
        }
    };
    let device = candle_core::Device::Cpu;
    let mut model = Classifier::new(&spec, input, classes, 0, &device)?;
    if let Err(e) = model.load(&path) {
        return Ok(Err(e.to_string()));
    }
    Ok(Ok(RunModel {
        name,
        path,
        model,
        provenance: meta.and_then(|m| m.provenance),
        preset,
    }))
}

/// Why `dir` holds no run: no such folder; a comparison's folder (one of its runs named as an
/// example); or another folder.
fn not_a_run(dir: &Path) -> String {
    if !dir.exists() {
        return format!(
            "{}: no such folder (expected a run directory)",
            dir.display()
        );
    }
    if dir.join("comparison.json").is_file() {
        let example = example_run(dir).unwrap_or_else(|| dir.join("seed-<s>").join("<strategy>"));
        return format!(
            "{}: a comparison's folder, not a run directory; name one of its runs, e.g. {}",
            dir.display(),
            example.display()
        );
    }
    format!(
        "{}: not a run directory (expected preset.yaml in it)",
        dir.display()
    )
}

/// The first run directory (`seed-<s>/<strategy>` holding a preset.yaml) of the comparison in
/// `dir`, in name order.
fn example_run(dir: &Path) -> Option<PathBuf> {
    let sorted = |d: &Path| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(d)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        v.sort();
        v
    };
    sorted(dir)
        .into_iter()
        .filter(|s| {
            s.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("seed-"))
        })
        .flat_map(|s| sorted(&s))
        .find(|r| r.join("preset.yaml").is_file())
}

/// The model names of a run: its checkpoint files' stems, and loaded models of the plan.
fn available(checkpoints: &Path, plan: &Plan) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(checkpoints)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let p = e.path();
            (p.extension()? == "safetensors")
                .then(|| p.file_stem()?.to_str().map(str::to_string))?
        })
        .collect();
    names.extend(
        plan.stages
            .iter()
            .filter(|s| s.weights.is_some())
            .map(|s| s.name.clone()),
    );
    names.sort();
    names.dedup();
    if names.is_empty() {
        names.push("none".into());
    }
    names
}
