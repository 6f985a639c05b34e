//! A comparison as a terminal table, Markdown (for `$GITHUB_STEP_SUMMARY` or a PR comment,
//! regressions first) or JSON.

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};

use super::{Comparison, Row, Verdict};
use crate::table::human_bytes;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A terminal table.
    Text,
    /// Markdown, regressions first.
    Markdown,
    /// JSON.
    Json,
}

/// A value in its unit.
pub fn value(v: Option<f64>, unit: &str) -> String {
    let Some(v) = v else { return "—".into() };
    match unit {
        "bytes" if v >= 1024.0 => human_bytes(v),
        "bytes" => format!("{v:.1} B"),
        "ns" if v >= 1e6 => format!("{:.2} ms", v / 1e6),
        "ns" if v >= 1e3 => format!("{:.1} µs", v / 1e3),
        "ns" if v >= 100.0 => format!("{v:.0} ns"),
        "ns" if v >= 10.0 => format!("{v:.1} ns"),
        "ns" => format!("{v:.2} ns"),
        "allocs" => format!("{v:.3}"),
        "count" => format!("{v:.0}"),
        _ => format!("{v:.0}"),
    }
}

impl Format {
    /// Every format, by the name a user gives it.
    pub const NAMES: [(&'static str, Format); 3] =
        [("text", Format::Text), ("markdown", Format::Markdown), ("json", Format::Json)];
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Format::NAMES
            .iter()
            .find(|(n, _)| *n == s)
            .map(|(_, f)| *f)
            .ok_or_else(|| format!("unknown format '{s}' (text, markdown, json)"))
    }
}

fn change(r: &Row) -> String {
    match (r.change_pct, r.baseline, r.current) {
        (Some(p), _, _) => format!("{p:+.1}%"),
        (None, Some(b), Some(c)) if b == 0.0 && c == 0.0 => "0".into(),
        (None, Some(_), Some(_)) => "from 0".into(),
        _ => "—".into(),
    }
}

fn headline(c: &Comparison) -> String {
    if c.regressions == 0 {
        format!("no regression against {}", c.baseline)
    } else {
        format!("{} regression{} against {}", c.regressions, if c.regressions == 1 { "" } else { "s" }, c.baseline)
    }
}

/// Rows, regressions first, then improvements, then the rest in results order.
fn ordered(c: &Comparison) -> Vec<&Row> {
    let mut rows: Vec<&Row> = c.rows.iter().collect();
    rows.sort_by_key(|r| match r.verdict {
        Verdict::Regressed => 0,
        Verdict::Improved => 1,
        Verdict::Incomparable | Verdict::Missing | Verdict::New => 2,
        _ => 3,
    });
    rows
}

/// Renders `c` as `format`.
pub fn render(c: &Comparison, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(c).expect("a comparison serialises"),
        Format::Text => {
            let mut t = Table::new();
            t.load_preset(UTF8_FULL_CONDENSED);
            t.set_header(["scenario", "ts", "metric", "baseline", "current", "change", "verdict", "note"]);
            for r in ordered(c) {
                t.add_row([
                    r.scenario.clone(),
                    r.trace_state_entries.to_string(),
                    r.metric.to_string(),
                    value(r.baseline, r.unit),
                    value(r.current, r.unit),
                    change(r),
                    r.verdict.word().to_uppercase(),
                    r.note.clone(),
                ]);
            }
            let timing = c.timing_not_compared.as_ref().map_or_else(String::new, |n| format!("{n}\n"));
            format!("{}: {}\n{timing}{t}\n", c.current, headline(c))
        }
        Format::Markdown => {
            let mark = if c.regressions == 0 { "✅" } else { "❌" };
            let mut out = format!("### {mark} spanalloc: {}\n\n", headline(c));
            if let Some(n) = &c.timing_not_compared {
                out.push_str(&format!("{}\n\n", md_escape(n)));
            }
            out.push_str("| scenario | ts | metric | baseline | current | change | verdict | note |\n");
            out.push_str("|---|---:|---|---:|---:|---:|---|---|\n");
            for r in ordered(c) {
                let verdict =
                    if r.verdict == Verdict::Regressed { "**regressed**".to_owned() } else { r.verdict.word().to_owned() };
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                    md_escape(&r.scenario),
                    r.trace_state_entries,
                    r.metric,
                    value(r.baseline, r.unit),
                    value(r.current, r.unit),
                    change(r),
                    verdict,
                    md_escape(&r.note)
                ));
            }
            out
        }
    }
}

/// Keeps a table cell a cell: pipes and line breaks would end it.
fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_their_units() {
        assert_eq!(value(Some(53.4461), "allocs"), "53.446");
        assert_eq!(value(Some(2048.0), "bytes"), "2.0 KiB");
        assert_eq!(value(Some(5_218_300.0), "ns"), "5.22 ms");
        assert_eq!(value(None, "ns"), "—");
        assert_eq!(md_escape("a|b\nc"), "a\\|b c");
    }
}
