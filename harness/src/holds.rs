//! How fast a row holds on this machine: a finding beside the figures, never the gate.
//!
//! A row is gated at a rate it holds (`Scenario::gated_at`): the SDK rows and tracing-otel at
//! 50,000 spans/s on a 2-core machine, where 100,000 drops spans at 32 trace-state entries. What
//! they do hold between the two is worth knowing — it is the headroom a service has — but it moves
//! with the machine and its load, so it is measured and shown, and no verdict reads it.
//!
//! A pass that dropped nothing sustained what it achieved, up to its pace ([`Probe::sustained`]);
//! it kept its pace when within 5% of it ([`Probe::held`]). Every row's count passes say what it
//! sustained at its gate rate; a row gated below the run's rate is then probed with plain passes
//! of [`PROBE_SPANS`] spans at most: the run's rate first, then the gap between the highest rate
//! kept and the lowest that dropped halved, [`PROBE_STEPS`] times at most. A probe that fell
//! behind without dropping found the row's own limit (its producer): nothing faster is asked.

use spanalloc_model::WorkloadConfig;
use spanalloc_record::schema::{Failure, Holds, Probe};

use crate::pass::PassOutput;

/// Spans per probe, at most: enough to fill the SDK's 2,048-span queue many times over at a rate
/// 10% above what its exporter drains.
pub const PROBE_SPANS: u64 = 50_000;

/// Halvings of the gap between the highest rate held and the lowest not held, after the run's
/// rate: two leave it a quarter of the gap between gate rate and run rate (12,500 spans/s).
pub const PROBE_STEPS: usize = 2;

/// Probe rates are rounded to this many spans/s.
const ROUND: u64 = 500;

/// One plain pass at a workload's rate: what it reported, and the spans it dropped.
pub type ProbeFn<'f> = dyn Fn(&WorkloadConfig) -> Result<(PassOutput, u64), Failure> + 'f;

/// The finding for a row whose count passes, at `gate` spans/s, achieved `achieved` (their
/// median) without dropping, in a run asking `target`; `probe` runs one plain pass at a rate
/// and reports the spans it dropped beside what it achieved. `None` for an unpaced run.
///
/// A pass that dropped nothing held what it achieved, up to its pace; one that fell more than 5%
/// behind its pace without dropping found the row's own limit (its producer, not its queue), so
/// nothing faster is asked. A pass that dropped held nothing, and the gap below it is halved.
pub fn find(cfg: &WorkloadConfig, gate: u64, achieved: f64, probe: &ProbeFn<'_>) -> Result<Option<Holds>, Failure> {
    let target = cfg.rate;
    if target == 0 || gate == 0 {
        return Ok(None);
    }
    let spans = cfg.spans.min(PROBE_SPANS);
    let at_gate = Probe { rate: gate, achieved, dropped: 0 };
    let mut holds = Holds { rate: at_gate.sustained(), target, spans, probes: Vec::new() };
    if gate >= target || !at_gate.held() {
        return Ok(Some(holds));
    }
    let (mut kept, mut dropped_at, mut rate) = (gate, None, target);
    loop {
        let (out, dropped) = probe(&WorkloadConfig { spans, rate, ..cfg.clone() })?;
        let p = Probe { rate, achieved: out.achieved_rate, dropped };
        holds.rate = holds.rate.max(p.sustained());
        let (held, behind) = (p.held(), dropped == 0 && !p.held());
        holds.probes.push(p);
        if held {
            kept = rate;
        } else if behind {
            break; // its own limit: nothing faster will be held
        } else {
            dropped_at = Some(rate);
        }
        let hi = dropped_at.unwrap_or(target);
        let mid = (kept + hi.saturating_sub(kept) / 2) / ROUND * ROUND;
        if kept >= target || holds.probes.len() > PROBE_STEPS || mid <= kept || mid >= hi {
            break;
        }
        rate = mid;
    }
    Ok(Some(holds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn output(achieved: f64) -> PassOutput {
        let line = format!(
            r#"{{"pass":"probe","scenario":"s","spans":1,"spans_exported":1,"digest":"0","cpu_ns":0,"emit_elapsed_ns":0,"achieved_rate":{achieved},"max_lag_ns":0,"latency_p50_ns":0,"latency_p99_ns":0,"latency_max_ns":0,"peak_rss_bytes":0}}"#
        );
        serde_json::from_str(&line).expect("a pass output")
    }

    /// A machine on which the row holds up to `capacity` spans/s: faster, it drops.
    fn machine(capacity: u64, asked: &RefCell<Vec<u64>>) -> impl Fn(&WorkloadConfig) -> Result<(PassOutput, u64), Failure> + '_ {
        move |cfg| {
            asked.borrow_mut().push(cfg.rate);
            let dropped = if cfg.rate > capacity { 100 } else { 0 };
            Ok((output(cfg.rate.min(capacity) as f64), dropped))
        }
    }

    fn cfg(rate: u64) -> WorkloadConfig {
        WorkloadConfig { spans: 200_000, rate, ..WorkloadConfig::default() }
    }

    #[test]
    fn a_row_gated_below_the_run_is_probed_up_to_what_it_holds() {
        let asked = RefCell::new(Vec::new());
        let h = find(&cfg(100_000), 50_000, 49_990.0, &machine(80_000, &asked)).unwrap().unwrap();
        // 100,000 drops; 75,000 holds; 87,500 drops: it holds 75,000, to a quarter of the gap.
        assert_eq!(*asked.borrow(), [100_000, 75_000, 87_500]);
        assert_eq!((h.rate, h.target, h.spans), (75_000, 100_000, PROBE_SPANS));
        assert_eq!(h.probes.iter().map(Probe::held).collect::<Vec<_>>(), [false, true, false]);
    }

    #[test]
    fn a_row_that_holds_the_run_is_probed_once_or_not_at_all() {
        let asked = RefCell::new(Vec::new());
        let h = find(&cfg(100_000), 50_000, 50_000.0, &machine(200_000, &asked)).unwrap().unwrap();
        assert_eq!((h.rate, asked.borrow().len()), (100_000, 1));
        // Gated at the run's rate: its count passes say it all (what they achieved, up to the pace).
        let h = find(&cfg(100_000), 100_000, 99_000.0, &machine(200_000, &asked)).unwrap().unwrap();
        assert_eq!((h.rate, h.probes.len(), asked.borrow().len()), (99_000, 0, 1));
    }

    #[test]
    fn a_pace_not_kept_is_the_rows_own_limit_and_unpaced_runs_find_nothing() {
        let asked = RefCell::new(Vec::new());
        // Its count passes fell more than 5% behind the gate rate: that is its limit, nothing probed.
        let h = find(&cfg(100_000), 50_000, 47_000.0, &machine(200_000, &asked)).unwrap().unwrap();
        assert_eq!((h.rate, asked.borrow().len()), (47_000, 0));
        // A probe that drops nothing but falls behind its pace found the producer's own limit.
        let slow = |c: &WorkloadConfig| Ok((output(c.rate.min(60_000) as f64), 0));
        let h = find(&cfg(100_000), 50_000, 50_000.0, &slow).unwrap().unwrap();
        assert_eq!(h.probes.iter().map(|p| p.rate).collect::<Vec<_>>(), [100_000]);
        assert_eq!(h.rate, 60_000);
        assert!(find(&cfg(0), 50_000, 50_000.0, &slow).unwrap().is_none());
    }
}
