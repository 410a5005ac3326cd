//! The greedy insertion itself (steps 2–6 of the procedure in the parent module).

use std::collections::HashSet;

use super::{Member, OverBudget, State, SHORTLIST};
use crate::error::Result;
use crate::protocol::{Event, Verdict};

impl State<'_, '_> {
    /// The search proper: (assistants, student accuracy, why it stopped).
    pub(super) fn search(&mut self) -> Result<(Vec<usize>, String)> {
        let s = self.search;
        let mut assistants: Vec<usize> = Vec::new();
        let mut current = match self.chain_of(&assistants)? {
            Ok(accs) => *accs.last().expect("the student"),
            Err(OverBudget { need }) => return Ok((vec![], self.over_budget(need))),
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
                return Ok((assistants, reason));
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
                return Ok((assistants, reason));
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
                Err(OverBudget { need }) => return Ok((assistants, self.over_budget(need))),
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
                    return Ok((assistants, reason));
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
                    Err(OverBudget { need }) => return Ok((assistants, self.over_budget(need))),
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
                    Err(OverBudget { need }) => return Ok((assistants, self.over_budget(need))),
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
