//! `spanalloc history show`: one line per night, every string from the file made inert.

use crate::text::visible;
use spanalloc_record::history::HistoryEntry;

/// One line for `history show`: date, commit, allocs/span per scenario × trace state.
pub fn summary_line(e: &HistoryEntry) -> String {
    let cells: Vec<String> = e
        .headline
        .iter()
        .map(|h| format!("{}/ts{} {:.3} allocs/span", visible(&h.scenario), h.trace_state_entries, h.allocs_per_span))
        .collect();
    let commit: String = e.commit.as_deref().map_or_else(|| "-".to_owned(), |c| c.chars().take(12).collect());
    format!("{} {} {}", visible(&e.date), visible(&commit), cells.join(", "))
}
