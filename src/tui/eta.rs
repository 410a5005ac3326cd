//! Time left in the run, from the wall time the run has taken so far per unit of work.
//!
//! Work is counted in forward-pass MACs per training image: an arm-epoch of a model with `M` MACs
//! costs `3·M` (forward and backward), plus `T` for the teacher's forward pass while a distilled
//! arm learns from a teacher of `T` MACs — only when teachers run every batch (augmentation on);
//! otherwise their logits are cached once per stage and cost next to nothing. Cached control arms
//! and loaded models cost nothing. The
//! rate is the run's active wall time (pauses left out) over the work done: it holds everything a
//! run spends per epoch — evaluation, checkpoints, the event log — not only the training steps,
//! which made the earlier estimate 2–3× short. It is an estimate for a human, not a schedule.

use super::nodes::NodeState;
use crate::protocol::ArmKind;

/// Seconds left, or `None` until an epoch has ended (nothing measured yet) or with no current
/// stage. `active_seconds` is the run's wall time so far without its paused time;
/// `teachers_run` whether distilled arms run their teacher every batch (augmentation on).
pub fn seconds_left(
    nodes: &[NodeState],
    current: usize,
    max_epochs: Option<usize>,
    active_seconds: f64,
    teachers_run: bool,
) -> Option<f64> {
    nodes.get(current)?;
    let bound = |epochs: usize| max_epochs.map_or(epochs, |max| epochs.min(max));
    let (mut done, mut left) = (0.0, 0.0);
    for (i, node) in nodes.iter().enumerate() {
        if node.is_loaded() {
            continue;
        }
        for arm in node.trained_arms() {
            let cost = arm_epoch_cost(nodes, i, arm, teachers_run);
            let finished = node.epochs_done(arm);
            done += finished as f64 * cost;
            let ended = i < current || node.stage_ended();
            if !ended {
                left += bound(node.epochs).saturating_sub(finished) as f64 * cost;
            }
        }
    }
    (done > 0.0).then(|| left * active_seconds / done)
}

/// The work of one arm-epoch of node `i`'s `arm`, in MACs per training image.
fn arm_epoch_cost(nodes: &[NodeState], i: usize, arm: ArmKind, teachers_run: bool) -> f64 {
    let own = 3.0 * nodes[i].summary.macs as f64;
    let teacher = match arm {
        _ if !teachers_run => None,
        ArmKind::Scratch => None,
        ArmKind::KdFromTeacher => nodes.first(),
        ArmKind::Kd => nodes[i]
            .summary
            .taught_by
            .as_ref()
            .and_then(|t| nodes.iter().find(|n| &n.summary.name == t)),
    };
    own + teacher.map_or(0.0, |t| t.summary.macs as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{EpochRecord, NodeSummary, Role};

    fn node(name: &str, macs: u64, epochs: usize, arms: Vec<ArmKind>) -> NodeState {
        NodeState::new(NodeSummary {
            name: name.into(),
            role: Role::Assistant,
            arch: "mlp".into(),
            params: 1,
            macs,
            epochs,
            taught_by: (name != "t").then(|| "t".to_string()),
            arms,
            weights: None,
        })
    }

    fn epoch(node: &mut NodeState, arm: ArmKind, epoch: usize) {
        node.history.entry(arm).or_default().push(EpochRecord {
            stage: 0,
            model: node.summary.name.clone(),
            arm,
            epoch,
            train_loss: 0.5,
            val_acc: 80.0,
            test_acc: 80.0,
            lr: 0.1,
            seconds: 1.0,
            images_per_s: 1000.0,
            distilled: false,
        });
    }

    #[test]
    fn nothing_measured_means_no_estimate() {
        let nodes = vec![node("t", 100, 4, vec![ArmKind::Scratch])];
        assert_eq!(seconds_left(&nodes, 0, None, 5.0, true), None);
    }

    #[test]
    fn remaining_work_at_the_rate_of_the_work_done() {
        // Teacher: 100 MACs, 4 epochs, 1 done in 12 s → 300 work units per epoch, 0.04 s a unit.
        let mut t = node("t", 100, 4, vec![ArmKind::Scratch]);
        epoch(&mut t, ArmKind::Scratch, 1);
        t.started = true;
        // Student: 50 MACs, kd arm (150 + teacher 100 = 250) and scratch arm (150), 2 epochs.
        let s = node("s", 50, 2, vec![ArmKind::Kd, ArmKind::Scratch]);
        let nodes = vec![t, s];
        // Left: teacher 3·300 = 900; student 2·250 + 2·150 = 800; 1700 units at 0.04 s.
        let left = seconds_left(&nodes, 0, None, 12.0, true).unwrap();
        assert!((left - 68.0).abs() < 1e-9, "{left}");
        // max_epochs 2: teacher 1·300, student as before: 1100 units.
        let left = seconds_left(&nodes, 0, Some(2), 12.0, true).unwrap();
        assert!((left - 44.0).abs() < 1e-9, "{left}");
        // Teachers' logits cached: the student's arms cost 150 each, 600 left with the
        // teacher's 900.
        let left = seconds_left(&nodes, 0, None, 12.0, false).unwrap();
        assert!((left - 60.0).abs() < 1e-9, "{left}");
    }
}
