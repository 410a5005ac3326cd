//! `run.lock`: one process writes a run directory at a time.
//!
//! An exclusive lock on `run.lock` ([`File::try_lock`], `flock` on Linux), held for the life of
//! the process (the kernel drops it when the process dies, even by SIGKILL, so a crashed run never
//! leaves a stale lock). The file holds the owner's pid, so a refused second run can say which
//! process has the directory. Whether a run is alive is asked of the lock ([`held`]), never of the
//! pid: a pid is recycled, a lock dies with its process.

use std::fs::{File, TryLockError};
use std::io::{Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};

/// Holds the lock until dropped (or the process ends).
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{}: another mkd-tui process (pid {pid}) is writing this run directory; attach to it with `mkd-tui attach {}`", path.display(), dir.display())]
    Held {
        path: PathBuf,
        dir: PathBuf,
        pid: String,
    },
    #[error("{}: cannot lock the run directory: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl RunLock {
    /// Lock `dir` for this process, or say who holds it.
    pub fn acquire(dir: &Path) -> Result<RunLock, LockError> {
        let path = dir.join("run.lock");
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = file.read_to_string(&mut pid);
                return Err(LockError::Held {
                    path: path.clone(),
                    dir: dir.to_path_buf(),
                    pid: pid.trim().to_string(),
                });
            }
            Err(TryLockError::Error(err)) => return Err(io(err)),
        }
        file.set_len(0)
            .and_then(|_| file.rewind())
            .and_then(|_| writeln!(file, "{}", std::process::id()))
            .and_then(|_| file.flush())
            .map_err(io)?;
        Ok(RunLock { _file: file })
    }
}

/// Whether a live process holds the lock of run directory `dir`: the run is alive exactly while
/// its lock is held. `false` without a `run.lock` (nothing ever ran there) or when it cannot be
/// opened for reading.
///
/// Probing takes the lock for an instant when it is free; a run starting at that instant is
/// refused as if another process held the directory, and says so.
pub fn held(dir: &Path) -> bool {
    let Ok(file) = File::open(dir.join("run.lock")) else {
        return false;
    };
    // flock works on a read-only descriptor; dropping `file` releases a lock taken here.
    matches!(file.try_lock(), Err(TryLockError::WouldBlock))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_and_names_the_pid() {
        let dir = tempfile::tempdir().unwrap();
        let first = RunLock::acquire(dir.path()).unwrap();
        // flock locks belong to the open file description: a second open conflicts even in-process.
        let err = RunLock::acquire(dir.path()).unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        assert!(held(dir.path()));
        drop(first);
        assert!(!held(dir.path()));
        RunLock::acquire(dir.path()).unwrap();
    }

    #[test]
    fn no_lock_file_is_not_held() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!held(dir.path()));
    }
}
