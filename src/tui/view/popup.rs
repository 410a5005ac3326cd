//! Helpers for boxes drawn over the screen: placement and plain word wrapping.

use ratatui::layout::Rect;

/// A `width`×`height` rectangle centred in `area`, shrunk to fit it.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Splits `text` into lines of at most `width` terminal cells, at spaces where possible (paths and
/// long words are cut), so a box can be sized to its text before drawing. Leading spaces are kept
/// as an indent on every line. Widths are display widths: a wide character takes two cells.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let body = text.trim_start_matches(' ');
    let indent = &text[..text.len() - body.len()];
    let indent = if indent.len() < width { indent } else { "" };
    let options = textwrap::Options::new(width.max(1))
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .break_words(true)
        .initial_indent(indent)
        .subsequent_indent(indent);
    textwrap::wrap(body, options)
        .into_iter()
        .map(|line| line.into_owned())
        .collect()
}

/// Display width of `text` in terminal cells (a wide character counts two).
pub fn cells(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` cut to `width` cells, with `…` when cut.
pub fn fit(text: &str, width: usize) -> String {
    if cells(text) <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `text` padded with spaces to `width` cells (unchanged when wider).
pub fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(cells(text))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("ab cd ef", 5), vec!["ab cd", "ef"]);
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap("", 4), vec![""]);
        assert_eq!(wrap("  ab cd", 5), vec!["  ab", "  cd"]);
        // Hyphens and slashes are no break points; wide characters take two cells.
        assert_eq!(wrap("mlp-32 a/b", 6), vec!["mlp-32", "a/b"]);
        assert_eq!(wrap("学生 ab", 4), vec!["学生", "ab"]);
        assert_eq!(wrap("学生模型", 5), vec!["学生", "模型"]);
    }

    #[test]
    fn fit_and_pad_count_cells() {
        assert_eq!(fit("学生模型", 5), "学生…");
        assert_eq!(fit("student", 4), "stu…");
        assert_eq!(fit("ab", 4), "ab");
        assert_eq!(pad("学生", 6), "学生  ");
        assert_eq!(cells(&pad("学生", 6)), 6);
    }

    #[test]
    fn centered_fits_inside() {
        let r = centered(Rect::new(0, 0, 80, 24), 100, 10);
        assert_eq!(r, Rect::new(0, 7, 80, 10));
    }
}
