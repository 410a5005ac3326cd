//! Writes every lifecycle event to `events.jsonl`, every epoch to `metrics.csv`, and the curves to
//! TensorBoard event files (`tb/`) as it happens.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use super::tensorboard::TensorBoard;
use super::RunDir;
use crate::error::{Error, Result};
use crate::protocol::Event;

/// Appends events to the run directory. `BatchProgress` is not recorded (it is lossy and
/// frequent); every other event is one JSON line, flushed at once so a reader — or a crash —
/// sees everything up to the last epoch. Curves also go to TensorBoard ([`TensorBoard`]); a
/// resumed run writes new event files beside the interrupted run's.
pub struct Recorder {
    events: BufWriter<File>,
    metrics: BufWriter<File>,
    events_path: PathBuf,
    metrics_path: PathBuf,
    tensorboard: TensorBoard,
    /// Lines in `events.jsonl` and `metrics.csv` (header included) so far.
    lines: (usize, usize),
}

/// Header of `metrics.csv`.
pub const METRICS_HEADER: &str =
    "model,arm,epoch,train_loss,val_acc,test_acc,lr,seconds,images_per_s,distilled";

impl Recorder {
    /// Create `events.jsonl` and `metrics.csv` (with its header) in `dir`.
    pub fn create(dir: &RunDir) -> std::io::Result<Recorder> {
        let events_path = dir.events_path();
        let metrics_path = dir.metrics_path();
        let events = BufWriter::new(File::create(&events_path)?);
        let mut metrics = BufWriter::new(File::create(&metrics_path)?);
        writeln!(metrics, "{METRICS_HEADER}")?;
        metrics.flush()?;
        Ok(Recorder {
            events,
            metrics,
            events_path,
            metrics_path,
            tensorboard: TensorBoard::new(dir.path()),
            lines: (0, 1),
        })
    }

    /// Reopen the files of an interrupted run, cut back to their first `events_lines` and
    /// `metrics_lines` lines (what a checkpoint had seen), so a resumed run records each epoch
    /// exactly once. Each file is rewritten atomically (temporary file, then rename).
    /// Returns the recorder and the events kept, oldest first.
    ///
    /// Errors: a file is missing, shorter than asked, or holds a line that is not an event.
    pub fn resume(
        dir: &RunDir,
        events_lines: usize,
        metrics_lines: usize,
    ) -> std::io::Result<(Recorder, Vec<Event>)> {
        let events_path = dir.events_path();
        let metrics_path = dir.metrics_path();
        let kept_events = truncate_lines(&events_path, events_lines)?;
        truncate_lines(&metrics_path, metrics_lines)?;
        let mut events = Vec::with_capacity(kept_events.len());
        for (i, line) in kept_events.iter().enumerate() {
            let event = serde_json::from_str(line).map_err(|e| {
                std::io::Error::other(format!(
                    "{}:{}: not an event ({e})",
                    events_path.display(),
                    i + 1
                ))
            })?;
            events.push(event);
        }
        let append = |p: &PathBuf| std::fs::OpenOptions::new().append(true).open(p);
        Ok((
            Recorder {
                events: BufWriter::new(append(&events_path)?),
                metrics: BufWriter::new(append(&metrics_path)?),
                events_path,
                metrics_path,
                tensorboard: TensorBoard::new(dir.path()),
                lines: (events_lines, metrics_lines),
            },
            events,
        ))
    }

    /// Lines written so far to `events.jsonl` and to `metrics.csv` (its header included).
    pub fn lines(&self) -> (usize, usize) {
        self.lines
    }

    /// Record one event.
    ///
    /// Errors: [`Error::File`] naming the file that could not be written.
    pub fn record(&mut self, event: &Event) -> Result<()> {
        if event.is_lossy() {
            return Ok(());
        }
        let line = serde_json::to_string(event).expect("events always serialise");
        writeln!(self.events, "{line}")
            .and_then(|_| self.events.flush())
            .map_err(|error| Error::File {
                path: self.events_path.clone(),
                error,
            })?;
        self.lines.0 += 1;
        if let Event::EpochEnd(r) = event {
            writeln!(
                self.metrics,
                "{},{},{},{:.6},{:.4},{:.4},{:.8},{:.3},{:.1},{}",
                r.model,
                r.arm.as_str(),
                r.epoch,
                r.train_loss,
                r.val_acc,
                r.test_acc,
                r.lr,
                r.seconds,
                r.images_per_s,
                r.distilled
            )
            .and_then(|_| self.metrics.flush())
            .map_err(|error| Error::File {
                path: self.metrics_path.clone(),
                error,
            })?;
            self.lines.1 += 1;
        }
        self.tensorboard.record(event)
    }
}

/// Keep the first `n` lines of `path` (rewritten atomically); returns them.
fn truncate_lines(path: &std::path::Path, n: usize) -> std::io::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    let lines: Vec<String> = text.lines().take(n).map(str::to_string).collect();
    if lines.len() < n {
        return Err(std::io::Error::other(format!(
            "{}: {} lines, the checkpoint expects at least {n}",
            path.display(),
            lines.len()
        )));
    }
    let mut kept = lines.join("\n");
    if n > 0 {
        kept.push('\n');
    }
    super::atomic::write_atomic(
        path,
        kept.as_bytes(),
        "cutting the record back to the checkpoint",
    )?;
    Ok(lines)
}
