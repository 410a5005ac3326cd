//! The runs of a comparison: each strategy name expanded into presets, one per seed.

use crate::planner::{Ladder, Strategy};
use crate::preset::{ModelNode, Preset};

/// One entry of `--strategies`: a strategy, or one TAKD chain per ladder entry (`takd-each`).
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Strategy(Strategy),
    /// Every one-assistant chain from the planner's ladder (the exhaustive search TAKD did by hand).
    TakdEach,
}

/// Parse `scratch,kd,takd,dgkd,dynamic,takd-each`. Errors name the bad item and the valid ones.
pub fn parse_entries(list: &str) -> Result<Vec<Entry>, String> {
    let mut out = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let entry = match item {
            "takd-each" => Entry::TakdEach,
            other => Entry::Strategy(Strategy::parse(other).ok_or_else(|| {
                format!(
                    "--strategies: unknown strategy `{other}`; expected scratch, kd, takd, dgkd, dynamic or takd-each"
                )
            })?),
        };
        if !out.contains(&entry) {
            out.push(entry);
        }
    }
    if out.is_empty() {
        return Err("--strategies: expected at least one strategy".into());
    }
    Ok(out)
}

/// One run of the comparison for one seed.
#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    /// Row name: the strategy, or `takd[mlp-128]` for one chain of `takd-each`.
    pub label: String,
    pub strategy: Strategy,
    /// The preset as run (seed, strategy, assistants set; the teacher's weights filled in later).
    pub preset: Preset,
    /// Folder name under the seed's folder.
    pub dir: String,
}

/// The folder name of a row under a seed's folder: the label, with `takd[mlp-128]` as
/// `takd-mlp-128` (no brackets in paths, which shells would glob).
pub fn folder_of(label: &str) -> String {
    match label
        .strip_prefix("takd[")
        .and_then(|l| l.strip_suffix(']'))
    {
        Some(rung) => format!("takd-{rung}"),
        None => label.to_string(),
    }
}

/// The arms of `entries` for `preset` at `seed`. `takd-each` needs `planner.ladder`; it yields
/// one arm per ladder entry strictly between student and teacher in parameters.
pub fn arms(preset: &Preset, entries: &[Entry], seed: u64) -> Result<Vec<Arm>, String> {
    let mut base = preset.clone();
    base.seed = seed;
    let mut out = Vec::new();
    for entry in entries {
        match entry {
            Entry::Strategy(s) => {
                let mut p = base.clone();
                p.strategy = *s;
                out.push(Arm {
                    label: s.as_str().into(),
                    strategy: *s,
                    preset: p,
                    dir: folder_of(s.as_str()),
                });
            }
            Entry::TakdEach => {
                let planner = preset.planner.as_ref().ok_or(
                    "takd-each needs the preset's `planner.ladder` (the candidate assistants)",
                )?;
                let input = preset.data.dataset.image_shape();
                let classes = preset.data.dataset.num_classes();
                let ladder = Ladder::build(&planner.ladder, input, classes);
                let pt = preset.chain.teacher.arch.param_count(input, classes);
                let ps = preset.chain.student.arch.param_count(input, classes);
                for i in ladder.between(pt, ps) {
                    let rung = &ladder.rungs[i];
                    let mut p = base.clone();
                    p.strategy = Strategy::Takd;
                    p.chain.assistants = vec![ModelNode {
                        name: None,
                        arch: rung.spec.clone(),
                        weights: None,
                        epochs: None,
                        lr: None,
                    }];
                    let label = format!("takd[{}]", rung.label);
                    out.push(Arm {
                        dir: folder_of(&label),
                        label,
                        strategy: Strategy::Takd,
                        preset: p,
                    });
                }
            }
        }
    }
    Ok(out)
}
