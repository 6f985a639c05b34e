//! The meter's peak-live-bytes tracker, generic over its atomics so that loom can check it
//! (`RUSTFLAGS="--cfg loom" cargo test -p spanalloc-peak`): loom cannot run inside a global
//! allocator, but this is the part of the meter with cross-thread atomics of our own. A crate
//! of its own, with no dependency, so that `--cfg loom` rebuilds this file and loom only (inside
//! the harness it rebuilt every dependency of the harness: 209 s of .ci/run at one job). Its
//! functions are generic and `#[inline]`: they are instantiated and inlined in the meter.
//!
//! Each thread keeps its live-byte count in its slot and, once that has moved by `flush` since
//! it last published, adds the change to a global total and raises the peak to what it saw.
//! Invariants, checked under loom for every interleaving:
//! - the global total always equals the sum of what every slot has published;
//! - at rest, every slot holds back less than `flush`, so the total is within
//!   `slots × flush` of the exact live bytes, and so is the tracked peak of the true one;
//! - the peak is the largest total ever published, never more: slots shared by several threads
//!   (past the 1024th) publish with a compare-and-swap, so two of them cannot both publish the
//!   same change.

/// The atomic operations the tracker needs, all relaxed (the totals are read when the threads
/// that write them are parked, which orders everything).
pub trait I64Atomic {
    /// Loads.
    fn get(&self) -> i64;
    /// Stores.
    fn set(&self, v: i64);
    /// Adds, returning the old value.
    fn add(&self, v: i64) -> i64;
    /// Raises to at least `v`.
    fn raise(&self, v: i64);
    /// Sets to `new` if it holds `old`.
    fn swap_if(&self, old: i64, new: i64) -> bool;
}

macro_rules! relaxed_atomic {
    ($t:ty) => {
        impl I64Atomic for $t {
            fn get(&self) -> i64 {
                self.load(Relaxed)
            }
            fn set(&self, v: i64) {
                self.store(v, Relaxed)
            }
            fn add(&self, v: i64) -> i64 {
                self.fetch_add(v, Relaxed)
            }
            fn raise(&self, v: i64) {
                self.fetch_max(v, Relaxed);
            }
            fn swap_if(&self, old: i64, new: i64) -> bool {
                self.compare_exchange(old, new, Relaxed, Relaxed).is_ok()
            }
        }
    };
}

use std::sync::atomic::Ordering::Relaxed;
relaxed_atomic!(std::sync::atomic::AtomicI64);
#[cfg(loom)]
relaxed_atomic!(loom::sync::atomic::AtomicI64);

/// One slot's live bytes and the part of them already published.
pub struct SlotLive<'a, A> {
    /// The slot's net change of live bytes.
    pub live: &'a A,
    /// The part of `live` added to the global total.
    pub flushed: &'a A,
}

/// Where slots publish: the total over all slots, and its peak.
pub struct Totals<'a, A> {
    /// The sum of every slot's published change.
    pub global: &'a A,
    /// The largest `global` ever published.
    pub peak: &'a A,
}

/// Adds `delta` to a slot's live bytes and publishes the slot's change once it reaches `flush`.
/// `shared`: other threads write this slot too.
#[inline]
pub fn add_live<A: I64Atomic>(slot: SlotLive<'_, A>, totals: Totals<'_, A>, delta: i64, shared: bool, flush: i64) {
    if !shared {
        // The only writer: plain loads and stores.
        let live = slot.live.get() + delta;
        slot.live.set(live);
        let pending = live - slot.flushed.get();
        if pending.abs() >= flush {
            slot.flushed.set(live);
            publish(&totals, pending);
        }
        return;
    }
    slot.live.add(delta);
    loop {
        // Read-modify-writes of 0 read the latest values: a plain relaxed load could see a
        // `flushed` older than another thread's publication, judge the slot within a flush when
        // it is not, and leave it so at rest (loom found that interleaving).
        let (flushed, live) = (slot.flushed.add(0), slot.live.add(0));
        let pending = live - flushed;
        if pending.abs() < flush {
            return;
        }
        if slot.flushed.swap_if(flushed, live) {
            publish(&totals, pending);
            return;
        }
    }
}

