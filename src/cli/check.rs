//! `mkd-tui check PRESET`: validate and print the plan; trains nothing.

use super::args::CheckArgs;
use super::loaded_model;
use super::ExitCode;
use crate::describe::params;
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
    // A plan that cannot run is not valid: read the data and any teacher weights now.
    let data = match crate::data::load(&p.data, p.seed) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{}: data: {e}", args.preset.display());
            return Ok(ExitCode::BadInput);
        }
    };
    let mut loaded_notes = Vec::new();
    for s in plan.stages.iter().filter(|s| s.weights.is_some()) {
        let path = s.weights.as_deref().unwrap_or_else(|| unreachable!());
        match loaded_model::judge(s, &plan, &data, path) {
            Ok(note) => loaded_notes.push((s.index, note)),
            Err(e) => {
                eprintln!("{}: chain.{}.weights: {e:#}", args.preset.display(), s.name);
                return Ok(ExitCode::BadInput);
            }
        }
    }
    // Opens the GPU a run would train on: a missing one is found here, not at the run's start.
    let device = match p.device.resolve() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{}: {e}", args.preset.display());
            return Ok(ExitCode::BadInput);
        }
    };
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
    println!(
        "augment   {}{}",
        p.data.augment.summary(),
        if p.data.augment.is_on() {
            " (teachers run every batch: the logit cache is for un-augmented inputs)"
        } else {
            ""
        }
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
        "device    {}{}",
        crate::device::describe(&device),
        match (p.device.is_auto(), crate::device::CUDA_BUILT) {
            (true, true) => " (auto: the first GPU when one is present)",
            (true, false) => " (auto; this build has no CUDA: see README \"Training on a GPU\")",
            (false, _) => "",
        }
    );
    println!(
        "distill   T = {} · alpha = {} · KL {}\nstop      {}",
        p.distill.temperature,
        p.distill.alpha,
        p.distill.kl_reduction.as_str(),
        p.stop.summary()
    );
    println!(
        "strategy  {}{}",
        p.strategy.as_str(),
        match p.strategy {
            crate::planner::Strategy::Dgkd => format!(
                " · each model taught by all above, drop_num {}",
                p.distill.drop_num
            ),
            crate::planner::Strategy::Dynamic =>
                " · the planner chooses the assistants after the teacher".into(),
            _ => String::new(),
        }
    );
    if let Some(planner) = &p.planner {
        println!("{}", super::check_planner::describe(planner, &plan));
    }
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
            params(s.params),
            params(s.macs),
            s.epochs,
            arms,
            s.taught_by
                .map_or("—".to_string(), |t| plan.stages[t].name.clone())
        );
        if let Some(w) = &s.weights {
            println!("    weights: {}", w.display());
        }
        for (_, note) in loaded_notes.iter().filter(|(i, _)| *i == s.index) {
            println!("    {}", note.accuracy);
            for warning in &note.warnings {
                println!("    warning: {warning}");
            }
        }
    }
    if let Some(max) = p.stop.max_epochs {
        println!("          (stop.max_epochs {max} caps every stage below)");
    }
    let work = plan.work_macs(train, val + test);
    let epochs: usize = plan
        .stages
        .iter()
        .map(|s| plan.capped_epochs(s) * s.arms.len())
        .sum();
    println!();
    println!(
        "work      {epochs} arm-epochs · ≈ {} (training ≈ 3× forward, plus teacher forwards for kd arms)",
        if work >= 1e12 { format!("{:.1} TMAC", work / 1e12) } else { format!("{:.1} GMAC", work / 1e9) }
    );
    Ok(ExitCode::Success)
}
