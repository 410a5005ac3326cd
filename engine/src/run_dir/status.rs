//! `status.json`: whether the run is running, finished, aborted, failed or interrupted.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Where a run stands. Only `Finished` runs have a complete report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Running,
    Finished,
    Aborted,
    Failed,
    /// Stopped by a signal (or its process died): `mkd-tui resume` continues it.
    Interrupted,
}

/// Contents of `status.json`, rewritten at each change of state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    pub state: RunState,
    /// Process that runs (or ran) the training.
    pub pid: u32,
    /// UTC, RFC 3339.
    pub updated_at: String,
    /// Why the run failed or was aborted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The machine `pid` lives on (absent from files written before it was recorded): a run a
    /// Slurm task trains on another node is looked at from machines where that pid means nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

impl Status {
    pub fn now(state: RunState, detail: Option<String>) -> Status {
        Status {
            state,
            pid: std::process::id(),
            updated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            detail,
            host: this_host(),
        }
    }

    /// Read `path`.
    ///
    /// Errors: [`Error::File`] (unreadable) or [`Error::BadJson`] (not a status), naming the file.
    pub fn read(path: &std::path::Path) -> Result<Status> {
        let bytes = std::fs::read(path).map_err(|error| Error::File {
            path: path.to_path_buf(),
            error,
        })?;
        serde_json::from_slice(&bytes).map_err(|error| Error::BadJson {
            path: path.to_path_buf(),
            error,
        })
    }

    /// The state as people should see it: a `running` run of run directory `dir` whose lock no
    /// process holds was interrupted (the lock, not `pid`: a pid is recycled by another process).
    /// Only on the run's own machine: a lock taken on another node (a Slurm task) may not be seen
    /// here, so elsewhere a `running` run is taken at its word.
    pub fn effective_state(&self, dir: &std::path::Path) -> RunState {
        let here = self.host.is_none() || self.host == this_host();
        if self.state == RunState::Running && here && !super::held(dir) {
            RunState::Interrupted
        } else {
            self.state
        }
    }

    /// Write atomically (temporary file, then rename), so a reader never sees half a file.
    pub fn write(&self, path: &std::path::Path) -> std::io::Result<()> {
        // Atomic with a unique temporary name: the worker and a signal handler may both write it.
        let bytes = serde_json::to_vec_pretty(self)?;
        super::atomic::write_atomic(path, &bytes, "writing the run status")
    }
}

/// This machine's name (`gethostname`); `None` when it cannot be read.
pub fn this_host() -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: `buf` is writable for its whole length; the name is NUL-terminated when it fits.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return None;
    }
    let end = buf.iter().position(|&b| b == 0)?;
    String::from_utf8(buf[..end].to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run killed without a word leaves `running` and its pid in `status.json`; when that pid is
    /// reused by a live process (here: this test's own), the run is still seen as interrupted,
    /// because nothing holds its lock.
    #[test]
    fn a_recycled_pid_does_not_make_a_dead_run_look_alive() {
        let dir = tempfile::tempdir().unwrap();
        let lock = super::super::RunLock::acquire(dir.path()).unwrap();
        let status = Status::now(RunState::Running, None);
        assert_eq!(status.pid, std::process::id(), "a live pid in the file");
        assert_eq!(status.effective_state(dir.path()), RunState::Running);
        drop(lock); // the run's process died; its pid lives on in another process
        assert_eq!(status.effective_state(dir.path()), RunState::Interrupted);
        let foreign = Status {
            pid: 1,
            ..status.clone()
        }; // init: always alive, never a run
        assert_eq!(foreign.effective_state(dir.path()), RunState::Interrupted);
    }

    #[test]
    fn a_run_without_its_lock_is_an_interruption_only_on_the_run_s_own_machine() {
        let dir = tempfile::tempdir().unwrap();
        let mut status = Status::now(RunState::Running, None);
        assert_eq!(status.host, this_host());
        assert_eq!(status.effective_state(dir.path()), RunState::Interrupted);
        status.host = None; // written before hosts were recorded
        assert_eq!(status.effective_state(dir.path()), RunState::Interrupted);
        status.host = Some("another-node-of-the-cluster".into());
        assert_eq!(status.effective_state(dir.path()), RunState::Running);
        status.state = RunState::Finished;
        assert_eq!(status.effective_state(dir.path()), RunState::Finished);
    }
}
