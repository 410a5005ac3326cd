//! Styles in one place, so `NO_COLOR` is honoured everywhere by one switch.
//!
//! Colour only ever repeats what words and markers already say (`▶`, `✓`, `■`, `*`, `FAILED`), so
//! dropping it loses nothing; bold and reverse are kept because they are not colour.

use ratatui::style::{Color, Modifier, Style};

/// The palette, or its absence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    color: bool,
}

impl Theme {
    /// `no_color` drops every colour.
    pub fn new(no_color: bool) -> Self {
        Theme { color: !no_color }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    /// Block titles.
    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// Borders.
    pub fn border(self) -> Style {
        self.fg(Color::DarkGray)
    }

    /// Secondary text.
    pub fn dim(self) -> Style {
        self.fg(Color::DarkGray)
    }

    /// The primary (distilled) arm.
    pub fn primary_arm(self) -> Style {
        self.fg(Color::Cyan)
    }

    /// Control arms.
    pub fn control_arm(self) -> Style {
        self.fg(Color::Yellow)
    }

    /// The second kind of control arm (kd-from-teacher).
    pub fn control_arm_2(self) -> Style {
        self.fg(Color::Magenta)
    }

    /// Reference lines of finished upstream models.
    pub fn reference(self) -> Style {
        self.fg(Color::Gray)
    }

    /// Something in progress.
    pub fn active(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Something finished well.
    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }

    /// Warnings and held states (paused, stopped early, pending edits).
    pub fn warn(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// Failures.
    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// Key names in the key bar and help.
    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The selected row.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
}
