//! The control-curve cache: a scratch arm's per-epoch curve is a function of its inputs alone, so it
//! is trained once and read back in later runs (DESIGN §4.1).
//!
//! Key: SHA-256 of the JSON of [`CacheKey`] — architecture, dataset and split, seed and stage (which
//! fix the initial weights and data order), optimizer, schedule, epochs, batch size, data limits, the
//! SHA-256 of the data files and [`NUMERICS_VERSION`]. Any change is a miss. Only complete curves
//! (the whole schedule) are stored.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::plan::{Plan, StagePlan};
use crate::model::ModelSpec;
use crate::preset::{DatasetKind, OptimizerConfig, ScheduleConfig};
use crate::protocol::{ArmResult, EpochRecord};

/// The version of the numbers this program computes. Raise it with any change that moves a
/// training curve — a kernel, the initialisation, `rand`'s streams, the batch order, the loss —
/// so cached curves of the old numbers are not replayed. (It replaces the crate version, which
/// never changed.) `tests/numerics_version.rs` pins a first-epoch loss to it: when that test fails,
/// raise this constant and update the pinned loss there.
pub const NUMERICS_VERSION: u32 = 1;

/// Everything a scratch curve depends on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacheKey {
    /// [`NUMERICS_VERSION`] when the curve was trained.
    pub numerics: u32,
    /// Hex SHA-256 of the data files ([`crate::data::fingerprint`]).
    pub data_sha256: String,
    pub arch: ModelSpec,
    pub dataset: DatasetKind,
    pub val_size: usize,
    pub test_size: Option<usize>,
    pub train_limit: Option<usize>,
    pub test_limit: Option<usize>,
    /// Augmentation of the training batches; left out of the JSON when off, so keys made before
    /// augmentation existed still match.
    #[serde(default, skip_serializing_if = "is_no_augment")]
    pub augment: crate::data::Augment,
    pub seed: u64,
    /// The stage's seed slot ([`StagePlan::seed_slot`]): it seeds the initial weights and the data order.
    pub stage: u64,
    pub optimizer: OptimizerConfig,
    pub schedule: ScheduleConfig,
    pub epochs: usize,
    pub batch_size: usize,
}

impl CacheKey {
    /// The key of `stage`'s scratch arm under `plan`, for data of fingerprint `data_sha256`.
    pub fn new(plan: &Plan, stage: &StagePlan, data_sha256: &str) -> CacheKey {
        let d = &plan.preset.data;
        CacheKey {
            numerics: NUMERICS_VERSION,
            data_sha256: data_sha256.to_string(),
            arch: stage.spec.clone(),
            dataset: d.dataset,
            val_size: d.val_size,
            test_size: d.test_size,
            train_limit: d.train_limit,
            test_limit: d.test_limit,
            augment: d.augment,
            seed: plan.preset.seed,
            stage: stage.seed_slot(),
            optimizer: stage.optimizer.clone(),
            schedule: stage.schedule.clone(),
            epochs: stage.epochs,
            batch_size: stage.batch_size,
        }
    }

    /// Hex SHA-256 of the key's JSON.
    pub fn hash(&self) -> String {
        let json = serde_json::to_vec(self).expect("a key always serialises");
        crate::describe::hex(&Sha256::digest(json))
    }
}

fn is_no_augment(a: &crate::data::Augment) -> bool {
    !a.is_on()
}

/// A stored curve: the key it was made under, one record per epoch, and the arm's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedCurve {
    pub key: CacheKey,
    pub records: Vec<EpochRecord>,
    pub result: ArmResult,
}

/// What a look-up found.
pub enum Lookup {
    Hit(Box<CachedCurve>),
    Miss,
    /// A file was there but unusable; the message says which file and why. Treated as a miss.
    Corrupt(String),
}

/// A folder of cached curves, one JSON file per key, for one run's data.
#[derive(Debug, Clone)]
pub struct ControlCache {
    dir: PathBuf,
    data_sha256: String,
}

impl ControlCache {
    /// The cache in `dir` for data whose files hash to `data_sha256` ([`crate::data::fingerprint`]).
    pub fn new(dir: impl Into<PathBuf>, data_sha256: impl Into<String>) -> ControlCache {
        ControlCache {
            dir: dir.into(),
            data_sha256: data_sha256.into(),
        }
    }

    /// The key of `stage`'s scratch arm under `plan`, for this cache's data.
    pub fn key(&self, plan: &Plan, stage: &StagePlan) -> CacheKey {
        CacheKey::new(plan, stage, &self.data_sha256)
    }

    /// File of `key`: `<dir>/<sha256>.json`.
    pub fn path(&self, key: &CacheKey) -> PathBuf {
        self.dir.join(format!("{}.json", key.hash()))
    }

    /// The complete curve stored for `key`, if any.
    pub fn lookup(&self, key: &CacheKey) -> Lookup {
        let path = self.path(key);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Lookup::Miss,
            Err(e) => return Lookup::Corrupt(format!("{}: {e}", path.display())),
        };
        match serde_json::from_slice::<CachedCurve>(&bytes) {
            Ok(c) if c.key != *key => Lookup::Corrupt(format!(
                "{}: stored for other inputs (hash collision or edited file)",
                path.display()
            )),
            Ok(c) if c.records.len() != key.epochs => Lookup::Corrupt(format!(
                "{}: {} epochs stored, {} expected",
                path.display(),
                c.records.len(),
                key.epochs
            )),
            Ok(c) => Lookup::Hit(Box::new(c)),
            Err(e) => Lookup::Corrupt(format!("{}: not a cached curve: {e}", path.display())),
        }
    }

    /// Store a complete curve atomically (see [`crate::run_dir::atomic`]). Returns the file written.
    pub fn store(&self, curve: &CachedCurve) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self.path(&curve.key);
        let bytes = serde_json::to_vec_pretty(curve)?;
        crate::run_dir::atomic::write_atomic(&path, &bytes, "storing a control curve")?;
        Ok(path)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}
