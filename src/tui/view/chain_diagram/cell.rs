//! One model's column of the chain diagram in words, at a given level of abbreviation: its label,
//! its state (`▶ distilling ep 3/8`), a detail line and the best validation accuracy of its arms.

use ratatui::style::Style;

use super::super::super::app::Outcome;
use super::super::super::format::params;
use super::super::super::nodes::{
    kind_word, short_arm, KdRequest, NodeState, NodeStatus, PlannerMark,
};
use super::super::theme::Theme;
use super::{Column, Level};
use crate::protocol::{ArmKind, Role};
use crate::stop::StopKind;

pub(super) fn column(
    node: &NodeState,
    ended: Option<&Outcome>,
    level: Level,
    theme: Theme,
) -> Column {
    if let Some(mark) = node.planner {
        return planner_column(node, mark, level, theme);
    }
    let s = &node.summary;
    let role = match (level, s.role) {
        (Level::Terse, Role::Teacher) => "T",
        (Level::Terse, Role::Student) => "S",
        (_, role) => role.as_str(),
    };
    let (word, state_style) = state_text(node, ended, level, theme);
    let state = if level == Level::Full {
        format!("{} · {word}", params(s.params))
    } else {
        word
    };
    let (detail, detail_style) = detail_text(node, level, theme);
    Column {
        label: format!("[{role} {}]", s.arch),
        state,
        state_style,
        detail,
        detail_style,
        acc: accuracy_text(node, level),
    }
}

/// A planner candidate: `[TA? mlp-64]`, dimmed while probed, then accepted or rejected with the
/// student's gain.
fn planner_column(node: &NodeState, mark: PlannerMark, level: Level, theme: Theme) -> Column {
    let compact = level >= Level::Compact;
    let gain = |g: Option<f64>| g.map_or("—".to_string(), |g| format!("{} pp", signed(g)));
    let (state, style) = match mark {
        PlannerMark::Probing => (
            if compact { "? probe" } else { "? probing" }.to_string(),
            theme.dim(),
        ),
        PlannerMark::Accepted(g) => (
            format!("{} {}", if compact { "✓" } else { "✓ accepted" }, gain(g)),
            theme.ok(),
        ),
        PlannerMark::Rejected(g) => (
            format!("{} {}", if compact { "✗" } else { "✗ rejected" }, gain(g)),
            theme.warn(),
        ),
    };
    let state = if level == Level::Full {
        format!("{} · {state}", params(node.summary.params))
    } else {
        state
    };
    Column {
        label: format!("[TA? {}]", node.summary.arch),
        state,
        state_style: style,
        detail: if compact {
            String::new()
        } else {
            "planner".into()
        },
        detail_style: theme.dim(),
        acc: String::new(),
    }
}

/// The model's state in words: `▶ distilling ep 3/8`, `■ KD stopped @4 (margin)`, …
fn state_text(
    node: &NodeState,
    ended: Option<&Outcome>,
    level: Level,
    theme: Theme,
) -> (String, Style) {
    let compact = level >= Level::Compact;
    let terse = level == Level::Terse;
    let running = matches!(
        node.status(),
        NodeStatus::Training { .. } | NodeStatus::Labels { .. }
    );
    let epoch = node.epoch_in_progress();
    // The stage that was training when the run ended did not finish.
    match ended {
        Some(Outcome::Failed { .. }) if running => {
            let text = if compact {
                format!("✗ ep {epoch}")
            } else {
                format!("✗ failed in ep {epoch}")
            };
            return (text, theme.error());
        }
        Some(Outcome::Aborted { .. }) if running => {
            let text = if compact {
                format!("■ ep {epoch}")
            } else {
                format!("■ aborted in ep {epoch}")
            };
            return (text, theme.warn());
        }
        _ => {}
    }
    match node.status() {
        NodeStatus::Waiting if terse => ("wait".into(), theme.dim()),
        NodeStatus::Waiting => ("waiting".into(), theme.dim()),
        NodeStatus::Loaded => ("✓ loaded".into(), theme.ok()),
        NodeStatus::Training { epoch, epochs } => {
            let text = match (terse, compact, node.is_distilled()) {
                (true, _, _) => format!("▶ {epoch}/{epochs}"),
                (_, true, true) => format!("▶ KD ep {epoch}/{epochs}"),
                (_, true, false) => format!("▶ ep {epoch}/{epochs}"),
                (_, _, true) => format!("▶ distilling ep {epoch}/{epochs}"),
                (_, _, false) => format!("▶ training ep {epoch}/{epochs}"),
            };
            (text, theme.active())
        }
        NodeStatus::Labels {
            stopped_at, kind, ..
        } => {
            let text = match (terse, compact) {
                (true, _) => format!("■ KD@{stopped_at}"),
                (_, true) => format!("■ KD off @{stopped_at} {}", kind_word(kind)),
                _ => format!("■ KD stopped @{stopped_at} ({})", kind_word(kind)),
            };
            (text, theme.warn())
        }
        NodeStatus::Done => ("✓ done".into(), theme.ok()),
        NodeStatus::Stopped { epoch, kind } => {
            let why = if kind == StopKind::MaxEpochs {
                "max_epochs"
            } else {
                "finish"
            };
            let text = match (terse, compact) {
                (true, _) => format!("■ @{epoch}"),
                (_, true) => format!("■ @{epoch} {why}"),
                _ => format!("■ stopped @{epoch} ({why})"),
            };
            (text, theme.warn())
        }
    }
}

