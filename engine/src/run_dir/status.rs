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
}

impl Status {
    pub fn now(state: RunState, detail: Option<String>) -> Status {
        Status {
            state,
            pid: std::process::id(),
            updated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            detail,
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

    /// The state as people should see it: a `running` run whose process is gone was interrupted.
    pub fn effective_state(&self) -> RunState {
        if self.state == RunState::Running && !super::pid_alive(self.pid) {
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
