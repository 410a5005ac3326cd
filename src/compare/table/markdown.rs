//! `compare.md`: the settings, the accuracy and cost tables with their charts, the paired
//! differences, the runs, and the tasks that did not finish.

use std::fmt::Write as _;

use super::super::grid::plain;
use super::super::paired::{PairedDiff, CLAIM_MIN_SEEDS};
use super::super::unfinished::unfinished_markdown;
use super::CompareTable;

impl CompareTable {
    /// `compare.md`.
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# mkd-tui comparison: {}\n", self.preset);
        match &self.settings {
            Some(settings) => {
                let _ = writeln!(s, "{}", settings.markdown());
            }
            None => {
                let seeds: Vec<String> = self.seeds.iter().map(u64::to_string).collect();
                let _ = writeln!(s, "{} · seeds {}.  ", self.dataset, seeds.join(", "));
            }
        }
        let _ = writeln!(
            s,
            "Student test accuracy at its best validation epoch, mean ± sample sd over seeds; 95 % CI of the mean, t(0.975, n−1)·sd/√n.{}\n",
            match (&self.teacher_file, self.teacher_shared) {
                (Some(file), _) => format!(
                    " The teacher is loaded from `{}` in every run: trained once, shared by all seeds; no run here trains it.",
                    file.display()
                ),
                (None, true) => " The teacher was trained once per seed (by the first run that needs it) and loaded by the others; its training time is in that run's wall time only.".to_string(),
                (None, false) => String::new(),
            }
        );
        let _ = writeln!(s, "## Accuracy\n");
        s.push_str(&self.accuracy_grid().markdown());
        if !self.runs.is_empty() {
            let _ = writeln!(
                s,
                "\n![{}]({})",
                super::super::charts::ACCURACY_CAPTION,
                super::super::charts::ACCURACY_FILE
            );
        }
        let _ = writeln!(s, "\n## Cost\n");
        let _ = writeln!(
            s,
            "Means over seeds. Compute counts the epochs trained below the teacher (every arm of every model, cached control curves included) plus the planner's probe epochs.\n"
        );
        s.push_str(&self.cost_grid().markdown());
        if !self.runs.is_empty() {
            let _ = writeln!(
                s,
                "\n![{}]({})",
                super::super::charts::COMPUTE_CAPTION,
                super::super::charts::COMPUTE_FILE
            );
        }
        let _ = writeln!(
            s,
            "\nThe same tables: `compare-accuracy.csv`, `compare-cost.csv`, `compare.tex`."
        );
        if let Some(e) = &self.exhaustive {
            let _ = writeln!(
                s,
                "\nExhaustive one-assistant search: {} chains, {} arm-epochs and {} s per seed; best by validation {} at {:.2} ± {:.2} % test.",
                e.chains, plain(e.arm_epochs_per_seed, 1), plain(e.wall_seconds_per_seed, 1), e.best_label, e.best_test_mean, e.best_test_std
            );
            if let (Some(d), Some(r)) = (e.dynamic_epochs_per_seed, e.dynamic_ratio) {
                let _ = writeln!(
                    s,
                    "dynamic: {} epochs per seed (its chain's arm-epochs + probe epochs) = {r:.2}× the exhaustive search.",
                    plain(d, 1)
                );
            }
        }
        paired_markdown(&mut s, &self.paired);
        let _ = writeln!(s, "\n## Runs\n");
        let _ = writeln!(
            s,
            "| strategy | seed | test % | best val % (epoch) | wall s | forwards | arm-epochs | probe epochs | teacher | chain |"
        );
        let _ = writeln!(s, "|---|--:|--:|--:|--:|--:|--:|--:|---|---|");
        for r in &self.runs {
            let _ = writeln!(
                s,
                "| {} | {} | {:.2} | {:.2} ({}) | {} | {} | {} | {} | {} | {} |",
                r.label,
                r.seed,
                r.test_acc,
                r.best_val_acc,
                r.best_epoch,
                plain(r.wall_seconds, 1),
                r.teacher_forwards,
                r.arm_epochs,
                r.probe_epochs,
                if r.chain.len() < 2 {
                    "—" // the student alone (scratch): no teacher
                } else if self.teacher_file.is_some() {
                    "file"
                } else if r.teacher_reused {
                    "loaded"
                } else {
                    "trained"
                },
                r.chain.join(" → ")
            );
        }
        unfinished_markdown(&mut s, &self.unfinished);
        s
    }
}

/// The "Paired differences" section of `compare.md` (nothing without a baseline to pair with).
fn paired_markdown(s: &mut String, paired: &[PairedDiff]) {
    if paired.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\n## Paired differences (test %, pp, 95 % CI, Student t over seeds)\n"
    );
    let _ = writeln!(
        s,
        "Strategy − baseline student test accuracy, paired by seed (same initial weights and batches), over the seeds both ran: mean ± t(0.975, n−1) · sd/√n with the sample sd; wins are seeds where the strategy scored strictly higher. An interval needs ≥ 2 seeds.\n"
    );
    let _ = writeln!(
        s,
        "| strategy | baseline | seeds | mean diff pp | 95 % CI pp | wins | verdict |"
    );
    let _ = writeln!(s, "|---|---|--:|--:|--:|--:|---|");
    for p in paired {
        let ci = match (p.ci_low_pp, p.ci_high_pp) {
            (Some(lo), Some(hi)) => format!("[{lo:+.2}, {hi:+.2}]"),
            _ => "—".to_string(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:+.2} | {} | {}/{} | {} |",
            p.label,
            p.baseline,
            p.n,
            p.mean_diff_pp,
            ci,
            p.wins,
            p.n,
            p.verdict.text()
        );
    }
    if let Some(n) = paired
        .iter()
        .map(|p| p.n)
        .filter(|&n| n < CLAIM_MIN_SEEDS)
        .min()
    {
        let _ = writeln!(
            s,
            "\nFewer than {CLAIM_MIN_SEEDS} seeds (as few as {n} here): below what a claim needs, whatever the interval says; run `--seeds {CLAIM_MIN_SEEDS}` or more before calling a strategy better or worse."
        );
    }
}
