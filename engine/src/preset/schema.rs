//! The preset file format: every key a user may write, with its default. Unknown keys are rejected.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::distill::KlReduction;
use crate::model::ModelSpec;
use crate::stop::StopRule;

/// A whole experiment, as read from `presets/*.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    /// Short name; the run directory is `runs/<name>-<UTC timestamp>`.
    pub name: String,
    /// One line shown by `mkd-tui presets`.
    #[serde(default)]
    pub description: String,
    /// Seed of every random choice: validation split, weight init, data order, dropped teachers.
    #[serde(default = "default_seed")]
    pub seed: u64,
    pub data: DataConfig,
    pub training: TrainingConfig,
    #[serde(default)]
    pub distill: DistillConfig,
    #[serde(default)]
    pub stop: StopRule,
    pub chain: ChainSpec,
    /// How the student is trained: `scratch`, `kd`, `takd` (the chain as given), `dgkd`, `dynamic`.
    #[serde(default)]
    pub strategy: crate::planner::Strategy,
    /// The assistant planner of strategy `dynamic` (DESIGN §4.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planner: Option<crate::planner::PlannerConfig>,
    /// Where to train: `auto` (the first GPU when the binary has CUDA and one is present, else the
    /// CPU), `cpu`, `cuda` or `cuda:N`. Left out of saved presets when `auto`.
    #[serde(default, skip_serializing_if = "crate::device::DeviceChoice::is_auto")]
    pub device: crate::device::DeviceChoice,
}

fn default_seed() -> u64 {
    42
}

/// Which dataset and how it is split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    pub dataset: DatasetKind,
    /// Folder holding the dataset's folder (`<root>/fashion-mnist/…`). Relative paths are resolved
    /// against the preset file's folder.
    #[serde(default = "default_root")]
    pub root: PathBuf,
    /// Images held out of the training set for validation (seeded), used for every decision.
    pub val_size: usize,
    /// Images held out as the test split, for datasets shipped without one (digits). Ignored otherwise.
    #[serde(default)]
    pub test_size: Option<usize>,
    /// Train on this many images, a seeded subset of those left after the validation split (quick
    /// runs). Must not exceed what is available.
    #[serde(default)]
    pub train_limit: Option<usize>,
    /// Evaluate on the first this-many test images. Must not exceed the test split.
    #[serde(default)]
    pub test_limit: Option<usize>,
    /// Augmentation of the training batches (README: "Presets"); left out when off.
    #[serde(default, skip_serializing_if = "is_no_augment")]
    pub augment: crate::data::Augment,
}

fn is_no_augment(a: &crate::data::Augment) -> bool {
    *a == crate::data::Augment::default()
}

fn default_root() -> PathBuf {
    PathBuf::from("../data")
}

/// The datasets the loaders understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetKind {
    /// `<root>/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]`, 28×28 grey, 10 classes.
    FashionMnist,
    /// `<root>/mnist/…`, same layout as Fashion-MNIST.
    Mnist,
    /// `<root>/digits/digits.csv[.gz]`: 64 pixel columns (0..16) then the label; 8×8 grey, 10 classes.
    Digits,
    /// `<root>/cifar10/{data_batch_1..5,test_batch}.bin`, 32×32 RGB, 10 classes.
    Cifar10,
    /// `<root>/cifar100/{train,test}.bin`, 32×32 RGB, 100 fine classes.
    Cifar100,
}

impl DatasetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DatasetKind::FashionMnist => "fashion-mnist",
            DatasetKind::Mnist => "mnist",
            DatasetKind::Digits => "digits",
            DatasetKind::Cifar10 => "cifar10",
            DatasetKind::Cifar100 => "cifar100",
        }
    }
}

/// Optimisation settings shared by every stage unless a chain node overrides them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingConfig {
    /// Epochs of each stage's schedule.
    pub epochs: usize,
    /// Images per training batch.
    #[serde(default = "default_batch_size")]
    pub batch_size: usize,
    pub optimizer: OptimizerConfig,
    #[serde(default)]
    pub schedule: ScheduleConfig,
    /// What a NaN or infinite training loss does: `stop_run` (default) or `halt_stage`.
    #[serde(default)]
    pub on_non_finite_loss: OnNonFiniteLoss,
}

