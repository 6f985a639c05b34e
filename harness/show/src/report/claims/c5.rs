//! C5 — "below 32 bytes copying is cheaper, above it a pointer is" — judged as what it claims, one
//! crossover: the context size from which passing a pointer wins, from paired benches' interleaved
//! rounds at 16–128 B (`benches/benches/paired_calls.rs` within a call, `handoff_thread.rs`
//! across threads). The article's two sizes (24 and 40 B) keep a verdict each, beside it.

use super::claim::{not_measured, pct};
use super::claim::{Claim, SizeVerdict};
use super::judge::{judge_paired, spread_text, Effect, Verdict, MIN_ROUNDS, PAIRED_RULE};
use crate::report::sources::{bench, BenchEstimate};

/// The article's C5 figures: `(context bytes, copy ns, pointer ns)`.
const CLAIMED: [(u32, f64, f64); 2] = [(24, 1.2, 1.8), (40, 4.7, 1.9)];

/// The context sizes the paired benches measure, for the crossover.
const SIZES: [u32; 6] = [16, 24, 32, 40, 64, 128];

/// The article's sizes either side of its crossover (32 B): copying cheaper at `BELOW`, a
/// pointer from above `BELOW` to `ABOVE` on.
const BELOW: u32 = 24;
const ABOVE: u32 = 40;

/// A copy-against-pointer contrast at `bytes` from a paired bench's interleaved rounds: the
/// effect is how much more copying costs (`copy_i / pointer_i − 1`, median over rounds).
fn effect(
    b: &[BenchEstimate],
    group: &str,
    pointer: &str,
    bytes: u32,
    claimed: f64,
) -> Result<(Verdict, Effect, f64, f64), String> {
    let (Some(v), Some(p)) = (bench(b, &format!("{group}/value/{bytes}")), bench(b, &format!("{group}/{pointer}/{bytes}")))
    else {
        return Err(format!("no paired results for {group} at {bytes} B (cargo bench -p spanalloc-benches)"));
    };
    let (verdict, effect) = judge_paired(&p.rounds_ns, &v.rounds_ns, claimed)
        .ok_or_else(|| format!("fewer than {MIN_ROUNDS} interleaved rounds for {group} (cargo bench -p spanalloc-benches)"))?;
    Ok((verdict, effect, v.median_ns, p.median_ns))
}

/// The article's two sizes, each judged against its own figures.
fn sizes(b: &[BenchEstimate], group: &str, pointer: &str) -> Vec<SizeVerdict> {
    CLAIMED
        .iter()
        .map(|&(bytes, copy_ns, ptr_ns)| {
            let size = format!("{bytes} B");
            let claimed_effect = copy_ns / ptr_ns - 1.0;
            let (verdict, effect, v, p) = match effect(b, group, pointer, bytes, claimed_effect) {
                Ok(x) => x,
                Err(why) => return not_measured(size, &why),
            };
            SizeVerdict {
                size,
                verdict,
                measured: format!(
                    "copy {v:.2} ns vs {pointer} {p:.2} ns (medians): copying costs {} in the median round ({:+.1}% to {:+.1}%, 95%; {}){}",
                    pct(effect.value),
                    effect.interval.0 * 100.0,
                    effect.interval.1 * 100.0,
                    spread_text(effect),
                    if verdict == Verdict::WithinSpread { ": within run-to-run spread" } else { "" }
                ),
                claimed: format!("copy {copy_ns} ns vs pointer {ptr_ns} ns"),
                measured_effect: Some(effect.value),
                claimed_effect: Some(claimed_effect),
                informs_only: false,
            }
        })
        .collect()
}

/// Each size's paired verdict and effect (copying's extra cost; a verdict of direction only).
type Judged = [(u32, Option<(Verdict, Effect)>)];

