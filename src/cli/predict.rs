//! `mkd-tui predict RUN_DIR [--model NAME] [--split test]`: one row per image, so agreement with
//! another implementation (PyTorch, NumPy) can be checked exactly.

use std::fmt::Write as _;

use super::args::{PredictArgs, PredictSplit};
use super::ExitCode;

/// Images per forward pass.
const BATCH: usize = 256;

/// Header of the predictions file; then one `logit_<k>` column per class.
pub const HEADER: &str = "index,source_index,label,predicted";

/// Write `index,source_index,label,predicted,logit_0,…` for every image of the split to `--out`
/// (default `RUN_DIR/predictions/<model>-<split>.csv`; never overwritten) and print the accuracy.
/// `source_index` is the image's index in the dataset file it was read from (the test file, or
/// the training file for `train`/`val`; the CSV's data row for digits). Logits are written with
/// the shortest decimal that reads back as the same f32.
pub fn predict(args: &PredictArgs) -> anyhow::Result<ExitCode> {
    let m = match super::run_model::open(&args.run_dir, args.model.as_deref())? {
        Ok(m) => m,
        Err(msg) => {
            eprintln!("mkd-tui: {msg}");
            return Ok(ExitCode::BadInput);
        }
    };
    let split_name = args.split.as_str();
    let out = args.out.clone().unwrap_or_else(|| {
        args.run_dir
            .join("predictions")
            .join(format!("{}-{split_name}.csv", m.name))
    });
    if out.exists() {
        eprintln!(
            "mkd-tui: {}: exists already (predictions are never overwritten); choose another --out",
            out.display()
        );
        return Ok(ExitCode::BadInput);
    }
    let data = crate::data::load(&m.preset.data, m.preset.seed)?;
    let (split, source) = match args.split {
        PredictSplit::Test => (&data.test, &data.source.test),
        PredictSplit::Val => (&data.val, &data.source.val),
        PredictSplit::Train => (&data.train, &data.source.train),
    };
    let k = m.model.num_classes();
    let logits = crate::train::logits(&m.model, split, BATCH)?;
    let mut csv = String::from(HEADER);
    for c in 0..k {
        let _ = write!(csv, ",logit_{c}");
    }
    csv.push('\n');
    let mut correct = 0usize;
    for (i, (row, &label)) in logits.chunks(k).zip(split.labels()).enumerate() {
        // Ties go to the lowest class, as in evaluation.
        let predicted = row
            .iter()
            .enumerate()
            .fold(0, |best, (c, &v)| if v > row[best] { c } else { best });
        correct += (predicted == label as usize) as usize;
        let _ = write!(csv, "{i},{},{label},{predicted}", source[i]);
        for v in row {
            let _ = write!(csv, ",{v:?}");
        }
        csv.push('\n');
    }
    if let Some(dir) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    crate::run_dir::atomic::write_atomic(&out, csv.as_bytes(), "writing the predictions")?;
    println!(
        "{} on {split_name}: {correct}/{} correct ({:.2}%)\n  {}",
        m.name,
        split.len(),
        100.0 * correct as f64 / split.len().max(1) as f64,
        out.display()
    );
    Ok(ExitCode::Success)
}
