//! State of the stop-strategy panel: the rule the worker applied, the one being edited, and the one
//! sent but not yet echoed.
//!
//! Edits change only the pending rule; `apply` hands it out to be sent; the worker's
//! `StopRuleApplied` echo is the only thing that changes the applied rule, so the panel always shows
//! what is in force, not what was asked.

use crate::stop::StopRule;

use crate::stop::AfterStop;

/// Largest `patience` and `min_epochs` the panel offers.
pub const EPOCHS_MAX: usize = 99;
/// Step of `margin` and `drop`, pp.
pub const PP_STEP: f64 = 0.05;
/// Range of `margin`, pp.
pub const MARGIN_RANGE: (f64, f64) = (-5.0, 10.0);
/// Largest `drop`, pp.
pub const DROP_MAX: f64 = 10.0;
/// Step of `ema`.
pub const EMA_STEP: f64 = 0.05;
/// Largest `ema` the panel offers.
pub const EMA_MAX: f64 = 0.95;
/// `max_epochs` ceiling before a plan says how long its longest stage is.
const DEFAULT_LONGEST: usize = 99;

/// A row of the panel: one threshold of [`StopRule`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopRow {
    /// Consecutive epochs the stop condition must hold.
    Patience,
    /// pp.
    Margin,
    /// pp.
    Drop,
    /// Epochs before any automatic decision.
    MinEpochs,
    /// EMA weight of the validation curves.
    Ema,
    /// `all` for none.
    MaxEpochs,
    /// `finish` or `labels`.
    AfterStop,
}

impl StopRow {
    /// Rows top to bottom, most adjusted first.
    pub const ALL: [StopRow; 7] = [
        StopRow::Patience,
        StopRow::Margin,
        StopRow::Drop,
        StopRow::MinEpochs,
        StopRow::Ema,
        StopRow::MaxEpochs,
        StopRow::AfterStop,
    ];

    /// The field name as in the preset.
    pub fn name(self) -> &'static str {
        match self {
            StopRow::Patience => "patience",
            StopRow::Margin => "margin",
            StopRow::Drop => "drop",
            StopRow::MinEpochs => "min_epochs",
            StopRow::Ema => "ema",
            StopRow::MaxEpochs => "max_epochs",
            StopRow::AfterStop => "after",
        }
    }

    /// The row's value in `rule`, as shown: `3`, `0.05 pp`, `0.50`, `all`, `labels`.
    pub fn value(self, rule: &StopRule) -> String {
        match self {
            StopRow::Patience => rule.patience.to_string(),
            StopRow::Margin => format!("{:.2} pp", rule.margin),
            StopRow::Drop => format!("{:.2} pp", rule.drop),
            StopRow::MinEpochs => rule.min_epochs.to_string(),
            StopRow::Ema => format!("{:.2}", rule.ema),
            StopRow::MaxEpochs => match rule.max_epochs {
                Some(n) => n.to_string(),
                None => "all".to_string(),
            },
            StopRow::AfterStop => rule.after_stop.as_str().to_string(),
        }
    }

    fn differs(self, a: &StopRule, b: &StopRule) -> bool {
        self.value(a) != self.value(b)
    }
}

/// `value + step·unit`, rounded to two decimals so repeated steps do not drift, clamped.
fn stepped(value: f64, step: i32, unit: f64, lo: f64, hi: f64) -> f64 {
    (((value + f64::from(step) * unit) * 100.0).round() / 100.0).clamp(lo, hi)
}

/// The panel's state.
#[derive(Debug, Clone)]
pub struct StopEditor {
    applied: Option<StopRule>,
    pending: StopRule,
    sent: Option<StopRule>,
    selected: usize,
    /// Epochs of the plan's longest stage: `max_epochs` at or above it means "all".
    longest: usize,
}

impl Default for StopEditor {
    fn default() -> Self {
        StopEditor {
            applied: None,
            pending: StopRule::default(),
            sent: None,
            selected: 0,
            longest: DEFAULT_LONGEST,
        }
    }
}

impl StopEditor {
    /// The run started with `rule`; `longest` is the plan's longest stage in epochs (0 if unknown).
    pub fn on_started(&mut self, rule: &StopRule, longest: usize) {
        self.longest = if longest == 0 {
            DEFAULT_LONGEST
        } else {
            longest
        };
        self.applied = Some(rule.clone());
        self.pending = rule.clone();
        self.sent = None;
    }

