//! Claim C5 across threads: a context handed to another thread by value (copied into a queue
//! slot), in a `Box` (one heap allocation per hand-off, freed by the consumer — what a Go pointer
//! to a context that escapes costs) or as an `Arc` clone of one shared context (no allocation,
//! an atomic increment here and a decrement there). Nanoseconds per hand-off, by size.
//!
//! Not a criterion benchmark, because the three styles must be measured *paired*: on this
//! 2-core virtual machine the cost of moving a cache line between the two vCPUs jumps between
//! ~70 and ~300 ns as the host moves them, for seconds at a time, whatever is handed over.
//! Measured one after another (as criterion runs benchmarks), value and Box at one size landed
//! in different states and swapped places from run to run. Here every round hands off a chunk
//! of each style back to back, so a state holds for all three; the figure per style is the
//! median over rounds, with a distribution-free 95% interval of that median (order statistics
//! of the binomial). Results go to `target/spanalloc-bench/handoff_thread.json` (beside
//! `$CRITERION_HOME` when that is set), which the
//! report reads beside criterion's estimates.
//!
//! Each queue slot is padded to its own cache line (`CachePadded`): unpadded, a 24- to 40-byte
//! slot shares a line with its neighbour and the figures measured the queue's packing. Producer
//! and consumer are pinned to two CPUs (on one, each waits out the other's time slice), and
//! they busy-wait with bare loads: with `spin_loop()`'s PAUSE hint every hand-off took ~300 ns
//! here (the hypervisor deschedules PAUSE-looping vCPUs).

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crossbeam_queue::ArrayQueue;
use crossbeam_utils::CachePadded;
use spanalloc_benches::{paired, take_value, SizedContext};

/// Hand-offs in flight at most: the consumer keeps up, a full queue makes the producer wait.
const QUEUE: usize = 1024;
/// Hand-offs per style per round.
const CHUNK: u64 = 20_000;
/// Rounds: odd, for a median; 31 gives a 95% interval between the 10th and 22nd values.
const ROUNDS: usize = 31;

/// One item a style hands over.
enum Item<const N: usize> {
    Value(SizedContext<N>),
    Boxed(Box<SizedContext<N>>),
    Shared(Arc<SizedContext<N>>),
}

fn consume<const N: usize>(item: Item<N>) {
    match item {
        Item::Value(c) => black_box(take_value(c)),
        Item::Boxed(c) => black_box(take_value(*c)),
        Item::Shared(c) => black_box(c.0[N - 1]),
    };
}

fn sized<const N: usize>(out: &mut Vec<paired::Estimate>) {
    let queue = ArrayQueue::<CachePadded<Item<N>>>::new(QUEUE);
    let taken = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let ctx = SizedContext::<N>([1u8; N]);
    let shared = Arc::new(ctx);
    let styles: [(&str, &dyn Fn() -> Item<N>); 3] = [
        ("value", &|| Item::Value(black_box(ctx))),
        ("box", &|| Item::Boxed(Box::new(black_box(ctx)))),
        ("arc", &|| Item::Shared(Arc::clone(&shared))),
    ];
    let mut samples: [Vec<f64>; 3] = Default::default();
    std::thread::scope(|s| {
        s.spawn(|| {
            paired::pin(1);
            while !stop.load(Ordering::Relaxed) {
                if let Some(item) = queue.pop() {
                    consume(CachePadded::into_inner(item));
                    taken.fetch_add(1, Ordering::Release);
                }
            }
        });
        for round in 0..=ROUNDS {
            for (i, (_, make)) in styles.iter().enumerate() {
                let before = taken.load(Ordering::Acquire);
                let start = Instant::now();
                for _ in 0..CHUNK {
                    let mut item = CachePadded::new(make());
                    while let Err(back) = queue.push(item) {
                        item = back;
                    }
                }
                while taken.load(Ordering::Acquire) - before < CHUNK {}
                // Round 0 warms caches, the allocator and the consumer: not kept.
                if round > 0 {
                    samples[i].push(start.elapsed().as_nanos() as f64 / CHUNK as f64);
                }
            }
        }
        stop.store(true, Ordering::Relaxed);
    });
    for ((style, _), values) in styles.iter().zip(samples) {
        let e = paired::Estimate::of(format!("handoff_thread/{style}/{N}"), values);
        println!("{:<28} median {:>8.1} ns  [{:.1} – {:.1}]", e.id, e.median_ns, e.ci_ns.0, e.ci_ns.1);
        out.push(e);
    }
}

fn main() {
    // `cargo bench` passes libtest-style flags; `--list` asks what would run.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    paired::pin(0);
    let mut out = Vec::new();
    sized::<16>(&mut out);
    sized::<24>(&mut out);
    sized::<32>(&mut out);
    sized::<40>(&mut out);
    sized::<64>(&mut out);
    sized::<128>(&mut out);
    paired::write_beside_criterion("handoff_thread", &out).expect("write the estimates");
}
