//! Events of one stage: its start, batch progress, epoch ends, a control replayed from the
//! cache, and its end with every arm's result.

use crate::describe::log;
use crate::protocol::{ArmKind, Event};

use super::super::nodes::KdRequest;
use super::*;

impl App {
    /// Folds an event of one stage (the others are ignored here).
    pub(super) fn on_stage_event(&mut self, event: &Event) {
        match event {
            Event::StageStarted {
                stage,
                model,
                epochs,
                batches_per_epoch,
                arms,
            } => {
                let Some(i) = self.node_index(model, *stage) else {
                    self.warn(format!(
                        "stage {} started for unknown model {model}",
                        stage + 1
                    ));
                    return;
                };
                self.current = Some(i);
                // Models with loaded weights before this one are ready whether or not the worker
                // announced them with stages of their own.
                for earlier in self.nodes[..i].iter_mut().filter(|n| n.is_loaded()) {
                    earlier.started = true;
                    earlier.finished = true;
                }
                let total = self.nodes.len();
                let node = &mut self.nodes[i];
                node.started = true;
                node.epochs = *epochs;
                if !arms.is_empty() {
                    node.arms = arms.clone();
                }
                let text = log::stage_started(
                    (i + 1, total),
                    model,
                    &node.summary,
                    *epochs,
                    *batches_per_epoch,
                    &node.arms,
                );
                self.info(text);
            }
            Event::BatchProgress {
                stage,
                arm,
                epoch,
                batch,
                batches,
                loss,
            } => {
                if let Some(node) = self.nodes.get_mut(*stage) {
                    node.batch.insert(
                        *arm,
                        crate::tui::nodes::BatchState {
                            epoch: *epoch,
                            batch: *batch,
                            batches: *batches,
                            loss: *loss,
                        },
                    );
                }
            }
            Event::EpochEnd(record) => {
                let Some(i) = self.node_index(&record.model, record.stage) else {
                    return;
                };
                let node = &mut self.nodes[i];
                node.history
                    .entry(record.arm)
                    .or_default()
                    .push(record.clone());
                // A manual request the worker let pass without an echo (it only answers requests
                // that change something) is not pending any more once a later epoch ended.
                let stale = node
                    .kd_request
                    .filter(|r| record.arm == ArmKind::Kd && record.epoch > r.epoch());
                if stale.is_some() {
                    node.kd_request = None;
                }
                let labels = record.arm == ArmKind::Kd
                    && node.kd_stop().is_some_and(|s| s.epoch < record.epoch);
                let text = log::epoch_end(record, node.epochs, node.is_cached(record.arm), labels);
                self.info(text);
                if let Some(request) = stale {
                    let what = match request {
                        KdRequest::Stop { .. } => "stop",
                        KdRequest::Resume { .. } => "resume",
                    };
                    self.warn(format!(
                        "{}: the {what} of distillation asked for epoch {} was not applied",
                        record.model,
                        request.epoch()
                    ));
                }
            }
            Event::ControlCached {
                stage,
                model,
                arm,
                path,
            } => {
                if let Some(i) = self.node_index(model, *stage) {
                    self.nodes[i].cached.insert(*arm, path.clone());
                }
                self.log_event(event);
            }
            Event::StageFinished { stage, model, arms } => {
                let Some(i) = self.node_index(model, *stage) else {
                    return;
                };
                let node = &mut self.nodes[i];
                node.finished = true;
                node.results = arms.clone();
                node.batch.clear();
                node.kd_request = None;
                let loaded = node.is_loaded();
                let lines: Vec<String> = arms
                    .iter()
                    .map(|r| log::arm_finished(model, r, loaded))
                    .collect();
                for line in lines {
                    self.info(line);
                }
            }
            _ => {}
        }
    }
}
