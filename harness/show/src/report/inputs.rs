//! What a report is drawn from, gathered once before the page is written: below the page, its
//! builder and its sections, which all read it.

use spanalloc_judge::compare::Comparison;
use spanalloc_record::history::HistoryEntry;
use spanalloc_record::schema::Results;

use super::sources::{BenchEstimate, InstructionCount};

/// Everything a report is drawn from.
pub struct Inputs {
    /// The run.
    pub results: Results,
    /// The comparison with a baseline, if one was found.
    pub comparison: Option<Comparison>,
    /// The baseline's environment (its date and run id mark it in the history).
    pub baseline_run: Option<spanalloc_record::schema::Environment>,
    /// Why there is no comparison, when there is none.
    pub no_comparison: String,
    /// Runs recorded in the history file.
    pub history: Vec<HistoryEntry>,
    /// criterion estimates.
    pub criterion: Vec<BenchEstimate>,
    /// iai-callgrind instruction counts.
    pub iai: Vec<InstructionCount>,
    /// Problems with optional inputs, shown in the page.
    pub warnings: Vec<String>,
    /// The files under the report's directory a link may point at (dhat profiles that exist),
    /// as given in results.json. Anything else an input file names is shown as text, never a link.
    pub linkable: std::collections::BTreeSet<String>,
    /// The binary's name, for the commands the page suggests.
    pub tool: String,
}
