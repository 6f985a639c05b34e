//! Per-thread, single-writer allocation counters and the peak-live-bytes tracker.
//!
//! Each thread claims a cache-line-aligned slot the first time it allocates and is the only
//! writer of it, so counting is a relaxed load and store: no locked instruction, no line shared
//! with another thread. Threads beyond [`SLOTS`] share the last slot with atomic adds.
//!
//! Live bytes are exact when the pipeline is parked (the sum of every slot). The *peak* needs a
//! global view while threads run: each thread adds its change of live bytes to a global counter
//! once it has moved by [`FLUSH_BYTES`], and the peak is taken at each such flush. The tracked
//! peak is therefore at most `threads × FLUSH_BYTES` below the true one
//! ([`peak_error_bound`]), at a thousandth of the cost of a shared counter per allocation.

use std::cell::Cell;
use std::ops::Sub;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering::Relaxed};

use serde::{Deserialize, Serialize};
use spanalloc_model::stage::{self, Stage};

use spanalloc_peak as peak;

/// Slots for this many threads; later threads share the last one.
pub const SLOTS: usize = 1024;
/// A thread publishes its change of live bytes once it reaches this.
pub const FLUSH_BYTES: i64 = 8 * 1024;
const STAGES: usize = Stage::ALL.len();

/// Exact allocator totals, in stats_alloc's terms plus what dhat compares with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// `alloc` and `alloc_zeroed` calls.
    pub allocs: u64,
    /// `dealloc` calls.
    pub deallocs: u64,
    /// `realloc` calls.
    pub reallocs: u64,
    /// Bytes from allocations plus the growth of reallocations (as stats_alloc counts).
    pub bytes_allocated: u64,
    /// Bytes freed plus the shrinkage of reallocations.
    pub bytes_deallocated: u64,
    /// Net change of size over all reallocations.
    pub bytes_reallocated: i64,
    /// Bytes from `alloc` / `alloc_zeroed` only.
    pub fresh_bytes: u64,
    /// The new sizes of all reallocations (dhat counts a realloc as a new block of that size).
    pub realloc_new_bytes: u64,
}

impl Counts {
    /// Blocks as dhat counts them: every alloc and every realloc.
    pub fn dhat_blocks(&self) -> u64 {
        self.allocs + self.reallocs
    }

    /// Bytes as dhat counts them: fresh allocations plus every realloc's new size.
    pub fn dhat_bytes(&self) -> u64 {
        self.fresh_bytes + self.realloc_new_bytes
    }

    /// Whether stats_alloc's six counters agree (the fields stats_alloc does not keep are ignored).
    pub fn same_as_stats_alloc(&self, reference: &Counts) -> bool {
        (self.allocs, self.deallocs, self.reallocs, self.bytes_allocated, self.bytes_deallocated, self.bytes_reallocated)
            == (
                reference.allocs,
                reference.deallocs,
                reference.reallocs,
                reference.bytes_allocated,
                reference.bytes_deallocated,
                reference.bytes_reallocated,
            )
    }
}

impl Sub for Counts {
    type Output = Counts;
    fn sub(self, b: Counts) -> Counts {
        Counts {
            allocs: self.allocs.wrapping_sub(b.allocs),
            deallocs: self.deallocs.wrapping_sub(b.deallocs),
            reallocs: self.reallocs.wrapping_sub(b.reallocs),
            bytes_allocated: self.bytes_allocated.wrapping_sub(b.bytes_allocated),
            bytes_deallocated: self.bytes_deallocated.wrapping_sub(b.bytes_deallocated),
            bytes_reallocated: self.bytes_reallocated.wrapping_sub(b.bytes_reallocated),
            fresh_bytes: self.fresh_bytes.wrapping_sub(b.fresh_bytes),
            realloc_new_bytes: self.realloc_new_bytes.wrapping_sub(b.realloc_new_bytes),
        }
    }
}

/// Allocation events (allocs and reallocs) and their requested bytes, per pipeline stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StageCounts {
    /// Events per stage, indexed by [`Stage::index`].
    pub allocs: [u64; STAGES],
    /// Requested bytes per stage.
    pub bytes: [u64; STAGES],
}

impl Sub for StageCounts {
    type Output = StageCounts;
    fn sub(self, b: StageCounts) -> StageCounts {
        StageCounts {
            allocs: std::array::from_fn(|i| self.allocs[i].wrapping_sub(b.allocs[i])),
            bytes: std::array::from_fn(|i| self.bytes[i].wrapping_sub(b.bytes[i])),
        }
    }
}

