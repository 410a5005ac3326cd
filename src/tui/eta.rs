//! Time left in the run, estimated from measured epoch times.
//!
//! The current stage costs its remaining arm-epochs at its own mean seconds per arm-epoch. Later
//! stages are scaled from that by their forward cost: an arm-epoch of a model with `macs` M costs
//! `M / M_ref` times the reference one. That ignores the teacher's extra forward passes in the KD
//! arm (and their end when distillation stops) and evaluation time; cached control arms cost
//! nothing. It is an estimate for a human, not a schedule.

use super::nodes::NodeState;

/// Seconds left, or `None` until some stage has finished an epoch (nothing measured yet), or when
/// there is no current stage.
pub fn seconds_left(nodes: &[NodeState], current: usize, max_epochs: Option<usize>) -> Option<f64> {
    let node = nodes.get(current)?;
    // The reference measurement: the current stage once it has one, else the latest earlier stage.
    let (reference, seconds) = (0..=current)
        .rev()
        .find_map(|i| nodes[i].mean_epoch_seconds().map(|s| (i, s)))?;
    let per_arm_epoch = |i: usize| -> f64 {
        let (m, m_ref) = (nodes[i].summary.macs, nodes[reference].summary.macs);
        if i == reference || m == 0 || m_ref == 0 {
            seconds
        } else {
            seconds * m as f64 / m_ref as f64
        }
    };
    let bound = |epochs: usize| max_epochs.map_or(epochs, |max| epochs.min(max));

    let mut left = 0.0;
    if !(node.stage_ended() || node.is_loaded()) {
        let epochs = bound(node.epochs);
        let arm_epochs: usize = node
            .trained_arms()
            .map(|arm| epochs.saturating_sub(node.epochs_done(arm)))
            .sum();
        left += arm_epochs as f64 * per_arm_epoch(current);
    }
    for (i, later) in nodes.iter().enumerate().skip(current + 1) {
        if later.is_loaded() {
            continue;
        }
        let arm_epochs = bound(later.epochs) * later.trained_arms().count();
        left += arm_epochs as f64 * per_arm_epoch(i);
    }
    Some(left)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{ArmKind, EpochRecord, NodeSummary, Role};

    fn node(name: &str, macs: u64, epochs: usize, arms: Vec<ArmKind>) -> NodeState {
        NodeState::new(NodeSummary {
            name: name.into(),
            role: Role::Assistant,
            arch: "mlp".into(),
            params: 1,
            macs,
            epochs,
            taught_by: None,
            arms,
            weights: None,
        })
    }

    fn epoch(node: &mut NodeState, arm: ArmKind, epoch: usize, seconds: f64) {
        node.history.entry(arm).or_default().push(EpochRecord {
            stage: 0,
            model: node.summary.name.clone(),
            arm,
            epoch,
            train_loss: 0.5,
            val_acc: 80.0,
            test_acc: 80.0,
            lr: 0.1,
            seconds,
            images_per_s: 1000.0,
            distilled: false,
        });
    }

    #[test]
    fn nothing_measured_means_no_estimate() {
        let nodes = vec![node("t", 100, 4, vec![ArmKind::Scratch])];
        assert_eq!(seconds_left(&nodes, 0, None), None);
    }

    #[test]
    fn remaining_epochs_of_current_and_scaled_later_stages() {
        let mut t = node("t", 100, 4, vec![ArmKind::Scratch]);
        epoch(&mut t, ArmKind::Scratch, 1, 10.0);
        t.started = true;
        // A later stage at half the MACs with two arms and 2 epochs: 2*2 arm-epochs at 5 s.
        let s = node("s", 50, 2, vec![ArmKind::Kd, ArmKind::Scratch]);
        let nodes = vec![t, s];
        // Current: 3 epochs left at 10 s = 30 s; later: 20 s.
        assert_eq!(seconds_left(&nodes, 0, None), Some(50.0));
        // max_epochs 2 bounds both stages: 1 epoch left (10 s) + 2*2 at 5 s.
        assert_eq!(seconds_left(&nodes, 0, Some(2)), Some(30.0));
    }
}
