//! Events of the stop of distillation: the rule in force, a stop decision, a resume of
//! distillation, and the advantage curve Δ.

use crate::protocol::Event;

use super::super::nodes::{KdChange, KdStop};
use super::*;

impl App {
    /// Folds an event of the stop of distillation (the others are ignored here).
    pub(super) fn on_stop_event(&mut self, event: &Event) {
        match event {
            Event::StopRuleApplied { rule } => {
                // The worker may confirm the rule in force at every epoch end; log changes only.
                let news = self.stop.applied() != Some(rule) || self.stop.sent().is_some();
                self.stop.on_applied(rule);
                if news {
                    self.log_event(event);
                }
            }
            Event::StopDecision {
                stage,
                model,
                epoch,
                kind,
                reason,
                delta,
                best_delta,
                after,
            } => {
                let stop = KdStop {
                    epoch: *epoch,
                    kind: *kind,
                    after: *after,
                    reason: reason.clone(),
                    delta: *delta,
                    best_delta: *best_delta,
                };
                if let Some(i) = self.node_index(model, *stage) {
                    let node = &mut self.nodes[i];
                    node.kd_changes.push(KdChange::Stopped(stop));
                    node.kd_request = None;
                }
                self.log_event(event);
            }
            Event::DistillationResumed {
                stage,
                model,
                epoch,
            } => {
                if let Some(i) = self.node_index(model, *stage) {
                    let node = &mut self.nodes[i];
                    node.kd_changes.push(KdChange::Resumed(*epoch));
                    node.kd_request = None;
                }
                self.log_event(event);
            }
            Event::Advantage {
                stage,
                model,
                epoch,
                delta,
            } => {
                if let Some(i) = self.node_index(model, *stage) {
                    delta.apply_to(*epoch, &mut self.nodes[i].advantage);
                }
            }
            _ => {}
        }
    }
}