/// The crossover as one verdict, with the words that say it. The crossover is the smallest size
/// from which copying is judged dearer at it and at every larger size measured; it lies between
/// the size before it and it. **Holds**: it lies where the article puts it (above 24 B, at most
/// 40 B) and copying is judged cheaper at 24 B; **holds in direction**: a crossover above 24 B,
/// but elsewhere or with copying not judged cheaper at 24 B; **contradicted**: a pointer wins
/// from 24 B or less, copying is judged dearer at 24 B, or no pointer wins up to 128 B while
/// copying is judged cheaper at some size past 24 B; **within spread**: no crossover and no size
/// past 24 B clears the spread.
fn crossover(judged: &Judged) -> (Verdict, String) {
    let dearer = |j: &Option<(Verdict, Effect)>| j.is_some_and(|(v, e)| v.is_judged() && e.value > 0.0);
    let cheaper = |j: &Option<(Verdict, Effect)>| j.is_some_and(|(v, e)| v.is_judged() && e.value < 0.0);
    let article = "the article puts it at 32 B";
    let Some(i) = (0..judged.len()).find(|&i| judged[i..].iter().all(|(_, j)| dearer(j))) else {
        let largest = judged[judged.len() - 1].0;
        let past: Vec<String> = judged.iter().filter(|(n, j)| *n > BELOW && cheaper(j)).map(|(n, _)| format!("{n} B")).collect();
        return if past.is_empty() {
            (
                Verdict::WithinSpread,
                format!("no crossover up to {largest} B: past {BELOW} B no size clears the run-to-run spread; {article}"),
            )
        } else {
            (
                Verdict::Contradicted,
                format!("no crossover up to {largest} B: copying is still cheaper at {}; {article}", past.join(", ")),
            )
        };
    };
    let (n, e) = (judged[i].0, judged[i].1.expect("dearer is measured").1);
    let between = match i {
        0 => format!("at or below {n} B"),
        _ => format!("between {} and {n} B", judged[i - 1].0),
    };
    let there = format!(
        "a pointer wins from {n} B on (copying {:+.1}% there, {:+.1}% to {:+.1}%)",
        e.value * 100.0,
        e.interval.0 * 100.0,
        e.interval.1 * 100.0
    );
    let at_below = judged.iter().find(|(m, _)| *m == BELOW).and_then(|(_, j)| *j);
    let (below_cheaper, below_dearer) = (cheaper(&at_below), dearer(&at_below));
    let verdict = if n <= BELOW || below_dearer {
        Verdict::Contradicted
    } else if n <= ABOVE && below_cheaper {
        Verdict::Holds
    } else {
        Verdict::HoldsInDirection
    };
    let why = match at_below {
        Some((_, e)) if n > BELOW && below_dearer => {
            format!(
                "; but copying is judged dearer at {BELOW} B already ({:+.1}%), where the article has it cheaper",
                e.value * 100.0
            )
        }
        _ if n > BELOW && !below_cheaper => format!("; copying not judged cheaper at {BELOW} B"),
        _ => String::new(),
    };
    (verdict, format!("crossover {between}: {there}{why}; {article}"))
}

fn claim(b: &[BenchEstimate], id: &'static str, metric: &'static str, analogue: &str, group: &str, pointer: &str) -> Claim {
    let mut c = Claim::new(
        id,
        "below 32 bytes copying is cheaper, above it a pointer is (24 B: 1.2 vs 1.8 ns; 40 B: 4.7 vs 1.9 ns)",
        metric,
        analogue,
        format!(
            "one verdict, the crossover: the smallest size from which copying is judged dearer at every larger size (16–128 B); holds where the article puts it (above 24 B, at most 40 B) with copying judged cheaper at 24 B, holds in direction elsewhere above 24 B or with copying not judged cheaper at 24 B, contradicted at 24 B or below, with copying judged dearer at 24 B, or with copying still cheaper past 24 B and no crossover; the article's 24 and 40 B judged beside it, each within ±25% of its ratio. Each size {PAIRED_RULE} (benches/benches/{})",
            if group == "handoff_thread" { "handoff_thread.rs" } else { "paired_calls.rs" }
        ),
        sizes(b, group, pointer),
    );
    let judged: Result<Vec<_>, String> =
        SIZES.iter().map(|&n| effect(b, group, pointer, n, 1.0).map(|(v, e, _, _)| (n, Some((v, e))))).collect();
    (c.overall, c.overall_detail) = match judged {
        Ok(judged) => {
            let (verdict, words) = crossover(&judged);
            (verdict, format!("{}: {words}", verdict.word()))
        }
        Err(why) => (Verdict::NotMeasured, format!("not measured: the crossover needs every size ({why})")),
    };
    c
}

