//! Creating a run directory without ever overwriting an existing run.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::preset::Preset;
use crate::protocol::ArmKind;

/// Why a run directory could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RunDirError {
    #[error("{}: refusing to write into a non-empty directory (an existing run is never overwritten); choose another --out", path.display())]
    NotEmpty { path: PathBuf },
    #[error("{}: {what}: {source}", path.display())]
    Io {
        path: PathBuf,
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// An atomic write failed; its message already names the file and what was being written.
    #[error("{0}")]
    Write(#[source] std::io::Error),
}

/// A run's folder. Files inside are named by the methods here, so every writer agrees.
#[derive(Debug, Clone)]
pub struct RunDir {
    root: PathBuf,
}

impl RunDir {
    /// Create `out`, or `<runs_root>/<preset>-<UTC timestamp>` when `out` is `None`
    /// (a `-2`, `-3`, … suffix when two runs start in the same second), with `checkpoints/` inside.
    ///
    /// Errors: `out` exists and is not empty; the folder cannot be created or written.
    pub fn create(
        out: Option<&Path>,
        runs_root: &Path,
        preset_name: &str,
        now: DateTime<Utc>,
    ) -> Result<RunDir, RunDirError> {
        let io = |path: &Path, what: &'static str| {
            let path = path.to_path_buf();
            move |source| RunDirError::Io { path, what, source }
        };
        // Every claim is one `create_dir`, which the file system grants to exactly one process:
        // two runs started in the same second (or with the same --out) never share a folder.
        let root = match out {
            Some(dir) => {
                if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent)
                        .map_err(io(parent, "cannot create the run directory"))?;
                }
                match std::fs::create_dir(dir) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        let mut entries = std::fs::read_dir(dir)
                            .map_err(io(dir, "cannot read the output directory"))?;
                        if entries.next().is_some() {
                            return Err(RunDirError::NotEmpty {
                                path: dir.to_path_buf(),
                            });
                        }
                    }
                    Err(e) => return Err(io(dir, "cannot create the run directory")(e)),
                }
                dir.to_path_buf()
            }
            None => {
                std::fs::create_dir_all(runs_root)
                    .map_err(io(runs_root, "cannot create the runs folder"))?;
                let stamp = now.format("%Y%m%dT%H%M%SZ");
                let base = runs_root.join(format!("{preset_name}-{stamp}"));
                let mut candidate = base.clone();
                let mut n = 2;
                loop {
                    match std::fs::create_dir(&candidate) {
                        Ok(()) => break candidate,
                        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                            candidate = PathBuf::from(format!("{}-{n}", base.display()));
                            n += 1;
                        }
                        Err(e) => return Err(io(&candidate, "cannot create the run directory")(e)),
                    }
                }
            }
        };
        // An empty folder given as --out is claimed by whoever makes `checkpoints/` in it first.
        let checkpoints = root.join("checkpoints");
        match std::fs::create_dir(&checkpoints) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(RunDirError::NotEmpty { path: root });
            }
            Err(e) => return Err(io(&checkpoints, "cannot create the run directory")(e)),
        }
        probe_writable(&root)?;
        Ok(RunDir { root })
    }

    /// An existing run directory: one to resume, or the empty one `run --detach` made for its
    /// background process. Errors: it is not a folder or cannot be written.
    pub fn open(dir: &Path) -> Result<RunDir, RunDirError> {
        let checkpoints = dir.join("checkpoints");
        std::fs::create_dir_all(&checkpoints).map_err(|source| RunDirError::Io {
            path: checkpoints.clone(),
            what: "cannot open the run directory",
            source,
        })?;
        probe_writable(dir)?;
        Ok(RunDir {
            root: dir.to_path_buf(),
        })
    }

    /// The folder itself.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// `preset.yaml`: the preset as resolved (defaults filled, overrides applied, paths absolute).
    pub fn write_preset(&self, preset: &Preset) -> Result<(), RunDirError> {
        let path = self.root.join("preset.yaml");
        let text = portable_preset_yaml(preset);
        // Atomic: a resume reads this copy back; a torn one would not parse.
        super::atomic::write_atomic(&path, text.as_bytes(), "cannot write the preset copy")
            .map_err(RunDirError::Write)
    }

    /// `checkpoints/<model>.safetensors` for a model's primary arm, `<model>-<arm>.safetensors`
    /// for its controls.
    pub fn checkpoint_path(&self, model: &str, arm: ArmKind, primary: bool) -> PathBuf {
        let file = if primary {
            format!("{model}.safetensors")
        } else {
            format!("{model}-{}.safetensors", arm.as_str())
        };
        self.root.join("checkpoints").join(file)
    }

    pub fn events_path(&self) -> PathBuf {
        self.root.join("events.jsonl")
    }

    pub fn metrics_path(&self) -> PathBuf {
        self.root.join("metrics.csv")
    }

    /// `control.sock`: the Unix socket viewers send commands through.
    pub fn socket_path(&self) -> PathBuf {
        self.root.join("control.sock")
    }

    /// `run.log`: stdout and stderr of a `--detach`ed run.
    pub fn log_path(&self) -> PathBuf {
        self.root.join("run.log")
    }

    pub fn status_path(&self) -> PathBuf {
        self.root.join("status.json")
    }

    pub fn report_md_path(&self) -> PathBuf {
        self.root.join("report.md")
    }

    pub fn report_json_path(&self) -> PathBuf {
        self.root.join("report.json")
    }
}

/// Fail now, not after an hour of training, if the folder cannot be written (permissions, a full
/// or read-only disk).
fn probe_writable(root: &Path) -> Result<(), RunDirError> {
    let probe = root.join(".write-test");
    std::fs::write(&probe, [0u8; 4096])
        .and_then(|_| std::fs::remove_file(&probe))
        .map_err(|source| RunDirError::Io {
            path: root.to_path_buf(),
            what: "the run directory is not writable",
            source,
        })
}

/// `p` made absolute against the working directory (unchanged if that fails).
/// `preset` as YAML with every path in it (data root, control cache, weights) absolute, so the
/// file can be run from any folder — `preset.yaml` of a run, and the presets `compare` hands to
/// Slurm tasks.
pub fn portable_preset_yaml(preset: &Preset) -> String {
    let mut preset = preset.clone();
    preset.data.root = absolute(&preset.data.root);
    preset.distill.control_cache = preset.distill.control_cache.as_deref().map(absolute);
    for node in std::iter::once(&mut preset.chain.teacher)
        .chain(preset.chain.assistants.iter_mut())
        .chain(std::iter::once(&mut preset.chain.student))
    {
        node.weights = node.weights.as_deref().map(absolute);
    }
    serde_yaml::to_string(&preset).expect("a Preset always serialises")
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}
