//! The engine's error: one enum for everything on the worker's path (run, stage, epoch, events,
//! checkpoints), as gitui's `asyncgit` has one. The errors of the parts below (data, model,
//! training, run directory, candle, I/O, JSON) convert into it with `?`; the domain variants say
//! which file, model or field went wrong.
//!
//! A [`Context`](Error::Context) layer says what was being done, over the error that stopped it;
//! [`Error::report`] writes the layers and their causes on one line, `: `-separated, as front ends
//! show them (`RunFailed`, `status.json`).

use std::path::PathBuf;

use crate::data::DataError;
use crate::model::ModelError;
use crate::protocol::ArmKind;
use crate::train::TrainError;

/// `Result` with the engine's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What stopped the engine. Messages name the file, model or field involved.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// What was being done (`context`, e.g. "loading the weights of teacher") when `source`
    /// stopped it. Displays the context alone; [`Error::report`] adds the causes.
    #[error("{context}")]
    Context {
        context: String,
        #[source]
        source: Box<Error>,
    },

    /// A file could not be read or written (a run directory's `events.jsonl`, `report.json`, a
    /// checkpoint generation's file, …).
    #[error("{}: {error}", path.display())]
    File {
        path: PathBuf,
        error: std::io::Error,
    },

    /// A JSON file the engine reads does not hold what it should.
    #[error("{}: {error}", path.display())]
    BadJson {
        path: PathBuf,
        error: serde_json::Error,
    },

    /// The user quit while the planner probed (strategy `dynamic`).
    #[error("stopped by the user during a planner probe")]
    Interrupted,

    /// Strategy `dynamic` without the preset's `planner:` section.
    #[error("strategy `dynamic` needs a `planner:` section")]
    NoPlannerSection,

    /// A stage that teaches the next one was halted before any epoch ended.
    #[error(
        "{model} has no best checkpoint yet (halted in its first epoch) to teach the next stage"
    )]
    NoBestCheckpoint {
        /// The stage's model name.
        model: String,
    },

    /// A resume checkpoint is of another stage, or of other arms, than the preset plans (boxed:
    /// the rarest error should not make every `Result` of the engine larger).
    #[error("{0}")]
    CheckpointMismatch(Box<CheckpointMismatch>),

    /// A resume checkpoint's arm was replayed from the control cache, and the cached curve is
    /// gone or unreadable now.
    #[error(
        "{}: the {} arm of {model} was replayed from the control cache, and {} is gone or unreadable now",
        checkpoint.display(),
        arm.as_str(),
        cache.display()
    )]
    ControlCacheGone {
        /// The checkpoint generation's folder.
        checkpoint: PathBuf,
        arm: ArmKind,
        model: String,
        /// The cache file.
        cache: PathBuf,
    },

    /// Inside candle (shapes, devices, …).
    #[error(transparent)]
    Candle(#[from] candle_core::Error),

    /// I/O without a file name of its own (the message names one where the OS does).
    #[error(transparent)]
    Io(#[from] std::io::Error),

    /// JSON (de)serialisation.
    #[error(transparent)]
    Json(#[from] serde_json::Error),

    #[error(transparent)]
    Data(#[from] DataError),

    #[error(transparent)]
    Model(#[from] ModelError),

    #[error(transparent)]
    Train(#[from] TrainError),

    /// The preset's `device` cannot be used (CUDA not built in, no such GPU).
    #[error(transparent)]
    Device(#[from] crate::device::DeviceError),

    /// The planner's search asked its oracle for something it cannot answer (a bug, not input).
    #[error("planner: {0}")]
    PlannerProbe(&'static str),
}

impl Error {
    /// The message and every cause below it on one line, `: `-separated (what `anyhow`'s `{:#}`
    /// writes): "training student (kd arm), epoch 3: training loss is not finite …".
    pub fn report(&self) -> String {
        let mut line = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            // Many errors (candle's, ours with `{source}` in the message) already print their
            // cause: a full disk read "No space left on device" three times over.
            let text = c.to_string();
            if !line.contains(&text) {
                line.push_str(": ");
                line.push_str(&text);
            }
            cause = c.source();
        }
        line
    }

    /// The training error under the context layers, if the error is one.
    pub fn train_error(&self) -> Option<&TrainError> {
        match self {
            Error::Context { source, .. } => source.train_error(),
            Error::Train(e) => Some(e),
            _ => None,
        }
    }

    /// This error under a layer saying what was being done.
    pub fn context(self, context: impl Into<String>) -> Error {
        Error::Context {
            context: context.into(),
            source: Box::new(self),
        }
    }
}

/// `.context(…)` and `.with_context(|| …)` on results whose error converts into [`Error`]:
/// a [`Context`](Error::Context) layer over it.
pub trait Context<T> {
    /// The error under `context`.
    fn context(self, context: impl Into<String>) -> Result<T>;

    /// The error under the context `f` returns (built only on error).
    fn with_context<S: Into<String>>(self, f: impl FnOnce() -> S) -> Result<T>;
}

impl<T, E: Into<Error>> Context<T> for std::result::Result<T, E> {
    fn context(self, context: impl Into<String>) -> Result<T> {
        self.map_err(|e| e.into().context(context))
    }

    fn with_context<S: Into<String>>(self, f: impl FnOnce() -> S) -> Result<T> {
        self.map_err(|e| e.into().context(f()))
    }
}

/// What [`Error::CheckpointMismatch`] found and what the preset plans.
#[derive(Debug, thiserror::Error)]
#[error(
    "{}: the checkpoint is of {found_model} with arms {found_arms:?}, the preset plans {planned_model} with {planned_arms:?}",
    checkpoint.display()
)]
pub struct CheckpointMismatch {
    /// The checkpoint generation's folder.
    pub checkpoint: PathBuf,
    pub found_model: String,
    pub found_arms: Vec<ArmKind>,
    pub planned_model: String,
    pub planned_arms: Vec<ArmKind>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_lists_the_layers_and_causes_as_anyhow_did() {
        let inner: Result<()> = Err(TrainError::NonFiniteLoss {
            batch: 3,
            loss: f64::NAN,
        }
        .into());
        let ours = inner.context("training s (kd arm), epoch 2").unwrap_err();
        let theirs = anyhow::Error::from(TrainError::NonFiniteLoss {
            batch: 3,
            loss: f64::NAN,
        })
        .context("training s (kd arm), epoch 2");
        assert_eq!(ours.report(), format!("{theirs:#}"));
        assert!(ours.train_error().is_some());
        let io = std::io::Error::other("disk full");
        let model = ModelError::Io {
            path: "a.safetensors".into(),
            source: io,
        };
        // anyhow repeats a cause the message already printed ("disk full: disk full"); the
        // engine's report says it once (a full disk used to read three times over).
        let theirs = format!("{:#}", anyhow::Error::from(model).context("saving"));
        assert_eq!(
            theirs,
            "saving: checkpoint a.safetensors: disk full: disk full"
        );
        let model = ModelError::Io {
            path: "a.safetensors".into(),
            source: std::io::Error::other("disk full"),
        };
        assert_eq!(
            Error::from(model).context("saving").report(),
            "saving: checkpoint a.safetensors: disk full"
        );
    }
}
