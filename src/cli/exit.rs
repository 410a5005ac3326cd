//! Process exit codes, documented in the README.

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// 0: the run finished (or the check passed).
    Success,
    /// 1: the run failed (data, model, I/O, worker panic).
    Failure,
    /// 2: bad input — preset file, `--set`, command line.
    BadInput,
    /// 130: stopped (q + y in the TUI: aborted; Ctrl-C or SIGTERM headless: interrupted, resumable).
    Aborted,
}

impl From<ExitCode> for i32 {
    fn from(c: ExitCode) -> i32 {
        match c {
            ExitCode::Success => 0,
            ExitCode::Failure => 1,
            ExitCode::BadInput => 2,
            ExitCode::Aborted => 130,
        }
    }
}
