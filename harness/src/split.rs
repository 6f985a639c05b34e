//! How a sharded night (`run --shard I/N`) is dealt to its shards: by unit — one group's rows at
//! one trace-state size — dealt longest first, each to the shard with the least predicted work so
//! far. Not by whole sizes: the sizes' work is uneven (at 32 entries the SDK and the
//! tracing-otel stack are gated at 20,000 spans/s and valgrind's passes run several times
//! longer), so one size's shard held the night back by minutes. Not by single rows either: the
//! rows a claim contrasts on timing — the built-in strategies, the Go twin's rows — are one
//! group, measured on one machine, as timing is never compared across machines. The SDK's row
//! is in no contrast (the Rust claims set its figures beside theirs: `sdk_beside` in
//! spanalloc-show, counts, bytes at its achieved rate, heap), so it is a unit of its own: at 32
//! entries it is a third of the built-in unit, which held the longest shard 12–17 s above the
//! shortest deal the night's work allows.
//!
//! Every shard deals the same plan with the same binary, so each computes the same split; every
//! shard's file records it whole, so that a merge can name the rows of a shard that never came.

use spanalloc_model::WorkloadConfig;
use spanalloc_record::schema::{Shard, Unit};

use crate::catalog::Entry;
use crate::measure::RunPlan;
use crate::pass::Pass;

/// The group of the built-in strategies: the rows the Rust claims contrast.
pub const BUILT_IN: &str = "built-in";
/// The built-in catalog's row that no claim contrasts: a group of its own (the module's doc).
const BESIDE: &str = "otel-sdk";
/// The group of the Go twin's rows: the rows the Go claims contrast.
pub const GO: &str = "go";

/// Seconds per span of a pass nobody paces: the strategies run at 0.3–3 µs a span unpaced.
const UNPACED_S: f64 = 1e-6;
/// Seconds per span of the dhat pass (the dhat crate as the allocator: ~100× a native pass).
const DHAT_S: f64 = 1e-4;
/// Seconds per span under valgrind (the instructions pass, the outside check): the instructions
/// pass takes about a second a row at 2,000 spans.
const VALGRIND_S: f64 = 4e-4;
/// Trace-state entries that double a valgrind pass's time per span: in the committed night, the
/// shard at 32 entries spent ~5× the ts-0 shard's time outside its paced passes.
const ENTRIES_DOUBLING: f64 = 8.0;

/// The group `entry` is measured with.
pub fn group(entry: &Entry) -> String {
    let name = entry.name();
    if name.starts_with(crate::go_twin::PREFIX) {
        GO.into()
    } else if matches!(entry, Entry::InProcess(_)) && name != BESIDE && spanalloc_builtin::all().iter().any(|s| s.name == name) {
        BUILT_IN.into()
    } else {
        name.into()
    }
}

/// The plan's rows dealt to `count` shards, unit by unit ([`longest_first`]).
pub fn deal(plan: &RunPlan<'_>, count: usize) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::new();
    for cfg in &plan.workloads {
        let ts = cfg.trace_state_entries;
        for (allocator, _) in &plan.allocators {
            for entry in plan.scenarios.iter().filter(|e| crate::measure::runs_over(e, allocator)) {
                let row = crate::measure::row_name(entry.name(), allocator);
                let cost = predicted(plan, entry, allocator, cfg);
                let group = group(entry);
                match units.iter_mut().find(|u| u.trace_state == ts && u.group == group) {
                    Some(u) => {
                        u.rows.push(row);
                        u.predicted_s += cost;
                    }
                    None => units.push(Unit { shard: 0, trace_state: ts, group, rows: vec![row], predicted_s: cost }),
                }
            }
        }
    }
    longest_first(&mut units, count);
    units
}

/// Deals `units` to `count` shards: the costliest first, each to the shard whose predicted
/// seconds are fewest so far (the lowest index on a tie); equal costs keep their order (a stable
/// sort), so every shard deals alike.
fn longest_first(units: &mut [Unit], count: usize) {
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by(|&a, &b| units[b].predicted_s.total_cmp(&units[a].predicted_s));
    let mut load = vec![0.0_f64; count.max(1)];
    for i in order {
        let least = (0..load.len()).fold(0, |best, k| if load[k] < load[best] { k } else { best });
        load[least] += units[i].predicted_s;
        units[i].shard = least + 1;
    }
    // Tenths of a second: the file says what was predicted, not float noise.
    for u in units {
        u.predicted_s = (u.predicted_s * 10.0).round() / 10.0;
    }
}

