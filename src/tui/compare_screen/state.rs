//! The comparison screen's state: the comparison as last read, the selected run, the stop dialog,
//! and what a key does.

use std::path::PathBuf;

use crate::compare::{CellState, ComparisonProgress};

use super::super::keys::Key;

/// Who owns the comparison the screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The comparison runs in this process: `q` stops it (after a confirmation).
    Owner,
    /// `mkd-tui attach` on a comparison folder: `q` leaves; the comparison goes on.
    Viewer,
}

/// What the loop should do after a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Nothing more than redrawing.
    None,
    /// Leave the screen.
    Quit,
    /// Stop the comparison (the owner confirmed): its running run stops after the current batch.
    StopComparison,
    /// Open the usual screen of the run in this folder; the comparison's screen comes back after.
    Open(PathBuf),
}

/// Everything the comparison's view draws.
#[derive(Debug, Clone)]
pub struct CompareScreen {
    /// Owner or viewer: what q does.
    pub role: Role,
    /// The comparison as last read from its folder.
    pub progress: ComparisonProgress,
    /// Selected strategy row.
    pub row: usize,
    /// Selected seed column.
    pub col: usize,
    /// The "stop the comparison?" dialog is open.
    pub confirm_stop: bool,
    /// The owner asked the comparison to stop and waits for its running run to end.
    pub stopping: bool,
    /// The comparison in this process has ended (owner only; a viewer reads `progress.live`).
    pub ended: bool,
    /// One line under the table: why a key did nothing, or what happened.
    pub message: Option<String>,
    /// Seconds since the screen opened (or the comparison's age for a viewer); frozen once the
    /// comparison has finished, so the title shows how long it took.
    pub elapsed_s: f64,
    /// `elapsed_s` at the first reading that found the comparison finished.
    pub frozen_s: Option<f64>,
}

impl CompareScreen {
    /// The screen over `progress`, the first running run selected.
    pub fn new(role: Role, progress: ComparisonProgress) -> CompareScreen {
        let mut screen = CompareScreen {
            role,
            progress,
            row: 0,
            col: 0,
            confirm_stop: false,
            stopping: false,
            ended: false,
            message: None,
            elapsed_s: 0.0,
            frozen_s: None,
        };
        screen.select_running();
        screen
    }

    /// Take a fresh reading of the folder; the selection stays where it was.
    pub fn refresh(&mut self, progress: ComparisonProgress) {
        self.progress = progress;
        self.row = self.row.min(self.progress.rows.len().saturating_sub(1));
        self.col = self.col.min(self.progress.seeds.len().saturating_sub(1));
    }

    /// Whether nothing more will happen to the table.
    pub fn finished(&self) -> bool {
        match self.role {
            Role::Owner => self.ended && !self.on_slurm_still(),
            Role::Viewer => self.progress.settled(),
        }
    }

    /// The runs are Slurm tasks (`--executor slurm`): leaving this screen leaves them running.
    pub fn on_slurm(&self) -> bool {
        self.progress
            .rows
            .iter()
            .flat_map(|r| &r.cells)
            .any(|c| c.slurm.is_some())
    }

    /// Slurm tasks of the comparison still wait or run.
    fn on_slurm_still(&self) -> bool {
        self.on_slurm() && self.progress.live && {
            let (done, all) = self.progress.done();
            done < all
        }
    }

    /// Show `clock` seconds in the title, or the time at which the comparison was first seen
    /// finished.
    pub fn tick(&mut self, clock: f64) {
        if self.finished() {
            self.elapsed_s = *self.frozen_s.get_or_insert(clock);
        } else {
            self.elapsed_s = clock;
        }
    }

    /// The state of the selected run, if the table has one.
    pub fn selected(&self) -> Option<&crate::compare::Cell> {
        self.progress.rows.get(self.row)?.cells.get(self.col)
    }

    /// Put the selection on the first running run (the one a person most likely wants to open).
    fn select_running(&mut self) {
        for (r, row) in self.progress.rows.iter().enumerate() {
            if let Some(c) = row
                .cells
                .iter()
                .position(|c| matches!(c.state, CellState::Running { .. }))
            {
                (self.row, self.col) = (r, c);
                return;
            }
        }
    }

    /// Handle one key.
    pub fn on_key(&mut self, key: Key) -> Action {
        if self.confirm_stop {
            return match key {
                Key::Char('y') | Key::Char('Y') => {
                    self.confirm_stop = false;
                    self.stopping = true;
                    Action::StopComparison
                }
                Key::Char('n') | Key::Char('N') | Key::Esc => {
                    self.confirm_stop = false;
                    Action::None
                }
                // A second q or ctrl-c in the dialog leaves as the first one asked.
                Key::Char('q') | Key::CtrlC => {
                    self.confirm_stop = false;
                    self.stopping = true;
                    Action::StopComparison
                }
                _ => Action::None,
            };
        }
        self.message = None;
        let rows = self.progress.rows.len();
        let cols = self.progress.seeds.len();
        match key {
            Key::Char('q') | Key::CtrlC => match self.role {
                Role::Viewer => Action::Quit,
                Role::Owner if self.finished() || self.ended => Action::Quit,
                // Asked once already: a second ctrl-c leaves without waiting for the run's batch.
                Role::Owner if self.stopping => Action::Quit,
                Role::Owner => {
                    self.confirm_stop = true;
                    Action::None
                }
            },
            Key::Up | Key::Char('k') => {
                self.row = self.row.saturating_sub(1);
                Action::None
            }
            Key::Down | Key::Char('j') => {
                self.row = (self.row + 1).min(rows.saturating_sub(1));
                Action::None
            }
            Key::Left | Key::Char('h') => {
                self.col = self.col.saturating_sub(1);
                Action::None
            }
            Key::Right | Key::Char('l') => {
                self.col = (self.col + 1).min(cols.saturating_sub(1));
                Action::None
            }
            Key::Enter => match self.selected() {
                Some(cell) if cell.dir.join("events.jsonl").is_file() => {
                    Action::Open(cell.dir.clone())
                }
                Some(cell) => {
                    self.message = Some(format!(
                        "seed {} {}: not started yet, nothing to open",
                        cell.seed, self.progress.rows[self.row].label
                    ));
                    Action::None
                }
                None => Action::None,
            },
            _ => Action::None,
        }
    }
}
