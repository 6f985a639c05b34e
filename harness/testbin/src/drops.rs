//! Scenarios that drop spans on purpose, for the tests of the one rule for drops and of the dhat
//! cross-check's retries: `test-sdk-tiny-queue` is the real SDK row with a batch queue of 8 spans
//! (it drops at every rate the harness tries), `test-drops-when-fast` exports every span at
//! 60,000 spans/s or less and forgets every 10th one above that, as a bounded queue that a slower
//! pace lets keep up would.

use std::sync::Arc;

use spanalloc_model::pipeline::{ChildSpan, Pipeline, Producer, RootSpan};
use spanalloc_model::processor::StrategyPipeline;
use spanalloc_model::sink::ExportSink;
use spanalloc_model::{Scenario, WorkloadConfig};
use spanalloc_pooled::Pooled;

/// The SDK row with a queue of 8 spans: it may drop by design, and drops at every rate.
pub const TEST_SDK_TINY_QUEUE: Scenario = Scenario::pipeline::<spanalloc_otel_sdk::SdkPipelineWithQueue<8>>(
    "test-sdk-tiny-queue",
    "test only: the SDK row with a batch queue of 8 spans (drops at every rate)",
)
.with_unpaced_rate(100_000)
.may_drop_spans();

/// Drops every 10th span above [`KEEPS_UP_TO`] spans/s; may drop by design.
pub const TEST_DROPS_WHEN_FAST: Scenario = Scenario::pipeline::<DropsWhenFast>(
    "test-drops-when-fast",
    "test only: pooled, forgetting every 10th span above 60,000 spans/s",
)
.with_unpaced_rate(100_000)
.may_drop_spans();

/// [`TEST_DROPS_WHEN_FAST`] gated at the rate it holds, [`KEEPS_UP_TO`].
pub const TEST_GATED_DROPS_WHEN_FAST: Scenario = Scenario {
    name: "test-gated-drops-when-fast",
    description: "test only: test-drops-when-fast, gated at 60,000 spans/s",
    ..TEST_DROPS_WHEN_FAST
}
.gated_at(KEEPS_UP_TO);

/// The fastest pace at which [`TEST_DROPS_WHEN_FAST`] loses nothing.
pub const KEEPS_UP_TO: u64 = 60_000;

/// Pooled's pipeline, losing spans when asked to run faster than it keeps up.
pub struct DropsWhenFast {
    inner: StrategyPipeline<Pooled>,
    fast: bool,
}

impl Pipeline for DropsWhenFast {
    type Producer<'p> = Dropping<<StrategyPipeline<Pooled> as Pipeline>::Producer<'p>>;

    fn new(cfg: &WorkloadConfig, sink: Arc<ExportSink>) -> Self {
        DropsWhenFast { inner: StrategyPipeline::new(cfg, sink), fast: cfg.rate == 0 || cfg.rate > KEEPS_UP_TO }
    }
    fn producer(&self, index: usize) -> Self::Producer<'_> {
        Dropping { inner: self.inner.producer(index), fast: self.fast, ended: 0 }
    }
    fn quiesce(&self) {
        self.inner.quiesce()
    }
    fn resume(&self) {
        self.inner.resume()
    }
    fn settings(&self) -> Vec<(String, String)> {
        self.inner.settings()
    }
    fn finish(self) {
        self.inner.finish()
    }
}

/// A producer that forgets every 10th span it is asked to end while running fast.
pub struct Dropping<P> {
    inner: P,
    fast: bool,
    ended: u64,
}

impl<P: Producer> Producer for Dropping<P> {
    type Span = P::Span;

    fn start_root(&mut self, root: RootSpan<'_>) -> Self::Span {
        self.inner.start_root(root)
    }
    fn start_child(&mut self, parent: &Self::Span, child: ChildSpan) -> Self::Span {
        self.inner.start_child(parent, child)
    }
    fn end(&mut self, span: Self::Span) {
        self.ended += 1;
        if self.fast && self.ended.is_multiple_of(10) {
            // Never handed on: lost, as a full queue loses it (leaked, a test scenario's price).
            std::mem::forget(span);
        } else {
            self.inner.end(span);
        }
    }
    fn flush(&mut self) {
        self.inner.flush()
    }
    fn take_current_reads(&mut self) -> u64 {
        self.inner.take_current_reads()
    }
}
