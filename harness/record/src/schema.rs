//! `results.json`: the seam between measuring and showing. Documented field by field in
//! `docs/results-schema.md`; bump [`SCHEMA_VERSION`] whenever a field changes meaning.
//! Plain data: the measuring side fills it, the readers read it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The version of this layout; `docs/results-schema.md` lists what each version changed.
/// Version 2 (fair rows): heap figures are taken above the harness's own live bytes, with setup
/// and retained heap beside the peak, peak samples per repeat, the scenario's settings and the
/// current-context check. Version 3: the ratio reference and the meter's settings are recorded.
/// Version 4: the environment's fingerprint (build profile, runner label), kernel and run id.
/// Version 5: the dhat pass's allocation sites, every one, grouped by the hand-off that asked,
/// per span, with their stacks (`dhat.sites`).
/// Version 6: the allocator axis — each row names the allocator beneath the meter (`allocator`;
/// rows are keyed by scenario, trace state and allocator) and the slack between the count pass's
/// peak RSS and its peak live heap (`metrics.rss_slack_bytes`).
/// Version 7: the Go twin — each row names its language (`language`; `rust` before), a row
/// from a program with a garbage collector reports its cycles and pause (`metrics.gc_cycles`,
/// `metrics.gc_pause_ns`), and a row whose counts are not exact may state their tolerance
/// (`counts_tolerance_pct`).
/// Version 8: the verdict — each row says whether its counts repeat exactly (`exact_counts`) and
/// records every count pass's allocations and bytes (`samples.allocs`, `samples.bytes_allocated`,
/// the spread a row whose counts move is gated by); every failure has a `kind`; the model's own
/// digest of each workload is recorded (`config.expected`); `metrics.achieved_rate` counts spans
/// *exported* per second; a baseline saved with `--allow-failures` says so (`saved_with_failures`);
/// the cross-check records the tolerance it applied. `counts_tolerance_pct` is still read, never
/// used to judge: a file does not set its own gate.
/// Version 9: real stacks — each row says how it proved it did the workload's work (`same_work`:
/// `digest`, or `structure` for a stack that draws its own span ids) and whether it carries the
/// W3C trace state (`carries_trace_state`).
/// Version 10: a baseline row may say which night set it (`provenance`), and a cross-check may
/// be waived with its reason (`cross_check.waived`).
/// Version 11: the instructions pass — each row may carry callgrind's instruction count over its
/// measured region (`instructions`), or why it has none; the run says the pass's spans and the
/// valgrind it ran under (`config.instructions_spans`, `config.instructions_tool`).
/// Version 13: every count the meter takes is recorded per count pass — reallocations and
/// deallocations beside allocations (`samples.reallocs`, `samples.deallocs`) — so reallocations
/// and leaked blocks are gated like allocations, by the spread of a moving row's repeats.
/// Older files are still read: their new fields take the values those versions used, and a
/// version-1 peak heap (which counted the harness's buffers) is not compared with a later one.
/// Version 16: the sharded night — a row may carry the environment it was measured on
/// (`scenarios[].environment`; without one it is the file's), a shard's run says which part of
/// the plan it measured (`config.shard`), a merged run which shard delivered what
/// (`config.shards`), and a planned row no shard delivered is a failure of kind `shard-lost`.
/// Version 17: the meter checked from outside — a run asked to (`run --verify`) says how
/// (`config.verify`), and each row at the size it verified carries the outcome, DHAT's Δblocks
/// and the meter's Δ(allocs + reallocs) (`scenarios[].verified`); a disagreement, or a row that
/// could not be judged, is a failure of kind `verify`.
/// Version 18: the article's receiver benchmarks as it ran them — `go test -bench -benchmem`
/// of its code verbatim, five interleaved runs, every repeat's ns/op, B/op and allocs/op
/// (`go_benchmem`), in a run with the Go rows; a Go row's GC cycles per count pass
/// (`samples.gc_cycles`).
/// Version 19: the night split by unit — a size's rows on as many shards as its groups (the
/// built-in strategies and the SDK, the Go twin, each row added to the catalog), each group's
/// rows on one shard, the groups dealt to the shards by predicted cost; every shard's file and
/// the merged one record the whole split (`config.shard.split`, `config.shards.split`), and a
/// lost shard's rows are named from it. Before, a shard measured whole sizes (an empty split).
pub const SCHEMA_VERSION: u32 = 19;

/// The first layout whose rows say whether their counts are exact and record every repeat's
/// counts; older rows are told apart by their cross-check ([`ScenarioResult::exact_counts`]).
pub const EXACT_FLAG_SINCE: u32 = 8;

/// The oldest layout this spanalloc reads.
pub const OLDEST_SCHEMA_VERSION: u32 = 1;

/// The setting in which a scenario says where its current context is read.
pub const CURRENT_READ_SETTING: &str = "current context read";

/// The setting in which a row built on opentelemetry_sdk names the release it runs over.
pub const SDK_RELEASE_SETTING: &str = "opentelemetry_sdk release";

/// The first layout whose `peak_heap_bytes` leaves out the harness's own buffers.
pub const PEAK_ABOVE_HARNESS_SINCE: u32 = 2;

/// One `spanalloc run`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// Layout version; readers refuse versions they do not know.
    pub schema_version: u32,
    /// What was run.
    pub config: RunConfig,
    /// Where it ran.
    pub environment: Environment,
    /// One entry per scenario × trace-state size that completed.
    pub scenarios: Vec<ScenarioResult>,
    /// Every check that failed or could not run, with its kind: a run with any never passes
    /// `compare` and is not saved as a clean baseline.
    pub failures: Vec<Failure>,
    /// Set by `baseline save --allow-failures`: this baseline was saved although its run had
    /// failures, and `compare` says so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub saved_with_failures: bool,
    /// The article's receiver benchmarks (C8), run as the article ran them (schema 18; before,
    /// and in a run without the Go rows: absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub go_benchmem: Option<GoBenchmem>,
}

/// `go test -bench . -benchmem -count N` of the article's receiver code, reproduced verbatim
/// (`scenarios/go-twin/article`): what its C8 table reports, B/op and allocs/op (heap bytes and
/// allocations per call, from the runtime's counters) and ns/op, for every repeat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoBenchmem {
    /// `go version` of the toolchain that built and ran them.
    pub go: String,
    /// The package benchmarked, relative to the repository.
    pub package: String,
    /// `-benchtime`: calls per repeat (`200000x`).
    pub benchtime: String,
    /// Each benchmark, in the order `go test` ran them.
    pub benchmarks: Vec<GoBenchmark>,
}

