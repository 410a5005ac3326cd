//! Every stop and resume of a distilled model's teacher, and the epochs it taught in between.

use serde::{Deserialize, Serialize};

use crate::stop::{AfterStop, StopKind};

/// One change of a distilled model's teacher during its stage, in the order they happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum DistillationChange {
    /// `StopDecision`: the teacher is not used after `epoch` (1-based).
    Stopped {
        epoch: usize,
        kind: StopKind,
        /// `labels` (training went on without the teacher) or `finish` (the stage ended).
        after: AfterStop,
        reason: String,
    },
    /// `DistillationResumed`: the teacher is back from the epoch after `epoch` (1-based).
    Resumed { epoch: usize },
}

impl DistillationChange {
    /// `stopped after epoch 1 (manual, then labels): stopped by hand` or `resumed after epoch 5`.
    pub fn text(&self) -> String {
        match self {
            DistillationChange::Stopped {
                epoch,
                kind,
                after,
                reason,
            } => format!(
                "stopped after epoch {epoch} ({}, then {}): {reason}",
                kind.as_str(),
                after.as_str()
            ),
            DistillationChange::Resumed { epoch } => format!("resumed after epoch {epoch}"),
        }
    }
}

/// Epochs `first..=last` (1-based, inclusive) in which the kd arm learned from its teacher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochSpan {
    pub first: usize,
    pub last: usize,
}

/// The spans of a kd arm that ran `epochs_run` epochs with these `changes`: distilled from epoch
/// 1 until a stop, again from the epoch after a resume.
pub fn distilled_spans(changes: &[DistillationChange], epochs_run: usize) -> Vec<EpochSpan> {
    let mut spans = Vec::new();
    // The first epoch of the span in progress; `None` while the teacher is off.
    let mut from = Some(1);
    for change in changes {
        match (change, from) {
            (DistillationChange::Stopped { epoch, .. }, Some(first)) => {
                if *epoch >= first {
                    spans.push(EpochSpan {
                        first,
                        last: *epoch,
                    });
                }
                from = None;
            }
            (DistillationChange::Resumed { epoch }, None) => from = Some(epoch + 1),
            _ => {}
        }
    }
    if let Some(first) = from.filter(|&f| f <= epochs_run) {
        spans.push(EpochSpan {
            first,
            last: epochs_run,
        });
    }
    spans
}

/// `1–1, 6–6`; `none` when the teacher never taught.
pub fn spans_text(spans: &[EpochSpan]) -> String {
    if spans.is_empty() {
        return "none".into();
    }
    spans
        .iter()
        .map(|s| format!("{}–{}", s.first, s.last))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stop(epoch: usize) -> DistillationChange {
        DistillationChange::Stopped {
            epoch,
            kind: StopKind::Manual,
            after: AfterStop::Labels,
            reason: String::new(),
        }
    }

    #[test]
    fn a_stop_and_a_resume_leave_two_spans() {
        let changes = [stop(1), DistillationChange::Resumed { epoch: 5 }];
        assert_eq!(
            distilled_spans(&changes, 6),
            vec![
                EpochSpan { first: 1, last: 1 },
                EpochSpan { first: 6, last: 6 }
            ]
        );
        assert_eq!(spans_text(&distilled_spans(&changes, 6)), "1–1, 6–6");
    }

    #[test]
    fn no_change_is_one_span_and_a_resume_at_the_end_adds_none() {
        assert_eq!(
            distilled_spans(&[], 4),
            vec![EpochSpan { first: 1, last: 4 }]
        );
        let changes = [stop(2), DistillationChange::Resumed { epoch: 4 }];
        assert_eq!(
            distilled_spans(&changes, 4),
            vec![EpochSpan { first: 1, last: 2 }]
        );
    }
}