#[repr(align(128))]
struct Slot {
    allocs: AtomicU64,
    deallocs: AtomicU64,
    reallocs: AtomicU64,
    bytes_allocated: AtomicU64,
    bytes_deallocated: AtomicU64,
    bytes_reallocated: AtomicU64,
    fresh_bytes: AtomicU64,
    realloc_new_bytes: AtomicU64,
    /// This thread's net change of live bytes (negative for a thread that frees others' blocks).
    live: AtomicI64,
    /// The part of `live` already added to [`GLOBAL_LIVE`].
    flushed: AtomicI64,
    stage_allocs: [AtomicU64; STAGES],
    stage_bytes: [AtomicU64; STAGES],
}

#[allow(clippy::declare_interior_mutable_const)] // only used to initialise the static array
const EMPTY: Slot = Slot {
    allocs: AtomicU64::new(0),
    deallocs: AtomicU64::new(0),
    reallocs: AtomicU64::new(0),
    bytes_allocated: AtomicU64::new(0),
    bytes_deallocated: AtomicU64::new(0),
    bytes_reallocated: AtomicU64::new(0),
    fresh_bytes: AtomicU64::new(0),
    realloc_new_bytes: AtomicU64::new(0),
    live: AtomicI64::new(0),
    flushed: AtomicI64::new(0),
    stage_allocs: [const { AtomicU64::new(0) }; STAGES],
    stage_bytes: [const { AtomicU64::new(0) }; STAGES],
};

static SLOT_TABLE: [Slot; SLOTS] = [EMPTY; SLOTS];
static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);
static GLOBAL_LIVE: AtomicI64 = AtomicI64::new(0);
static PEAK: AtomicI64 = AtomicI64::new(0);

thread_local! {
    // No destructor, const-initialised: safe to touch from inside the allocator at any time.
    static MY_SLOT: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// This thread's slot, and whether other threads share it.
#[inline]
fn my_slot() -> (&'static Slot, bool) {
    let i = MY_SLOT
        .try_with(|c| {
            let mut i = c.get();
            if i == usize::MAX {
                i = NEXT_SLOT.fetch_add(1, Relaxed).min(SLOTS - 1);
                c.set(i);
            }
            i
        })
        .unwrap_or(SLOTS - 1);
    (&SLOT_TABLE[i], i == SLOTS - 1)
}

#[inline]
fn add(counter: &AtomicU64, v: u64, shared: bool) {
    if shared {
        counter.fetch_add(v, Relaxed);
    } else {
        counter.store(counter.load(Relaxed).wrapping_add(v), Relaxed);
    }
}

#[inline]
fn add_live(slot: &Slot, delta: i64, shared: bool) {
    peak::add_live(
        peak::SlotLive { live: &slot.live, flushed: &slot.flushed },
        peak::Totals { global: &GLOBAL_LIVE, peak: &PEAK },
        delta,
        shared,
        FLUSH_BYTES,
    );
}

#[inline]
fn on_stage(slot: &Slot, bytes: usize, shared: bool) {
    let s = stage::current().index();
    add(&slot.stage_allocs[s], 1, shared);
    add(&slot.stage_bytes[s], bytes as u64, shared);
}

#[inline]
pub(super) fn on_alloc(size: usize) {
    let (slot, shared) = my_slot();
    add(&slot.allocs, 1, shared);
    add(&slot.bytes_allocated, size as u64, shared);
    add(&slot.fresh_bytes, size as u64, shared);
    on_stage(slot, size, shared);
    add_live(slot, size as i64, shared);
}

#[inline]
pub(super) fn on_dealloc(size: usize) {
    let (slot, shared) = my_slot();
    add(&slot.deallocs, 1, shared);
    add(&slot.bytes_deallocated, size as u64, shared);
    add_live(slot, -(size as i64), shared);
}

#[inline]
pub(super) fn on_realloc(old: usize, new: usize) {
    let (slot, shared) = my_slot();
    add(&slot.reallocs, 1, shared);
    if new > old {
        add(&slot.bytes_allocated, (new - old) as u64, shared);
    } else {
        add(&slot.bytes_deallocated, (old - new) as u64, shared);
    }
    add(&slot.bytes_reallocated, (new as i64 - old as i64) as u64, shared);
    add(&slot.realloc_new_bytes, new as u64, shared);
    on_stage(slot, new, shared);
    add_live(slot, new as i64 - old as i64, shared);
}

fn used_slots() -> &'static [Slot] {
    &SLOT_TABLE[..NEXT_SLOT.load(Relaxed).min(SLOTS)]
}

fn read(slot: &Slot) -> Counts {
    Counts {
        allocs: slot.allocs.load(Relaxed),
        deallocs: slot.deallocs.load(Relaxed),
        reallocs: slot.reallocs.load(Relaxed),
        bytes_allocated: slot.bytes_allocated.load(Relaxed),
        bytes_deallocated: slot.bytes_deallocated.load(Relaxed),
        bytes_reallocated: slot.bytes_reallocated.load(Relaxed) as i64,
        fresh_bytes: slot.fresh_bytes.load(Relaxed),
        realloc_new_bytes: slot.realloc_new_bytes.load(Relaxed),
    }
}