fn default_batch_size() -> usize {
    128
}

/// What happens when a training loss is NaN or infinite. Either way the stage is halted at that
/// batch and a `stage_halted` event names the model, arm, epoch and batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnNonFiniteLoss {
    /// The run fails (exit code 1); the run directory keeps what was done.
    #[default]
    StopRun,
    /// The stage ends there and the run goes on: the model's best epoch so far teaches the next
    /// stage (the run fails if there is none yet); the report marks the model as halted.
    HaltStage,
}

/// The optimizer of every arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum OptimizerConfig {
    /// SGD with momentum and L2 weight decay, as PyTorch's `torch.optim.SGD`.
    Sgd {
        lr: f64,
        #[serde(default)]
        momentum: f64,
        #[serde(default)]
        weight_decay: f64,
        #[serde(default)]
        nesterov: bool,
    },
    /// AdamW (Loshchilov & Hutter 2019) with decoupled weight decay.
    Adamw {
        lr: f64,
        #[serde(default = "default_adamw_weight_decay")]
        weight_decay: f64,
        #[serde(default = "default_beta1")]
        beta1: f64,
        #[serde(default = "default_beta2")]
        beta2: f64,
        #[serde(default = "default_eps")]
        eps: f64,
    },
}

fn default_adamw_weight_decay() -> f64 {
    0.01
}
fn default_beta1() -> f64 {
    0.9
}
fn default_beta2() -> f64 {
    0.999
}
fn default_eps() -> f64 {
    1e-8
}

impl OptimizerConfig {
    /// Base learning rate.
    pub fn lr(&self) -> f64 {
        match self {
            OptimizerConfig::Sgd { lr, .. } | OptimizerConfig::Adamw { lr, .. } => *lr,
        }
    }

    /// The same optimizer with another base learning rate.
    pub fn with_lr(&self, new_lr: f64) -> Self {
        let mut c = self.clone();
        match &mut c {
            OptimizerConfig::Sgd { lr, .. } | OptimizerConfig::Adamw { lr, .. } => *lr = new_lr,
        }
        c
    }
}

/// Learning rate per epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScheduleConfig {
    /// The base rate throughout.
    #[default]
    Constant,
    /// Multiply by `gamma` at each milestone epoch (0-based epoch index at which the new rate starts).
    Step { milestones: Vec<usize>, gamma: f64 },
    /// Cosine annealing from the base rate to `min_lr` over the stage's epochs.
    Cosine {
        #[serde(default)]
        min_lr: f64,
    },
}

/// Knowledge-distillation loss and control arms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistillConfig {
    /// Temperature `T` of the soft targets.
    #[serde(default = "default_temperature")]
    pub temperature: f64,
    /// Weight of the soft term: `(1-alpha)·CE + alpha·T²·KL`.
    #[serde(default = "default_alpha")]
    pub alpha: f64,
    /// Control arms trained beside every distilled model.
    #[serde(default = "default_controls")]
    pub controls: Vec<ControlArm>,
    /// Folder of the control-curve cache (scratch curves reused across runs); default
    /// `control-cache/` beside the run directory (in `runs/`). Relative to the preset file.
    #[serde(default)]
    pub control_cache: Option<PathBuf>,
    /// Dense guidance (strategy `dgkd`): teachers dropped at random per batch, never all of them.
    #[serde(default = "default_drop_num")]
    pub drop_num: usize,
    /// Compute each teacher's logits for the training set once per stage and reuse them every epoch
    /// (only when the inputs are not augmented); `false`: a teacher forward pass every batch.
    #[serde(default = "default_logit_cache")]
    pub logit_cache: bool,
    /// How the KL term is reduced over a batch: `batchmean` (default; Hinton) or `mean` (TAKD's and
    /// DGKD's code, `nn.KLDivLoss()`: K× weaker). Left out of saved presets when default, so
    /// control-cache keys of older presets do not change.
    #[serde(default, skip_serializing_if = "KlReduction::is_default")]
    pub kl_reduction: KlReduction,
}

fn default_drop_num() -> usize {
    1
}

fn default_temperature() -> f64 {
    4.0
}
fn default_alpha() -> f64 {
    0.9
}
fn default_logit_cache() -> bool {
    true
}
fn default_controls() -> Vec<ControlArm> {
    vec![ControlArm::Scratch]
}

