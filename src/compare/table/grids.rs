//! The comparison's accuracy and cost tables as [`Grid`]s (Markdown, CSV and LaTeX from one
//! definition), and `compare.tex`.

use super::super::grid::{plain, Align, Cell, Column, Grid};
use super::CompareTable;

impl CompareTable {
    /// The accuracy table: per strategy the student's test accuracy (mean ± sd, 95 % interval),
    /// its best validation accuracy, and the teacher's and assistants' test accuracy.
    pub fn accuracy_grid(&self) -> Grid {
        const COLUMNS: [Column; 6] = [
            Column {
                head: "strategy",
                align: Align::Left,
                csv: &["strategy"],
            },
            Column {
                head: "seeds",
                align: Align::Right,
                csv: &["seeds"],
            },
            Column {
                head: "student test %",
                align: Align::Right,
                csv: &["student_test_mean", "student_test_sd"],
            },
            Column {
                head: "95 % CI",
                align: Align::Right,
                csv: &["student_test_ci95_low", "student_test_ci95_high"],
            },
            Column {
                head: "student best val %",
                align: Align::Right,
                csv: &["student_best_val_mean"],
            },
            Column {
                head: "teacher / assistants test %",
                align: Align::Left,
                csv: &["teacher_test_mean", "assistants_test_mean"],
            },
        ];
        let rows = self
            .summary
            .iter()
            .map(|m| {
                let sd = (m.runs > 1).then_some(m.test_std);
                let ci = m.test_ci95.map(|h| (m.test_mean - h, m.test_mean + h));
                let assistants: Vec<String> = m
                    .assistants
                    .iter()
                    .map(|a| format!("{} {:.2}", a.arch, a.test_mean))
                    .collect();
                let upper = match (m.teacher_test_mean, assistants.is_empty()) {
                    (None, _) => "—".to_string(), // the student alone (scratch)
                    (Some(t), true) => format!("teacher {t:.2}"),
                    (Some(t), false) => format!("teacher {t:.2}; {}", assistants.join("; ")),
                };
                vec![
                    Cell::text(&m.label),
                    Cell::text(m.runs.to_string()),
                    Cell {
                        // One seed has no spread.
                        shown: match sd {
                            Some(sd) => format!("{:.2} ± {sd:.2}", m.test_mean),
                            None => format!("{:.2} ± —", m.test_mean),
                        },
                        csv: vec![num(m.test_mean), sd.map_or(String::new(), num)],
                    },
                    Cell {
                        shown: ci
                            .map_or("—".to_string(), |(lo, hi)| format!("[{lo:.2}, {hi:.2}]")),
                        csv: ci.map_or(vec![String::new(), String::new()], |(lo, hi)| {
                            vec![num(lo), num(hi)]
                        }),
                    },
                    Cell {
                        shown: format!("{:.2}", m.val_mean),
                        csv: vec![num(m.val_mean)],
                    },
                    Cell {
                        shown: upper,
                        csv: vec![
                            m.teacher_test_mean.map_or(String::new(), num),
                            m.assistants
                                .iter()
                                .map(|a| format!("{}={}", a.arch, num(a.test_mean)))
                                .collect::<Vec<_>>()
                                .join(";"),
                        ],
                    },
                ]
            })
            .collect();
        Grid {
            columns: COLUMNS.to_vec(),
            rows,
        }
    }

    /// The cost table: per strategy, means over seeds of what the run spent.
    pub fn cost_grid(&self) -> Grid {
        const COLUMNS: [Column; 8] = [
            Column {
                head: "strategy",
                align: Align::Left,
                csv: &["strategy"],
            },
            Column {
                head: "student best epoch",
                align: Align::Right,
                csv: &["best_epoch_mean"],
            },
            Column {
                head: "wall s",
                align: Align::Right,
                csv: &["wall_seconds_mean"],
            },
            Column {
                head: "teacher+TA forwards",
                align: Align::Right,
                csv: &["teacher_forwards_mean"],
            },
            Column {
                head: "arm-epochs below teacher",
                align: Align::Right,
                csv: &["arm_epochs_mean"],
            },
            Column {
                head: "probe epochs",
                align: Align::Right,
                csv: &["probe_epochs_mean"],
            },
            Column {
                head: "compute (arm + probe epochs)",
                align: Align::Right,
                csv: &["compute_epochs_mean"],
            },
            Column {
                head: "chain",
                align: Align::Left,
                csv: &["chain"],
            },
        ];
        let rows = self
            .summary
            .iter()
            .map(|m| {
                let value = |x: f64, decimals: usize| Cell {
                    shown: plain(x, decimals),
                    csv: vec![num(x)],
                };
                vec![
                    Cell::text(&m.label),
                    value(m.best_epoch_mean, 1),
                    value(m.wall_seconds_mean, 1),
                    value(m.teacher_forwards_mean, 0),
                    value(m.arm_epochs_mean, 1),
                    value(m.probe_epochs_mean, 1),
                    value(m.arm_epochs_mean + m.probe_epochs_mean, 1),
                    Cell::text(m.chains.join("; ")),
                ]
            })
            .collect();
        Grid {
            columns: COLUMNS.to_vec(),
            rows,
        }
    }

    /// `compare.tex`: the accuracy and cost tables as LaTeX `tabular`s (booktabs).
    pub fn to_latex(&self) -> String {
        format!(
            "% mkd-tui comparison: {} (needs \\usepackage{{booktabs}})\n% Student test accuracy at its best validation epoch, mean ± sample sd over seeds; 95 % CI of the mean (Student t).\n{}\n% Cost per run, mean over seeds.\n{}",
            self.preset,
            self.accuracy_grid().latex(),
            self.cost_grid().latex()
        )
    }
}

/// A number for CSV, rounded to 1e-6 (accuracies are multiples of 100/test images; the rest of
/// the digits are float noise): `97.123333`, `9`.
fn num(x: f64) -> String {
    format!("{}", (x * 1e6).round() / 1e6)
}
