//! The pool at its edge: borrowing within its capacity allocates nothing; every borrow past it
//! allocates one new context — and the allocator sees each one. One test in its own binary, so
//! no other test thread allocates while stats_alloc's global counters are read.

use std::alloc::System;

use spanalloc_pooled::ContextPool;
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn borrows_past_the_capacity_are_counted_one_context_each() {
    const CAPACITY: usize = 16;
    const ENTRIES: usize = 2;
    let pool = ContextPool::filled(CAPACITY, ENTRIES);
    assert_eq!(pool.capacity(), CAPACITY);

    let region = Region::new(GLOBAL);
    let mut loans: Vec<_> = Vec::with_capacity(CAPACITY + 3);
    let reserved = region.change();
    for _ in 0..CAPACITY {
        loans.push(pool.take());
    }
    let within = region.change();
    assert_eq!(within.allocations - reserved.allocations, 0, "borrowing the pool's own contexts allocates nothing");
    assert_eq!(pool.available(), 0);

    // A new context is its box, its entries' Vec and a key and a value buffer per entry.
    let per_context = 1 + 1 + 2 * ENTRIES;
    for extra in 1..=3 {
        loans.push(pool.take());
        let now = region.change();
        assert_eq!(now.allocations - within.allocations, extra * per_context, "borrow {extra} past the capacity");
    }

    // Back in the pool: it keeps CAPACITY contexts and frees the three spares.
    let before_return = region.change();
    drop(loans);
    let after = region.change();
    assert_eq!(pool.available(), CAPACITY);
    assert_eq!(after.deallocations - before_return.deallocations, 3 * per_context + 1, "three spares and the loans' Vec");
}
