//! Following `events.jsonl`: a viewer's event source, the same [`Event`]s the worker sends its own
//! front end.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::time::Duration;

use crossbeam_channel::Sender;

use crate::protocol::Event;

/// How often a follower looks for new lines.
const POLL: Duration = Duration::from_millis(200);

/// Why following stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowEnd {
    /// A terminal event (finished, aborted, failed) was passed on.
    Terminal,
    /// `alive()` said the run's process is gone, and no more lines came.
    ProcessGone,
    /// The receiver went away (the viewer quit).
    Disconnected,
}

/// Send every event in `path` from its first line to `to`, then keep sending new ones as they are
/// appended, until a terminal event, until `alive()` turns false with nothing more to read, or
/// until `to` is dropped. A half-written last line is waited for; a line that does not parse is
/// skipped.
///
/// Errors: the file cannot be opened.
pub fn follow_events(
    path: &Path,
    to: &Sender<Event>,
    alive: &dyn Fn() -> bool,
) -> std::io::Result<FollowEnd> {
    let file = std::fs::File::open(path)
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    let mut reader = BufReader::new(file);
    let mut pending = String::new();
    loop {
        let read = reader.read_line(&mut pending)?;
        if read > 0 && pending.ends_with('\n') {
            let line = std::mem::take(&mut pending);
            if let Ok(event) = serde_json::from_str::<Event>(line.trim_end()) {
                let terminal = event.is_terminal();
                if to.send(event).is_err() {
                    return Ok(FollowEnd::Disconnected);
                }
                if terminal {
                    return Ok(FollowEnd::Terminal);
                }
            }
            continue;
        }
        // At the end of what is written: is anyone still writing?
        let gone = !alive();
        std::thread::sleep(POLL);
        if gone && reader.fill_buf()?.is_empty() {
            return Ok(FollowEnd::ProcessGone);
        }
    }
}
