//! Command-line arguments (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::device::DeviceChoice;

const EXAMPLES: &str = "\
Examples:
  mkd-tui                                   train presets/quick.yaml in the terminal UI
  mkd-tui run presets/quick.yaml --headless one line per epoch on stderr
  mkd-tui run presets/quick.yaml --set training.epochs=2 --set data.train_limit=5000
  mkd-tui run presets/hinton-mnist.yaml --out runs/hinton-1
  mkd-tui check presets/fashion-cnn.yaml    validate and print the plan, train nothing
  mkd-tui compare presets/fashion-dynamic.yaml --seeds 3 --strategies scratch,kd,takd-each,dgkd,dynamic
  mkd-tui compare presets/fashion-cnn.yaml --executor slurm --slurm-args \"--partition=gpu --time=4:00:00\" --detach
  mkd-tui compare --collect runs/compare-fashion-cnn-20261129T190000Z   wait for its Slurm tasks, write the table
  mkd-tui presets                           list the shipped presets
  mkd-tui bench --threads 2 --cases mlp,cnn,kd   training/inference images/s, peak memory
  mkd-tui run presets/quick.yaml --detach   train in the background; prints the run directory
  mkd-tui attach                            watch (and steer) the newest run
  mkd-tui ls                                list the runs under runs/
  mkd-tui stop-replay runs/compare-x --set stop.min_epochs=10   where another stop rule would have stopped
  mkd-tui resume runs/quick-20261129T190000Z  continue an interrupted run
  mkd-tui export runs/quick-20261129T190000Z  the student for PyTorch (model.safetensors, model.py)
  mkd-tui predict runs/quick-20261129T190000Z --split test   per-image predictions and logits (CSV)

Exit codes: 0 finished, 1 failed, 2 bad preset or arguments, 130 stopped by the user.";