#[inline]
fn publish<A: I64Atomic>(totals: &Totals<'_, A>, pending: i64) {
    let global = totals.global.add(pending) + pending;
    totals.peak.raise(global);
}

#[cfg(all(test, loom))]
mod loom_tests {
    use loom::sync::atomic::AtomicI64;
    use loom::sync::Arc;

    use super::*;

    const FLUSH: i64 = 4;

    struct Meter {
        slots: [(AtomicI64, AtomicI64); 2],
        global: AtomicI64,
        peak: AtomicI64,
        /// The exact live total, in the same order of events, for the bound on the peak.
        truth: AtomicI64,
        truth_peak: AtomicI64,
    }

    impl Meter {
        fn new() -> Self {
            let pair = || (AtomicI64::new(0), AtomicI64::new(0));
            Meter {
                slots: [pair(), pair()],
                global: AtomicI64::new(0),
                peak: AtomicI64::new(0),
                truth: AtomicI64::new(0),
                truth_peak: AtomicI64::new(0),
            }
        }

        fn step(&self, slot: usize, delta: i64, shared: bool) {
            let s = &self.slots[slot];
            add_live(
                SlotLive { live: &s.0, flushed: &s.1 },
                Totals { global: &self.global, peak: &self.peak },
                delta,
                shared,
                FLUSH,
            );
            let now = self.truth.fetch_add(delta, Relaxed) + delta;
            self.truth_peak.fetch_max(now, Relaxed);
        }
    }

    /// Two threads, each its own slot (or both one shared slot), allocating and freeing.
    fn check(shared: bool) {
        // Every interleaving with up to three preemptions: enough to reach each of the races
        // above, and a few seconds instead of minutes.
        let mut model = loom::model::Builder::new();
        model.preemption_bound = Some(3);
        model.check(move || {
            let m = Arc::new(Meter::new());
            let work: [&[i64]; 2] = [&[3, 3, -5], &[2, 4, -5]];
            let threads: Vec<_> = (0..2)
                .map(|t| {
                    let m = Arc::clone(&m);
                    // Shared: both threads write slot 0, as threads past the 1024th share the last.
                    let slot = if shared { 0 } else { t };
                    loom::thread::spawn(move || work[t].iter().for_each(|&d| m.step(slot, d, shared)))
                })
                .collect();
            threads.into_iter().for_each(|t| t.join().unwrap());
            let published: i64 = m.slots.iter().map(|s| s.1.load(Relaxed)).sum();
            let live: i64 = m.slots.iter().map(|s| s.0.load(Relaxed)).sum();
            assert_eq!(m.global.load(Relaxed), published, "the total is what the slots published");
            assert_eq!(live, m.truth.load(Relaxed), "live bytes are exact at rest");
            for s in &m.slots {
                assert!((s.0.load(Relaxed) - s.1.load(Relaxed)).abs() < FLUSH, "a slot holds back less than a flush");
            }
            let (peak, truth_peak) = (m.peak.load(Relaxed), m.truth_peak.load(Relaxed));
            let largest_step = 5;
            assert!(peak <= truth_peak + 2 * (FLUSH + largest_step), "the peak {peak} is never far above the truth {truth_peak}");
            assert!(
                peak >= truth_peak - 2 * (FLUSH + largest_step),
                "the peak {peak} is within the bound of the truth {truth_peak}"
            );
            assert!(peak >= m.global.load(Relaxed));
        });
    }

    #[test]
    fn single_writer_slots_publish_exactly() {
        check(false);
    }

    #[test]
    fn a_shared_slot_never_publishes_a_change_twice() {
        check(true);
    }
}
