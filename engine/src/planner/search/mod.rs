//! The planner's search (DESIGN §4.2): short probes decide, one insertion at a time, which ladder
//! entries become assistants.
//!
//! The procedure, deterministic given the oracle's answers:
//! 1. probe the student distilled straight from the teacher (chain `[T, S]`);
//! 2. among the neighbour pairs of the current chain whose parameter ratio exceeds `max_ratio`
//!    (the prior's rule, so the prior's `k₀` is where the search lands when every probe helps) and
//!    that hold ladder entries strictly between them, take the pair with the largest ratio;
//! 3. shortlist the (up to) [`SHORTLIST`] ladder entries inside it nearest the geometric middle of
//!    the pair's parameters, probe each from labels, and pick the one whose scratch accuracy lies
//!    nearest the middle of the pair's scratch accuracies (ties: nearer the geometric middle);
//! 4. probe the chain with it inserted; accept it when the student gains ≥ `min_gain` pp *and* the
//!    candidate's distilled accuracy is not below its own scratch accuracy; otherwise reject it and
//!    mark the pair as tried;
//! 5. after an acceptance, drop any other assistant whose distilled accuracy in the new chain fell
//!    below its scratch accuracy (and re-probe the chain without it);
//! 6. stop at `max_assistants`, when no pair is left to try ("nothing helps"), or before a probe
//!    that would exceed the probe budget (total probe epochs).
//!
//! Every probe costs `probe_epochs` epochs; results are memoised, so a chain prefix or a scratch
//! accuracy is measured once.

mod greedy;
mod probes;

use crate::error::Result;

use std::collections::HashMap;

use super::ladder::Ladder;
use super::prior::prior;
use super::PlannerConfig;
use crate::protocol::{Event, LadderEntry, PlannerThresholds};

/// Ladder entries probed from labels per gap, nearest the geometric middle first.
pub const SHORTLIST: usize = 3;

/// A model of a probed chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Member {
    /// The fully trained teacher (its scratch probe trains a fresh copy for the probe epochs).
    Teacher,
    /// Ladder entry `i`.
    Rung(usize),
    /// The student.
    Student,
}

/// What one probe measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Probe {
    /// Validation accuracy, %.
    pub val_acc: f64,
    /// Training images seen.
    pub images: u64,
    /// Wall time, seconds.
    pub seconds: f64,
}

impl Probe {
    /// A probe that only reports an accuracy (tests).
    pub fn acc(val_acc: f64) -> Probe {
        Probe {
            val_acc,
            images: 0,
            seconds: 0.0,
        }
    }
}

/// Measures accuracies for the planner: by training (the session's oracle) or from a table (tests).
pub trait ProbeOracle {
    /// `member` trained from labels for the probe epochs.
    fn scratch(&mut self, member: Member) -> Result<Probe>;
    /// The last member of `chain` (which starts with [`Member::Teacher`]) trained for the probe
    /// epochs by KD from the member before it. The planner asks for every shorter prefix first,
    /// so an oracle can keep the model of each prefix to teach the next.
    fn distilled(&mut self, chain: &[Member]) -> Result<Probe>;
    /// New thresholds asked for by the user since the last call, applied before the next
    /// decision. The default: never.
    fn take_thresholds(&mut self) -> Result<Option<PlannerThresholds>> {
        Ok(None)
    }
}

/// What the planner chose.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannerOutcome {
    /// Ladder indices of the assistants, largest first.
    pub assistants: Vec<usize>,
    /// Why the search stopped.
    pub reason: String,
    /// Probe compute: epochs, images, seconds.
    pub epochs: usize,
    pub images: u64,
    pub seconds: f64,
}

/// Everything the search needs besides the oracle.
pub struct Search<'a> {
    pub ladder: &'a Ladder,
    pub config: &'a PlannerConfig,
    pub teacher: LadderEntry,
    pub student: LadderEntry,
    /// Epochs of every probe.
    pub probe_epochs: usize,
}