/// One Go benchmark's repeats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoBenchmark {
    /// Its name without `Benchmark` and the `-GOMAXPROCS` suffix (`PointerReceiver`).
    pub name: String,
    /// One entry per `-count` repeat.
    pub samples: Vec<GoBenchSample>,
}

/// One line of `-benchmem` output.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GoBenchSample {
    /// Nanoseconds per call.
    pub ns_per_op: f64,
    /// Heap bytes allocated per call (whole bytes: total ÷ calls, rounded down, as Go prints it).
    pub bytes_per_op: u64,
    /// Heap allocations per call (the same).
    pub allocs_per_op: u64,
}

impl GoBenchmark {
    /// The lowest and highest of `f` over the repeats, and their median.
    pub fn spread(&self, f: impl Fn(&GoBenchSample) -> f64) -> Option<(f64, f64, f64)> {
        let v: Vec<f64> = self.samples.iter().map(f).collect();
        let (lo, hi) = (v.iter().copied().reduce(f64::min)?, v.iter().copied().reduce(f64::max)?);
        Some((lo, crate::stats::median(&v), hi))
    }
}

/// The workload and passes of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    /// Measured spans per pass.
    pub spans: u64,
    /// Target rate, spans/s; 0 = unpaced.
    pub rate: u64,
    /// Trace-state sizes run.
    pub trace_state: Vec<usize>,
    /// Producer threads.
    pub producers: usize,
    /// Workload seed.
    pub seed: u64,
    /// Warm-up spans before each measured region.
    pub warmup: u64,
    /// Plain and count passes per scenario.
    pub repeat: usize,
    /// Spans in the dhat pass; `None` when it was skipped.
    pub dhat_spans: Option<u64>,
    /// Spans in the instructions pass; `None` when it was not asked for (and before schema 11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions_spans: Option<u64>,
    /// The valgrind it ran under (`valgrind-3.19.0`): its instruction counts are that valgrind's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions_tool: Option<String>,
    /// Children per span and levels below the root.
    pub fan_out: usize,
    /// Levels below the root.
    pub depth: usize,
    /// Every k-th span's parent crosses a process boundary.
    pub propagate_every: u64,
    /// The scenario ratios are taken against (before schema 3: value-copy).
    #[serde(default = "default_reference")]
    pub reference: String,
    /// How the count pass measured (before schema 3: the values it used then).
    #[serde(default)]
    pub meter: MeterSettings,
    /// What the model itself says every row must export at each trace-state size, computed
    /// without measuring (before schema 8: empty, and the first exact row was the reference).
    #[serde(default)]
    pub expected: Vec<ExpectedExport>,
    /// A shard's run: which part of the plan it measured (schema 16). The plan (`trace_state`
    /// and the rest of this config) is the whole night's; the rows are the shard's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// A merged run: which shard delivered which rows, and which were lost (schema 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shards: Option<Shards>,
    /// The outside check the run made, when asked (`run --verify`, schema 17).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<VerifySettings>,
}

/// How a run checked its meter from outside (`spanalloc verify`, run by `run --verify`): each
/// row at one trace-state size, its pass without the meter under valgrind's DHAT at `spans` and
/// twice as many unpaced spans, against the meter's count passes at the same sizes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifySettings {
    /// The trace-state size the rows were verified at.
    pub trace_state: usize,
    /// N: the smaller size; the larger is 2N.
    pub spans: u64,
    /// Warm-up spans at both sizes (so that they cancel).
    pub warmup: u64,
    /// Count passes per size (at least five, and as many DHAT runs, for a row whose counts move).
    pub repeat: usize,
    /// `valgrind --version`.
    pub tool: String,
}

/// One shard of a night: the `index`-th of `count` (from 1), of the CI run `run`, attempt
/// `attempt`, measuring the units `split` deals it (schema 19). Before, with no split, a shard
/// measured the plan's trace-state sizes at positions `index - 1`, `index - 1 + count`, ….
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shard {
    /// Which shard, from 1.
    pub index: usize,
    /// How many shards the plan is split into.
    pub count: usize,
    /// The identity of the night the shard belongs to: the CI run's id.
    pub run: String,
    /// The CI run's attempt: a re-run shard replaces its earlier attempt.
    pub attempt: u32,
    /// The whole night's split, the same in every shard's file: which shard measures which rows
    /// (schema 19; empty before, when a shard measured whole sizes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub split: Vec<Unit>,
}

/// Rows measured together on one shard: one group's rows at one trace-state size. The rows a
/// claim contrasts on timing are one group (timing is never compared across machines).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    /// The shard that measures it, from 1.
    pub shard: usize,
    /// Its trace-state size.
    pub trace_state: usize,
    /// The group: `built-in` (the strategies and the SDK), `go` (the Go twin), or the name of a
    /// row added to the catalog.
    pub group: String,
    /// Its rows, as results name them (`name`, or `name@allocator`).
    pub rows: Vec<String>,
    /// Seconds its passes are predicted to take, from the plan and each row's pacing: what the
    /// split balances (a prediction, not a measurement).
    pub predicted_s: f64,
}

impl Shard {
    /// Whether this shard measures row `row` at the plan's size `ts`, at `position` in the plan.
    pub fn takes(&self, position: usize, ts: usize, row: &str) -> bool {
        if self.split.is_empty() {
            return position % self.count == self.index - 1;
        }
        self.split.iter().any(|u| u.shard == self.index && u.trace_state == ts && u.rows.iter().any(|r| r == row))
    }

    /// The plan's sizes shard `index` measures any row of, in plan order.
    pub fn sizes_of(&self, index: usize, plan: &[usize]) -> Vec<usize> {
        let mine = |(position, ts): &(usize, &usize)| match self.split.is_empty() {
            true => position % self.count == index - 1,
            false => self.split.iter().any(|u| u.shard == index && u.trace_state == **ts),
        };
        plan.iter().enumerate().filter(mine).map(|(_, &ts)| ts).collect()
    }

