//! `mkd-tui export RUN_DIR [--model NAME] [--to DIR]`: a run's model for PyTorch.

use super::args::ExportArgs;
use super::ExitCode;
use crate::model::Provenance;

/// Write `model.safetensors` (PyTorch `state_dict` names, metadata with the architecture, dataset,
/// class names and normalisation) and `model.py` into `--to` (default `RUN_DIR/export/<model>`).
/// Bad input (no run, no model, files there already) exits with code 2.
pub fn export(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let m = match super::run_model::open(&args.run_dir, args.model.as_deref())? {
        Ok(m) => m,
        Err(msg) => {
            eprintln!("mkd-tui: {msg}");
            return Ok(ExitCode::BadInput);
        }
    };
    let provenance = match m.provenance.clone() {
        Some(p) => p,
        // A checkpoint from before the metadata: the normalisation is the run's data's.
        None => Provenance::of(&crate::data::load(&m.preset.data, m.preset.seed)?),
    };
    let to = args
        .to
        .clone()
        .unwrap_or_else(|| args.run_dir.join("export").join(&m.name));
    let origin = format!("{} (model {})", args.run_dir.display(), m.name);
    let files = match crate::export::export(&m.model, Some(&provenance), &to, &origin) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("mkd-tui: {}", e.report());
            return Ok(ExitCode::BadInput);
        }
    };
    println!(
        "{} ({}, {} classes, {}; from {}) exported:\n  {}\n  {}\nPyTorch:\n  from model import Model, preprocess\n  from safetensors.torch import load_file\n  model = Model(); model.load_state_dict(load_file(\"{}\")); model.eval()",
        m.name,
        m.model.spec().label(),
        m.model.num_classes(),
        provenance.dataset,
        m.path.display(),
        files.weights.display(),
        files.model_py.display(),
        files.weights.display(),
    );
    Ok(ExitCode::Success)
}