/// Totals over every thread. Exact when the threads that allocate are parked (synchronised with
/// the caller, e.g. through a barrier); a moment's approximation otherwise.
pub fn totals() -> Counts {
    used_slots().iter().map(read).fold(Counts::default(), |a, c| Counts {
        allocs: a.allocs + c.allocs,
        deallocs: a.deallocs + c.deallocs,
        reallocs: a.reallocs + c.reallocs,
        bytes_allocated: a.bytes_allocated + c.bytes_allocated,
        bytes_deallocated: a.bytes_deallocated + c.bytes_deallocated,
        bytes_reallocated: a.bytes_reallocated + c.bytes_reallocated,
        fresh_bytes: a.fresh_bytes + c.fresh_bytes,
        realloc_new_bytes: a.realloc_new_bytes + c.realloc_new_bytes,
    })
}

/// The calling thread's own totals: exact at any time, whatever other threads do.
pub fn this_thread() -> Counts {
    read(my_slot().0)
}

/// Per-stage totals over every thread.
pub fn stage_totals() -> StageCounts {
    let mut out = StageCounts::default();
    for slot in used_slots() {
        for i in 0..STAGES {
            out.allocs[i] += slot.stage_allocs[i].load(Relaxed);
            out.bytes[i] += slot.stage_bytes[i].load(Relaxed);
        }
    }
    out
}

/// Live bytes counted since the meter was switched on: the sum of every thread's slot.
pub fn live_bytes() -> i64 {
    used_slots().iter().map(|s| s.live.load(Relaxed)).sum()
}

/// Starts a new peak: from now on [`peak_bytes`] reports the largest live total seen since.
pub fn reset_peak() {
    PEAK.store(GLOBAL_LIVE.load(Relaxed).max(live_bytes()), Relaxed);
}

/// The largest live total seen since [`reset_peak`], including `now_live` (pass the exact
/// [`live_bytes`] taken while the pipeline is parked).
pub fn peak_bytes(now_live: i64) -> i64 {
    PEAK.load(Relaxed).max(now_live)
}

/// How far below the true peak [`peak_bytes`] may be: every thread may hold up to
/// [`FLUSH_BYTES`] not yet published.
pub fn peak_error_bound() -> u64 {
    (used_slots().len() as u64) * FLUSH_BYTES as u64
}

fn read_stages(slot: &Slot) -> StageCounts {
    StageCounts {
        allocs: std::array::from_fn(|i| slot.stage_allocs[i].load(Relaxed)),
        bytes: std::array::from_fn(|i| slot.stage_bytes[i].load(Relaxed)),
    }
}

/// The calling thread's own per-stage totals.
pub fn this_thread_stages() -> StageCounts {
    read_stages(my_slot().0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meter::{set_mode, Mode};

    /// A known answer: this thread allocates exactly 7 blocks of 100 bytes, one of 100 bytes
    /// that it grows to 200, and frees them all. Its own slot must show exactly that, whatever
    /// other test threads do.
    #[test]
    fn counts_a_known_answer_exactly() {
        let _mode = crate::meter::MODE_TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        set_mode(Mode::Fast);
        let before = this_thread();
        let stages_before = this_thread_stages();
        {
            let _s = stage::enter(Stage::Propagator);
            let blocks: [Box<[u8; 100]>; 7] = std::array::from_fn(|_| std::hint::black_box(Box::new([1u8; 100])));
            let mut v: Vec<u8> = Vec::with_capacity(100);
            v.reserve_exact(200);
            drop(std::hint::black_box(v));
            drop(std::hint::black_box(blocks));
        }
        let d = this_thread() - before;
        let want = Counts {
            allocs: 8,
            deallocs: 8,
            reallocs: 1,
            bytes_allocated: 900,
            bytes_deallocated: 900,
            bytes_reallocated: 100,
            fresh_bytes: 800,
            realloc_new_bytes: 200,
        };
        assert_eq!(d, want);
        assert_eq!((d.dhat_blocks(), d.dhat_bytes()), (9, 1000));
        let s = this_thread_stages() - stages_before;
        let p = Stage::Propagator.index();
        assert_eq!((s.allocs[p], s.bytes[p]), (9, 1000));
        assert_eq!(s.allocs.iter().sum::<u64>(), 9, "nothing charged to another stage");
    }

    #[test]
    fn subtraction_and_dhat_terms() {
        let a = Counts { allocs: 5, reallocs: 2, fresh_bytes: 50, realloc_new_bytes: 30, ..Default::default() };
        assert_eq!(a.dhat_blocks(), 7);
        assert_eq!(a.dhat_bytes(), 80);
        assert_eq!((a - a), Counts::default());
    }
}