    /// `I/N`, as the command line and messages say it.
    pub fn label(&self) -> String {
        format!("{}/{}", self.index, self.count)
    }
}

/// What a merged run was made of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shards {
    /// How many shards the plan was split into.
    pub count: usize,
    /// The night's CI run.
    pub run: String,
    /// Every shard that delivered, in order.
    pub delivered: Vec<Delivered>,
    /// The shards that delivered nothing: their rows are failures of kind `shard-lost`.
    pub lost: Vec<usize>,
    /// The night's split (schema 19; empty before, when a shard measured whole sizes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub split: Vec<Unit>,
}

/// One shard's part of a merged run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivered {
    /// Which shard, from 1.
    pub index: usize,
    /// The attempt merged (the latest given).
    pub attempt: u32,
    /// The shard run's own id (`environment.run_id` of its file).
    pub run_id: Option<String>,
    /// Its trace-state sizes.
    pub trace_state: Vec<usize>,
    /// The rows it delivered.
    pub rows: usize,
}

/// The spans one workload exports and their digest, from the model alone
/// (`spanalloc_model::reference`): the proof of same work every row is checked against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedExport {
    /// Trace-state size.
    pub trace_state_entries: usize,
    /// Spans exported (the sampled ones).
    pub spans_exported: u64,
    /// Their digest, hex.
    pub digest: String,
}

fn default_reference() -> String {
    "value-copy".into()
}

/// The count pass's own settings, which the report explains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeterSettings {
    /// A thread publishes its change of live bytes to the peak tracker once it reaches this; the
    /// tracked peak is at most `threads ×` this below the true one.
    pub peak_flush_bytes: u64,
    /// The live-heap timeline's sampling period, ms.
    pub timeline_period_ms: u64,
}

impl Default for MeterSettings {
    /// What schema 1 and 2 runs used.
    fn default() -> Self {
        MeterSettings { peak_flush_bytes: 8 * 1024, timeline_period_ms: 10 }
    }
}

/// The machine and build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    /// `git rev-parse HEAD`, if available.
    pub git_commit: Option<String>,
    /// The compiler that built the harness.
    pub rustc: String,
    /// CPU model name.
    pub cpu: String,
    /// Logical CPUs.
    pub cores: usize,
    /// The allocator every pass allocates from.
    pub allocator: String,
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    /// The build profile of the measuring binary (`release`, `debug`); absent before schema 4,
    /// whose runs therefore have no fingerprint.
    #[serde(default)]
    pub profile: Option<String>,
    /// The label of the machine the run was made on (`SPANALLOC_RUNNER`), if one was given.
    #[serde(default)]
    pub runner: Option<String>,
    /// The kernel (`uname -sr`): recorded and shown, not part of the fingerprint.
    #[serde(default)]
    pub kernel: Option<String>,
    /// A unique id of the run, so that the same results are never recorded twice.
    #[serde(default)]
    pub run_id: Option<String>,
}

/// What timing depends on: runs whose fingerprints differ are not compared on CPU, latency,
/// RSS, rate or peak heap. Counts and bytes do not depend on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fingerprint {
    /// CPU model.
    pub cpu: String,
    /// Logical CPUs.
    pub cores: usize,
    /// Compiler.
    pub rustc: String,
    /// Allocator.
    pub allocator: String,
    /// Build profile.
    pub profile: String,
    /// Runner label, if any.
    pub runner: Option<String>,
}

impl Environment {
    /// The fingerprint, for runs that recorded one (schema 4 on).
    pub fn fingerprint(&self) -> Option<Fingerprint> {
        Some(Fingerprint {
            cpu: self.cpu.clone(),
            cores: self.cores,
            rustc: self.rustc.clone(),
            allocator: self.allocator.clone(),
            profile: self.profile.clone()?,
            runner: self.runner.clone(),
        })
    }
}

impl Fingerprint {
    /// The fields that differ from `other`, as `name: this → other`.
    pub fn differences(&self, other: &Fingerprint) -> Vec<String> {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
        let fields = [
            ("cpu", self.cpu.clone(), other.cpu.clone()),
            ("cores", self.cores.to_string(), other.cores.to_string()),
            ("rustc", self.rustc.clone(), other.rustc.clone()),
            ("allocator", self.allocator.clone(), other.allocator.clone()),
            ("profile", self.profile.clone(), other.profile.clone()),
            ("runner", show(&self.runner), show(&other.runner)),
        ];
        fields.into_iter().filter(|(_, a, b)| a != b).map(|(n, a, b)| format!("{n} '{a}' → '{b}'")).collect()
    }

    /// A short, stable id of the fingerprint (16 hex digits of FNV-1a over its fields), for
    /// naming a machine's own baseline.
    pub fn id(&self) -> String {
        let cores = self.cores.to_string();
        fnv_id(&[&self.cpu, &cores, &self.rustc, &self.allocator, &self.profile, self.runner.as_deref().unwrap_or("")])
    }
}

/// FNV-1a over `parts`, separated: a short, stable id.
fn fnv_id(parts: &[&str]) -> String {
    let text = parts.join("\u{0}");
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{hash:016x}")
}

impl Results {
    /// The machine and build row `s` of this file was measured on: its own (a merged night's
    /// rows, schema 16), or the file's.
    pub fn environment_of<'a>(&'a self, s: &'a ScenarioResult) -> &'a Environment {
        s.environment.as_ref().unwrap_or(&self.environment)
    }

    /// What a run's exact counts depend on besides the code: the toolchains that built what was
    /// measured (rustc; Go for the Go rows), the allocators beneath the meter and the build
    /// profile — not the CPU, the core count or the runner. Every machine with the same counts key
    /// is gated against one counts baseline; a new key (a toolchain bump) starts a new one.
    pub fn counts_key(&self) -> String {
        let mut go: Vec<&str> = self.scenarios.iter().filter_map(|s| s.settings.get("go").map(String::as_str)).collect();
        go.sort_unstable();
        go.dedup();
        let allocators = self.allocators().join(",");
        let profile = self.environment.profile.as_deref().unwrap_or("unknown");
        fnv_id(&[&self.environment.rustc, &go.join(","), &self.environment.allocator, &allocators, profile])
    }

