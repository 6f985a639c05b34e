//! The passes of a measurement and what one child process reports for one: the protocol
//! between `spanalloc run` and the processes it starts (its own `measure` children, or an
//! external scenario's program), one JSON line on stdout.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use spanalloc_record::schema::{CurrentCheck, DhatSummary};

use crate::meter::{Counts, Mode};

/// The passes a child can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// No meter: CPU, rate, lag, latency, RSS.
    Plain,
    /// The fast meter: counts, bytes, peak, timeline, stages.
    Count,
    /// stats_alloc's counters, the reference the fast meter must equal.
    StatsAlloc,
    /// dhat's profiler: call sites and an independent count.
    Dhat,
    /// No meter, under callgrind: the instructions of the measured region ([`crate::instructions`]).
    Instructions,
    /// No meter, paced at the rate asked even above the scenario's gate rate: how fast the row
    /// holds ([`crate::holds`]).
    Probe,
    /// The plain pass under valgrind's DHAT: the meter checked from outside ([`crate::verify`]).
    Outside,
}

impl Pass {
    /// Every pass, by name.
    pub const ALL: [Pass; 7] =
        [Pass::Plain, Pass::Count, Pass::StatsAlloc, Pass::Dhat, Pass::Instructions, Pass::Probe, Pass::Outside];

    /// The pass's name in results, errors and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Pass::Plain => "plain",
            Pass::Count => "count",
            Pass::StatsAlloc => "stats-alloc",
            Pass::Dhat => "dhat",
            Pass::Instructions => "instructions",
            Pass::Probe => "probe",
            Pass::Outside => "outside",
        }
    }

    pub(crate) fn mode(self) -> Mode {
        match self {
            Pass::Plain => Mode::Off,
            Pass::Count => Mode::Fast,
            Pass::StatsAlloc => Mode::StatsAlloc,
            Pass::Dhat => Mode::Dhat,
            Pass::Instructions | Pass::Probe | Pass::Outside => Mode::Off,
        }
    }
}

impl std::str::FromStr for Pass {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Pass::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| format!("unknown pass '{s}' (plain, count, stats-alloc, dhat, instructions, probe, outside)"))
    }
}

/// What one child process reports for one pass: the raw material of a [`ScenarioResult`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassOutput {
    /// Which pass.
    pub pass: String,
    /// Scenario name.
    pub scenario: String,
    /// Spans started in the measured region.
    pub spans: u64,
    /// Spans exported.
    pub spans_exported: u64,
    /// Digest, hex.
    pub digest: String,
    /// Process CPU over the measured region, ns.
    pub cpu_ns: u64,
    /// Measured region, start to last span out, ns.
    pub emit_elapsed_ns: u64,
    /// Achieved spans/s.
    pub achieved_rate: f64,
    /// Largest lag, ns.
    pub max_lag_ns: u64,
    /// Latency p50, ns.
    pub latency_p50_ns: u64,
    /// Latency p99, ns.
    pub latency_p99_ns: u64,
    /// Latency max, ns.
    pub latency_max_ns: u64,
    /// VmHWM at the end of the child.
    pub peak_rss_bytes: u64,
    /// Allocator totals in the measured region (count, stats-alloc and count-check passes).
    pub counts: Option<Counts>,
    /// Live heap at region start above the harness's (count passes).
    #[serde(default)]
    pub setup_heap_bytes: Option<u64>,
    /// Live heap at region end minus at region start (count passes).
    #[serde(default)]
    pub retained_heap_bytes: Option<i64>,
    /// Peak live heap in the measured region above the harness's (count passes).
    pub peak_heap_bytes: Option<u64>,
    /// Its error bound.
    pub peak_heap_error_bytes: Option<u64>,
    /// Peak live heap of the whole process, harness included (count passes): set against this
    /// pass's own peak RSS for the allocator's slack.
    #[serde(default)]
    pub peak_live_bytes: Option<u64>,
    /// The allocator beneath the meter in this process; `None` from a program of its own.
    #[serde(default)]
    pub allocator: Option<String>,
    /// The language the program measured runs in (`go` for the Go twin); `None` is Rust.
    #[serde(default)]
    pub language: Option<String>,
    /// Garbage collections in the measured region, from a program with a collector.
    #[serde(default)]
    pub gc_cycles: Option<u64>,
    /// Their total stop-the-world pause, ns.
    #[serde(default)]
    pub gc_pause_ns: Option<u64>,
    /// Per-stage `[allocs, bytes]`, indexed like `spanalloc_model::stage::Stage::ALL`.
    pub stages: Option<Vec<[u64; 2]>>,
    /// Live-heap timeline (count pass).
    pub timeline: Option<Vec<[i64; 2]>>,
    /// dhat figures (dhat pass).
    pub dhat: Option<DhatSummary>,
    /// The scenario's settings, as it reported them.
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
    /// The current-context check (first count pass).
    #[serde(default)]
    pub current_check: Option<CurrentCheck>,
    /// Non-empty batches the exporter handed the sink in the measured region; `None` from a
    /// program of its own.
    #[serde(default)]
    pub export_batches: Option<u64>,
}

/// Whether `spans` with `digest` are what the model expects.
pub(crate) fn same_work(spans: u64, digest: &str, expected: spanalloc_model::reference::Expected) -> bool {
    spans == expected.spans_exported && digest == format!("{:016x}", expected.digest)
}
