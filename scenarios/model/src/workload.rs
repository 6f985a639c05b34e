//! The seeded workload every strategy runs: which traces, which ids, which trace state, which
//! spans cross a process boundary. It is a pure function of the configuration, so every strategy,
//! every producer count and every run sees the same spans.

use thiserror::Error;

use crate::ids::{SpanId, TraceId};
use crate::trace_state::{TraceState, MAX_MEMBERS};

/// Length of the generated vendor keys (`vendor00`..`vendor31`).
pub const KEY_LEN: usize = 8;
/// Length of the generated vendor values (16 lower-case hex digits, like `rojo=00f067aa0ba902b7`).
pub const VALUE_LEN: usize = 16;

/// Span names by depth in the trace: a request, the calls it makes, and what those call.
pub const SPAN_NAMES: [&str; 3] = ["GET /checkout", "inventory.reserve", "db.query"];

/// The fixed attributes every span carries; the exporter encodes them like a real one would.
pub const ATTRIBUTES: [(&str, i64); 3] = [("http.status_code", 200), ("net.peer.port", 5432), ("retry", 0)];

/// What to run. Every field takes part in deciding whether two runs are comparable.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadConfig {
    /// Seed of every id and value.
    pub seed: u64,
    /// Spans in the measured region.
    pub spans: u64,
    /// Spans run before the measured region (a separate stream of traces), to warm pools, buffers
    /// and thread-locals.
    pub warmup: u64,
    /// Target spans per second over all producers; 0 runs as fast as possible.
    pub rate: u64,
    /// Producer threads; traces are dealt to them round-robin.
    pub producers: usize,
    /// W3C trace-state entries per trace (0..=32).
    pub trace_state_entries: usize,
    /// Children per span above the leaves.
    pub fan_out: usize,
    /// Levels below the root.
    pub depth: usize,
    /// Every k-th span's parent crosses a simulated process boundary (inject, then extract).
    pub propagate_every: u64,
    /// Share of root traces sampled (children follow their parent).
    pub sample_ratio: f64,
}

impl Default for WorkloadConfig {
    fn default() -> Self {
        WorkloadConfig {
            seed: 42,
            spans: 1_000_000,
            warmup: 20_000,
            rate: 100_000,
            producers: 1,
            trace_state_entries: 4,
            fan_out: 3,
            depth: 2,
            propagate_every: 10,
            sample_ratio: 1.0,
        }
    }
}

/// A configuration that cannot be run. Each message starts with the field's name as a command
/// line spells it (`spans`, `trace-state`, `fan-out`…), so a command line can prefix `--`.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ConfigError {
    /// `spans` is 0.
    #[error("spans must be at least 1")]
    NoSpans,
    /// `producers` is 0.
    #[error("producers must be at least 1")]
    NoProducers,
    /// More trace-state entries than W3C allows.
    #[error("trace-state must be 0..=32 entries (the W3C limit), got {0}")]
    TooManyEntries(usize),
    /// `fan_out` is 0 while `depth` is not.
    #[error("fan-out must be at least 1")]
    NoFanOut,
    /// `propagate_every` is 0.
    #[error("propagate-every must be at least 1")]
    NoPropagation,
    /// `sample_ratio` outside 0..=1.
    #[error("sample-ratio must be within 0..=1, got {0}")]
    BadSampleRatio(f64),
    /// A trace would have more spans than fit in a `u64`.
    #[error("fan-out {0} and depth {1} make traces too large")]
    TraceTooLarge(usize, usize),
}

impl WorkloadConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.spans == 0 {
            return Err(ConfigError::NoSpans);
        }
        if self.producers == 0 {
            return Err(ConfigError::NoProducers);
        }
        if self.trace_state_entries > MAX_MEMBERS {
            return Err(ConfigError::TooManyEntries(self.trace_state_entries));
        }
        if self.fan_out == 0 && self.depth > 0 {
            return Err(ConfigError::NoFanOut);
        }
        if self.propagate_every == 0 {
            return Err(ConfigError::NoPropagation);
        }
        if !(0.0..=1.0).contains(&self.sample_ratio) {
            return Err(ConfigError::BadSampleRatio(self.sample_ratio));
        }
        if self.spans_per_trace_checked().is_none() {
            return Err(ConfigError::TraceTooLarge(self.fan_out, self.depth));
        }
        Ok(())
    }

    fn spans_per_trace_checked(&self) -> Option<u64> {
        let mut total: u64 = 0;
        let mut level: u64 = 1;
        for d in 0..=self.depth {
            total = total.checked_add(level)?;
            if d < self.depth {
                level = level.checked_mul(self.fan_out as u64)?;
            }
        }
        Some(total)
    }

    /// Spans in a whole trace: `1 + f + f² + … + f^depth`.
    pub fn spans_per_trace(&self) -> u64 {
        self.spans_per_trace_checked().expect("validated")
    }

    /// The measured stream of traces.
    pub fn measured(&self) -> Stream {
        Stream { seed: self.seed, spans: self.spans, spans_per_trace: self.spans_per_trace() }
    }

    /// The warm-up stream: different traces from the measured ones, so the measured digest does
    /// not depend on how long the warm-up was.
    pub fn warmup_stream(&self) -> Stream {
        Stream { seed: mix(self.seed ^ 0x5741_524d_5550), spans: self.warmup, spans_per_trace: self.spans_per_trace() }
    }
}

