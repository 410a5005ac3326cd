//! The bounded log of what happened, newest last.

use std::collections::VecDeque;
use std::time::Duration;

use crate::protocol::LogLevel;

/// Lines kept; older ones are dropped so a long run's memory stays flat.
pub const LOG_CAPACITY: usize = 500;

/// One line of the log pane.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    /// Front-end clock when the event arrived.
    pub at: Duration,
    /// Severity; warnings and errors get a tag.
    pub level: LogLevel,
    /// The line without time or tag.
    pub text: String,
}

/// A ring of at most [`LOG_CAPACITY`] lines.
#[derive(Debug, Clone, Default)]
pub struct LogBuffer {
    lines: VecDeque<LogLine>,
}

impl LogBuffer {
    /// Appends a line, dropping the oldest beyond the capacity.
    pub fn push(&mut self, at: Duration, level: LogLevel, text: String) {
        if self.lines.len() == LOG_CAPACITY {
            self.lines.pop_front();
        }
        self.lines.push_back(LogLine { at, level, text });
    }

    /// All kept lines, oldest first.
    pub fn lines(&self) -> &VecDeque<LogLine> {
        &self.lines
    }

    /// Number of kept lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// True before anything was logged.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}
