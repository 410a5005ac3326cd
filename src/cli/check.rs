//! `mkd-tui check PRESET`: validate and print the plan; trains nothing.

use super::args::CheckArgs;
use super::ExitCode;
use crate::headless::human;
use crate::preset::{OptimizerConfig, ScheduleConfig};
use crate::session::Plan;

/// Load and validate the preset, then print the plan. Bad presets exit with code 2.
pub fn check(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let loaded = match crate::preset::load(&args.preset, &args.set) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::BadInput);
        }
    };
    let p = &loaded.preset;
    let plan = Plan::new(p);
    let (train, val, test) = p.data.split_sizes();
    println!("{}: valid", args.preset.display());
    if !p.description.is_empty() {
        println!("  {}", p.description);
    }
    println!(
        "data      {} from {} · train {train} / validation {val} / test {test} · seed {}",
        p.data.dataset.as_str(),
        p.data.root.display(),
        p.seed
    );
    let opt = match &p.training.optimizer {
        OptimizerConfig::Sgd {
            lr,
            momentum,
            weight_decay,
            nesterov,
        } => format!(
            "sgd lr {lr} momentum {momentum} weight_decay {weight_decay}{}",
            if *nesterov { " nesterov" } else { "" }
        ),
        OptimizerConfig::Adamw {
            lr, weight_decay, ..
        } => format!("adamw lr {lr} weight_decay {weight_decay}"),
    };
    let sched = match &p.training.schedule {
        ScheduleConfig::Constant => "constant".to_string(),
        ScheduleConfig::Step { milestones, gamma } => format!("step at {milestones:?} × {gamma}"),
        ScheduleConfig::Cosine { min_lr } => format!("cosine to {min_lr}"),
    };
    println!(
        "training  batch {} · {opt} · schedule {sched}",
        p.training.batch_size
    );
    println!(
        "distill   T = {} · alpha = {}\nstop      {}",
        p.distill.temperature,
        p.distill.alpha,
        p.stop.summary()
    );
    println!();
    println!(
        "{:<3} {:<10} {:<8} {:<24} {:>9} {:>11} {:>7}  {:<14} taught by",
        "#", "model", "role", "architecture", "params", "MACs/image", "epochs", "arms"
    );
    for s in &plan.stages {
        let arms = if s.weights.is_some() {
            "loaded".to_string()
        } else {
            s.arms
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>()
                .join("+")
        };
        println!(
            "{:<3} {:<10} {:<8} {:<24} {:>9} {:>11} {:>7}  {:<14} {}",
            s.index + 1,
            s.name,
            s.role.as_str(),
            s.spec.label(),
            human(s.params),
            human(s.macs),
            s.epochs,
            arms,
            s.taught_by
                .map_or("—".to_string(), |t| plan.stages[t].name.clone())
        );
        if let Some(w) = &s.weights {
            println!("    weights: {}", w.display());
        }
    }
    let work = plan.work_macs(train, val + test);
    let epochs: usize = plan.stages.iter().map(|s| s.epochs * s.arms.len()).sum();
    println!();
    println!(
        "work      {epochs} arm-epochs · ≈ {:.1} TMAC (training ≈ 3× forward, plus teacher forwards for kd arms)",
        work / 1e12
    );
    Ok(ExitCode::Success)
}
