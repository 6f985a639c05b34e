//! The allocation meter: one global allocator whose accounting is chosen once per process.
//!
//! Every pass runs in its own child process, which picks its [`Mode`] first thing:
//! - [`Mode::Off`] (the plain pass): straight to the system allocator, nothing counted;
//! - [`Mode::Fast`] (the count pass): per-thread single-writer counters, per-stage tallies and a
//!   peak-live-bytes tracker ([`slots`]);
//! - [`Mode::StatsAlloc`]: `stats_alloc`'s shared counters, kept as the reference the fast meter
//!   must agree with exactly;
//! - [`Mode::Dhat`]: `dhat::Alloc`, which records call sites while a `dhat::Profiler` runs.
//!
//! Why not stats_alloc for the count pass: its `SeqCst` counters are shared by the producer and
//! exporter threads, and the cache line bouncing between them doubled the CPU of the heaviest
//! pipelines in calibration. Counters that only their own thread writes cost a plain load and
//! store; totals are summed when the pipeline is parked.
//!
//! Every mode allocates from one allocator in the end — the system allocator, or the one a
//! [`MeterOver`] executable wraps (jemalloc, mimalloc; plain and count passes only) — so memory
//! allocated in one mode and freed in another is still handled correctly; only its accounting
//! differs.

pub mod slots;
pub mod timeline;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

pub use slots::{Counts, StageCounts};

/// Which accounting the global allocator does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    /// Nothing counted.
    Off = 0,
    /// Per-thread counters, stages and peak tracking.
    Fast = 1,
    /// stats_alloc's shared counters (reference).
    StatsAlloc = 2,
    /// dhat's heap profiler.
    Dhat = 3,
}

static MODE: AtomicU8 = AtomicU8::new(Mode::Off as u8);

/// Chooses the accounting for the rest of the process. Call it before the work to be measured
/// starts; blocks allocated under another mode are freed correctly but not counted as such.
pub fn set_mode(mode: Mode) {
    MODE.store(mode as u8, Relaxed);
}

/// Held by every unit test that sets the mode: it is one global, and a test restoring `Off`
/// while another counts would leave the second counting nothing.
#[cfg(test)]
pub(crate) static MODE_TEST_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The current mode.
pub fn mode() -> Mode {
    match MODE.load(Relaxed) {
        1 => Mode::Fast,
        2 => Mode::StatsAlloc,
        3 => Mode::Dhat,
        _ => Mode::Off,
    }
}

/// stats_alloc's totals, in the fast meter's shape.
pub fn stats_alloc_counts() -> Counts {
    let s = stats_alloc::INSTRUMENTED_SYSTEM.stats();
    Counts {
        allocs: s.allocations as u64,
        deallocs: s.deallocations as u64,
        reallocs: s.reallocations as u64,
        bytes_allocated: s.bytes_allocated as u64,
        bytes_deallocated: s.bytes_deallocated as u64,
        bytes_reallocated: s.bytes_reallocated as i64,
        // stats_alloc does not keep these; the fast meter does, for the dhat cross-check.
        fresh_bytes: 0,
        realloc_new_bytes: 0,
    }
}

/// The allocator beneath the meter. Counts and requested bytes do not depend on it; CPU, RSS
/// and the slack between live heap and RSS do, which is what the allocator axis measures.
pub trait Inner: GlobalAlloc + Sync {
    /// The name `--allocator` selects it by.
    const NAME: &'static str;
    /// Whether it is `System`, which stats_alloc and dhat wrap: only then may the process use
    /// [`Mode::StatsAlloc`] or [`Mode::Dhat`], since a block must be freed by the allocator that
    /// made it.
    const IS_SYSTEM: bool;
}

impl Inner for System {
    const NAME: &'static str = "system";
    const IS_SYSTEM: bool = true;
}

#[cfg(feature = "jemalloc")]
impl Inner for tikv_jemallocator::Jemalloc {
    const NAME: &'static str = "jemalloc";
    const IS_SYSTEM: bool = false;
}

#[cfg(feature = "mimalloc")]
impl Inner for mimalloc::MiMalloc {
    const NAME: &'static str = "mimalloc";
    const IS_SYSTEM: bool = false;
}