    /// What [`Results::counts_key`] is made of, for the nightly's messages.
    pub fn counts_key_parts(&self) -> String {
        let go: Vec<&str> = self.scenarios.iter().filter_map(|s| s.settings.get("go").map(String::as_str)).collect();
        let go = go.first().map_or_else(String::new, |g| format!(", go '{g}'"));
        format!(
            "rustc '{}'{go}, allocator '{}', profile {}",
            self.environment.rustc,
            self.environment.allocator,
            self.environment.profile.as_deref().unwrap_or("unknown")
        )
    }

    /// The entry every ratio at `s`'s trace-state size is taken against ([`RunConfig::reference`]).
    /// A row of another language is taken against that language's first row at the same size
    /// (the Go twin's `go-value`): Go rows compare with Go rows.
    /// None for a row that carries no trace state above 0 entries: it does less work there.
    pub fn reference_for(&self, s: &ScenarioResult) -> Option<&ScenarioResult> {
        if !s.comparable_work() {
            return None;
        }
        let same = |r: &&ScenarioResult| r.trace_state_entries == s.trace_state_entries && r.allocator == s.allocator;
        if s.language != "rust" {
            return self.scenarios.iter().filter(same).find(|r| r.language == s.language);
        }
        self.scenarios.iter().filter(same).find(|r| r.name == self.config.reference)
    }

    /// The allocators the run measured, in the order it measured them.
    pub fn allocators(&self) -> Vec<&str> {
        let mut seen: Vec<&str> = Vec::new();
        for s in &self.scenarios {
            if !seen.contains(&s.allocator.as_str()) {
                seen.push(&s.allocator);
            }
        }
        seen
    }

    /// The allocator of the run's first rows: the one single-allocator views (the report's
    /// charts, the claims, history) show.
    pub fn primary_allocator(&self) -> &str {
        self.scenarios.first().map_or("system", |s| s.allocator.as_str())
    }

    /// The rows over the primary allocator.
    pub fn primary(&self) -> impl Iterator<Item = &ScenarioResult> {
        let a = self.primary_allocator();
        self.scenarios.iter().filter(move |s| s.allocator == a)
    }

    /// What the ratio columns are taken against: `VC` (value-copy) when every row is Rust, `ref`
    /// when rows of another language are taken against their own first row ([`Self::reference_for`]).
    pub fn ratio_label(&self) -> &'static str {
        if self.scenarios.iter().any(|s| s.language != "rust") {
            "ref"
        } else {
            "VC"
        }
    }

    /// A scenario's name as charts show it: marked with the spans it dropped where it dropped any
    /// (`otel-sdk (dropped 3,066 at ts 32)`), so no chart shows a row that lost spans as if whole.
    pub fn marked_name(&self, name: &str) -> String {
        let drops: Vec<String> = self
            .primary()
            .filter(|s| s.name == name && s.dropped_spans > 0)
            .map(|s| format!("{} at ts {}", s.dropped_spans, s.trace_state_entries))
            .collect();
        let mut marked = name.to_owned();
        if self.primary().any(|s| s.name == name && !s.carries_trace_state) {
            marked.push_str(" (no trace state)");
        }
        if !drops.is_empty() {
            marked.push_str(&format!(" (dropped {})", drops.join(", ")));
        }
        marked
    }

    /// Whether any row ran over an allocator other than the system one, or over more than one.
    pub fn shows_allocator(&self) -> bool {
        self.allocators() != ["system"] && !self.scenarios.is_empty()
    }
}

impl Metrics {
    /// The peak live heap above what setup left live: what the pipeline held in flight (the
    /// tables' "peak in flight", C3's quantity).
    pub fn peak_in_flight_bytes(&self) -> u64 {
        self.peak_heap_bytes.saturating_sub(self.setup_heap_bytes)
    }

    /// Reallocations per span: a block that grew or shrank, which DHAT and Go's `-benchmem`
    /// count as an allocation of its own.
    pub fn reallocs_per_span(&self, spans: u64) -> f64 {
        self.reallocs as f64 / spans.max(1) as f64
    }

    /// Blocks per span as DHAT counts them: allocations plus reallocations.
    pub fn blocks_per_span(&self, spans: u64) -> f64 {
        (self.allocs + self.reallocs) as f64 / spans.max(1) as f64
    }

    /// Blocks the measured region left allocated: its allocations less its deallocations. Zero
    /// for a pipeline that frees what it allocates by the end of the pass; a block per span never
    /// freed is a leak even when allocations per span are flat. Negative when the region freed
    /// blocks that setup or warm-up had allocated.
    pub fn leaked_blocks(&self) -> i64 {
        self.allocs as i64 - self.deallocs as i64
    }

    /// [`Metrics::leaked_blocks`] per span.
    pub fn leaked_blocks_per_span(&self, spans: u64) -> f64 {
        self.leaked_blocks() as f64 / spans.max(1) as f64
    }
}

impl Samples {
    /// The blocks each count pass left allocated ([`Metrics::leaked_blocks`] per pass); empty
    /// where the file did not record every pass's deallocations (before schema 13).
    pub fn leaked_blocks(&self) -> Vec<i64> {
        if self.deallocs.len() != self.allocs.len() {
            return Vec::new();
        }
        self.allocs.iter().zip(&self.deallocs).map(|(&a, &d)| a as i64 - d as i64).collect()
    }

    /// Whether every count pass recorded its exports (schema 12; the Go twin's since schema 15).
    pub fn exports_recorded(&self) -> bool {
        !self.export_batches.is_empty() && self.export_batches.len() == self.allocs.len()
    }

    /// The median count pass's exports per span, where every pass recorded them.
    pub fn exports_per_span(&self, spans: u64) -> Option<f64> {
        let batches: Vec<f64> = self.export_batches.iter().map(|&n| n as f64).collect();
        self.exports_recorded().then(|| crate::stats::median(&batches) / spans.max(1) as f64)
    }
}

impl ScenarioResult {
    /// The rate its passes were paced at (spans/s; 0 unpaced): its own, or before schema 14 the
    /// run's.
    pub fn paced_rate(&self, config: &RunConfig) -> u64 {
        self.rate.unwrap_or(config.rate)
    }

    /// Whether the row's program measures in one pass (the Go twin: the runtime's own counters,
    /// no meter), so that its plain passes are its count passes and there is no meter's cost to
    /// show: "1.00× ±0.00" would claim a measured zero.
    pub fn measured_in_one_pass(&self) -> bool {
        !self.samples.cpu_ns_per_span.is_empty() && self.samples.cpu_ns_per_span == self.samples.count_cpu_ns_per_span
    }

