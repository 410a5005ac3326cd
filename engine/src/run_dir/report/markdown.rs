//! [`Report`] → `report.md`.

use std::fmt::Write as _;

use super::{spans_text, Report};
use crate::describe::clock;
use crate::protocol::ArmKind;

impl Report {
    /// `report.md`.
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# mkd-tui report: {}\n", self.preset);
        let _ = writeln!(
            s,
            "{} · train {} / validation {} / test {} images · T = {} · alpha = {}{}{}  ",
            self.dataset,
            self.train_size,
            self.val_size,
            self.test_size,
            self.temperature,
            self.alpha,
            if self.kl_reduction.is_empty() {
                String::new()
            } else {
                format!(" · KL {}", self.kl_reduction)
            },
            if self.augment.is_empty() {
                String::new()
            } else {
                format!(" · augmented: {}", self.augment)
            }
        );
        let _ = writeln!(
            s,
            "Started {} · finished {} · wall time {}{}\n",
            self.started_at,
            self.finished_at,
            clock(self.wall_seconds),
            if self.device.is_empty() {
                String::new()
            } else {
                format!(" · trained on {}", self.device)
            }
        );
        let _ = writeln!(
            s,
            "Accuracies are top-1 in %. \"test @best\" is the test accuracy at the epoch of best \
             validation accuracy (the validation split decides; the test split is only reported).\n"
        );
        if let Some(c) = self.student() {
            let _ = writeln!(s, "## Student: distilled vs scratch\n");
            let _ = writeln!(
                s,
                "Distilled **{:.2} %** vs scratch **{:.2} %** test accuracy: {:+.2} pp \
                 (best validation {:.2} % vs {:.2} %).\n",
                c.kd_test_acc,
                c.scratch_test_acc,
                c.delta_pp,
                c.kd_best_val_acc,
                c.scratch_best_val_acc
            );
        }
        let _ = writeln!(
            s,
            "Seed {} · stop rule at the end: {} ({} change{} during the run). The preset as run is \
             `preset.yaml` beside this report.\n",
            self.seed,
            self.stop_rule.as_ref().map_or("—".to_string(), |r| r.summary()),
            self.stop_rule_changes,
            if self.stop_rule_changes == 1 { "" } else { "s" }
        );
        let _ = writeln!(
            s,
            "Teacher forward passes: {} done, {} saved by the distillation stops.\n",
            self.teacher_forwards, self.teacher_forwards_saved
        );
        if !self.teacher_logit_caches.is_empty() {
            let notes: Vec<String> = self
                .teacher_logit_caches
                .iter()
                .map(|c| {
                    format!(
                        "{} {} ← {} ({} images, {:.1} s)",
                        c.model,
                        c.arm.as_str(),
                        c.teacher,
                        c.examples,
                        c.seconds
                    )
                })
                .collect();
            let _ = writeln!(
                s,
                "Teacher logits cached once per stage (inputs not augmented), counted in the forward \
                 passes above: {}.\n",
                notes.join("; ")
            );
        }
        let charts = super::plots::charts(self);
        if !charts.is_empty() {
            let _ = writeln!(s, "## Charts\n");
            let _ = writeln!(
                s,
                "Validation accuracy per epoch of every arm; a red dashed line where distillation \
                 stopped; under it the advantage Δ of kd over the best control as the stop rule \
                 judged it (smoothed). SVG files in `plots/`.\n"
            );
            for (c, _) in charts {
                let _ = writeln!(s, "![{}]({})\n", c.caption, c.path);
            }
        }
        let _ = writeln!(s, "## Models\n");
        let _ = writeln!(
            s,
            "| model | role | architecture | params | MACs/image | taught by | arm | epochs | best val | best epoch | test @best | last test | images/s | time | teacher forwards |"
        );
        let _ = writeln!(
            s,
            "|---|---|---|--:|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"
        );
        for m in &self.models {
            for (a, extra) in m.arms.iter().map(|a| (&a.result, a)) {
                if m.weights.is_some() {
                    // Not trained here: no epochs, no best epoch, no throughput; the accuracies
                    // are the loaded weights' own, evaluated once.
                    let _ = writeln!(
                        s,
                        "| {} | {} | {} | {} | {} | — | loaded | — | {:.2} | — | {:.2} | {:.2} | — | {} | — |",
                        m.name,
                        m.role.as_str(),
                        m.arch,
                        m.params,
                        m.macs,
                        a.best_val_acc,
                        a.test_acc_at_best,
                        a.last_test_acc,
                        clock(a.seconds),
                    );
                    continue;
                }
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {} | {} | {}/{} | {:.2} | {} | {:.2} | {:.2} | {:.0} | {} | {} |",
                    m.name,
                    m.role.as_str(),
                    m.arch,
                    m.params,
                    m.macs,
                    // Only the kd arm is taught; controls learn from labels.
                    match (a.arm, m.taught_by.as_deref()) {
                        (ArmKind::Kd, Some(t)) => t,
                        _ => "—",
                    },
                    a.arm.as_str(),
                    a.epochs_run,
                    m.epochs_planned,
                    a.best_val_acc,
                    a.best_epoch,
                    a.test_acc_at_best,
                    a.last_test_acc,
                    extra.images_per_s,
                    clock(a.seconds),
                    a.teacher_forwards
                );
            }
        }
        let halted: Vec<&String> = self
            .models
            .iter()
            .filter_map(|m| m.halted.as_ref())
            .collect();
        if !halted.is_empty() {
            let _ = writeln!(s, "\n## Halted stages (non-finite loss)\n");
            for line in halted {
                let _ = writeln!(s, "- {line}");
            }
        }
        if self.comparisons.len() > 1 {
            let _ = writeln!(s, "\n## Distilled vs scratch, every distilled model\n");
            let _ = writeln!(s, "| model | kd test @best | scratch test @best | Δ pp |");
            let _ = writeln!(s, "|---|--:|--:|--:|");
            for c in &self.comparisons {
                let _ = writeln!(
                    s,
                    "| {} | {:.2} | {:.2} | {:+.2} |",
                    c.model, c.kd_test_acc, c.scratch_test_acc, c.delta_pp
                );
            }
        }
        let stops: Vec<_> = self
            .models
            .iter()
            .filter_map(|m| m.stopped_early.as_ref().map(|e| (m, e)))
            .collect();
        let changed: Vec<_> = self
            .models
            .iter()
            .filter(|m| !m.distillation_changes.is_empty())
            .collect();
        if !stops.is_empty() || !changed.is_empty() {
            let _ = writeln!(s, "\n## Distillation stops\n");
        }
        if !stops.is_empty() {
            let _ = writeln!(
                s,
                "| model | stopped after epoch | of | rule | then | kd val @stop | kd test @stop | kd best val | kd last test | controls (test @best) | teacher forwards saved | time saved (est.) |"
            );
            let _ = writeln!(s, "|---|--:|--:|---|---|--:|--:|--:|--:|---|--:|--:|");
            for (m, e) in &stops {
                let kd = m
                    .arms
                    .iter()
                    .map(|a| &a.result)
                    .find(|a| a.arm == ArmKind::Kd);
                let controls: Vec<String> = m
                    .arms
                    .iter()
                    .map(|a| &a.result)
                    .filter(|a| a.arm != ArmKind::Kd)
                    .map(|a| {
                        format!(
                            "{} {:.2}{}",
                            a.arm.as_str(),
                            a.test_acc_at_best,
                            if a.cached { " (cached)" } else { "" }
                        )
                    })
                    .collect();
                let opt = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.2}"));
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    m.name,
                    e.epoch,
                    m.epochs_planned,
                    e.kind.as_str(),
                    e.after.as_str(),
                    opt(e.val_acc_at_stop),
                    opt(e.test_acc_at_stop),
                    opt(kd.map(|a| a.best_val_acc)),
                    opt(kd.map(|a| a.last_test_acc)),
                    controls.join(", "),
                    e.teacher_forwards_saved,
                    clock(e.seconds_saved)
                );
            }
            let _ = writeln!(s);
            for (m, e) in stops {
                let _ = writeln!(s, "- {}: {}", m.name, e.reason);
            }
        }
        if !changed.is_empty() {
            // A resume wipes `stopped_early`; this list keeps every stop and resume.
            let _ = writeln!(
                s,
                "Every stop and resume, with the epochs the kd arm learned from its teacher:\n"
            );
            for m in changed {
                let epochs = m
                    .arms
                    .iter()
                    .find(|a| a.result.arm == ArmKind::Kd)
                    .map_or(0, |a| a.result.epochs_run);
                let changes: Vec<String> =
                    m.distillation_changes.iter().map(|c| c.text()).collect();
                let _ = writeln!(
                    s,
                    "- {}: taught in epochs {} of {epochs}; {}",
                    m.name,
                    spans_text(&m.distilled_spans),
                    changes.join("; ")
                );
            }
        }
        if let Some(p) = &self.planner {
            s.push_str(&p.to_markdown());
        }
        s
    }
}