/// A run of consecutive traces with `spans` spans in all; the last trace may be cut short.
#[derive(Debug, Clone, Copy)]
pub struct Stream {
    /// Seed of this stream's ids.
    pub seed: u64,
    /// Spans in the stream.
    pub spans: u64,
    /// Spans in a whole trace.
    pub spans_per_trace: u64,
}

impl Stream {
    /// How many traces (the last possibly partial).
    pub fn traces(&self) -> u64 {
        self.spans.div_ceil(self.spans_per_trace)
    }

    /// Spans of trace `t`, counting only those inside the stream.
    pub fn spans_in_trace(&self, t: u64) -> u64 {
        (self.spans - t * self.spans_per_trace).min(self.spans_per_trace)
    }

    /// The traces producer `p` of `producers` runs: round-robin, the same split for every strategy.
    pub fn traces_for(&self, p: usize, producers: usize) -> impl Iterator<Item = u64> {
        (p as u64..self.traces()).step_by(producers)
    }

    /// The spans producer `p` of `producers` runs.
    pub fn spans_for(&self, p: usize, producers: usize) -> u64 {
        self.traces_for(p, producers).map(|t| self.spans_in_trace(t)).sum()
    }

    /// The id of trace `t`; never all zeros.
    pub fn trace_id(&self, t: u64) -> TraceId {
        let hi = mix(self.seed ^ mix(2 * t));
        let lo = mix(self.seed ^ mix(2 * t + 1)) | 1;
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&hi.to_be_bytes());
        b[8..].copy_from_slice(&lo.to_be_bytes());
        TraceId(b)
    }

    /// The id of span `j` (pre-order) of trace `t`; never all zeros.
    pub fn span_id(&self, t: u64, j: u64) -> SpanId {
        SpanId((mix(mix(self.seed ^ t).wrapping_add(j)) | 1).to_be_bytes())
    }

    /// Whether span `j` of trace `t` receives its parent across a process boundary.
    pub fn crosses_boundary(&self, t: u64, j: u64, every: u64) -> bool {
        j > 0 && (t * self.spans_per_trace + j).is_multiple_of(every)
    }

    /// Fills `state` with trace `t`'s `n` vendor entries, reusing its buffers.
    pub fn fill_trace_state(&self, t: u64, n: usize, state: &mut TraceState) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        state.clear();
        let mut key = [0u8; KEY_LEN];
        key[..6].copy_from_slice(b"vendor");
        let mut value = [0u8; VALUE_LEN];
        for i in 0..n {
            key[6] = b'0' + (i / 10) as u8;
            key[7] = b'0' + (i % 10) as u8;
            let bits = mix(self.seed ^ mix(t) ^ (i as u64 + 1));
            for (d, v) in value.iter_mut().enumerate() {
                *v = HEX[((bits >> (4 * d)) & 0xf) as usize];
            }
            // Both arrays hold ASCII only.
            let (k, v) = (std::str::from_utf8(&key).expect("ascii"), std::str::from_utf8(&value).expect("ascii"));
            state.push_right_unchecked(k, v);
        }
    }
}

/// SplitMix64's finaliser: a fast, well-spread 64-bit mix.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace_state::{is_valid_key, is_valid_value};

    #[test]
    fn shape_and_split() {
        let cfg = WorkloadConfig { spans: 100, ..Default::default() };
        cfg.validate().unwrap();
        let s = cfg.measured();
        assert_eq!(cfg.spans_per_trace(), 13);
        assert_eq!(s.traces(), 8);
        assert_eq!(s.spans_in_trace(7), 100 - 7 * 13);
        assert_eq!((0..3).map(|p| s.spans_for(p, 3)).sum::<u64>(), 100);
    }

    #[test]
    fn generated_state_is_valid_w3c_and_deterministic() {
        let s = WorkloadConfig::default().measured();
        let (mut a, mut b) = (TraceState::new(), TraceState::new());
        s.fill_trace_state(3, 32, &mut a);
        s.fill_trace_state(3, 32, &mut b);
        assert_eq!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.iter().all(|(k, v)| is_valid_key(k) && is_valid_value(v) && k.len() == KEY_LEN && v.len() == VALUE_LEN));
    }

    #[test]
    fn warmup_and_measured_traces_differ() {
        let cfg = WorkloadConfig::default();
        assert_ne!(cfg.measured().trace_id(0), cfg.warmup_stream().trace_id(0));
    }

    #[test]
    fn validation_names_the_field() {
        let bad = |f: fn(&mut WorkloadConfig)| {
            let mut c = WorkloadConfig::default();
            f(&mut c);
            c.validate().unwrap_err()
        };
        assert_eq!(bad(|c| c.spans = 0), ConfigError::NoSpans);
        assert_eq!(bad(|c| c.producers = 0), ConfigError::NoProducers);
        assert_eq!(bad(|c| c.trace_state_entries = 33), ConfigError::TooManyEntries(33));
        assert_eq!(bad(|c| c.propagate_every = 0), ConfigError::NoPropagation);
        assert_eq!(bad(|c| c.sample_ratio = 1.5), ConfigError::BadSampleRatio(1.5));
        assert_eq!(bad(|c| (c.fan_out, c.depth) = (1000, 10)), ConfigError::TraceTooLarge(1000, 10));
    }
}
