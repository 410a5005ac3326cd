//! A table built once and written three ways: Markdown (`compare.md`), CSV (one file per table)
//! and a LaTeX `tabular` (`compare.tex`), so the numbers a paper quotes are the numbers read here.

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// One column: its heading as shown, and the CSV columns it splits into (a shown `97.1 ± 0.2`
/// is two CSV numbers, `test_mean` and `test_sd`).
#[derive(Debug, Clone)]
pub struct Column {
    pub head: &'static str,
    pub align: Align,
    pub csv: &'static [&'static str],
}

/// One cell: the text shown (Markdown and LaTeX) and its CSV fields (one per name in the
/// column's `csv`; empty fields where there is no value).
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub shown: String,
    pub csv: Vec<String>,
}

impl Cell {
    /// A cell shown and written as the same text.
    pub fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        Cell {
            shown: s.clone(),
            csv: vec![s],
        }
    }
}

/// A table: columns and rows of cells, one per column.
#[derive(Debug, Clone)]
pub struct Grid {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Grid {
    /// A Markdown pipe table.
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let heads: Vec<&str> = self.columns.iter().map(|c| c.head).collect();
        s.push_str(&format!("| {} |\n", heads.join(" | ")));
        let rules: Vec<&str> = self
            .columns
            .iter()
            .map(|c| match c.align {
                Align::Left => "---",
                Align::Right => "--:",
            })
            .collect();
        s.push_str(&format!("|{}|\n", rules.join("|")));
        for row in &self.rows {
            let cells: Vec<&str> = row.iter().map(|c| c.shown.as_str()).collect();
            s.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        s
    }

    /// RFC 4180 CSV: a header line of the columns' CSV names, then one line per row.
    pub fn csv(&self) -> String {
        let mut s = String::new();
        let heads: Vec<&str> = self
            .columns
            .iter()
            .flat_map(|c| c.csv.iter().copied())
            .collect();
        s.push_str(&heads.join(","));
        s.push('\n');
        for row in &self.rows {
            let fields: Vec<String> = row
                .iter()
                .flat_map(|c| c.csv.iter())
                .map(|f| csv_field(f))
                .collect();
            s.push_str(&fields.join(","));
            s.push('\n');
        }
        s
    }

    /// A LaTeX `tabular` with booktabs rules (`\usepackage{booktabs}`).
    pub fn latex(&self) -> String {
        let spec: String = self
            .columns
            .iter()
            .map(|c| match c.align {
                Align::Left => 'l',
                Align::Right => 'r',
            })
            .collect();
        let mut s = format!("\\begin{{tabular}}{{{spec}}}\n\\toprule\n");
        let heads: Vec<String> = self.columns.iter().map(|c| latex_text(c.head)).collect();
        s.push_str(&format!("{} \\\\\n\\midrule\n", heads.join(" & ")));
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(|c| latex_text(&c.shown)).collect();
            s.push_str(&format!("{} \\\\\n", cells.join(" & ")));
        }
        s.push_str("\\bottomrule\n\\end{tabular}\n");
        s
    }
}

/// `f` quoted when it holds a comma, a quote or a line break (quotes doubled).
fn csv_field(f: &str) -> String {
    if f.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f.to_string()
    }
}

/// `s` as LaTeX text: special characters escaped, the symbols the tables use as math.
pub fn latex_text(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '±' => out.push_str("$\\pm$"),
            '→' => out.push_str("$\\to$"),
            '×' => out.push_str("$\\times$"),
            'α' => out.push_str("$\\alpha$"),
            'Δ' => out.push_str("$\\Delta$"),
            '≥' => out.push_str("$\\geq$"),
            '—' => out.push_str("---"),
            '–' => out.push_str("--"),
            _ => out.push(c),
        }
    }
    out
}

/// `x` with at most `decimals` decimals and no trailing zeros: `9`, not `9.0` (also when it only
/// rounds to a whole number: 0.98 → `1`); `4.7`, not `4.70`.
pub fn plain(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "—".to_string();
    }
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_print_without_decimals() {
        assert_eq!(plain(9.0, 1), "9");
        assert_eq!(plain(9.5, 1), "9.5");
        assert_eq!(plain(1.0 / 3.0, 2), "0.33");
        assert_eq!(plain(f64::NAN, 1), "—");
        assert_eq!(plain(0.98, 1), "1", "rounds to a whole number");
        assert_eq!(plain(4.70, 2), "4.7");
        assert_eq!(plain(1200.0, 0), "1200");
        assert_eq!(plain(-0.01, 1), "0");
    }

    #[test]
    fn the_three_renderings() {
        let g = Grid {
            columns: vec![
                Column {
                    head: "strategy",
                    align: Align::Left,
                    csv: &["strategy"],
                },
                Column {
                    head: "test %",
                    align: Align::Right,
                    csv: &["test_mean", "test_sd"],
                },
            ],
            rows: vec![vec![
                Cell::text("takd[mlp-32, x]"),
                Cell {
                    shown: "97.10 ± 0.20".into(),
                    csv: vec!["97.1".into(), "0.2".into()],
                },
            ]],
        };
        assert_eq!(
            g.markdown(),
            "| strategy | test % |\n|---|--:|\n| takd[mlp-32, x] | 97.10 ± 0.20 |\n"
        );
        assert_eq!(
            g.csv(),
            "strategy,test_mean,test_sd\n\"takd[mlp-32, x]\",97.1,0.2\n"
        );
        assert_eq!(
            g.latex(),
            "\\begin{tabular}{lr}\n\\toprule\nstrategy & test \\% \\\\\n\\midrule\n\
             takd[mlp-32, x] & 97.10 $\\pm$ 0.20 \\\\\n\\bottomrule\n\\end{tabular}\n"
        );
    }
}