    /// The meter's cost as "count ÷ plain CPU" over the repeats' plain and count passes, paired
    /// in the order they ran: the median of the pairs' ratios and, from two pairs on, half their
    /// range — a row with nothing to meter reads as 1× within that spread. `1.04× ±0.06 (5
    /// pairs)`, or `1.22× (1 pair)`; the file's median ratio when it holds no samples.
    pub fn meter_overhead_text(&self) -> String {
        if self.measured_in_one_pass() {
            return "— (one pass, no meter)".into();
        }
        let pairs: Vec<f64> = self
            .samples
            .cpu_ns_per_span
            .iter()
            .zip(&self.samples.count_cpu_ns_per_span)
            .filter(|(plain, _)| **plain > 0.0)
            .map(|(plain, count)| count / plain)
            .collect();
        match pairs.len() {
            0 => format!("{:.2}×", self.metrics.meter_overhead),
            1 => format!("{:.2}× (1 pair)", pairs[0]),
            n => {
                let (lo, hi) = pairs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
                format!("{:.2}× ±{:.2} ({n} pairs)", crate::stats::median(&pairs), (hi - lo) / 2.0)
            }
        }
    }

    /// What identifies a row in a results file: scenario, trace-state size, allocator.
    pub fn key(&self) -> (&str, usize, &str) {
        (&self.name, self.trace_state_entries, &self.allocator)
    }

    /// The scenario's name, with its allocator when that is not the system one
    /// (`value-copy@jemalloc`): how compare and the logs name a row.
    pub fn id(&self) -> String {
        if self.allocator == "system" {
            self.name.clone()
        } else {
            format!("{}@{}", self.name, self.allocator)
        }
    }

    /// The name as tables show it: with its dropped spans, if it lost any, and a mark when its
    /// current-context reads stay on the publishing thread.
    pub fn label(&self) -> String {
        let mut label = self.name.clone();
        if self.same_thread_reads() {
            label.push_str(" (same-thread read)");
        }
        if !self.carries_trace_state && self.trace_state_entries > 0 {
            label.push_str(" (no trace state)");
        }
        if self.dropped_spans > 0 {
            label.push_str(&format!(" (dropped {} spans)", self.dropped_spans));
        }
        label
    }

    /// Whether the row does the work of every other row at its size: false for one that carries
    /// no trace state at a size that has entries (fastrace above 0), shown but never set against
    /// the others.
    pub fn comparable_work(&self) -> bool {
        self.carries_trace_state || self.trace_state_entries == 0
    }

    /// Whether the scenario said its current-context reads never cross a thread (the SDK's
    /// context is thread-local).
    pub fn same_thread_reads(&self) -> bool {
        self.settings.get(CURRENT_READ_SETTING).is_some_and(|v| v.starts_with("same thread"))
    }
}

fn system_allocator() -> String {
    "system".to_owned()
}

fn rust_language() -> String {
    "rust".to_owned()
}

fn digest_same_work() -> String {
    SAME_WORK_DIGEST.to_owned()
}

fn carried() -> bool {
    true
}

/// [`ScenarioResult::same_work`] of a row proved by the full digest.
pub const SAME_WORK_DIGEST: &str = "digest";

/// One scenario at one trace-state size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// Scenario name.
    pub name: String,
    /// W3C trace-state entries per trace.
    pub trace_state_entries: usize,
    /// The allocator beneath the meter in the plain and count passes (`system`, `jemalloc`,
    /// `mimalloc`); before schema 6 always `system`.
    #[serde(default = "system_allocator")]
    pub allocator: String,
    /// The language of the program measured: `rust`, or `go` for the Go twin's rows (before
    /// schema 7 always `rust`). Ratios are taken within a language.
    #[serde(default = "rust_language")]
    pub language: String,
    /// Whether its counts repeat exactly between identical runs (one producer, a scenario that
    /// says so): gated with no tolerance at all. `false`: gated by the spread of the baseline's
    /// repeats. Before schema 8 inferred on reading ([`crate::input`]).
    #[serde(default)]
    pub exact_counts: bool,
    /// Before schema 8, a tolerance a row stated for its own counts. Read and shown, never used
    /// to judge: a file does not set its own gate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts_tolerance_pct: Option<f64>,
    /// Producer threads.
    pub producers: usize,
    /// Measured spans started.
    pub spans: u64,
    /// Spans exported (sampled).
    pub spans_exported: u64,
    /// Export digest, hex; equal for every scenario at one trace-state size that proves its work
    /// the same way ([`ScenarioResult::same_work`]).
    pub digest: String,
    /// How the row proved it did the workload's work: `digest` (every span's ids, parent, flags,
    /// trace state, name, against the model's) or `structure` (trace ids, flags, names and parent
    /// links by creation offset: a stack that draws its own span ids). Before schema 9 `digest`.
    #[serde(default = "digest_same_work")]
    pub same_work: String,
    /// Whether the row carries the W3C trace state. One that does not does less work above 0
    /// entries: it is shown there, never set against rows that do. Before schema 9 `true`.
    #[serde(default = "carried")]
    pub carries_trace_state: bool,
    /// Spans the scenario lost: it exported this many fewer than the strategies did. Only a
    /// scenario with a pipeline of its own can (the SDK's batch processor drops spans when its
    /// queue is full); one that did failed its run (since schema 14: it dropped at its gate rate),
    /// is left out of the fairness check, and says so.
    #[serde(default)]
    pub dropped_spans: u64,
    /// The rate its passes were paced at, in spans/s (0: as fast as possible): the run's, or its
    /// gate rate where the scenario declares a lower one (schema 14). `None` before: the run's
    /// [`RunConfig::rate`] ([`ScenarioResult::paced_rate`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<u64>,
    /// How the scenario was set up (a pool's capacity, a queue's size, where the current context
    /// is read), as the scenario itself reported it.
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
    /// Headline figures.
    pub metrics: Metrics,
    /// Every repeat's noisy figures, for statistics.
    pub samples: Samples,
    /// The dhat pass, when it ran.
    pub dhat: Option<DhatSummary>,
    /// The dhat pass against the count meter on the same spans.
    pub cross_check: Option<CrossCheck>,
    /// Allocation events and bytes per pipeline stage (count pass).
    pub stages: Vec<StageRow>,
    /// `[ms since the measured region began, live heap bytes]` (count pass).
    pub timeline: Vec<[i64; 2]>,
    /// The current-context slot under a writer, checked outside the measured region of the
    /// first count pass; `None` for a scenario whose current context is thread-local.
    #[serde(default)]
    pub current_check: Option<CurrentCheck>,
    /// What one export costs a row whose number of exports follows its threads' timing
    /// (schema 12): its counts are judged net of it, per batch, when both files say the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_export: Option<PerExport>,
    /// The widest spread of its bytes per span between identical runs, for a row whose bytes
    /// have modes (schema 15): its bytes band reaches this far either side when both files say
    /// the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_modes: Option<BytesModes>,
    /// The highest rate the row held on the machine that ran it (schema 15): a finding beside
    /// the figures, never the gate. `None` before, and for an unpaced run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holds: Option<Holds>,
    /// The instructions pass, when the run asked for one (schema 11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<Instructions>,
    /// In a baseline, the night that set this row when it was not the saved run itself: a
    /// sustained improvement `baseline ratchet` tightened it to (schema 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// The machine and build this row was measured on, when it is not the file's: a merged
    /// night's rows each carry their shard's (schema 16). Timing is compared per row, on this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    /// The meter checked from outside on this row, at the size the run verified
    /// (`config.verify`, schema 17); `None` at other sizes and in a run that did not verify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<Verified>,
}

