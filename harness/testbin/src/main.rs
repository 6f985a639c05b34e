//! A test-only spanalloc binary, built on the extension point like a user's would be: the
//! built-in scenarios plus scenarios made to check the harness itself. The `spanalloc` binary
//! has none of them.
//!
//! `known-answer` is the pooled strategy (which allocates nothing per span once warm) plus
//! exactly [`BLOCKS`] heap blocks of [`BLOCK_BYTES`] bytes per span, allocated at span start and
//! freed by the exporter: the meters must report exactly that. `test-crash` panics,
//! `test-abort` is killed by a signal and `test-garbage` prints something that is not a result,
//! for the failure-handling tests. `value-copy-external` is value-copy measured by this same
//! binary run as an external program, which checks the external-scenario plumbing. The
//! scenarios of [`drops`] drop spans on purpose.

use std::path::PathBuf;

use spanalloc::catalog::{Catalog, External, PassRequest};
use spanalloc::pass::Pass;
use spanalloc_model::reference::SameWork;
use spanalloc_model::sampler::Sampler;
use spanalloc_model::w3c::{HeaderCarrier, W3cError};
use spanalloc_model::{
    ContextView, ExportView, RunHooks, RunReport, Scenario, SpanId, Strategy, TraceFlags, TraceId, TraceState, WorkloadConfig,
};
use spanalloc_pooled::Pooled;

#[global_allocator]
static ALLOCATOR: spanalloc::meter::Meter = spanalloc::meter::Meter;

mod drops;

fn main() -> std::process::ExitCode {
    let mut catalog = Catalog::builtin()
        .with(KNOWN_ANSWER)
        .with(TEST_CRASH)
        .with(TEST_ABORT)
        .with(TEST_GARBAGE)
        .with(TEST_STOP)
        .with(VALUE_COPY_EXTERNAL)
        .with(SHORT_EXTERNAL)
        .with(drops::TEST_SDK_TINY_QUEUE)
        .with(drops::TEST_DROPS_WHEN_FAST)
        .with(drops::TEST_GATED_DROPS_WHEN_FAST);
    if Plant::from_env() == Plant::SdkAttributes {
        catalog = catalog.with(OTEL_SDK_PUSHED_ATTRIBUTES);
    }
    spanalloc::cli::main(catalog)
}

/// value-copy, run by this binary as if it were another program.
const VALUE_COPY_EXTERNAL: External = External {
    name: "value-copy-external",
    description: "test only: value-copy measured through the external-scenario protocol",
    exact_counts: true,
    may_drop: false,
    passes: &[Pass::Plain, Pass::Count],
    prepare: this_binary,
    args: measure_value_copy,
    default_on: false,
};

/// An external program that loses spans although it says it never drops (as the Go twin says):
/// value-copy run on 13 spans fewer than asked. Its run must fail, not be excused as dropped.
const SHORT_EXTERNAL: External = External {
    name: "test-short-external",
    description: "test only: an external row that must not drop, exporting one trace fewer than asked",
    args: |request| {
        let short = WorkloadConfig { spans: request.cfg.spans.saturating_sub(13).max(1), ..request.cfg.clone() };
        spanalloc::spawn::measure_args("value-copy", request.pass, &short, request.profile)
    },
    ..VALUE_COPY_EXTERNAL
};

fn this_binary() -> Result<PathBuf, String> {
    std::env::current_exe().map_err(|e| format!("cannot find the test binary: {e}"))
}

fn measure_value_copy(request: &PassRequest<'_>) -> Vec<String> {
    spanalloc::spawn::measure_args("value-copy", request.pass, request.cfg, request.profile)
}

/// The otel-sdk row — its name, rates and every other declaration — with its attributes built as
/// [`Pushed`] does: what a change of that one line in a real pipeline would cost, for the gate's
/// tests.
const OTEL_SDK_PUSHED_ATTRIBUTES: Scenario = Scenario {
    run: Scenario::pipeline::<spanalloc_otel_sdk::SdkPipelineWithAttributes<Pushed>>("", "").run,
    ..spanalloc_otel_sdk::SCENARIO
};

