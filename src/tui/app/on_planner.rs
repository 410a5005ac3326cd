//! The planner's events in the front end: log lines, and the chain replaced when the planner chose.

use crate::protocol::{Event, PlanSummary};

use super::super::nodes::NodeState;
use super::*;

impl App {
    /// Folds a `Planner*` or `PlanChanged` event into the state.
    pub(super) fn on_planner(&mut self, event: &Event) {
        if let Some(line) = event.planner_line() {
            self.info(line);
        }
        if let Event::PlanChanged { plan } = event {
            self.replace_plan(plan);
        }
    }

    /// The new chain keeps what is known of the models it shares (by name) with the old one.
    fn replace_plan(&mut self, plan: &PlanSummary) {
        let mut old = std::mem::take(&mut self.nodes);
        self.nodes = plan
            .nodes
            .iter()
            .map(|n| match old.iter().position(|o| o.summary.name == n.name) {
                Some(i) => {
                    let mut kept = old.swap_remove(i);
                    kept.summary = n.clone();
                    kept
                }
                None => NodeState::new(n.clone()),
            })
            .collect();
        if let Some(run) = &mut self.run {
            run.plan = plan.clone();
        }
    }
}
