//! The one place where terminal key events become the app's [`Key`]s.
//!
//! What a key *means* depends on what is on screen (a `y` only matters in the quit dialog), so that
//! decision lives in `App::on_key`; this file only hides crossterm from the rest of the front end.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// A key press, independent of the terminal library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A printable character without Ctrl/Alt (Shift is folded into the character).
    Char(char),
    /// Arrow up.
    Up,
    /// Arrow down.
    Down,
    /// Arrow left.
    Left,
    /// Arrow right.
    Right,
    /// Enter / Return.
    Enter,
    /// Escape.
    Esc,
    /// Tab.
    Tab,
    /// Shift-Tab.
    BackTab,
    /// Page Up.
    PageUp,
    /// Page Down.
    PageDown,
    /// Home.
    Home,
    /// End.
    End,
    /// Ctrl-C: in raw mode it arrives as a key, not as SIGINT.
    CtrlC,
}

impl Key {
    /// Translates a crossterm key event; `None` for releases and keys the app does not use.
    pub fn from_crossterm(event: &KeyEvent) -> Option<Key> {
        // Terminals with the kitty protocol (and Windows) also report releases; act on presses only.
        if event.kind == KeyEventKind::Release {
            return None;
        }
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        let alt = event.modifiers.contains(KeyModifiers::ALT);
        Some(match event.code {
            KeyCode::Char('c') | KeyCode::Char('C') if ctrl => Key::CtrlC,
            KeyCode::Char(_) if ctrl || alt => return None,
            KeyCode::Char(c) => Key::Char(c),
            KeyCode::Up => Key::Up,
            KeyCode::Down => Key::Down,
            KeyCode::Left => Key::Left,
            KeyCode::Right => Key::Right,
            KeyCode::Enter => Key::Enter,
            KeyCode::Esc => Key::Esc,
            KeyCode::Tab => Key::Tab,
            KeyCode::BackTab => Key::BackTab,
            KeyCode::PageUp => Key::PageUp,
            KeyCode::PageDown => Key::PageDown,
            KeyCode::Home => Key::Home,
            KeyCode::End => Key::End,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn ctrl_c_is_its_own_key_and_plain_c_is_a_char() {
        assert_eq!(
            Key::from_crossterm(&press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Key::CtrlC)
        );
        assert_eq!(
            Key::from_crossterm(&press(KeyCode::Char('c'), KeyModifiers::NONE)),
            Some(Key::Char('c'))
        );
    }

    #[test]
    fn releases_and_other_ctrl_chords_are_ignored() {
        let mut release = press(KeyCode::Char('q'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(Key::from_crossterm(&release), None);
        assert_eq!(
            Key::from_crossterm(&press(KeyCode::Char('q'), KeyModifiers::CONTROL)),
            None
        );
    }

    #[test]
    fn shifted_characters_keep_their_case() {
        assert_eq!(
            Key::from_crossterm(&press(KeyCode::Char('Y'), KeyModifiers::SHIFT)),
            Some(Key::Char('Y'))
        );
    }
}