/// The workload's four attributes pushed into a vector made for two, where the row collects them
/// into one of their size: the third push grows it (one reallocation per span, allocations flat).
struct Pushed;

impl spanalloc_otel_sdk::Attributes for Pushed {
    fn build() -> Vec<opentelemetry::KeyValue> {
        let mut attributes = Vec::with_capacity(2);
        for (k, v) in spanalloc_model::workload::ATTRIBUTES.iter() {
            attributes.push(opentelemetry::KeyValue::new(*k, *v));
        }
        attributes
    }
}

/// Blocks each span allocates.
pub const BLOCKS: usize = 3;
/// Bytes in each block.
pub const BLOCK_BYTES: usize = 100;

/// The known-answer scenario.
pub const KNOWN_ANSWER: Scenario =
    Scenario::strategy::<KnownAnswer>("known-answer", "test only: pooled plus exactly 3 blocks of 100 bytes per span");

/// A scenario whose child panics.
pub const TEST_CRASH: Scenario = Scenario {
    name: "test-crash",
    description: "test only: panics",
    run: crash,
    exact_counts: true,
    check_current: None,
    unpaced_rate: None,
    gate_rate: None,
    gate_rate_from: None,
    may_drop: false,
    same_work: SameWork::Digest,
    carries_trace_state: true,
    cross_check_waived: None,
    per_export: None,
    bytes_modes: None,
};

fn crash(_: &WorkloadConfig, _: &dyn RunHooks) -> RunReport {
    panic!("test-crash scenario: deliberate panic");
}

/// A scenario whose child dies of SIGABRT.
pub const TEST_ABORT: Scenario = Scenario {
    name: "test-abort",
    description: "test only: aborts",
    run: abort,
    exact_counts: true,
    check_current: None,
    unpaced_rate: None,
    gate_rate: None,
    gate_rate_from: None,
    may_drop: false,
    same_work: SameWork::Digest,
    carries_trace_state: true,
    cross_check_waived: None,
    per_export: None,
    bytes_modes: None,
};

fn abort(_: &WorkloadConfig, _: &dyn RunHooks) -> RunReport {
    std::process::abort();
}

/// A scenario whose child stops itself (SIGSTOP) and so reports nothing: the watchdog's case.
pub const TEST_STOP: Scenario = Scenario {
    name: "test-stop",
    description: "test only: stops itself (SIGSTOP)",
    run: stop,
    exact_counts: true,
    check_current: None,
    unpaced_rate: None,
    gate_rate: None,
    gate_rate_from: None,
    may_drop: false,
    same_work: SameWork::Digest,
    carries_trace_state: true,
    cross_check_waived: None,
    per_export: None,
    bytes_modes: None,
};

fn stop(_: &WorkloadConfig, _: &dyn RunHooks) -> RunReport {
    // SAFETY: raise sends SIGSTOP to this process, which then stops until the watchdog kills it.
    unsafe { libc::raise(libc::SIGSTOP) };
    panic!("test-stop scenario: continued after SIGSTOP");
}

/// A scenario whose child prints garbage and exits "successfully".
pub const TEST_GARBAGE: Scenario = Scenario {
    name: "test-garbage",
    description: "test only: prints garbage",
    run: garbage,
    exact_counts: true,
    check_current: None,
    unpaced_rate: None,
    gate_rate: None,
    gate_rate_from: None,
    may_drop: false,
    same_work: SameWork::Digest,
    carries_trace_state: true,
    cross_check_waived: None,
    per_export: None,
    bytes_modes: None,
};

fn garbage(_: &WorkloadConfig, _: &dyn RunHooks) -> RunReport {
    println!("this is not a result {{");
    std::process::exit(0);
}

/// Set to plant a change per span, for the tests of `compare`: any value but those below, one more
/// allocation at `end` (what a regression at one hand-off looks like); `leak`, one of the known
/// blocks never freed (allocations flat, one block per span left behind); `realloc`, one block
/// grown in place at `end` (one reallocation per span, and the allocation it grows);
/// `sdk-attributes`, the otel-sdk row building its attributes as [`Pushed`] does; `uncounted`, one
/// block per span from malloc past the meter (a meter bug, for `spanalloc verify`).
pub const PLANT_ENV: &str = "SPANALLOC_TEST_PLANT";

