//! What a spanalloc binary can run — the extension point.
//!
//! `spanalloc` itself runs [`Catalog::builtin`]. A crate of your own gets the whole tool (run,
//! list, compare, report…) for its own scenarios beside the built-ins with
//!
//! ```no_run
//! use spanalloc::catalog::Catalog;
//! # use spanalloc::spanalloc_model as model;
//! # struct MyStrategy;
//! # fn mine() -> model::Scenario { spanalloc_builtin::STRATEGIES[0] }
//!
//! #[global_allocator]
//! static ALLOC: spanalloc::meter::Meter = spanalloc::meter::Meter;
//!
//! fn main() -> std::process::ExitCode {
//!     spanalloc::cli::main(Catalog::builtin().with(mine()))
//! }
//! ```
//!
//! where `mine()` is `spanalloc_model::Scenario::strategy::<MyStrategy>("my-strategy", "…")`
//! (or `Scenario::pipeline::<MyPipeline>` for a whole pipeline, as the SDK row is). Every pass
//! re-runs that binary as a child, so the meter must be its global allocator; a child checks
//! that first and says what to add if it is not. A scenario that runs in a program of its own
//! and reports in the pass format ([`crate::pass::PassOutput`]) is an [`External`].

use spanalloc_model::reference::SameWork;
use spanalloc_model::Scenario;

use crate::allocators::AllocatorBuild;
pub use crate::external::{External, PassRequest};
use crate::pass::Pass;

/// A scenario of the catalog.
#[derive(Clone, Copy)]
pub enum Entry {
    /// Runs in a child of this executable.
    InProcess(Scenario),
    /// Runs in a program of its own.
    External(External),
}

impl Entry {
    /// The name users select it by.
    pub fn name(&self) -> &'static str {
        match self {
            Entry::InProcess(s) => s.name,
            Entry::External(e) => e.name,
        }
    }

    /// Its description.
    pub fn description(&self) -> &'static str {
        match self {
            Entry::InProcess(s) => s.description,
            Entry::External(e) => e.description,
        }
    }

    /// Whether its counts are the same whatever the thread timing (one producer).
    pub fn exact_counts(&self) -> bool {
        match self {
            Entry::InProcess(s) => s.exact_counts,
            Entry::External(e) => e.exact_counts,
        }
    }

    /// Whether its pipeline may drop spans by design (see [`Scenario::may_drop`]).
    pub fn may_drop(&self) -> bool {
        match self {
            Entry::InProcess(s) => s.may_drop,
            Entry::External(e) => e.may_drop,
        }
    }

    /// Why its dhat cross-check is recorded but not failed, if it is (see
    /// [`Scenario::cross_check_waived`]).
    pub fn cross_check_waived(&self) -> Option<&'static str> {
        match self {
            Entry::InProcess(s) => s.cross_check_waived,
            Entry::External(_) => None,
        }
    }

    /// What one export costs it, if its number of exports follows its threads' timing (see
    /// [`Scenario::per_export`]).
    pub fn per_export(&self) -> Option<spanalloc_record::schema::PerExport> {
        match self {
            Entry::InProcess(s) => s.per_export.map(|c| spanalloc_record::schema::PerExport {
                allocs: c.allocs,
                bytes: c.bytes,
                why: c.why.to_owned(),
            }),
            Entry::External(_) => None,
        }
    }

    /// The spread its bytes' modes reach, if they have modes (see [`Scenario::bytes_modes`]).
    pub fn bytes_modes(&self) -> Option<spanalloc_record::schema::BytesModes> {
        match self {
            Entry::InProcess(s) => s
                .bytes_modes
                .map(|m| spanalloc_record::schema::BytesModes { spread_per_span: m.spread_per_span, why: m.why.to_owned() }),
            Entry::External(_) => None,
        }
    }

    /// The rate its unpaced passes run at instead, if it has one (see [`Scenario::unpaced_rate`]).
    pub fn unpaced_rate(&self) -> Option<u64> {
        match self {
            Entry::InProcess(s) => s.unpaced_rate,
            Entry::External(_) => None,
        }
    }

    /// The rate a pass at `entries` trace-state entries asked to run at `requested` spans/s is
    /// paced at: its unpaced rate for an unpaced request, never above its gate rate at that size
    /// (see [`Scenario::gate_at`]).
    pub fn paced_rate(&self, requested: u64, entries: usize) -> u64 {
        match self {
            Entry::InProcess(s) => spanalloc_model::registry::paced_rate(requested, s.unpaced_rate, s.gate_at(entries)),
            Entry::External(_) => requested,
        }
    }

    /// How it proves it did the workload's work (see [`Scenario::same_work`]).
    pub fn same_work(&self) -> SameWork {
        match self {
            Entry::InProcess(s) => s.same_work,
            Entry::External(_) => SameWork::Digest,
        }
    }

    /// Whether it carries the W3C trace state (see [`Scenario::carries_trace_state`]).
    pub fn carries_trace_state(&self) -> bool {
        match self {
            Entry::InProcess(s) => s.carries_trace_state,
            Entry::External(_) => true,
        }
    }

    /// Whether it runs `pass`.
    pub fn runs(&self, pass: Pass) -> bool {
        match self {
            Entry::InProcess(_) => true,
            Entry::External(e) => e.passes.contains(&pass),
        }
    }

    fn default_on(&self) -> bool {
        match self {
            Entry::InProcess(_) => true,
            Entry::External(e) => e.default_on,
        }
    }
}

