//! The edge reading's wait for a pipeline at rest, in a test binary of its own: other tests'
//! threads would otherwise be "other threads" of this process.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use spanalloc::settle::others_at_rest;

#[test]
fn a_spinning_thread_is_not_at_rest_and_a_blocked_one_is() {
    let stop = Arc::new(AtomicBool::new(false));
    let spinner = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::hint::spin_loop();
            }
        })
    };
    // A spinning thread is running or runnable (`R`) in every read, however long the limit.
    assert!(!others_at_rest(Duration::from_millis(50)));
    stop.store(true, Ordering::Relaxed);
    spinner.join().unwrap();

    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let blocked = std::thread::spawn(move || rx.recv());
    // Only the libtest main thread and the blocked one remain; the limit is the hang guard.
    assert!(others_at_rest(Duration::from_secs(60)));
    drop(tx);
    let _ = blocked.join();
}