/// One row's outside check: valgrind DHAT's heap blocks from N to 2N spans against the meter's
/// Δ(allocs + reallocs) at the same sizes (`spanalloc verify`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verified {
    /// The verdict.
    pub outcome: VerifyOutcome,
    /// DHAT's Δblocks from N to 2N, the least and the most its runs allow (equal for an exact
    /// row); `None` when it was not judged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dhat_blocks: Option<[u64; 2]>,
    /// The meter's Δ(allocs + reallocs), likewise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meter_blocks: Option<[u64; 2]>,
    /// Why the row could not be verified or judged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// What the outside check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerifyOutcome {
    /// The two sides agree: to the block for an exact row, in overlapping ranges for one whose
    /// counts move.
    Agrees,
    /// They do not: a failure of kind `verify`.
    Disagrees,
    /// DHAT cannot see this row's allocations (a program of its own, an allocator other than the
    /// system's): listed with why, never a failure and never a pass.
    NotVerifiable,
    /// A pass failed or did other work than the model's: nothing judged, a failure of kind `verify`.
    NotJudged,
}

impl VerifyOutcome {
    /// How the report and the terminal say it.
    pub fn word(self) -> &'static str {
        match self {
            VerifyOutcome::Agrees => "agrees",
            VerifyOutcome::Disagrees => "disagrees",
            VerifyOutcome::NotVerifiable => "not verifiable with DHAT",
            VerifyOutcome::NotJudged => "not judged",
        }
    }
}

/// The allocations and bytes one export costs a row, whatever the batch's size, and where they
/// come from (`spanalloc_model::PerExport`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerExport {
    /// Allocations per export.
    pub allocs: u64,
    /// Bytes per export beyond those proportional to the spans it carries.
    pub bytes: u64,
    /// The lines of the implementation that allocate them.
    pub why: String,
}

/// The widest spread of a row's bytes per span between identical runs, measured, and why they
/// have modes (`spanalloc_model::BytesModes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BytesModes {
    /// Bytes per span.
    pub spread_per_span: f64,
    /// Where the modes come from, and the runs that measured the spread.
    pub why: String,
}

/// The highest rate a row sustained without dropping a span, on the machine that ran it: its
/// count passes at its gate rate, then — for a row gated below the run's rate — plain passes of
/// `spans` spans at higher rates (`probes`), the run's rate first, then halving the gap between
/// the highest rate kept and the lowest that dropped, twice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holds {
    /// The highest rate sustained without dropping, spans/s: the pace kept, or what a pass that
    /// fell behind its pace achieved (its own limit).
    pub rate: u64,
    /// The run's rate: the most it was asked to hold.
    pub target: u64,
    /// Spans per probe.
    pub spans: u64,
    /// Every probe, in the order run.
    pub probes: Vec<Probe>,
}

/// One plain pass at a rate above a row's gate rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    /// The rate it was paced at, spans/s.
    pub rate: u64,
    /// The rate it achieved, spans/s.
    pub achieved: f64,
    /// Spans it dropped.
    pub dropped: u64,
}

impl Probe {
    /// Whether it held its rate: nothing dropped, and within 5% of its pace.
    pub fn held(&self) -> bool {
        self.dropped == 0 && self.achieved >= self.rate as f64 * HELD_FRACTION
    }

    /// The rate it sustained: what it achieved, up to its pace, if it dropped nothing.
    pub fn sustained(&self) -> u64 {
        if self.dropped > 0 {
            0
        } else {
            (self.achieved.max(0.0) as u64).min(self.rate)
        }
    }
}

/// A pass held its pace when it achieved at least this fraction of it.
pub const HELD_FRACTION: f64 = 0.95;

/// Which night set a baseline row, and why (`baseline ratchet`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The night's run id.
    pub run_id: Option<String>,
    /// The commit it measured.
    pub commit: Option<String>,
    /// When it started.
    pub date: String,
    /// What improved, as `metric: before → after over N nights`.
    pub tightened: Vec<String>,
}

/// Reads of the current-context slot while another thread publishes
/// (`spanalloc_model::current_check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentCheck {
    /// Publishing threads.
    pub writers: u64,
    /// Reading threads.
    pub readers: u64,
    /// Contexts stored.
    pub stores: u64,
    /// Reads that found a context.
    pub reads: u64,
    /// Reads that mixed fields of two stores.
    pub torn: u64,
    /// Reads outside the linearizable bounds or going backwards.
    pub out_of_order: u64,
}

impl CurrentCheck {
    /// Every read whole and in order.
    pub fn passed(&self) -> bool {
        self.torn == 0 && self.out_of_order == 0 && self.reads > 0
    }
}

