//! The pacing driver: lets spans out at a target rate in 1 ms ticks and records how far the
//! producer fell behind its schedule.
//!
//! Span `s` of a producer is due `s / rate` seconds after the start. All spans due within one
//! tick go out together at the tick's start; the clock is read once per tick, not per span, so
//! pacing costs the same for every strategy. A producer that cannot keep up is never throttled
//! further: it runs flat out and its lag grows, which is how a slow strategy shows.

use std::time::{Duration, Instant};

/// The tick length.
pub const TICK: Duration = Duration::from_millis(1);
const TICK_NS: u64 = 1_000_000;

/// Paces one producer thread.
#[derive(Debug)]
pub struct Pacer {
    start: Instant,
    /// Nanoseconds between consecutive spans; 0 = unpaced.
    ns_per_span: f64,
    emitted: u64,
    /// Spans due before this offset (ns from start) may go without looking at the clock.
    window_end: u64,
    max_lag_ns: u64,
}

impl Pacer {
    /// A pacer for `rate` spans/s (0 = as fast as possible), starting now.
    pub fn new(rate: f64) -> Self {
        let ns_per_span = if rate > 0.0 { 1e9 / rate } else { 0.0 };
        Pacer { start: Instant::now(), ns_per_span, emitted: 0, window_end: 0, max_lag_ns: 0 }
    }

    /// Waits until the next span is due (or returns at once if it is already late).
    pub fn wait_turn(&mut self) {
        if self.ns_per_span == 0.0 {
            self.emitted += 1;
            return;
        }
        let due = (self.emitted as f64 * self.ns_per_span) as u64;
        self.emitted += 1;
        if due < self.window_end {
            return;
        }
        let tick_start = due / TICK_NS * TICK_NS;
        let mut now = self.elapsed_ns();
        if now < tick_start {
            std::thread::sleep(Duration::from_nanos(tick_start - now));
            now = self.elapsed_ns();
        }
        self.max_lag_ns = self.max_lag_ns.max(now.saturating_sub(due));
        self.window_end = tick_start + TICK_NS;
    }

    fn elapsed_ns(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    /// Spans let out so far.
    pub fn emitted(&self) -> u64 {
        self.emitted
    }

    /// The largest delay of a span behind its due time, in ns (oversleeping included).
    pub fn max_lag_ns(&self) -> u64 {
        self.max_lag_ns
    }

    /// When the pacer started.
    pub fn start(&self) -> Instant {
        self.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpaced_never_sleeps_or_lags() {
        let mut p = Pacer::new(0.0);
        for _ in 0..1000 {
            p.wait_turn();
        }
        assert_eq!((p.emitted(), p.max_lag_ns()), (1000, 0));
    }

    /// 30 spans at 10k/s are due over 2.9 ms, so they cannot all be out before 2 ms have passed
    /// (the tick holding span 20 starts at 2 ms). Only a lower bound: a slow machine may be late.
    #[test]
    fn paced_spans_wait_for_their_tick() {
        let mut p = Pacer::new(10_000.0);
        for _ in 0..30 {
            p.wait_turn();
        }
        assert!(p.elapsed_ns() >= 2_000_000, "30 spans at 10k/s out after {} ns", p.elapsed_ns());
        assert_eq!(p.emitted(), 30);
    }
}