/// What `shard` measures and how the night was dealt, in one line: "shard 2/4: built-in at
/// ts 32 (312.0 s predicted); the night's shards predicted 331.2, 312.0, 305.5, 298.0 s".
pub fn describe(shard: &Shard) -> String {
    let mine: Vec<String> = shard
        .split
        .iter()
        .filter(|u| u.shard == shard.index)
        .map(|u| format!("{} at ts {} ({:.1} s predicted)", u.group, u.trace_state, u.predicted_s))
        .collect();
    let loads: Vec<String> = (1..=shard.count)
        .map(|k| format!("{:.1}", shard.split.iter().filter(|u| u.shard == k).map(|u| u.predicted_s).sum::<f64>()))
        .collect();
    let mine = if mine.is_empty() { "nothing (more shards than units)".to_owned() } else { mine.join(", ") };
    format!("shard {}: {mine}; the night's shards predicted {} s", shard.label(), loads.join(", "))
}

/// Seconds one row's passes at `cfg` are predicted to take: its timed passes at the rate it is
/// paced at, the probes above a gate rate, and the valgrind and dhat passes the plan asks of it,
/// slower with more entries.
fn predicted(plan: &RunPlan<'_>, entry: &Entry, allocator: &str, cfg: &WorkloadConfig) -> f64 {
    let ts = cfg.trace_state_entries;
    let rate = entry.paced_rate(cfg.rate, ts);
    let per_span = if rate == 0 { UNPACED_S } else { 1.0 / rate as f64 };
    let passes = (usize::from(entry.runs(Pass::Plain)) + 1) * plan.repeat;
    let mut s = passes as f64 * (cfg.warmup + cfg.spans) as f64 * per_span;
    if rate > 0 && rate < cfg.rate {
        // A row gated below the run's rate is probed above its gate (`holds`): at most the run's
        // rate and PROBE_STEPS halvings, each at a rate no lower than its gate.
        let probe = (cfg.warmup + cfg.spans.min(crate::holds::PROBE_SPANS)) as f64 / rate as f64;
        s += (1 + crate::holds::PROBE_STEPS) as f64 * probe;
    }
    let slower = 1.0 + ts as f64 / ENTRIES_DOUBLING;
    if let Some(spans) = plan.dhat_spans.filter(|_| entry.runs(Pass::Dhat) && allocator == "system") {
        s += spans as f64 * DHAT_S * slower;
    }
    if let Some((spans, _)) = plan.instructions.as_ref().filter(|_| entry.runs(Pass::Instructions) && allocator == "system") {
        s += *spans as f64 * VALGRIND_S * slower;
    }
    if let Some(v) = plan.verify.as_ref().filter(|v| v.trace_state == ts) {
        if crate::verify::not_verifiable(entry, allocator).is_none() {
            s += (v.repeat as u64 * 3 * v.spans) as f64 * VALGRIND_S * slower;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(ts: usize, group: &str, predicted_s: f64) -> Unit {
        Unit { shard: 0, trace_state: ts, group: group.into(), rows: vec![group.into()], predicted_s }
    }

    #[test]
    fn the_costliest_unit_goes_first_to_the_least_loaded_shard() {
        // The committed night's shape: one size's built-in rows outweigh the rest.
        let mut units = vec![
            unit(0, "built-in", 150.0),
            unit(0, "go", 70.0),
            unit(32, "built-in", 320.0),
            unit(32, "go", 100.0),
            unit(32, "tracing-otel", 130.0),
            unit(0, "fastrace", 20.0),
        ];
        longest_first(&mut units, 2);
        let on = |k: usize| units.iter().filter(|u| u.shard == k).map(|u| u.predicted_s).sum::<f64>();
        // 320 → 1; 150 → 2; 130 → 2 (280); 100 → 2 (380, as 280 < 320); 70 → 1 (390); 20 → 2 (400).
        assert_eq!(units.iter().map(|u| u.shard).collect::<Vec<_>>(), [2, 1, 1, 2, 2, 2]);
        assert_eq!((on(1), on(2)), (390.0, 400.0));
    }

    #[test]
    fn equal_costs_deal_in_the_plans_order_and_no_shard_is_left_idle_before_another_doubles() {
        let mut units = vec![unit(0, "a", 1.0), unit(1, "a", 1.0), unit(4, "a", 1.0), unit(32, "a", 1.0)];
        longest_first(&mut units, 4);
        assert_eq!(units.iter().map(|u| u.shard).collect::<Vec<_>>(), [1, 2, 3, 4]);
        let mut units = vec![unit(0, "a", 1.0), unit(1, "a", 1.0), unit(4, "a", 1.0)];
        longest_first(&mut units, 2);
        assert_eq!(units.iter().map(|u| u.shard).collect::<Vec<_>>(), [1, 2, 1]);
    }

    #[test]
    fn the_sdk_row_is_a_unit_of_its_own_and_the_strategies_one_group() {
        let catalog = crate::catalog::Catalog::builtin();
        let of = |name: &str| group(catalog.find(name).unwrap_or_else(|| panic!("no {name}")));
        for strategy in ["value-copy", "value-shared", "pointer-passing", "pooled", "atomic-swap"] {
            assert_eq!(of(strategy), BUILT_IN, "{strategy}");
        }
        assert_eq!(of("otel-sdk"), "otel-sdk");
        assert_eq!(of("go-value"), GO);
    }
}