/// What [`PLANT_ENV`] asks for.
#[derive(Clone, Copy, PartialEq)]
enum Plant {
    None,
    Alloc,
    Leak,
    Realloc,
    SdkAttributes,
    Uncounted,
}

impl Plant {
    fn from_env() -> Plant {
        match std::env::var(PLANT_ENV).as_deref() {
            Err(_) => Plant::None,
            Ok("leak") => Plant::Leak,
            Ok("realloc") => Plant::Realloc,
            Ok("sdk-attributes") => Plant::SdkAttributes,
            Ok("uncounted") => Plant::Uncounted,
            Ok(_) => Plant::Alloc,
        }
    }
}

/// Pooled, plus a known allocation per span (and the planted change, when asked).
pub struct KnownAnswer(Pooled, Plant);

/// A pooled span carrying its known blocks, and whether it leaks its first one when dropped.
/// The blocks are never read: they exist to be allocated and freed.
pub struct Span(<Pooled as Strategy>::Span, [Option<Box<[u8; BLOCK_BYTES]>>; BLOCKS], bool);

impl Drop for Span {
    fn drop(&mut self) {
        if self.2 {
            if let Some(block) = self.1[0].take() {
                Box::leak(block);
            }
        }
    }
}

impl Strategy for KnownAnswer {
    type Ctx = <Pooled as Strategy>::Ctx;
    type Sampled = <Pooled as Strategy>::Sampled;
    type Span = Span;
    type Record = Span;

    fn new(cfg: &WorkloadConfig) -> Self {
        KnownAnswer(Pooled::new(cfg), Plant::from_env())
    }
    fn root(&self, trace_id: TraceId, span_id: SpanId, flags: TraceFlags, trace_state: &TraceState) -> Self::Ctx {
        self.0.root(trace_id, span_id, flags, trace_state)
    }
    fn sample(&self, sampler: &Sampler, parent: &Self::Ctx) -> Self::Sampled {
        self.0.sample(sampler, parent)
    }
    fn child(&self, parent: &Self::Ctx, span_id: SpanId, sampled: Self::Sampled) -> Self::Ctx {
        self.0.child(parent, span_id, sampled)
    }
    fn start(&self, ctx: Self::Ctx, parent_span_id: SpanId) -> Span {
        let blocks = std::array::from_fn(|i| Some(std::hint::black_box(Box::new([i as u8; BLOCK_BYTES]))));
        Span(self.0.start(ctx, parent_span_id), blocks, self.1 == Plant::Leak)
    }
    fn context(span: &Span) -> &Self::Ctx {
        Pooled::context(&span.0)
    }
    fn end(&self, span: Span) -> Span {
        match self.1 {
            Plant::Alloc => drop(std::hint::black_box(Box::new(span.1.len() as u64))),
            Plant::Realloc => {
                let mut grown: Vec<u8> = std::hint::black_box(Vec::with_capacity(1));
                grown.extend_from_slice(&[1, 2]);
                drop(std::hint::black_box(grown));
            }
            // A meter bug, played: one block per span from malloc itself, past the global
            // allocator the meter wraps. The meter never sees it; valgrind's DHAT does.
            // SAFETY: a block malloc returned, freed once.
            Plant::Uncounted => unsafe { libc::free(std::hint::black_box(libc::malloc(16))) },
            Plant::None | Plant::Leak | Plant::SdkAttributes => {}
        }
        span
    }
    fn export_view(record: &Span) -> ExportView<'_> {
        Pooled::export_view(&record.0)
    }
    fn extract(&self, carrier: &HeaderCarrier) -> Result<Self::Ctx, W3cError> {
        self.0.extract(carrier)
    }
    fn publish(&self, ctx: &Self::Ctx) {
        self.0.publish(ctx)
    }
    fn read_current<R>(&self, read: impl FnOnce(&dyn ContextView) -> R) -> Option<R> {
        self.0.read_current(read)
    }
}
