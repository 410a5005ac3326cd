//! `mkd-tui check`: the planner's ladder and prior, before any training.

use std::fmt::Write as _;

use crate::describe::params;
use crate::planner::prior::prior;
use crate::planner::{Ladder, PlannerConfig};
use crate::session::Plan;

/// `planner   max_ratio 8 · … ` then the ladder with parameters and the prior.
pub fn describe(cfg: &PlannerConfig, plan: &Plan) -> String {
    let ladder = Ladder::build(&cfg.ladder, plan.input, plan.num_classes);
    let teacher = &plan.stages[0];
    let student = plan.stages.last().expect("a student");
    let mut s = format!(
        "planner   max_ratio {} · probe_fraction {} ({} epochs per probe) · min_gain {} pp · max_assistants {} · probe budget {}",
        cfg.max_ratio,
        cfg.probe_fraction,
        cfg.probe_epochs(student.epochs),
        cfg.min_gain,
        cfg.max_assistants,
        cfg.probe_budget.map_or("unlimited".into(), |b| format!("{b} epochs"))
    );
    let rungs: Vec<String> = ladder
        .rungs
        .iter()
        .map(|r| format!("{} ({})", r.label, params(r.params)))
        .collect();
    let _ = write!(s, "\nladder    {}", rungs.join(", "));
    for (label, why) in &ladder.skipped {
        let _ = write!(s, "\n          left out {label}: {why}");
    }
    if plan.stages.len() > 1 {
        let pr = prior(
            &ladder,
            teacher.params,
            student.params,
            cfg.max_ratio,
            cfg.max_assistants,
        );
        let names: Vec<&str> = pr
            .rungs
            .iter()
            .map(|&i| ladder.rungs[i].label.as_str())
            .collect();
        let _ = write!(
            s,
            "\nprior     {} → {} is {:.1}× in parameters: k₀ = {} ({})",
            teacher.spec.label(),
            student.spec.label(),
            teacher.params as f64 / student.params.max(1) as f64,
            pr.k0,
            if names.is_empty() {
                "no assistant".into()
            } else {
                names.join(", ")
            }
        );
    }
    s
}