/// The headline figures of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Allocations in the measured region (count pass).
    pub allocs: u64,
    /// Deallocations.
    pub deallocs: u64,
    /// Reallocations.
    pub reallocs: u64,
    /// Bytes allocated (reallocation growth included).
    pub bytes_allocated: u64,
    /// Bytes freed (reallocation shrinkage included).
    pub bytes_deallocated: u64,
    /// `allocs / spans`.
    pub allocs_per_span: f64,
    /// `bytes_allocated / spans`.
    pub bytes_per_span: f64,
    /// Largest live heap during the measured region, above what the harness itself had live
    /// before the scenario's setup: setup memory (a pool, a queue) included. Median over the
    /// count passes (schema 1: from the first count pass, harness buffers included).
    pub peak_heap_bytes: u64,
    /// Live heap at the start of the measured region, above the harness's: what setup and
    /// warm-up left in place (a pool, a queue, grown buffers). Median over the count passes.
    #[serde(default)]
    pub setup_heap_bytes: u64,
    /// Live heap at the end of the measured region minus at its start: what the region kept.
    /// Median over the count passes.
    #[serde(default)]
    pub retained_heap_bytes: i64,
    /// How far below the true peak `peak_heap_bytes` may be.
    pub peak_heap_error_bytes: u64,
    /// Peak resident set of the plain pass's process (median over repeats).
    pub peak_rss_bytes: u64,
    /// Spans *exported* per second in the plain pass (median): a row that dropped spans shows
    /// it here too (before schema 8: spans started per second).
    pub achieved_rate: f64,
    /// Largest lag behind schedule in the plain pass (median over repeats).
    pub max_lag_ns: u64,
    /// Process CPU per span in the plain pass (median).
    pub cpu_ns_per_span: f64,
    /// End-to-export latency, plain pass (median over repeats).
    pub latency_p50_ns: u64,
    /// 99th percentile.
    pub latency_p99_ns: u64,
    /// Largest.
    pub latency_max_ns: u64,
    /// Allocator calls (allocs + deallocs + reallocs) per second at the plain pass's rate: the
    /// pressure figure Rust has instead of a GC count.
    pub allocs_per_sec: f64,
    /// Count-pass CPU per span over plain-pass CPU per span: what the meter costs.
    pub meter_overhead: f64,
    /// The count pass's peak RSS minus its peak live heap (the whole process's, harness
    /// included), median over the count passes: what the allocator and the process keep resident
    /// beyond what is live — the figure an allocator changes. `None` before schema 6.
    #[serde(default)]
    pub rss_slack_bytes: Option<i64>,
    /// Garbage collections in the measured region (median over count passes), for a row whose
    /// program has a collector (the Go twin); `None` otherwise and before schema 7.
    #[serde(default)]
    pub gc_cycles: Option<u64>,
    /// Their total stop-the-world pause, ns (median).
    #[serde(default)]
    pub gc_pause_ns: Option<u64>,
}

/// Repeated noisy figures, one value per repeat.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Samples {
    /// Plain-pass CPU ns per span.
    pub cpu_ns_per_span: Vec<f64>,
    /// Count-pass CPU ns per span.
    pub count_cpu_ns_per_span: Vec<f64>,
    /// Plain-pass latency p50, ns.
    pub latency_p50_ns: Vec<f64>,
    /// Plain-pass latency p99, ns.
    pub latency_p99_ns: Vec<f64>,
    /// Plain-pass peak RSS, bytes.
    pub peak_rss_bytes: Vec<f64>,
    /// Plain-pass achieved rate.
    pub achieved_rate: Vec<f64>,
    /// Count-pass peak heap, bytes (schema 2).
    #[serde(default)]
    pub peak_heap_bytes: Vec<f64>,
    /// Allocations of every count pass (schema 8): identical for an exact row, the spread a row
    /// whose counts move is gated by.
    #[serde(default)]
    pub allocs: Vec<u64>,
    /// Bytes allocated by every count pass (schema 8).
    #[serde(default)]
    pub bytes_allocated: Vec<u64>,
    /// Reallocations of every count pass (schema 13).
    #[serde(default)]
    pub reallocs: Vec<u64>,
    /// Deallocations of every count pass (schema 13): with `allocs`, the blocks each pass left.
    #[serde(default)]
    pub deallocs: Vec<u64>,
    /// Non-empty batches the exporter received in every count pass (schema 12; the Go twin's
    /// since schema 15): judged as exports per span, and what a row with a cost per export
    /// ([`PerExport`]) is judged net of.
    #[serde(default)]
    pub export_batches: Vec<u64>,
    /// GC cycles in every count pass, for a row whose program has a collector (schema 18; before
    /// and otherwise: empty): they move between identical runs, so C4 is judged on their spread.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gc_cycles: Vec<u64>,
}

/// What dhat saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DhatSummary {
    /// Spans in the dhat pass.
    pub spans: u64,
    /// Blocks allocated in the measured region (a realloc counts as a block).
    pub total_blocks: u64,
    /// Bytes allocated in the measured region (a realloc counts its new size).
    pub total_bytes: u64,
    /// The largest live heap dhat saw in the whole process.
    pub max_bytes: u64,
    /// `total_blocks / spans`.
    pub allocs_per_span: f64,
    /// `total_bytes / spans`.
    pub bytes_per_span: f64,
    /// The profile, relative to the results directory (opens in DHAT's `dh_view.html`).
    pub file: String,
    /// Before schema 5: the sites that allocated the most bytes, by their innermost own frame.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub top_sites: Vec<AllocationSite>,
    /// Every allocation site of the measured region, grouped by the hand-off that asked (the
    /// first frame outside std, alloc, core, hashbrown, the contexts' own `Clone` impls and the
    /// meter), most bytes first (schema 5).
    #[serde(default)]
    pub sites: Vec<Site>,
}

/// The allocations one hand-off asked for in the dhat pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// The function that asked, as a path without file or line (so an edit does not rename it):
    /// `<spanalloc_value_copy::ValueCopy as spanalloc_model::strategy::Strategy>::sample`.
    pub site: String,
    /// Blocks allocated (allocs and reallocs, as dhat counts them).
    pub blocks: u64,
    /// Bytes allocated.
    pub bytes: u64,
    /// `blocks / spans`.
    pub blocks_per_span: f64,
    /// `bytes / spans`.
    pub bytes_per_span: f64,
    /// The call stacks that reached it, each with its share.
    pub stacks: Vec<SiteStack>,
}