impl Default for DistillConfig {
    fn default() -> Self {
        DistillConfig {
            temperature: default_temperature(),
            alpha: default_alpha(),
            controls: default_controls(),
            control_cache: None,
            drop_num: default_drop_num(),
            logit_cache: default_logit_cache(),
            kl_reduction: KlReduction::default(),
        }
    }
}

/// A control arm: the same architecture trained differently, as the distilled arm's reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlArm {
    /// Labels only, same initial weights and data order.
    Scratch,
    /// Plain KD from the chain's teacher (skipping the assistants); added to models below the first
    /// assistant only.
    KdFromTeacher,
}

/// The chain from teacher to student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainSpec {
    pub teacher: ModelNode,
    /// Teacher assistants, largest first; each is taught by the model above it.
    #[serde(default)]
    pub assistants: Vec<ModelNode>,
    pub student: ModelNode,
}

/// One model of the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelNode {
    /// Unique name; defaults to `teacher`, `ta1`, `ta2`, …, `student`.
    #[serde(default)]
    pub name: Option<String>,
    pub arch: ModelSpec,
    /// Teacher only: load these safetensors weights instead of training (relative to the preset file).
    #[serde(default)]
    pub weights: Option<PathBuf>,
    /// Epochs of this stage, instead of `training.epochs`.
    #[serde(default)]
    pub epochs: Option<usize>,
    /// Base learning rate of this stage, instead of `training.optimizer.lr`.
    #[serde(default)]
    pub lr: Option<f64>,
}

impl DatasetKind {
    /// Shape of one image of this dataset.
    pub fn image_shape(self) -> crate::data::ImageShape {
        let (channels, side) = match self {
            DatasetKind::FashionMnist | DatasetKind::Mnist => (1, 28),
            DatasetKind::Digits => (1, 8),
            DatasetKind::Cifar10 | DatasetKind::Cifar100 => (3, 32),
        };
        crate::data::ImageShape {
            channels,
            height: side,
            width: side,
        }
    }

    /// Number of classes.
    pub fn num_classes(self) -> usize {
        match self {
            DatasetKind::Cifar100 => 100,
            _ => 10,
        }
    }

    /// Images in the official (train, test) files; digits ships one set of 1,797 (no test file).
    pub fn official_sizes(self) -> (usize, usize) {
        match self {
            DatasetKind::FashionMnist | DatasetKind::Mnist => (60_000, 10_000),
            DatasetKind::Digits => (1_797, 0),
            DatasetKind::Cifar10 | DatasetKind::Cifar100 => (50_000, 10_000),
        }
    }
}

impl DataConfig {
    /// Images in the (train, validation, test) splits this config gives, from the official sizes,
    /// without reading the files. Digits' test split defaults to 20 % of its rows.
    pub fn split_sizes(&self) -> (usize, usize, usize) {
        let (official_train, official_test) = self.dataset.official_sizes();
        let (pool, test) = if official_test == 0 {
            let test = self.test_size.unwrap_or(official_train / 5);
            (official_train.saturating_sub(test), test)
        } else {
            (official_train, official_test)
        };
        let train = pool.saturating_sub(self.val_size);
        let train = self.train_limit.map_or(train, |l| l.min(train));
        let test = self.test_limit.map_or(test, |l| l.min(test));
        (train, self.val_size, test)
    }
}

impl Preset {
    /// The chain's models from teacher to student, with their default names
    /// (`teacher`, `ta1`, `ta2`, …, `student`) filled in.
    pub fn nodes(&self) -> Vec<(String, &ModelNode)> {
        let mut out = vec![(
            self.chain
                .teacher
                .name
                .clone()
                .unwrap_or_else(|| "teacher".into()),
            &self.chain.teacher,
        )];
        for (i, ta) in self.chain.assistants.iter().enumerate() {
            out.push((
                ta.name.clone().unwrap_or_else(|| format!("ta{}", i + 1)),
                ta,
            ));
        }
        out.push((
            self.chain
                .student
                .name
                .clone()
                .unwrap_or_else(|| "student".into()),
            &self.chain.student,
        ));
        out
    }
}