impl From<Scenario> for Entry {
    fn from(s: Scenario) -> Self {
        Entry::InProcess(s)
    }
}

impl From<External> for Entry {
    fn from(e: External) -> Self {
        Entry::External(e)
    }
}

/// The scenarios a binary can run, and the one every ratio is taken against.
#[derive(Clone)]
pub struct Catalog {
    entries: Vec<Entry>,
    reference: &'static str,
    allocator_build: Option<AllocatorBuild>,
}

impl Catalog {
    /// The built-in scenarios: the four strategies, then the otel-sdk reference row (ratios
    /// against value-copy), then the Go twin's four rows (opt-in: `run --go` or by name).
    pub fn builtin() -> Self {
        let rust = spanalloc_builtin::all().into_iter().map(Entry::InProcess);
        Catalog {
            entries: rust.chain(crate::go_twin::ALL.into_iter().map(Entry::External)).collect(),
            reference: spanalloc_builtin::RATIO_REFERENCE,
            allocator_build: Some(AllocatorBuild {
                package: env!("CARGO_PKG_NAME"),
                bin_prefix: "spanalloc",
                manifest_dir: env!("CARGO_MANIFEST_DIR"),
            }),
        }
    }

    /// An empty catalog whose ratios are taken against `reference`.
    pub fn empty(reference: &'static str) -> Self {
        Catalog { entries: Vec::new(), reference, allocator_build: None }
    }

    /// The catalog with `--allocator` enabled: how its per-allocator executables are built (a
    /// crate of your own declares `PREFIX-jemalloc`/`PREFIX-mimalloc` binaries with the meter
    /// over that allocator, as `harness/src/bin/` does).
    pub fn with_allocator_build(mut self, build: AllocatorBuild) -> Self {
        self.allocator_build = Some(build);
        self
    }

    /// How its per-allocator executables are built, if it says.
    pub fn allocator_build(&self) -> Option<&AllocatorBuild> {
        self.allocator_build.as_ref()
    }

    /// The catalog with `entry` added after the others. A name already present is replaced.
    /// The built-ins' allocator executables do not know `entry`, so `--allocator` is off again
    /// until [`Catalog::with_allocator_build`] names executables that do.
    pub fn with(mut self, entry: impl Into<Entry>) -> Self {
        self.allocator_build = None;
        let entry = entry.into();
        match self.entries.iter_mut().find(|e| e.name() == entry.name()) {
            Some(slot) => *slot = entry,
            None => self.entries.push(entry),
        }
        self
    }

    /// The scenario called `name`.
    pub fn find(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name() == name)
    }

    /// Every scenario, in order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// What a run without `--scenario` measures.
    pub fn default_run(&self) -> Vec<&Entry> {
        self.entries.iter().filter(|e| e.default_on()).collect()
    }

    /// The scenario every ratio is taken against.
    pub fn reference(&self) -> &'static str {
        self.reference
    }

    /// The names, for error messages.
    pub fn names(&self) -> String {
        self.entries.iter().map(Entry::name).collect::<Vec<_>>().join(", ")
    }
}