/// C5a: within a call.
pub(super) fn call(b: &[BenchEstimate]) -> Claim {
    claim(
        b,
        "C5a",
        "ns per hand-off within a call (interleaved rounds); one crossover",
        "within a call: a context passed by value (memcpy) against by reference (&T), 31 interleaved rounds of 50,000 calls a side",
        "handoff_paired",
        "ref",
    )
}

/// C5b: across threads.
pub(super) fn thread(b: &[BenchEstimate]) -> Claim {
    claim(
        b,
        "C5b",
        "ns per hand-off across threads (interleaved rounds); one crossover",
        "across threads: a context handed to another thread by value against in a Box (a heap pointer, as Go's escapes), 31 interleaved rounds",
        "handoff_thread",
        "box",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(effects: &[Option<f64>]) -> Vec<(u32, Option<(Verdict, Effect)>)> {
        SIZES
            .iter()
            .zip(effects)
            .map(|(&n, e)| {
                let v = match e {
                    None => Verdict::WithinSpread,
                    Some(x) if *x > 0.0 => Verdict::HoldsInDirection,
                    Some(_) => Verdict::Contradicted,
                };
                (n, Some((v, Effect { value: e.unwrap_or(0.01), interval: (0.0, 0.0) })))
            })
            .collect()
    }

    #[test]
    fn the_crossover_is_one_verdict_with_where_it_lies() {
        // Where the article puts it: copying cheaper up to 32 B, dearer from 40 B.
        let (v, w) = crossover(&at(&[Some(-0.3), Some(-0.3), Some(-0.2), Some(1.4), Some(1.5), Some(2.0)]));
        assert_eq!(v, Verdict::Holds, "{w}");
        assert!(w.starts_with("crossover between 32 and 40 B: a pointer wins from 40 B on (copying +140.0%"), "{w}");
        // Further up, nothing clearing the spread below it: a crossover, not where claimed.
        let (v, w) = crossover(&at(&[None, None, None, None, Some(0.2), Some(0.9)]));
        assert_eq!(v, Verdict::HoldsInDirection, "{w}");
        assert!(w.starts_with("crossover between 40 and 64 B") && w.contains("copying not judged cheaper at 24 B"), "{w}");
        // At 32–40 B but copying not shown cheaper at 24 B: the direction only.
        let (v, _) = crossover(&at(&[None, None, Some(0.1), Some(0.2), Some(0.3), Some(0.4)]));
        assert_eq!(v, Verdict::HoldsInDirection);
        // Where the article puts it, but copying judged dearer at 24 B: the claim's first half fails.
        let (v, w) = crossover(&at(&[Some(-0.2), Some(0.08), None, Some(0.25), Some(0.3), Some(0.6)]));
        assert_eq!(v, Verdict::Contradicted, "{w}");
        assert!(w.contains("between 32 and 40 B") && w.contains("copying is judged dearer at 24 B already (+8.0%)"), "{w}");
        // A pointer wins everywhere: copying is not cheaper below 32 B.
        let (v, w) = crossover(&at(&[Some(0.1), Some(0.1), Some(0.2), Some(0.2), Some(0.3), Some(0.4)]));
        assert_eq!(v, Verdict::Contradicted, "{w}");
        assert!(w.starts_with("crossover at or below 16 B"), "{w}");
        // Copying wins to the end: no crossover, contradicted.
        let (v, w) = crossover(&at(&[Some(-0.3), Some(-0.3), Some(-0.3), Some(-0.3), Some(-0.2), Some(-0.1)]));
        assert_eq!(v, Verdict::Contradicted, "{w}");
        assert!(w.starts_with("no crossover up to 128 B: copying is still cheaper at 32 B, 40 B, 64 B, 128 B"), "{w}");
        // A pointer dearer at 64 B but not judged at 128 B: no crossover from any size on.
        let (v, w) = crossover(&at(&[None, None, None, None, Some(0.2), None]));
        assert_eq!(v, Verdict::WithinSpread, "{w}");
        // Nothing clears the spread: no verdict either way.
        let (v, w) = crossover(&at(&[None; 6]));
        assert_eq!(v, Verdict::WithinSpread);
        assert!(w.contains("past 24 B no size clears the run-to-run spread"), "{w}");
    }
}