/// Multi-assistant knowledge distillation: teacher → assistants → student, live in the terminal.
#[derive(Debug, Parser)]
#[command(name = "mkd-tui", version, about, after_help = EXAMPLES, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<CliCommand>,
    /// Preset to train in the terminal UI (default: presets/quick.yaml).
    pub preset: Option<PathBuf>,
    /// Override a preset value: key.path=value (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Train a preset: terminal UI, or headless when --headless or stdout is not a terminal.
    Run(RunArgs),
    /// Validate a preset and print its plan (models, parameters, epochs, work) without training.
    Check(CheckArgs),
    /// Train the preset's student by several strategies over several seeds and write a comparison
    /// table (compare.md, compare.json).
    Compare(CompareArgs),
    /// Continue an interrupted run from its last checkpoint.
    Resume(ResumeArgs),
    /// Replay the stop rule on the validation curves finished runs recorded (run directories or a
    /// comparison folder): where it would stop distillation, and what the kd arm reached by then.
    StopReplay {
        /// Run directories, or folders of them (a comparison).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Override a threshold of each run's own rule: stop.key=value (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
    /// List the runs in a folder: preset, status, stage, progress, elapsed, best accuracies.
    Ls {
        /// Folder holding the run directories.
        #[arg(long, default_value = "runs")]
        runs: PathBuf,
    },
    /// Open the terminal UI on a run started elsewhere (running or finished); q leaves the viewer
    /// and the run goes on.
    Attach {
        /// Run directory (default: the newest run under --runs).
        run_dir: Option<PathBuf>,
        /// Folder holding the run directories.
        #[arg(long, default_value = "runs")]
        runs: PathBuf,
    },
    /// List the presets in a folder with their descriptions.
    Presets {
        /// Folder to list.
        #[arg(long, default_value = "presets")]
        dir: PathBuf,
    },
    /// Training and inference images/s and peak memory of the benchmark and preset models.
    Bench(super::bench::BenchArgs),
    /// Write a run's model for PyTorch: model.safetensors (state_dict names, metadata with the
    /// architecture, dataset, class names and input normalisation) and model.py (an nn.Module).
    Export(ExportArgs),
    /// Write a run's model's prediction and logits for every image of a split (CSV).
    Predict(PredictArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Run directory.
    pub run_dir: PathBuf,
    /// Model to export: a name from the chain (`student`, `ta1`, `teacher`) or a control arm's
    /// checkpoint (`student-scratch`). Default: the student.
    #[arg(long)]
    pub model: Option<String>,
    /// Folder to write into (default: RUN_DIR/export/<model>); files there are never overwritten.
    #[arg(long, value_name = "DIR")]
    pub to: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PredictArgs {
    /// Run directory.
    pub run_dir: PathBuf,
    /// Model, as for `export`. Default: the student.
    #[arg(long)]
    pub model: Option<String>,
    /// Which images.
    #[arg(long, value_enum, default_value = "test")]
    pub split: PredictSplit,
    /// CSV file to write (default: RUN_DIR/predictions/<model>-<split>.csv); never overwritten.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// A split of the run's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PredictSplit {
    Test,
    Val,
    Train,
}

impl PredictSplit {
    /// `test`, `val`, `train`.
    pub fn as_str(self) -> &'static str {
        match self {
            PredictSplit::Test => "test",
            PredictSplit::Val => "val",
            PredictSplit::Train => "train",
        }
    }
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Preset file (YAML).
    pub preset: PathBuf,
    /// No terminal UI: one progress line per epoch on stderr.
    #[arg(long)]
    pub headless: bool,
    /// Run directory (default: runs/<preset>-<UTC timestamp>); must not exist or be empty.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Override a preset value: key.path=value (repeatable), e.g. --set training.epochs=2.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    #[arg(long, value_name = "DEVICE", help = super::device::HELP)]
    pub device: Option<DeviceChoice>,
    /// Train in the background (headless, own session, output in <run dir>/run.log); prints the
    /// run directory and how to attach.
    #[arg(long, conflicts_with = "headless")]
    pub detach: bool,
    /// Internal: --out was made empty by `run --detach` for this process.
    #[arg(long, hide = true, requires = "out")]
    pub prepared: bool,
}

#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// Run directory of the interrupted run.
    pub run_dir: PathBuf,
    /// No terminal UI: one progress line per epoch on stderr.
    #[arg(long)]
    pub headless: bool,
    /// Continue on this device: auto, cpu, cuda or cuda:N (checkpoints load on any device).
    #[arg(long, value_name = "DEVICE")]
    pub device: Option<DeviceChoice>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Preset file (YAML).
    #[arg(required_unless_present = "collect")]
    pub preset: Option<PathBuf>,
    /// Seeds per strategy: the preset's seed, seed+1, …
    #[arg(long, default_value_t = 3)]
    pub seeds: usize,
    /// Comma-separated: scratch, kd, takd, dgkd, dynamic, takd-each (one TAKD chain per ladder
    /// entry). Default: scratch,kd,takd,dgkd, plus dynamic when the preset has a `planner:` section.
    #[arg(long)]
    pub strategies: Option<String>,
    /// Folder of the comparison (default: runs/compare-<preset>-<UTC timestamp>): new or empty, or
    /// one this same comparison (preset, settings, strategies, seeds) started, which is continued.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Train the teacher in every run instead of once per seed.
    #[arg(long)]
    pub no_shared_teacher: bool,
    /// Progress lines instead of the comparison's screen, even in a terminal.
    #[arg(long)]
    pub headless: bool,
    /// Internal: --out was named by `compare --detach` for this process.
    #[arg(long, hide = true, requires = "out")]
    pub prepared: bool,
    /// Override a preset value: key.path=value (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Where the runs train: `local`, one after another in this process; `slurm`, each run one
    /// task of a Slurm job array (`sbatch`) on a file system every node shares (README: "On a
    /// cluster").
    #[arg(long, value_enum, default_value_t = Executor::Local)]
    pub executor: Executor,
    /// With --executor slurm: more sbatch options for every task, in one shell-quoted string, e.g.
    /// "--partition=gpu --gres=gpu:1 --time=4:00:00".
    #[arg(long, value_name = "OPTIONS", allow_hyphen_values = true)]
    pub slurm_args: Option<String>,
    /// With --executor slurm: the mkd-tui the tasks run. Default: this executable's absolute path
    /// (the nodes must see it there); a bare name (`mkd-tui`) is looked up on each node's PATH.
    #[arg(long, value_name = "PATH")]
    pub slurm_exe: Option<PathBuf>,
    /// With --executor slurm (or --collect): seconds between two looks at the run directories and
    /// Slurm (`scontrol show job`); default 10. An option, not a default value, so that one given
    /// without Slurm is refused (compare_args_check.rs).
    #[arg(long, value_name = "SECONDS")]
    pub slurm_poll: Option<f64>,
    /// Leave at once: locally, the comparison runs in a background process of its own (lines in
    /// <out>/compare.log; watch it with `mkd-tui attach <out>`); with --executor slurm, the tasks
    /// are submitted and `mkd-tui compare --collect DIR` (or the same command again) waits for
    /// them and writes the table.
    #[arg(long, conflicts_with = "headless")]
    pub detach: bool,
    /// Wait for the Slurm tasks of the comparison in DIR and write its table (compare.md,
    /// compare.json); resubmits nothing (the same `compare` command again resubmits what ended
    /// unfinished).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["preset", "out", "set", "strategies", "detach", "seeds", "no_shared_teacher", "slurm_args", "slurm_exe"])]
    pub collect: Option<PathBuf>,
    #[arg(long, value_name = "DEVICE", help = super::device::HELP)]
    pub device: Option<DeviceChoice>,
}

/// Where `compare` trains its runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Executor {
    /// In this process, one run after another.
    Local,
    /// One Slurm task per run (`sbatch --array`).
    Slurm,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Preset file (YAML).
    pub preset: PathBuf,
    /// Override a preset value: key.path=value (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// The preset used when none is named.
pub fn default_preset() -> PathBuf {
    PathBuf::from("presets/quick.yaml")
}