/// The spanalloc global allocator over the system allocator. Install it with
/// `#[global_allocator] static A: spanalloc::meter::Meter = spanalloc::meter::Meter;`.
pub struct Meter;

/// The meter over another allocator: one executable per allocator, since a global allocator
/// cannot change while the process runs (`src/bin/spanalloc-jemalloc.rs`).
pub struct MeterOver<A: Inner>(pub A);

/// The name of the allocator beneath this process's meter, set by the executable before
/// anything is measured ([`set_inner_name`]); `system` unless told otherwise.
static INNER_NAME: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// Records which allocator this executable's meter wraps.
pub fn set_inner_name(name: &'static str) {
    let _ = INNER_NAME.set(name);
}

/// The allocator beneath this process's meter.
pub fn inner_name() -> &'static str {
    INNER_NAME.get().copied().unwrap_or(System::NAME)
}

/// Mode 2 and 3 wrap System; over another allocator they would free its blocks with the wrong
/// allocator, so there they fall back to counting nothing (the child refuses those passes).
#[inline(always)]
fn mode_for<A: Inner>() -> u8 {
    let m = MODE.load(Relaxed);
    if !A::IS_SYSTEM && m >= 2 {
        0
    } else {
        m
    }
}

#[inline(always)]
unsafe fn alloc_in<A: Inner>(inner: &A, layout: Layout) -> *mut u8 {
    match mode_for::<A>() {
        0 => inner.alloc(layout),
        1 => {
            let p = inner.alloc(layout);
            if !p.is_null() {
                slots::on_alloc(layout.size());
            }
            p
        }
        2 => stats_alloc::INSTRUMENTED_SYSTEM.alloc(layout),
        _ => dhat::Alloc.alloc(layout),
    }
}

#[inline(always)]
unsafe fn alloc_zeroed_in<A: Inner>(inner: &A, layout: Layout) -> *mut u8 {
    match mode_for::<A>() {
        0 => inner.alloc_zeroed(layout),
        1 => {
            let p = inner.alloc_zeroed(layout);
            if !p.is_null() {
                slots::on_alloc(layout.size());
            }
            p
        }
        2 => stats_alloc::INSTRUMENTED_SYSTEM.alloc_zeroed(layout),
        _ => dhat::Alloc.alloc_zeroed(layout),
    }
}

#[inline(always)]
unsafe fn dealloc_in<A: Inner>(inner: &A, ptr: *mut u8, layout: Layout) {
    match mode_for::<A>() {
        0 => inner.dealloc(ptr, layout),
        1 => {
            inner.dealloc(ptr, layout);
            slots::on_dealloc(layout.size());
        }
        2 => stats_alloc::INSTRUMENTED_SYSTEM.dealloc(ptr, layout),
        _ => dhat::Alloc.dealloc(ptr, layout),
    }
}

#[inline(always)]
unsafe fn realloc_in<A: Inner>(inner: &A, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
    match mode_for::<A>() {
        0 => inner.realloc(ptr, layout, new_size),
        1 => {
            let p = inner.realloc(ptr, layout, new_size);
            if !p.is_null() {
                slots::on_realloc(layout.size(), new_size);
            }
            p
        }
        2 => stats_alloc::INSTRUMENTED_SYSTEM.realloc(ptr, layout, new_size),
        _ => dhat::Alloc.realloc(ptr, layout, new_size),
    }
}

// SAFETY (both impls): every method forwards the caller's pointer and layout unchanged to an
// allocator that upholds `GlobalAlloc`'s contract (the inner allocator directly, or stats_alloc /
// dhat, which wrap System and are used only when the inner allocator is System, so every block
// is freed by the allocator that made it); the accounting around it only touches atomics and a
// const-initialised thread-local, neither of which allocates or unwinds.
unsafe impl GlobalAlloc for Meter {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        alloc_in(&System, layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        alloc_zeroed_in(&System, layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        dealloc_in(&System, ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        realloc_in(&System, ptr, layout, new_size)
    }
}

unsafe impl<A: Inner> GlobalAlloc for MeterOver<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        alloc_in(&self.0, layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        alloc_zeroed_in(&self.0, layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        dealloc_in(&self.0, ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        realloc_in(&self.0, ptr, layout, new_size)
    }
}
