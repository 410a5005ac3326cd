//! Where a headless run's lines go: stderr while the terminal lives, `run.log` in the run directory
//! after it went away (SIGHUP), so an SSH drop neither stops the run nor loses its progress lines.

use std::io::Write;
use std::path::PathBuf;

use crate::signals;

/// A writer to stderr that moves to an appended log file once the terminal has hung up.
pub struct TerminalOrLog {
    log_path: PathBuf,
    log: Option<std::fs::File>,
}

impl TerminalOrLog {
    pub fn new(log_path: PathBuf) -> TerminalOrLog {
        TerminalOrLog {
            log_path,
            log: None,
        }
    }

    fn log(&mut self) -> std::io::Result<&mut std::fs::File> {
        if self.log.is_none() {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.log_path)?;
            writeln!(
                f,
                "mkd-tui: the terminal hung up (SIGHUP); training goes on, progress from here on"
            )?;
            self.log = Some(f);
        }
        Ok(self.log.as_mut().expect("just set"))
    }
}

impl Write for TerminalOrLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if signals::hung_up() {
            return self.log()?.write(buf);
        }
        std::io::stderr().write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.log {
            Some(f) => f.flush(),
            None => std::io::stderr().flush(),
        }
    }
}

/// Append one line to the log at `path`, ignoring failure: for the last words of a run whose
/// terminal is gone, which have nowhere better to go.
pub fn append_line(path: &std::path::Path, line: &str) {
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(f, "{line}");
    }
}