/// One call stack of a [`Site`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteStack {
    /// Function paths, the allocation first, up to the thread's entry.
    pub frames: Vec<String>,
    /// Blocks allocated through it.
    pub blocks: u64,
    /// Bytes allocated through it.
    pub bytes: u64,
}

/// One allocation site from the dhat profile (before schema 5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllocationSite {
    /// The innermost spanalloc frame, `function (file:line)`.
    pub site: String,
    /// Blocks allocated there.
    pub blocks: u64,
    /// Bytes allocated there.
    pub bytes: u64,
}

/// dhat against the count meter, like with like: the same spans, unpaced, one block per realloc.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossCheck {
    /// Whether blocks and bytes agreed (exactly, for one producer).
    pub agrees: bool,
    /// Spans both sides ran.
    pub spans: u64,
    /// dhat's blocks.
    pub dhat_blocks: u64,
    /// The meter's allocs + reallocs.
    pub meter_blocks: u64,
    /// dhat's bytes.
    pub dhat_bytes: u64,
    /// The meter's fresh bytes + realloc new sizes.
    pub meter_bytes: u64,
    /// Whether an exact match was required (one producer, a scenario whose counts do not depend
    /// on thread timing) or the tolerance below.
    pub exact: bool,
    /// For a row whose counts move: how far dhat's blocks may be from the meter's (the gate's
    /// floor of one per 100 spans, or the measured spread of the twin passes if wider); 0 for an
    /// exact row (before schema 8: 1% of the larger count).
    #[serde(default)]
    pub tolerance_blocks: u64,
    /// The same for bytes (one byte per span, or the measured spread if wider).
    #[serde(default)]
    pub tolerance_bytes: u64,
    /// The rate the pair ran at, when the first attempts dropped spans and it was run again
    /// slower (`None`: the first attempt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retried_at_rate: Option<u64>,
    /// For a row with a cost per export ([`ScenarioResult::per_export`], schema 12): the batches
    /// each side exported — the blocks and bytes above are then net of that cost per batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_batches: Option<ExportBatches>,
    /// Why a disagreement is not a failure, for a scenario that declared its profile cannot be
    /// held to its count passes (schema 10); `None` for every other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waived: Option<String>,
}

/// The batches each side of a cross-check exported (schema 12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportBatches {
    /// The dhat pass's.
    pub dhat: u64,
    /// Each twin count pass's.
    pub meter: Vec<u64>,
}

/// One stage's share of allocation (count pass).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageRow {
    /// Stage name.
    pub stage: String,
    /// Allocation events (allocs + reallocs).
    pub allocs: u64,
    /// Requested bytes.
    pub bytes: u64,
    /// `allocs / spans`.
    pub allocs_per_span: f64,
}

/// A row's instructions pass: callgrind's count of the instructions every thread executed in the
/// measured region of one unpaced pass, with no meter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instructions {
    /// Spans measured in the pass.
    pub spans: u64,
    /// Instructions (callgrind's `Ir`); `None` when the row could not be measured so.
    pub instructions: Option<u64>,
    /// Why it was not, said in the report: never a silent gap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_measured: Option<String>,
}

impl Instructions {
    /// Instructions per measured span.
    pub fn per_span(&self) -> Option<f64> {
        self.instructions.filter(|_| self.spans > 0).map(|i| i as f64 / self.spans as f64)
    }
}

/// A check that failed or could not run: a scenario that did not complete, or one that did and
/// whose figures cannot be trusted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// Scenario name.
    pub name: String,
    /// Trace-state size.
    pub trace_state_entries: usize,
    /// What failed (before schema 8 always a crashed pass).
    #[serde(default)]
    pub kind: FailureKind,
    /// The pass that failed.
    pub pass: String,
    /// What went wrong.
    pub error: String,
    /// The last lines the child wrote to stderr.
    pub stderr_tail: String,
}

/// The kinds of failure, each a reason a run cannot pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// A pass crashed, exited non-zero, or printed no result.
    #[default]
    Crash,
    /// The row exported other spans than the model says the workload exports.
    Unfair,
    /// A row dropped spans: one that must never drop, or one whose bounded queue may, at the rate
    /// it is gated at.
    Dropped,
    /// dhat and the meter disagree, or the cross-check could not run.
    CrossCheck,
    /// A read of the current-context slot was torn or out of order.
    CurrentContext,
    /// Its repeats' exact counts differ, or its passes cannot be combined.
    Inconsistent,
    /// A pass stopped making progress and was killed.
    Stuck,
    /// An output (a dhat profile) could not be written.
    Output,
    /// A row of the plan that no shard delivered: its shard was lost (schema 16).
    ShardLost,
    /// The meter disagreed with valgrind's DHAT on a row, or the row could not be judged
    /// (`run --verify`, schema 17).
    Verify,
}

impl FailureKind {
    /// The kind as results.json spells it.
    pub fn word(self) -> &'static str {
        match self {
            FailureKind::Crash => "crash",
            FailureKind::Unfair => "unfair",
            FailureKind::Dropped => "dropped",
            FailureKind::CrossCheck => "cross-check",
            FailureKind::CurrentContext => "current-context",
            FailureKind::Inconsistent => "inconsistent",
            FailureKind::Stuck => "stuck",
            FailureKind::Output => "output",
            FailureKind::ShardLost => "shard-lost",
            FailureKind::Verify => "verify",
        }
    }
}

impl Failure {
    /// One line: scenario, size, kind, pass and what went wrong.
    pub fn line(&self) -> String {
        format!("{} ts={} {} ({} pass): {}", self.name, self.trace_state_entries, self.kind.word(), self.pass, self.error)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_row_measured_in_one_pass_shows_no_meter_cost() {
        let r = crate::input::parse_results(include_bytes!("../tests/fixtures/results-v1.json")).expect("the fixture is valid");
        let mut row = r.scenarios[0].clone();
        assert!(row.meter_overhead_text().ends_with("pairs)"), "{}", row.meter_overhead_text());
        // A program that measures in one pass (the Go twin): its plain passes are its count passes.
        row.samples.count_cpu_ns_per_span = row.samples.cpu_ns_per_span.clone();
        assert!(row.measured_in_one_pass());
        assert_eq!(row.meter_overhead_text(), "— (one pass, no meter)");
    }
}
