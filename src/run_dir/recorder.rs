//! Writes every lifecycle event to `events.jsonl` and every epoch to `metrics.csv` as it happens.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use super::RunDir;
use crate::protocol::Event;

/// Appends events to the run directory. `BatchProgress` is not recorded (it is lossy and
/// frequent); every other event is one JSON line, flushed at once so a reader — or a crash —
/// sees everything up to the last epoch.
pub struct Recorder {
    events: BufWriter<File>,
    metrics: BufWriter<File>,
    events_path: PathBuf,
    metrics_path: PathBuf,
}

/// Header of `metrics.csv`.
pub const METRICS_HEADER: &str =
    "model,arm,epoch,train_loss,val_acc,test_acc,lr,seconds,images_per_s";

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
        })
    }

    /// Record one event. Errors name the file that could not be written.
    pub fn record(&mut self, event: &Event) -> Result<(), String> {
        if event.is_lossy() {
            return Ok(());
        }
        let line = serde_json::to_string(event).expect("events always serialise");
        writeln!(self.events, "{line}")
            .and_then(|_| self.events.flush())
            .map_err(|e| format!("{}: {e}", self.events_path.display()))?;
        if let Event::EpochEnd(r) = event {
            writeln!(
                self.metrics,
                "{},{},{},{:.6},{:.4},{:.4},{:.8},{:.3},{:.1}",
                r.model,
                r.arm.as_str(),
                r.epoch,
                r.train_loss,
                r.val_acc,
                r.test_acc,
                r.lr,
                r.seconds,
                r.images_per_s
            )
            .and_then(|_| self.metrics.flush())
            .map_err(|e| format!("{}: {e}", self.metrics_path.display()))?;
        }
        Ok(())
    }
}
