//! The planner's events in one line each, the same in every front end.

use crate::protocol::{Event, ProbeKind};

/// One line for a log, for the planner's events and `PlanChanged` (`None` for the others), so
/// both front ends say the same thing.
pub fn planner_line(event: &Event) -> Option<String> {
    Some(match event {
        Event::PlannerStarted {
            teacher,
            student,
            ladder,
            thresholds: th,
            probe_epochs,
            prior_k0,
            prior,
        } => {
            let ratio = teacher.params as f64 / student.params.max(1) as f64;
            let ladder: Vec<&str> = ladder.iter().map(|e| e.label.as_str()).collect();
            format!(
                "planner: {} → {} is {ratio:.1}× in parameters; prior k₀ = {prior_k0} ({}) with max_ratio {}; probes of {probe_epochs} epoch{}, min_gain {:.2} pp, max_assistants {}, budget {}; ladder {}",
                teacher.label,
                student.label,
                if prior.is_empty() { "none".to_string() } else { prior.join(", ") },
                th.max_ratio,
                if *probe_epochs == 1 { "" } else { "s" },
                th.min_gain,
                th.max_assistants,
                th.probe_budget.map_or("unlimited".to_string(), |b| format!("{b} epochs")),
                ladder.join(" ")
            )
        }
        Event::PlannerCandidate {
            candidate,
            above,
            below,
            scratch_acc,
            middle_acc,
            ..
        } => format!(
            "planner: probing {candidate} between {above} and {below} (scratch {scratch_acc:.2}%, nearest the middle {middle_acc:.2}%)"
        ),
        Event::PlannerProbe {
            chain,
            kind,
            val_acc,
            epochs,
            seconds,
            ..
        } => format!(
            "planner: probe {} {}: val {val_acc:.2}% after {epochs} epoch{} ({seconds:.1}s)",
            match kind {
                ProbeKind::Scratch => "scratch",
                ProbeKind::Distilled => "kd",
            },
            chain.join(" → "),
            if *epochs == 1 { "" } else { "s" },
        ),
        Event::PlannerDecision {
            candidate,
            verdict,
            reason,
            ..
        } => format!("planner: {candidate} {}: {reason}", verdict.as_str()),
        Event::PlannerFinished {
            assistants,
            reason,
            probe_epochs,
            probe_images,
            probe_seconds,
        } => format!(
            "planner: chose {} ({reason}); probes {probe_epochs} epochs, {probe_images} images, {probe_seconds:.1}s",
            if assistants.is_empty() {
                "no assistant".to_string()
            } else {
                assistants.join(", ")
            }
        ),
        Event::PlannerThresholdsApplied { thresholds: t } => format!(
            "planner thresholds applied: max_ratio {} · min_gain {:.2} pp · max_assistants {} · budget {}",
            t.max_ratio,
            t.min_gain,
            t.max_assistants,
            t.probe_budget
                .map_or("unlimited".to_string(), |b| format!("{b} epochs"))
        ),
        Event::PlanChanged { plan } => {
            let chain: Vec<String> = plan
                .nodes
                .iter()
                .map(|n| format!("{} {}", n.name, n.arch))
                .collect();
            format!("chain: {}", chain.join(" → "))
        }
        _ => return None,
    })
}
