//! Checkpoint generations: each one a folder written under a temporary name and renamed into
//! place, so a crash leaves either the old generation or the new one, never half of one.
//!
//! A generation holds data files and `manifest.json` (written last) with each file's SHA-256 and a
//! free-form JSON `state`. The newest two generations are kept: when the newest is corrupt or
//! truncated, [`Generations::load_newest`] falls back to the one before and says which file was bad.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::describe::hex;
use crate::error::{Error, Result};

/// Generations kept on disk; older ones are deleted after a new one is in place.
pub const KEEP: usize = 2;

const MANIFEST: &str = "manifest.json";
const FORMAT: u32 = 1;

/// `manifest.json`.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    /// File name → SHA-256 (hex) of its bytes.
    files: BTreeMap<String, String>,
    state: serde_json::Value,
}

/// A generation read back and verified.
#[derive(Debug)]
pub struct Generation {
    /// Its folder.
    pub path: PathBuf,
    pub state: serde_json::Value,
}

/// The folder holding the generations (`checkpoints/resume/` of a run).
#[derive(Debug, Clone)]
pub struct Generations {
    dir: PathBuf,
}

impl Generations {
    pub fn new(dir: PathBuf) -> Generations {
        Generations { dir }
    }

    /// Write generation `name` (names must sort oldest first): `write` puts its files into the
    /// temporary folder it is given and returns their names; then the manifest is written, the
    /// folder renamed into place, and generations beyond [`KEEP`] deleted.
    ///
    /// Errors: `write`'s own, or [`Error::File`] naming the file or folder that could not be
    /// written.
    pub fn write(
        &self,
        name: &str,
        state: &serde_json::Value,
        write: impl FnOnce(&Path) -> Result<Vec<String>>,
    ) -> Result<PathBuf> {
        let tmp = self.dir.join(format!(".tmp-{name}"));
        let target = self.dir.join(name);
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(|e| io_error(&tmp, e))?;
        }
        std::fs::create_dir_all(&tmp).map_err(|e| io_error(&tmp, e))?;
        let names = write(&tmp)?;
        let mut files = BTreeMap::new();
        for file in names {
            let path = tmp.join(&file);
            let bytes = std::fs::read(&path).map_err(|e| io_error(&path, e))?;
            // Flushed to the disk before the rename, so a power cut cannot leave a generation whose
            // manifest names files that were never written.
            std::fs::File::open(&path)
                .and_then(|f| f.sync_all())
                .map_err(|e| io_error(&path, e))?;
            files.insert(file, hex(&Sha256::digest(&bytes)));
        }
        let manifest = Manifest {
            format: FORMAT,
            files,
            state: state.clone(),
        };
        let path = tmp.join(MANIFEST);
        let mut f = std::fs::File::create(&path).map_err(|e| io_error(&path, e))?;
        f.write_all(&serde_json::to_vec(&manifest)?)
            .and_then(|_| f.sync_all())
            .map_err(|e| io_error(&path, e))?;
        if target.exists() {
            std::fs::remove_dir_all(&target).map_err(|e| io_error(&target, e))?;
        }
        std::fs::rename(&tmp, &target).map_err(|e| io_error(&target, e))?;
        super::atomic::sync_folder(&self.dir).map_err(|e| io_error(&self.dir, e))?;
        self.prune()?;
        Ok(target)
    }

    /// The generation folders, oldest first (temporary ones left out).
    pub fn list(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut dirs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir() && !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.path())
            .collect();
        dirs.sort();
        dirs
    }

    fn prune(&self) -> Result<()> {
        let dirs = self.list();
        for old in dirs.iter().take(dirs.len().saturating_sub(KEEP)) {
            std::fs::remove_dir_all(old).map_err(|e| io_error(old, e))?;
        }
        Ok(())
    }

    /// The newest generation whose manifest parses and whose files match their checksums, and one
    /// warning per newer generation skipped (naming the bad file). `None` when there is none.
    pub fn load_newest(&self) -> (Option<Generation>, Vec<String>) {
        let mut warnings = Vec::new();
        for dir in self.list().into_iter().rev() {
            match verify(&dir) {
                Ok(state) => return (Some(Generation { path: dir, state }), warnings),
                Err(why) => warnings.push(format!(
                    "checkpoint {why}; falling back to the previous checkpoint"
                )),
            }
        }
        (None, warnings)
    }
}

/// The manifest's state when every file is intact; else `<file>: what is wrong`.
fn verify(dir: &Path) -> Result<serde_json::Value, String> {
    let path = dir.join(MANIFEST);
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{}: not a valid manifest ({e})", path.display()))?;
    if manifest.format != FORMAT {
        return Err(format!(
            "{}: format {} (this version reads {FORMAT})",
            path.display(),
            manifest.format
        ));
    }
    for (file, sum) in &manifest.files {
        let path = dir.join(file);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if hex(&Sha256::digest(&bytes)) != *sum {
            return Err(format!(
                "{}: checksum mismatch (corrupt or truncated, {} bytes)",
                path.display(),
                bytes.len()
            ));
        }
    }
    Ok(manifest.state)
}

fn io_error(path: &Path, error: std::io::Error) -> Error {
    Error::File {
        path: path.to_path_buf(),
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(g: &Generations, name: &str, body: &[u8]) -> PathBuf {
        let state = serde_json::json!({ "name": name });
        g.write(name, &state, |dir| {
            std::fs::write(dir.join("a.bin"), body)?;
            Ok(vec!["a.bin".into()])
        })
        .unwrap()
    }

    #[test]
    fn keeps_two_and_falls_back_past_a_corrupt_one() {
        let tmp = tempfile::tempdir().unwrap();
        let g = Generations::new(tmp.path().join("resume"));
        write(&g, "s00-e0001", b"one");
        write(&g, "s00-e0002", b"two");
        let newest = write(&g, "s00-e0003", b"three");
        assert_eq!(g.list().len(), 2);
        let (found, warnings) = g.load_newest();
        assert_eq!(found.unwrap().state["name"], "s00-e0003");
        assert!(warnings.is_empty());
        // Truncate the newest generation's file: the one before is used, with a warning naming it.
        std::fs::write(newest.join("a.bin"), b"thr").unwrap();
        let (found, warnings) = g.load_newest();
        assert_eq!(found.unwrap().state["name"], "s00-e0002");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("s00-e0003/a.bin"), "{}", warnings[0]);
        assert!(warnings[0].contains("checksum mismatch"), "{}", warnings[0]);
    }
}