/// The budget would be exceeded by the next probes.
struct OverBudget {
    need: usize,
}

struct State<'a, 'o> {
    search: &'a Search<'a>,
    oracle: &'o mut dyn ProbeOracle,
    observer: &'o mut dyn FnMut(Event) -> Result<()>,
    /// The thresholds in force (the user may change them between decisions).
    cfg: PlannerConfig,
    scratch: HashMap<Member, f64>,
    distilled: HashMap<Vec<Member>, f64>,
    epochs: usize,
    images: u64,
    seconds: f64,
}

impl Search<'_> {
    /// Run the search. `observer` receives every `Planner*` event; an error from it or from the
    /// oracle ends the search with that error.
    pub fn run(
        &self,
        oracle: &mut dyn ProbeOracle,
        observer: &mut dyn FnMut(Event) -> Result<()>,
    ) -> Result<PlannerOutcome> {
        let cfg = self.config;
        let pr = prior(
            self.ladder,
            self.teacher.params,
            self.student.params,
            cfg.max_ratio,
            cfg.max_assistants,
        );
        observer(Event::PlannerStarted {
            teacher: self.teacher.clone(),
            student: self.student.clone(),
            ladder: self
                .ladder
                .rungs
                .iter()
                .map(|r| LadderEntry {
                    label: r.label.clone(),
                    params: r.params,
                })
                .collect(),
            thresholds: PlannerThresholds {
                max_ratio: cfg.max_ratio,
                probe_fraction: cfg.probe_fraction,
                min_gain: cfg.min_gain,
                max_assistants: cfg.max_assistants,
                probe_budget: cfg.probe_budget,
            },
            probe_epochs: self.probe_epochs,
            prior_k0: pr.k0,
            prior: pr
                .rungs
                .iter()
                .map(|&i| self.ladder.rungs[i].label.clone())
                .collect(),
        })?;
        let mut st = State {
            search: self,
            oracle,
            observer,
            cfg: cfg.clone(),
            scratch: HashMap::new(),
            distilled: HashMap::new(),
            epochs: 0,
            images: 0,
            seconds: 0.0,
        };
        let (assistants, reason) = st.search()?;
        let outcome = PlannerOutcome {
            assistants,
            reason,
            epochs: st.epochs,
            images: st.images,
            seconds: st.seconds,
        };
        (st.observer)(Event::PlannerFinished {
            assistants: outcome
                .assistants
                .iter()
                .map(|&i| self.ladder.rungs[i].label.clone())
                .collect(),
            reason: outcome.reason.clone(),
            probe_epochs: outcome.epochs,
            probe_images: outcome.images,
            probe_seconds: outcome.seconds,
        })?;
        Ok(outcome)
    }

    fn params(&self, m: Member) -> u64 {
        match m {
            Member::Teacher => self.teacher.params,
            Member::Student => self.student.params,
            Member::Rung(i) => self.ladder.rungs[i].params,
        }
    }

    fn label(&self, m: Member) -> String {
        match m {
            Member::Teacher => format!("teacher {}", self.teacher.label),
            Member::Student => format!("student {}", self.student.label),
            Member::Rung(i) => self.ladder.rungs[i].label.clone(),
        }
    }

    fn chain(&self, assistants: &[usize]) -> Vec<Member> {
        let mut c = vec![Member::Teacher];
        c.extend(assistants.iter().map(|&i| Member::Rung(i)));
        c.push(Member::Student);
        c
    }

    fn labels(&self, assistants: &[usize]) -> Vec<String> {
        assistants
            .iter()
            .map(|&i| self.ladder.rungs[i].label.clone())
            .collect()
    }

    /// `assistants` with `i` inserted, largest first.
    fn with(&self, assistants: &[usize], i: usize) -> Vec<usize> {
        let mut a = assistants.to_vec();
        a.push(i);
        a.sort_by_key(|&r| std::cmp::Reverse(self.ladder.rungs[r].params));
        a
    }
}