/// The line under the state: the labels-only epochs after a stop, what stopped a finished stage,
/// a pending `s`/`r`, or the latest advantage Δ while distilling.
fn detail_text(node: &NodeState, level: Level, theme: Theme) -> (String, Style) {
    let compact = level >= Level::Compact;
    let terse = level == Level::Terse;
    let pending = match node.kd_request {
        Some(KdRequest::Stop { .. }) => Some(if terse {
            "stop asked…"
        } else {
            "stop KD asked…"
        }),
        Some(KdRequest::Resume { .. }) => Some(if terse {
            "resume asked…"
        } else {
            "resume KD asked…"
        }),
        None => None,
    };
    if let Some(text) = pending {
        return (text.to_string(), theme.warn());
    }
    match node.status() {
        NodeStatus::Labels { epoch, epochs, .. } => {
            let text = match (terse, compact) {
                (true, _) => format!("lab {epoch}/{epochs}"),
                (_, true) => format!("labels {epoch}/{epochs}"),
                _ => format!("· labels ep {epoch}/{epochs}"),
            };
            (text, theme.warn())
        }
        NodeStatus::Stopped { kind, .. } if kind != StopKind::MaxEpochs => {
            let text = match (terse, compact, kind) {
                (true, _, _) => kind_word(kind).to_string(),
                (_, true, StopKind::Manual) => "by hand".to_string(),
                (_, true, _) => format!("by {}", kind_word(kind)),
                (_, _, StopKind::Manual) => "KD stopped by hand".to_string(),
                (_, _, _) => format!("by the {} rule", kind_word(kind)),
            };
            (text, theme.dim())
        }
        NodeStatus::Done => match node.kd_stop() {
            Some(stop) => {
                let text = match (terse, compact) {
                    (true, _) => format!("KD@{}", stop.epoch),
                    (_, true) => format!("KD off @{} {}", stop.epoch, kind_word(stop.kind)),
                    _ => format!("KD stopped @{} ({})", stop.epoch, kind_word(stop.kind)),
                };
                (text, theme.dim())
            }
            None => (String::new(), theme.dim()),
        },
        NodeStatus::Training { .. } if node.is_distilled() => {
            if let Some(epoch) = node.resumed_after() {
                let text = if compact {
                    format!("KD on @{epoch}")
                } else {
                    format!("KD resumed @{epoch}")
                };
                return (text, theme.dim());
            }
            match node.latest_advantage() {
                Some((_, delta)) => {
                    let value = signed(delta);
                    let text = if compact {
                        format!("Δ{value}")
                    } else {
                        format!("Δ {value} pp")
                    };
                    (text, theme.dim())
                }
                None => (String::new(), theme.dim()),
            }
        }
        _ => (String::new(), theme.dim()),
    }
}

/// `+0.42`, `−0.12` (typographic minus), `0.00`.
pub fn signed(value: f64) -> String {
    let s = format!("{value:+.2}");
    match s.as_str() {
        "-0.00" | "+0.00" => "0.00".to_string(),
        _ => s.replacen('-', "−", 1),
    }
}

/// Best validation accuracy of the primary arm, and of each control beside a distilled one.
fn accuracy_text(node: &NodeState, level: Level) -> String {
    let Some(primary) = node.primary_arm() else {
        return String::new();
    };
    let value = |arm: ArmKind| -> String {
        match (node.best_val(arm), level) {
            (None, _) => "—".into(),
            (Some(v), Level::Full | Level::NoParams) => format!("{v:.1}%"),
            (Some(v), _) => format!("{v:.1}"),
        }
    };
    if node.best_val(primary).is_none() && !node.started {
        return String::new();
    }
    let controls = node.controls();
    if controls.is_empty() {
        return match level {
            Level::Terse => value(primary),
            _ => format!("val {}", value(primary)),
        };
    }
    let arms: Vec<ArmKind> = std::iter::once(primary)
        .chain(controls.iter().copied())
        .collect();
    match level {
        Level::Terse => arms.iter().map(|&a| value(a)).collect::<Vec<_>>().join("/"),
        Level::Compact => arms
            .iter()
            .map(|&a| format!("{}{}", short_arm(a), value(a)))
            .collect::<Vec<_>>()
            .join(" "),
        _ => arms
            .iter()
            .map(|&a| format!("{} {}", short_arm(a), value(a)))
            .collect::<Vec<_>>()
            .join(" · "),
    }
}
