//! The probes of the search, memoised and charged against the budget: scratch accuracies of
//! single models and distilled accuracies of chains.

use std::collections::HashSet;

use super::{Member, OverBudget, Probe, State};
use crate::error::Result;
use crate::protocol::{Event, ProbeKind};

impl State<'_, '_> {
    pub(super) fn budget_left(&self) -> usize {
        self.cfg
            .probe_budget
            .map_or(usize::MAX, |b| b.saturating_sub(self.epochs))
    }

    pub(super) fn emit(&mut self, e: Event) -> Result<()> {
        (self.observer)(e)
    }

    pub(super) fn charge(&mut self, p: &Probe) {
        self.epochs += self.search.probe_epochs;
        self.images += p.images;
        self.seconds += p.seconds;
    }

    /// Scratch accuracies of `members`, probing the unknown ones — all or none, within the budget.
    pub(super) fn scratch_of(
        &mut self,
        members: &[Member],
    ) -> Result<Result<Vec<f64>, OverBudget>> {
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
    pub(super) fn chain_of(
        &mut self,
        assistants: &[usize],
    ) -> Result<Result<Vec<f64>, OverBudget>> {
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

    pub(super) fn over_budget(&self, need: usize) -> String {
        format!(
            "probe budget: {} of {} epochs spent, the next probes need {need}",
            self.epochs,
            self.cfg.probe_budget.unwrap_or(0)
        )
    }
}
