//! The live-heap timeline: a sampler thread that reads the meter's live total every few
//! milliseconds into a buffer allocated before the measured region, so sampling allocates nothing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often the live heap is sampled.
pub const PERIOD: Duration = Duration::from_millis(10);

use super::slots;

struct State {
    /// When recording began; `None` while not recording.
    start: Option<Instant>,
    points: Vec<(u64, i64)>,
}

/// A running sampler.
pub struct TimelineSampler {
    stop: Arc<AtomicBool>,
    state: Arc<Mutex<State>>,
    handle: Option<JoinHandle<()>>,
}

fn record(state: &Mutex<State>) {
    let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(start) = s.start {
        // Past the preallocated capacity points are dropped, never reallocated.
        if s.points.len() < s.points.capacity() {
            let ms = start.elapsed().as_millis() as u64;
            s.points.push((ms, slots::live_bytes()));
        }
    }
}

impl TimelineSampler {
    /// Starts a sampler thread that, once [`Self::begin`] is called, records
    /// `(ms since begin, live bytes)` every `every`, holding at most `capacity` points.
    pub fn spawn(every: Duration, capacity: usize) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let state = Arc::new(Mutex::new(State { start: None, points: Vec::with_capacity(capacity.max(2)) }));
        let (s, st) = (Arc::clone(&stop), Arc::clone(&state));
        let handle = std::thread::spawn(move || {
            while !s.load(Ordering::Acquire) {
                std::thread::sleep(every);
                record(&st);
            }
        });
        TimelineSampler { stop, state, handle: Some(handle) }
    }

    /// Starts recording: the measured region begins.
    pub fn begin(&self) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).start = Some(Instant::now());
        record(&self.state);
    }

    /// Records a last point and stops recording: the measured region ends. Teardown after it
    /// (freeing pools, joining threads) is not part of the timeline.
    pub fn end(&self) {
        record(&self.state);
        self.state.lock().unwrap_or_else(PoisonError::into_inner).start = None;
    }

    /// Stops the thread and returns the points.
    pub fn finish(mut self) -> Vec<(u64, i64)> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).start = None;
        self.stop.store(true, Ordering::Release);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        std::mem::take(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner).points)
    }
}
