//! Checks of values that parse but make no experiment (`epochs: 0`, `alpha: 1.5`, …).

use std::collections::HashSet;

use super::{OptimizerConfig, Preset, ScheduleConfig};

/// One problem: the dotted key path and what was expected.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub field: String,
    pub message: String,
}

fn issue(field: impl Into<String>, message: impl Into<String>) -> Issue {
    Issue {
        field: field.into(),
        message: message.into(),
    }
}

/// Whether the chain's `weights` files must exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightsFiles {
    /// A preset about to train: the teacher is loaded from its file.
    MustExist,
    /// A run's recorded preset read for its own checkpoints (`export`, `predict`): the teacher's
    /// file may have been moved with the run, or deleted, since.
    MayBeGone,
}

/// Every problem found, in file order as far as possible, with the chain's weights files checked
/// as `weights` says. Empty when the preset is usable.
pub fn check_with(p: &Preset, weights: WeightsFiles) -> Vec<Issue> {
    let mut out = Vec::new();
    if p.name.is_empty()
        || !p
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        out.push(issue(
            "name",
            format!(
                "expected letters, digits, '-', '_' or '.' (it names the run directory), got `{}`",
                p.name
            ),
        ));
    }
    check_data(p, &mut out);
    check_training(p, &mut out);
    let d = &p.distill;
    if !(d.temperature.is_finite() && d.temperature > 0.0) {
        out.push(issue(
            "distill.temperature",
            format!("expected a number > 0, got {}", d.temperature),
        ));
    }
    if !(0.0..=1.0).contains(&d.alpha) {
        out.push(issue(
            "distill.alpha",
            format!("expected a number in [0, 1], got {}", d.alpha),
        ));
    }
    let controls: HashSet<_> = d.controls.iter().collect();
    if controls.len() != d.controls.len() {
        out.push(issue(
            "distill.controls",
            "each control arm may appear once",
        ));
    }
    if let Err(msg) = p.stop.validate() {
        // The rule's messages start with the threshold's name.
        let name = msg.split_whitespace().next().unwrap_or("stop");
        out.push(issue(format!("stop.{name}"), msg.clone()));
    }
    check_chain(p, weights, &mut out);
    check_strategy(p, &mut out);
    if let Err(e) = p.device.validate() {
        let message = e.to_string();
        let message = message.strip_prefix("device: ").unwrap_or(&message);
        out.push(issue("device", message));
    }
    out
}

/// The strategy's needs: `dynamic` a planner, `takd`/`dgkd` a chain; the planner's thresholds.
fn check_strategy(p: &Preset, out: &mut Vec<Issue>) {
    use crate::planner::Strategy;
    if p.strategy == Strategy::Dynamic && p.planner.is_none() {
        out.push(issue(
            "planner",
            "strategy `dynamic` needs a `planner:` section with a `ladder`",
        ));
    }
    if p.strategy == Strategy::Dynamic
        && p.chain.teacher.weights.is_none()
        && p.chain.teacher.epochs == Some(0)
    {
        out.push(issue(
            "chain.teacher.epochs",
            "strategy `dynamic` needs a trained teacher",
        ));
    }
    if let Some(planner) = &p.planner {
        for (field, message) in planner.check() {
            out.push(issue(format!("planner.{field}"), message));
        }
    }
}

fn check_data(p: &Preset, out: &mut Vec<Issue>) {
    let d = &p.data;
    if d.augment.pad > 0 && d.augment.jitter > 0 {
        out.push(issue(
            "data.augment",
            "set pad or jitter, not both: both shift the image at random",
        ));
    }
    let side = d
        .dataset
        .image_shape()
        .height
        .min(d.dataset.image_shape().width);
    if d.augment.max_shift() >= side {
        out.push(issue(
            "data.augment",
            format!(
                "expected a shift smaller than the image ({side} px), got {}",
                d.augment.max_shift()
            ),
        ));
    }
    let (official_train, official_test) = d.dataset.official_sizes();
    if d.val_size == 0 {
        out.push(issue(
            "data.val_size",
            "expected at least 1: every decision uses the validation split",
        ));
    }
    if official_test > 0 && d.test_size.is_some() {
        out.push(issue(
            "data.test_size",
            format!(
                "only for datasets without a test split (digits); {} has one",
                d.dataset.as_str()
            ),
        ));
    }
    let pool = if official_test == 0 {
        let test = d.test_size.unwrap_or(official_train / 5);
        if test == 0 || test >= official_train {
            out.push(issue(
                "data.test_size",
                format!(
                    "expected 1..{} images ({} has {official_train})",
                    official_train - 1,
                    d.dataset.as_str()
                ),
            ));
        }
        official_train.saturating_sub(test)
    } else {
        official_train
    };
    if d.val_size >= pool {
        out.push(issue(
            "data.val_size",
            format!("expected fewer than the {pool} images available for training and validation, got {}", d.val_size),
        ));
    }
    let train_pool = pool.saturating_sub(d.val_size);
    let test_pool = if official_test == 0 {
        official_train - pool
    } else {
        official_test
    };
    for (field, limit, available) in [
        ("data.train_limit", d.train_limit, train_pool),
        ("data.test_limit", d.test_limit, test_pool),
    ] {
        match limit {
            Some(0) => out.push(issue(field, "expected at least 1 (leave it out to use all)")),
            Some(n) if n > available => out.push(issue(
                field,
                format!("expected at most the {available} images available, got {n} (leave it out to use all)"),
            )),
            _ => {}
        }
    }
}

