//! The runs of a comparison as Slurm tasks, and `<out>/slurm/tasks.json`, which records them with
//! their latest submission so that `--collect` and a rerun find them without the preset.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::compare::Arm;
use crate::planner::Strategy;
use crate::preset::Preset;

/// The comparison folder's sub-folder of Slurm files: `tasks.json`, `presets/`, `scripts/`,
/// `logs/`, `exit/`.
pub const FOLDER: &str = "slurm";

/// One submission of a task: task `array_task` of the job array `array_job`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRef {
    pub array_job: u64,
    pub array_task: u32,
    /// The task's standard output and error (`slurm/logs/<array job>_<task>.log`).
    pub log: PathBuf,
}

impl JobRef {
    /// Slurm's name of the task, `<array job>_<task>` (what `scancel` and `scontrol` take).
    pub fn id(&self) -> String {
        format!("{}_{}", self.array_job, self.array_task)
    }
}

/// One (seed, strategy) run of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// Row label (`kd`, `takd[mlp-128]`).
    pub label: String,
    pub seed: u64,
    /// `<out>/seed-<seed>/<arm dir>`, absolute: the task's `mkd-tui run --out`.
    pub run_dir: PathBuf,
    /// The preset the task runs, absolute paths inside (`slurm/presets/seed-<seed>-<arm dir>.yaml`).
    pub preset_file: PathBuf,
    /// The task (index into [`TaskFile::tasks`]) that trains the teacher this one loads: this task
    /// is submitted with `--dependency=afterok` on it while it has not finished.
    pub teacher_from: Option<usize>,
    /// The latest submission; `None` before the first.
    pub job: Option<JobRef>,
}

/// `<out>/slurm/tasks.json`: everything `--collect` needs to assemble the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskFile {
    pub preset: String,
    pub dataset: String,
    pub seeds: Vec<u64>,
    pub teacher_shared: bool,
    pub teacher_file: Option<PathBuf>,
    /// Row labels in the order asked for.
    pub order: Vec<String>,
    /// Seed by seed, arm by arm: the local comparison's order.
    pub tasks: Vec<Task>,
    /// The settings every run shares, for the table's header (absent from older task files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<crate::compare::Settings>,
}

impl TaskFile {
    /// Where the task file of the comparison in `out` lies.
    pub fn path(out: &Path) -> PathBuf {
        out.join(FOLDER).join("tasks.json")
    }

    /// The task file of the comparison in `out`.
    ///
    /// Errors, as a message for the user: there is none (not a comparison submitted to Slurm), or
    /// it does not parse.
    pub fn load(out: &Path) -> Result<TaskFile, String> {
        let path = TaskFile::path(out);
        let bytes = std::fs::read(&path).map_err(|e| {
            format!(
                "{}: {e}; --collect assembles comparisons submitted with --executor slurm",
                path.display()
            )
        })?;
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Write the task file atomically (a reader sees the old one or the new, never half).
    pub fn save(&self, out: &Path) -> std::io::Result<()> {
        let path = TaskFile::path(out);
        std::fs::create_dir_all(out.join(FOLDER))?;
        let bytes = serde_json::to_vec_pretty(self)?;
        crate::run_dir::atomic::write_atomic(&path, &bytes, "writing the Slurm task list")
    }
}

/// What the table needs besides the runs (see [`TaskFile`]).
pub struct Header<'a> {
    pub preset: &'a Preset,
    pub order: &'a [String],
    pub seeds: &'a [u64],
    pub teacher_shared: bool,
}

/// The tasks of `all_arms` under `out` (absolute), with the preset each one runs.
///
/// The teacher is shared as the local comparison shares it (`src/cli/compare.rs`): the first arm
/// of a seed other than `scratch` trains it, and every later such arm loads that run's best
/// teacher checkpoint — unless sharing is off or the preset loads its teacher from a file.
pub fn plan(header: &Header, all_arms: &[(u64, Vec<Arm>)], out: &Path) -> (TaskFile, Vec<Preset>) {
    let mut tasks = Vec::new();
    let mut presets = Vec::new();
    for (seed, arms) in all_arms {
        let mut teacher: Option<(usize, PathBuf)> = None;
        for arm in arms {
            let mut p = arm.preset.clone();
            let run_dir = out.join(format!("seed-{seed}")).join(&arm.dir);
            let trains_teacher =
                arm.strategy != Strategy::Scratch && p.chain.teacher.weights.is_none();
            let mut teacher_from = None;
            if header.teacher_shared && trains_teacher {
                match &teacher {
                    Some((index, checkpoint)) => {
                        p.chain.teacher.weights = Some(checkpoint.clone());
                        teacher_from = Some(*index);
                    }
                    None => {
                        // `RunDir::checkpoint_path` of the teacher's primary arm.
                        let name = p.nodes()[0].0.clone();
                        let checkpoint = run_dir
                            .join("checkpoints")
                            .join(format!("{name}.safetensors"));
                        teacher = Some((tasks.len(), checkpoint));
                    }
                }
            }
            tasks.push(Task {
                label: arm.label.clone(),
                seed: *seed,
                preset_file: out
                    .join(FOLDER)
                    .join("presets")
                    .join(format!("seed-{seed}-{}.yaml", arm.dir)),
                run_dir,
                teacher_from,
                job: None,
            });
            presets.push(p);
        }
    }
    let file = TaskFile {
        preset: header.preset.name.clone(),
        dataset: header.preset.data.dataset.as_str().to_string(),
        seeds: header.seeds.to_vec(),
        teacher_shared: header.teacher_shared,
        teacher_file: header.preset.chain.teacher.weights.clone(),
        order: header.order.to_vec(),
        tasks,
        settings: Some(crate::compare::Settings::new(
            header.preset,
            header.seeds,
            None,
        )),
    };
    (file, presets)
}