    /// The worker echoed `rule` as applied.
    pub fn on_applied(&mut self, rule: &StopRule) {
        // Follow the worker unless the user is in the middle of an edit of their own.
        let untouched = self.applied.as_ref().is_none_or(|old| *old == self.pending);
        if untouched || self.sent.as_ref() == Some(&self.pending) {
            self.pending = rule.clone();
        }
        self.applied = Some(rule.clone());
        self.sent = None;
    }

    /// Moves the selection up (`-1`) or down (`+1`), stopping at the ends.
    pub fn select(&mut self, step: isize) {
        let last = StopRow::ALL.len() as isize - 1;
        self.selected = (self.selected as isize + step).clamp(0, last) as usize;
    }

    /// Changes the selected row of the pending rule by `step` (left `-1`, right `+1`), clamped.
    ///
    /// `max_epochs` runs 1, 2, …, longest schedule, `all`: `all` sits above the longest stage
    /// (a bound at or above it changes nothing), so ← from `all` starts at the longest schedule, →
    /// past it returns to `all`, and ← stops at 1.
    pub fn adjust(&mut self, step: i32) {
        let row = self.selected_row();
        let rule = &mut self.pending;
        match row {
            StopRow::Patience => {
                let next = rule.patience as i64 + i64::from(step);
                rule.patience = next.clamp(1, EPOCHS_MAX as i64) as usize;
            }
            StopRow::MinEpochs => {
                let next = rule.min_epochs as i64 + i64::from(step);
                rule.min_epochs = next.clamp(1, EPOCHS_MAX as i64) as usize;
            }
            StopRow::Margin => {
                rule.margin = stepped(rule.margin, step, PP_STEP, MARGIN_RANGE.0, MARGIN_RANGE.1)
            }
            StopRow::Drop => rule.drop = stepped(rule.drop, step, PP_STEP, 0.0, DROP_MAX),
            StopRow::Ema => rule.ema = stepped(rule.ema, step, EMA_STEP, 0.0, EMA_MAX),
            StopRow::AfterStop => {
                rule.after_stop = match rule.after_stop {
                    AfterStop::Finish => AfterStop::Labels,
                    AfterStop::Labels => AfterStop::Finish,
                }
            }
            StopRow::MaxEpochs => {
                rule.max_epochs = match (rule.max_epochs, step.signum()) {
                    (None, -1) => Some(self.longest),
                    (None, _) => None,
                    (Some(n), -1) => Some(n.saturating_sub(1).clamp(1, self.longest)),
                    (Some(n), 1) if n + 1 > self.longest => None,
                    (Some(n), 1) => Some(n + 1),
                    (Some(n), _) => Some(n),
                };
            }
        }
    }

    /// The pending rule to send, when it differs from the applied one; marks it as sent.
    /// Before the run has started there is no applied rule to edit against, so nothing is sent.
    pub fn apply(&mut self) -> Option<StopRule> {
        if self
            .applied
            .as_ref()
            .is_none_or(|applied| *applied == self.pending)
        {
            return None;
        }
        self.sent = Some(self.pending.clone());
        Some(self.pending.clone())
    }

    /// The sent rule never reached the worker: stop waiting for its echo.
    pub fn on_send_failed(&mut self) {
        self.sent = None;
    }

    /// The rule in force, once the worker has said.
    pub fn applied(&self) -> Option<&StopRule> {
        self.applied.as_ref()
    }

    /// The rule being edited.
    pub fn pending(&self) -> &StopRule {
        &self.pending
    }

    /// The rule sent and not yet echoed.
    pub fn sent(&self) -> Option<&StopRule> {
        self.sent.as_ref()
    }

    /// The row the arrows act on.
    pub fn selected_row(&self) -> StopRow {
        StopRow::ALL[self.selected]
    }

    /// True when the pending value of `row` is not the applied one.
    pub fn row_differs(&self, row: StopRow) -> bool {
        match &self.applied {
            Some(applied) => row.differs(applied, &self.pending),
            None => false,
        }
    }

    /// True when any row differs.
    pub fn is_edited(&self) -> bool {
        StopRow::ALL.iter().any(|&row| self.row_differs(row))
    }
}
