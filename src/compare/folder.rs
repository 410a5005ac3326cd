//! A comparison's folder across invocations. `comparison.json` says which comparison the folder
//! holds, so running the same command with the same `--out` continues it (finished runs kept, the
//! rest redone) and a different comparison is refused rather than mixed in.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::preset::Preset;
use crate::run_dir::{Report, RunDir};

/// The file in a comparison's folder that names the comparison.
pub const FILE: &str = "comparison.json";

/// What makes two `compare` commands the same comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// The preset's name.
    pub preset: String,
    /// SHA-256 of the preset as loaded (`--set` applied): any other setting is another comparison.
    pub preset_sha256: String,
    /// Row labels, in order.
    pub strategies: Vec<String>,
    pub seeds: Vec<u64>,
    pub shared_teacher: bool,
}

impl Identity {
    /// The identity of comparing `preset` by `strategies` over `seeds`.
    pub fn new(
        preset: &Preset,
        strategies: &[String],
        seeds: &[u64],
        shared_teacher: bool,
    ) -> Identity {
        let yaml = serde_yaml::to_string(preset).unwrap_or_default();
        let digest = Sha256::digest(yaml.as_bytes());
        Identity {
            preset: preset.name.clone(),
            preset_sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
            strategies: strategies.to_vec(),
            seeds: seeds.to_vec(),
            shared_teacher,
        }
    }

    fn describe(&self) -> String {
        format!(
            "preset {}, strategies {}, seeds {:?}{}",
            self.preset,
            self.strategies.join(","),
            self.seeds,
            if self.shared_teacher {
                ""
            } else {
                ", no shared teacher"
            }
        )
    }
}

/// The comparison's folder, and whether it continues an earlier invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub path: PathBuf,
    pub continued: bool,
}

/// Claim `out` (or a new `runs/compare-<preset>-<stamp>`) for the comparison `identity`: a new or
/// empty folder is made and named; one already naming the same comparison is continued.
///
/// Errors, as a message for the user: the folder holds another comparison (both named), or is not
/// empty and holds no comparison, or cannot be written.
pub fn claim(out: Option<&Path>, identity: &Identity) -> Result<Claim, String> {
    if let Some(dir) = out {
        let file = dir.join(FILE);
        if file.is_file() {
            let theirs: Identity = std::fs::read(&file)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .ok_or_else(|| format!("{}: unreadable", file.display()))?;
            if &theirs != identity {
                let same_words = theirs.describe() == identity.describe();
                return Err(format!(
                    "{} holds a different comparison ({}{}); this one is {}: choose another --out",
                    dir.display(),
                    theirs.describe(),
                    if same_words { ", other settings" } else { "" },
                    identity.describe()
                ));
            }
            return Ok(Claim {
                path: dir.to_path_buf(),
                continued: true,
            });
        }
    }
    let made = RunDir::create(
        out,
        Path::new("runs"),
        &format!("compare-{}", identity.preset),
        chrono::Utc::now(),
    )
    .map_err(|e| e.to_string())?;
    let path = made.path().to_path_buf();
    // The comparison's folder holds run folders, not checkpoints of its own.
    let _ = std::fs::remove_dir(path.join("checkpoints"));
    let json = serde_json::to_vec_pretty(identity).map_err(|e| e.to_string())?;
    // Atomic: a continued comparison reads it back to check it is the same comparison.
    crate::run_dir::atomic::write_atomic(
        &path.join(FILE),
        &json,
        "writing the comparison's identity",
    )
    .map_err(|e| e.to_string())?;
    Ok(Claim {
        path,
        continued: false,
    })
}

/// The report of the run in `dir` if it finished (status `finished`, report readable): such a run
/// is kept when a comparison continues.
pub fn finished_report(dir: &Path) -> Option<Report> {
    let status: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("status.json")).ok()?).ok()?;
    if status["state"].as_str() != Some("finished") {
        return None;
    }
    serde_json::from_slice(&std::fs::read(dir.join("report.json")).ok()?).ok()
}
