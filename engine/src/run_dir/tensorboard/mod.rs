//! TensorBoard event files beside `events.jsonl`: `tb/<model>/<arm>/events.out.tfevents.*`, one
//! TensorBoard run per arm, so `tensorboard --logdir runs` shows every run side by side.
//!
//! Tags: `val_acc`, `test_acc` (%), `train_loss`, `lr` per epoch; `delta_pp` (the kd arm's
//! advantage Δ over its controls, pp) per epoch; `stop` (text) when distillation stops or resumes.
//! The step is the epoch (1-based). Written from the same events as `events.jsonl`; a resumed run
//! opens new files beside the old ones (TensorBoard reads every file of a folder, in name order).

mod event_file;
pub mod proto;
pub mod record;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use event_file::EventFile;

use crate::error::{Error, Result};
use crate::protocol::{AdvantageDelta, ArmKind, Event};

/// The folder of the TensorBoard runs inside a run directory.
pub const TB_DIR: &str = "tb";

/// Every event of the event file at `path`, decoded, both CRCs of every record checked.
///
/// Errors: the file cannot be read, a CRC does not match, or a record is not an `Event`
/// ([`std::io::ErrorKind::InvalidData`], naming the file).
pub fn read_events(path: &Path) -> std::io::Result<Vec<proto::Event>> {
    use prost::Message;
    let invalid = |what: String| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{}: {what}", path.display()),
        )
    };
    let file = std::fs::File::open(path)?;
    record::read_records(file)
        .map_err(|e| invalid(e.to_string()))?
        .iter()
        .enumerate()
        .map(|(i, r)| proto::Event::decode(&r[..]).map_err(|e| invalid(format!("record {i}: {e}"))))
        .collect()
}

/// Folds events into one event file per (model, arm), opened when the arm's first value comes.
pub struct TensorBoard {
    root: PathBuf,
    files: HashMap<(String, ArmKind), EventFile>,
}

impl TensorBoard {
    /// Event files will go under `run_dir/tb/`; nothing is created until a value comes.
    pub fn new(run_dir: &Path) -> TensorBoard {
        TensorBoard {
            root: run_dir.join(TB_DIR),
            files: HashMap::new(),
        }
    }

    /// The folder of one arm's TensorBoard run: `tb/<model>/<arm>` (a `/` or `\` in a model name
    /// becomes `_`, so every model stays one folder).
    pub fn arm_dir(run_dir: &Path, model: &str, arm: ArmKind) -> PathBuf {
        let model: String = model
            .chars()
            .map(|c| if c == '/' || c == '\\' { '_' } else { c })
            .collect();
        run_dir.join(TB_DIR).join(model).join(arm.as_str())
    }

    /// Write what `event` holds for TensorBoard (most events hold nothing for it).
    ///
    /// Errors: [`Error::File`] naming the event file (or folder) that could not be written.
    pub fn record(&mut self, event: &Event) -> Result<()> {
        match event {
            Event::EpochEnd(r) => self.file(&r.model, r.arm)?.scalars_at(
                r.epoch,
                &[
                    ("val_acc", r.val_acc),
                    ("test_acc", r.test_acc),
                    ("train_loss", r.train_loss),
                    ("lr", r.lr),
                ],
            ),
            Event::Advantage {
                model,
                epoch,
                delta,
                ..
            } => {
                // Older files carry no epoch; a rule change re-sends the whole curve, of which
                // only this epoch's value is new (TensorBoard keeps what was written).
                let value = match delta {
                    AdvantageDelta::Value(v) => *v,
                    AdvantageDelta::Curve(c) => epoch
                        .checked_sub(1)
                        .and_then(|i| c.get(i))
                        .copied()
                        .flatten(),
                };
                match value {
                    Some(v) if *epoch > 0 => self
                        .file(model, ArmKind::Kd)?
                        .scalars_at(*epoch, &[("delta_pp", v)]),
                    _ => Ok(()),
                }
            }
            Event::StopDecision {
                model,
                epoch,
                kind,
                reason,
                after,
                ..
            } => {
                let text = format!(
                    "distillation stopped after epoch {epoch} ({}): {reason}; then: {}",
                    kind.as_str(),
                    after.as_str()
                );
                self.file(model, ArmKind::Kd)?
                    .text_at(*epoch, "stop", &text)
            }
            Event::DistillationResumed { model, epoch, .. } => {
                self.file(model, ArmKind::Kd)?.text_at(
                    *epoch,
                    "stop",
                    &format!("distillation resumed by hand after epoch {epoch}"),
                )
            }
            _ => Ok(()),
        }
    }

    fn file(&mut self, model: &str, arm: ArmKind) -> Result<Opened<'_>> {
        let key = (model.to_string(), arm);
        if !self.files.contains_key(&key) {
            let dir = Self::arm_dir(self.root.parent().unwrap_or(&self.root), model, arm);
            let file = EventFile::create(&dir).map_err(|error| Error::File {
                path: dir.clone(),
                error,
            })?;
            self.files.insert(key.clone(), file);
        }
        Ok(Opened(self.files.get_mut(&key).expect("inserted above")))
    }
}

/// An arm's open file; its writes map I/O errors to [`Error::File`] naming it.
struct Opened<'a>(&'a mut EventFile);

impl Opened<'_> {
    fn scalars_at(self, epoch: usize, values: &[(&str, f64)]) -> Result<()> {
        let r = self.0.scalars(epoch as i64, values);
        self.named(r)
    }

    fn text_at(self, epoch: usize, tag: &str, text: &str) -> Result<()> {
        let r = self.0.text(epoch as i64, tag, text);
        self.named(r)
    }

    fn named(self, r: std::io::Result<()>) -> Result<()> {
        r.map_err(|error| Error::File {
            path: self.0.path().to_path_buf(),
            error,
        })
    }
}