fn check_training(p: &Preset, out: &mut Vec<Issue>) {
    let t = &p.training;
    if t.epochs == 0 {
        out.push(issue("training.epochs", "expected at least 1"));
    }
    if t.batch_size == 0 {
        out.push(issue("training.batch_size", "expected at least 1"));
    }
    check_lr("training.optimizer.lr", t.optimizer.lr(), out);
    match &t.optimizer {
        OptimizerConfig::Sgd {
            momentum,
            weight_decay,
            nesterov,
            ..
        } => {
            if !(0.0..1.0).contains(momentum) {
                out.push(issue(
                    "training.optimizer.momentum",
                    format!("expected [0, 1), got {momentum}"),
                ));
            }
            if !(weight_decay.is_finite() && *weight_decay >= 0.0) {
                out.push(issue(
                    "training.optimizer.weight_decay",
                    format!("expected >= 0, got {weight_decay}"),
                ));
            }
            if *nesterov && *momentum == 0.0 {
                out.push(issue(
                    "training.optimizer.nesterov",
                    "nesterov needs momentum > 0",
                ));
            }
        }
        OptimizerConfig::Adamw {
            weight_decay,
            beta1,
            beta2,
            eps,
            ..
        } => {
            if !(weight_decay.is_finite() && *weight_decay >= 0.0) {
                out.push(issue(
                    "training.optimizer.weight_decay",
                    format!("expected >= 0, got {weight_decay}"),
                ));
            }
            for (name, b) in [("beta1", beta1), ("beta2", beta2)] {
                if !(0.0..1.0).contains(b) {
                    out.push(issue(
                        format!("training.optimizer.{name}"),
                        format!("expected [0, 1), got {b}"),
                    ));
                }
            }
            if !(eps.is_finite() && *eps > 0.0) {
                out.push(issue(
                    "training.optimizer.eps",
                    format!("expected > 0, got {eps}"),
                ));
            }
        }
    }
    match &t.schedule {
        ScheduleConfig::Constant => {}
        ScheduleConfig::Step { milestones, gamma } => {
            if milestones.windows(2).any(|w| w[0] >= w[1]) {
                out.push(issue(
                    "training.schedule.milestones",
                    "expected strictly increasing epochs",
                ));
            }
            if !(gamma.is_finite() && *gamma > 0.0) {
                out.push(issue(
                    "training.schedule.gamma",
                    format!("expected > 0, got {gamma}"),
                ));
            }
        }
        ScheduleConfig::Cosine { min_lr } => {
            if !(min_lr.is_finite() && *min_lr >= 0.0 && *min_lr <= t.optimizer.lr()) {
                out.push(issue(
                    "training.schedule.min_lr",
                    format!(
                        "expected 0 <= min_lr <= lr ({}), got {min_lr}",
                        t.optimizer.lr()
                    ),
                ));
            }
        }
    }
}

fn check_lr(field: &str, lr: f64, out: &mut Vec<Issue>) {
    if !(lr.is_finite() && lr > 0.0) {
        out.push(issue(
            field,
            format!("expected a learning rate > 0, got {lr}"),
        ));
    }
}

fn check_chain(p: &Preset, weights: WeightsFiles, out: &mut Vec<Issue>) {
    let input = p.data.dataset.image_shape();
    let mut names = HashSet::new();
    let last = p.chain.assistants.len() + 1;
    for (i, (name, node)) in p.nodes().into_iter().enumerate() {
        let field = if i == 0 {
            "chain.teacher".to_string()
        } else if i == last {
            "chain.student".to_string()
        } else {
            format!("chain.assistants.{}", i - 1)
        };
        if !names.insert(name.clone()) {
            out.push(issue(
                format!("{field}.name"),
                format!("`{name}` names two models; names must be unique"),
            ));
        }
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            out.push(issue(
                format!("{field}.name"),
                format!("expected letters, digits, '-' or '_' (it names checkpoint files), got `{name}`"),
            ));
        }
        if let Err(msg) = node.arch.validate(input) {
            out.push(issue(format!("{field}.arch"), msg));
        }
        if node.epochs == Some(0) {
            out.push(issue(format!("{field}.epochs"), "expected at least 1"));
        }
        if let Some(lr) = node.lr {
            check_lr(&format!("{field}.lr"), lr, out);
        }
        if let Some(w) = &node.weights {
            if i != 0 {
                out.push(issue(
                    format!("{field}.weights"),
                    "only the teacher can be loaded from a file; assistants and the student are distilled",
                ));
            } else if w.is_dir() {
                out.push(issue(
                    format!("{field}.weights"),
                    format!(
                        "`{}` is a folder; expected a safetensors file (e.g. a run's checkpoints/teacher.safetensors)",
                        w.display()
                    ),
                ));
            } else if weights == WeightsFiles::MustExist && !w.is_file() {
                out.push(issue(
                    format!("{field}.weights"),
                    format!(
                        "expected a safetensors file, `{}` does not exist",
                        w.display()
                    ),
                ));
            }
        }
    }
}
