//! The bounded hand-off between pipeline threads: crossbeam's lock-free `ArrayQueue` plus
//! `std::thread::park`/`unpark` for waiting.
//!
//! Why not `std::sync::mpsc`: a thread's first blocking send or receive allocates (its waiting
//! context, a slot in the channel's waiter list), and *when* that first happens depends on
//! thread timing. Measured, that put 0–3 stray allocations into some regions and not others,
//! so two meters on the same spans disagreed. A full `ArrayQueue` allocates nothing, and
//! `park`/`unpark` only touch a futex, so after setup the pipeline's own plumbing allocates
//! nothing whatever the timing.
//!
//! `unpark` before `park` leaves a token that makes the next `park` return at once, so a
//! wake-up sent between a failed `push`/`pop` and the `park` is never lost; every wait re-checks
//! the queue in a loop, so spurious wake-ups are harmless.

use std::thread::{self, Thread};

use crossbeam_queue::ArrayQueue;

/// A bounded queue between threads that park when it is full or empty.
pub struct Handoff<T> {
    queue: ArrayQueue<T>,
}

impl<T> Handoff<T> {
    /// A queue holding at most `capacity` items.
    pub fn new(capacity: usize) -> Self {
        Handoff { queue: ArrayQueue::new(capacity) }
    }

    /// Adds `item`, parking while the queue is full, then wakes `consumer`. The consumer must
    /// wake this thread after each `pop`.
    pub fn push(&self, mut item: T, consumer: &Thread) {
        loop {
            match self.queue.push(item) {
                Ok(()) => {
                    consumer.unpark();
                    return;
                }
                Err(back) => {
                    item = back;
                    thread::park();
                }
            }
        }
    }

    /// Takes the oldest item, parking while the queue is empty. Producers must wake this thread
    /// after each `push`.
    pub fn pop(&self) -> T {
        loop {
            if let Some(item) = self.queue.pop() {
                return item;
            }
            thread::park();
        }
    }

    /// Adds `item` if there is room, without waiting.
    pub fn try_push(&self, item: T) -> Result<(), T> {
        self.queue.push(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_arrives_once_in_order_through_a_tiny_queue() {
        let q = Handoff::new(2);
        let consumer = thread::current();
        std::thread::scope(|s| {
            let producer = s.spawn(|| {
                for i in 0..10_000u32 {
                    q.push(i, &consumer);
                }
            });
            for want in 0..10_000u32 {
                assert_eq!(q.pop(), want);
                producer.thread().unpark();
            }
        });
    }
}
