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

use std::collections::{HashMap, HashSet};

use super::ladder::Ladder;
use super::prior::prior;
use super::PlannerConfig;
use crate::protocol::{Event, LadderEntry, PlannerThresholds, ProbeKind, Verdict};

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
    fn scratch(&mut self, member: Member) -> anyhow::Result<Probe>;
    /// The last member of `chain` (which starts with [`Member::Teacher`]) trained for the probe
    /// epochs by KD from the member before it. The planner asks for every shorter prefix first,
    /// so an oracle can keep the model of each prefix to teach the next.
    fn distilled(&mut self, chain: &[Member]) -> anyhow::Result<Probe>;
    /// New thresholds asked for by the user since the last call, applied before the next
    /// decision. The default: never.
    fn take_thresholds(&mut self) -> anyhow::Result<Option<PlannerThresholds>> {
        Ok(None)
    }
}

/// What the planner chose.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannerOutcome {
    /// Ladder indices of the assistants, largest first.
    pub assistants: Vec<usize>,
    /// The student's probe accuracy with them, %.
    pub student_acc: f64,
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
    observer: &'o mut dyn FnMut(Event) -> anyhow::Result<()>,
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
        observer: &mut dyn FnMut(Event) -> anyhow::Result<()>,
    ) -> anyhow::Result<PlannerOutcome> {
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
        let (assistants, student_acc, reason) = st.search()?;
        let outcome = PlannerOutcome {
            assistants,
            student_acc,
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

impl State<'_, '_> {
    fn budget_left(&self) -> usize {
        self.cfg
            .probe_budget
            .map_or(usize::MAX, |b| b.saturating_sub(self.epochs))
    }

    fn emit(&mut self, e: Event) -> anyhow::Result<()> {
        (self.observer)(e)
    }

    fn charge(&mut self, p: &Probe) {
        self.epochs += self.search.probe_epochs;
        self.images += p.images;
        self.seconds += p.seconds;
    }

    /// Scratch accuracies of `members`, probing the unknown ones — all or none, within the budget.
    fn scratch_of(&mut self, members: &[Member]) -> anyhow::Result<Result<Vec<f64>, OverBudget>> {
        let missing: Vec<Member> = {
            let mut seen = HashSet::new();
            members
                .iter()
                .copied()
                .filter(|m| !self.scratch.contains_key(m) && seen.insert(*m))
                .collect()
        };
        let need = missing.len() * self.search.probe_epochs;
        if need > self.budget_left() {
            return Ok(Err(OverBudget { need }));
        }
        for m in missing {
            let p = self.oracle.scratch(m)?;
            self.charge(&p);
            self.scratch.insert(m, p.val_acc);
            let s = self.search;
            self.emit(Event::PlannerProbe {
                chain: vec![s.label(m)],
                model: s.label(m),
                kind: ProbeKind::Scratch,
                val_acc: p.val_acc,
                epochs: s.probe_epochs,
                images: p.images,
                seconds: p.seconds,
            })?;
        }
        Ok(Ok(members.iter().map(|m| self.scratch[m]).collect()))
    }

    /// Distilled accuracies of every member after the teacher of the chain of `assistants`,
    /// probing unknown prefixes in order — all or none, within the budget.
    fn chain_of(&mut self, assistants: &[usize]) -> anyhow::Result<Result<Vec<f64>, OverBudget>> {
        let chain = self.search.chain(assistants);
        let missing = (2..=chain.len())
            .filter(|&n| !self.distilled.contains_key(&chain[..n]))
            .count();
        let need = missing * self.search.probe_epochs;
        if need > self.budget_left() {
            return Ok(Err(OverBudget { need }));
        }
        for n in 2..=chain.len() {
            if self.distilled.contains_key(&chain[..n]) {
                continue;
            }
            let p = self.oracle.distilled(&chain[..n])?;
            self.charge(&p);
            self.distilled.insert(chain[..n].to_vec(), p.val_acc);
            let s = self.search;
            self.emit(Event::PlannerProbe {
                chain: chain[..n].iter().map(|&m| s.label(m)).collect(),
                model: s.label(chain[n - 1]),
                kind: ProbeKind::Distilled,
                val_acc: p.val_acc,
                epochs: s.probe_epochs,
                images: p.images,
                seconds: p.seconds,
            })?;
        }
        Ok(Ok((2..=chain.len())
            .map(|n| self.distilled[&chain[..n]])
            .collect()))
    }

    fn over_budget(&self, need: usize) -> String {
        format!(
            "probe budget: {} of {} epochs spent, the next probes need {need}",
            self.epochs,
            self.cfg.probe_budget.unwrap_or(0)
        )
    }

    /// The search proper: (assistants, student accuracy, why it stopped).
    fn search(&mut self) -> anyhow::Result<(Vec<usize>, f64, String)> {
        let s = self.search;
        let mut assistants: Vec<usize> = Vec::new();
        let mut current = match self.chain_of(&assistants)? {
            Ok(accs) => *accs.last().expect("the student"),
            Err(OverBudget { need }) => return Ok((vec![], f64::NAN, self.over_budget(need))),
        };
        let mut tried: HashSet<(Member, Member)> = HashSet::new();
        // Dropped assistants are never candidates again (so drops cannot cycle).
        let mut dropped: HashSet<usize> = HashSet::new();
        let inside = |pa: u64, pb: u64, dropped: &HashSet<usize>| -> Vec<usize> {
            s.ladder
                .between(pa, pb)
                .into_iter()
                .filter(|i| !dropped.contains(i))
                .collect()
        };
        loop {
            if let Some(t) = self.oracle.take_thresholds()? {
                self.cfg.max_ratio = t.max_ratio;
                self.cfg.min_gain = t.min_gain;
                self.cfg.max_assistants = t.max_assistants;
                self.cfg.probe_budget = t.probe_budget;
                let mut applied = t;
                applied.probe_fraction = self.cfg.probe_fraction;
                self.emit(Event::PlannerThresholdsApplied {
                    thresholds: applied,
                })?;
            }
            let cfg = self.cfg.clone();
            if assistants.len() >= cfg.max_assistants {
                let reason = format!("max_assistants ({}) reached", cfg.max_assistants);
                return Ok((assistants, current, reason));
            }
            let chain = s.chain(&assistants);
            let mut gaps: Vec<(usize, f64)> = chain
                .windows(2)
                .enumerate()
                .map(|(i, w)| (i, s.params(w[0]) as f64 / s.params(w[1]) as f64))
                .filter(|&(i, ratio)| {
                    let (a, b) = (chain[i], chain[i + 1]);
                    ratio > cfg.max_ratio
                        && !tried.contains(&(a, b))
                        && !inside(s.params(a), s.params(b), &dropped).is_empty()
                })
                .collect();
            // Largest ratio first; equal ratios: nearer the teacher first.
            gaps.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
            let Some(&(gap, ratio)) = gaps.first() else {
                let reason = if tried.is_empty() {
                    format!(
                        "every gap of the chain is ≤ max_ratio {} (or has no ladder entry inside)",
                        cfg.max_ratio
                    )
                } else {
                    format!(
                        "no insertion helps: every gap > max_ratio {} was tried",
                        cfg.max_ratio
                    )
                };
                return Ok((assistants, current, reason));
            };
            let (above, below) = (chain[gap], chain[gap + 1]);
            let (pa, pb) = (s.params(above), s.params(below));
            let middle_log = ((pa as f64).ln() + (pb as f64).ln()) / 2.0;
            let mut shortlist = inside(pa, pb, &dropped);
            let log_dist = |i: usize| ((s.ladder.rungs[i].params as f64).ln() - middle_log).abs();
            shortlist.sort_by(|&x, &y| log_dist(x).total_cmp(&log_dist(y)).then(x.cmp(&y)));
            shortlist.truncate(SHORTLIST);
            let mut members = vec![above, below];
            members.extend(shortlist.iter().map(|&i| Member::Rung(i)));
            let accs = match self.scratch_of(&members)? {
                Ok(a) => a,
                Err(OverBudget { need }) => {
                    return Ok((assistants, current, self.over_budget(need)))
                }
            };
            let middle_acc = (accs[0] + accs[1]) / 2.0;
            // Shortlist order breaks ties (nearest the geometric middle first).
            let (k, _) = accs[2..]
                .iter()
                .enumerate()
                .min_by(|x, y| {
                    (x.1 - middle_acc)
                        .abs()
                        .total_cmp(&(y.1 - middle_acc).abs())
                })
                .expect("the gap holds at least one ladder entry");
            let cand = shortlist[k];
            let cand_scratch = accs[2 + k];
            let trial = s.with(&assistants, cand);
            let position = trial.iter().position(|&i| i == cand).expect("inserted");
            self.emit(Event::PlannerCandidate {
                candidate: s.ladder.rungs[cand].label.clone(),
                params: s.ladder.rungs[cand].params,
                above: s.label(above),
                below: s.label(below),
                position,
                scratch_acc: cand_scratch,
                middle_acc,
            })?;
            let accs = match self.chain_of(&trial)? {
                Ok(a) => a,
                Err(OverBudget { need }) => {
                    let reason = self.over_budget(need);
                    self.emit(Event::PlannerDecision {
                        candidate: s.ladder.rungs[cand].label.clone(),
                        verdict: Verdict::Rejected,
                        gain: None,
                        reason: reason.clone(),
                        assistants: s.labels(&assistants),
                    })?;
                    return Ok((assistants, current, reason));
                }
            };
            let student = *accs.last().expect("the student");
            let cand_distilled = accs[position];
            let gain = student - current;
            tried.insert((above, below));
            let label = s.ladder.rungs[cand].label.clone();
            let ratio_note = format!("gap {} / {} = {ratio:.1}×", s.label(above), s.label(below));
            let rejected = if gain < cfg.min_gain {
                Some(format!(
                    "student {student:.2}% vs {current:.2}% without it: gain {gain:+.2} pp < min_gain {:.2} pp ({ratio_note})",
                    cfg.min_gain
                ))
            } else if cand_distilled < cand_scratch {
                Some(format!(
                    "student gains {gain:+.2} pp but {label} distilled {cand_distilled:.2}% < its scratch {cand_scratch:.2}%"
                ))
            } else {
                None
            };
            if let Some(reason) = rejected {
                self.emit(Event::PlannerDecision {
                    candidate: label,
                    verdict: Verdict::Rejected,
                    gain: Some(gain),
                    reason,
                    assistants: s.labels(&assistants),
                })?;
                continue;
            }
            assistants = trial;
            let reason = format!(
                "student {student:.2}% vs {current:.2}% without it: gain {gain:+.2} pp ≥ min_gain {:.2} pp ({ratio_note}); {label} distilled {cand_distilled:.2}% ≥ scratch {cand_scratch:.2}%",
                cfg.min_gain
            );
            current = student;
            self.emit(Event::PlannerDecision {
                candidate: label,
                verdict: Verdict::Accepted,
                gain: Some(gain),
                reason,
                assistants: s.labels(&assistants),
            })?;
            // Assistants below the new one were re-taught; one fallen below its scratch goes.
            loop {
                let accs = match self.chain_of(&assistants)? {
                    Ok(a) => a,
                    Err(OverBudget { need }) => {
                        return Ok((assistants, current, self.over_budget(need)))
                    }
                };
                let worse = assistants.iter().enumerate().find(|&(j, &r)| {
                    self.scratch
                        .get(&Member::Rung(r))
                        .is_some_and(|&sc| accs[j] < sc)
                });
                let Some((j, &r)) = worse else { break };
                let sc = self.scratch[&Member::Rung(r)];
                let without: Vec<usize> = assistants.iter().copied().filter(|&x| x != r).collect();
                let after = match self.chain_of(&without)? {
                    Ok(a) => *a.last().expect("the student"),
                    Err(OverBudget { need }) => {
                        return Ok((assistants, current, self.over_budget(need)))
                    }
                };
                let reason = format!(
                    "{} distilled {:.2}% < its scratch {sc:.2}% in the new chain; student {after:.2}% without it",
                    s.ladder.rungs[r].label, accs[j]
                );
                self.emit(Event::PlannerDecision {
                    candidate: s.ladder.rungs[r].label.clone(),
                    verdict: Verdict::Dropped,
                    gain: Some(after - current),
                    reason,
                    assistants: s.labels(&without),
                })?;
                dropped.insert(r);
                assistants = without;
                current = after;
            }
        }
    }
}
