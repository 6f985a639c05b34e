//! `baseline ratchet`: a gain the history shows held for `k` nights tightens the saved baseline
//! for that row, so it cannot erode unnoticed — one extra allocation per span back would then
//! fail the gate, where against the old baseline it would pass.
//!
//! A row is tightened when, on each of the last `k` nights of the baseline's own series (the
//! same counts key for a counts baseline, the same machine for a timing one), one of its gated
//! figures was better than the baseline's by more than the baseline row's own measured spread
//! (0 for exact counts) and none was worse by more than it. The row is then replaced by the
//! latest night's, marked with that night and what improved (its provenance). Steps smaller
//! than that, which no single night's gate saw, are still listed with their commit ranges
//! (the series' change points since the baseline was saved).

use serde::Serialize;

use crate::changes::{self, edivisive, Change};
use spanalloc_record::history::{HeadlineRow, HistoryEntry};
use spanalloc_record::schema::{Provenance, Results, ScenarioResult};

/// Which baseline is ratcheted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The counts baseline: allocations and bytes per span, per counts key.
    Counts,
    /// A machine's timing baseline: CPU per span, per fingerprint.
    Timing,
}

/// One figure that tightened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tightened {
    /// Scenario.
    pub scenario: String,
    /// Trace-state entries.
    pub trace_state_entries: usize,
    /// The figure.
    pub metric: &'static str,
    /// The baseline's value.
    pub before: f64,
    /// The latest night's, now the baseline's.
    pub after: f64,
}

/// What a ratchet did (or, dry, would do).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// Nights a gain must hold.
    pub nights: usize,
    /// Figures tightened.
    pub tightened: Vec<Tightened>,
    /// Change points in the baseline's rows since it was saved, gated or not.
    pub steps: Vec<Change>,
    /// Why nothing could tighten, when nothing could be judged (too few nights).
    pub note: Option<String>,
}

/// A figure a ratchet reads: the history's value, the baseline's, and the baseline row's spread.
struct Figure {
    name: &'static str,
    night: fn(&HeadlineRow) -> f64,
    base: fn(&ScenarioResult) -> f64,
    spread: fn(&ScenarioResult) -> f64,
    /// Whether a gain in it tightens the row; the others only guard it, since the row is replaced
    /// whole: none of them may be worse on any of the nights.
    tightens: bool,
    /// Smaller is better (CPU, latency, memory); otherwise larger (the exported rate).
    lower_is_better: bool,
}

fn spread(v: &[f64]) -> f64 {
    let (lo, hi) = v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    if lo.is_finite() {
        hi - lo
    } else {
        0.0
    }
}

/// The spread of a count over the row's count passes, per span (0 for an exact row).
fn count_spread(v: &[u64], s: &ScenarioResult) -> f64 {
    if s.exact_counts {
        return 0.0;
    }
    spread(&v.iter().map(|&x| x as f64 / s.spans.max(1) as f64).collect::<Vec<_>>())
}

/// The figures of a kind: those its baseline gates, each either tightening the row or guarding it
/// (a timing baseline gates latency, RSS, peak heap and the rate as well as CPU, and a row taken
/// from a night must not loosen any of them).
fn figures(kind: Kind) -> Vec<Figure> {
    let f =
        |name, night, base, spread, tightens, lower_is_better| Figure { name, night, base, spread, tightens, lower_is_better };
    match kind {
        Kind::Counts => vec![
            f(
                "allocs/span",
                |h| h.allocs_per_span,
                |s| s.metrics.allocs_per_span,
                |s| count_spread(&s.samples.allocs, s),
                true,
                true,
            ),
            f(
                "bytes/span",
                |h| h.bytes_per_span,
                |s| s.metrics.bytes_per_span,
                |s| count_spread(&s.samples.bytes_allocated, s),
                true,
                true,
            ),
            // Guards: a night that did not record them (a line before version 4) cannot show they
            // held, so it never lets a row be replaced.
            f(
                "reallocs/span",
                |h| h.reallocs_per_span.unwrap_or(f64::INFINITY),
                |s| s.metrics.reallocs_per_span(s.spans),
                |s| count_spread(&s.samples.reallocs, s),
                false,
                true,
            ),
            f(
                "leaked blocks/span",
                |h| h.leaked_blocks_per_span.unwrap_or(f64::INFINITY),
                |s| s.metrics.leaked_blocks_per_span(s.spans),
                |s| {
                    let spans = s.spans.max(1) as f64;
                    let leaked = s.samples.leaked_blocks().into_iter().map(|b| b as f64 / spans);
                    if s.exact_counts {
                        0.0
                    } else {
                        spread(&leaked.collect::<Vec<_>>())
                    }
                },
                false,
                true,
            ),
        ],
        Kind::Timing => vec![
            f(
                "CPU ns/span",
                |h| h.cpu_ns_per_span,
                |s| s.metrics.cpu_ns_per_span,
                |s| spread(&s.samples.cpu_ns_per_span),
                true,
                true,
            ),
            f(
                "p99 latency ns",
                |h| h.latency_p99_ns as f64,
                |s| s.metrics.latency_p99_ns as f64,
                |s| spread(&s.samples.latency_p99_ns),
                false,
                true,
            ),
            f(
                "peak RSS",
                |h| h.peak_rss_bytes as f64,
                |s| s.metrics.peak_rss_bytes as f64,
                |s| spread(&s.samples.peak_rss_bytes),
                false,
                true,
            ),
            f(
                "peak heap",
                |h| h.peak_heap_bytes as f64,
                |s| s.metrics.peak_heap_bytes as f64,
                |s| spread(&s.samples.peak_heap_bytes),
                false,
                true,
            ),
            f("exported/s", |h| h.achieved_rate, |s| s.metrics.achieved_rate, |s| spread(&s.samples.achieved_rate), false, false),
        ],
    }
}

/// Ratchets `baseline` with `current` (the latest night, which must be the history's last
/// line); returns the new baseline and what changed. `Err` says in one line why it cannot.
///
/// Only the baseline's own series counts: nights under the *baseline's* key (counts key or
/// machine), of the baseline's workload, whose run passed, each run id once. A row is replaced
/// only when no figure of it would rise: a ratchet tightens or does nothing.
pub fn ratchet(
    baseline: &Results,
    current: &Results,
    history: &[HistoryEntry],
    kind: Kind,
    nights: usize,
) -> Result<(Results, Outcome), String> {
    if nights == 0 {
        return Err("--nights must be at least 1".into());
    }
    let last = history.last().ok_or("the history is empty: append the night first")?;
    if last.run_id.is_none() || last.run_id != current.environment.run_id {
        return Err("the history's last line is not this run: append it first (history append)".into());
    }
    let times = history.iter().filter(|e| e.run_id == last.run_id).count();
    if times > 1 {
        return Err(format!(
            "run {} is in the history {times} times: a night counts once, so it is not ratcheted (remove the copies)",
            last.run_id.as_deref().unwrap_or_default()
        ));
    }
    // The figures judged are the history's; the row taken is the results file's. They must be
    // the same night, or a line edited after the fact could stand in for the row.
    if last.headline != HistoryEntry::from_results(current).headline {
        return Err("the history's line for this run differs from its results file: not ratcheted".into());
    }
    if let Some(first) = current.failures.first() {
        return Err(format!(
            "this run has {} failure(s) (first: {}): a failed night tightens nothing",
            current.failures.len(),
            first.line()
        ));
    }
    let key = match kind {
        Kind::Counts => Some(baseline.counts_key()),
        Kind::Timing => baseline.environment.fingerprint().map(|f| f.id()),
    };
    // A timing baseline is one machine's, but a sharded night's rows come from several: a night
    // belongs to its series when it passed on the baseline's workload, and each row's nights
    // are those on which that row was measured on the baseline's machine.
    let ours = |e: &HistoryEntry| {
        let same_key = match kind {
            Kind::Counts => e.counts_key == key,
            Kind::Timing => true,
        };
        same_key && key.is_some() && e.failures == Some(0) && e.config.workload_difference(&baseline.config).is_none()
    };
    let mut seen = std::collections::HashSet::new();
    let series: Vec<&HistoryEntry> =
        history.iter().filter(|e| e.run_id.as_ref().is_some_and(|id| seen.insert(id.clone()))).filter(|e| ours(e)).collect();
    if series.last().map(|e| &e.run_id) != Some(&current.environment.run_id) {
        return Err(format!(
            "this run is not of the baseline's series ({} {}, the same workload, no failures): not ratcheted",
            match kind {
                Kind::Counts => "counts key",
                Kind::Timing => "machine",
            },
            key.as_deref().unwrap_or("unknown")
        ));
    }
    let since: Vec<HistoryEntry> = series.iter().map(|e| (*e).clone()).collect();
    let steps: Vec<Change> = changes::changes(&since, &edivisive::Options::default())
        .into_iter()
        .filter(|c| spanalloc_record::date::later(&c.first_after.date, &baseline.environment.started_at).unwrap_or(true))
        .filter(|c| figures(kind).iter().any(|f| f.tightens && f.name == c.series.metric))
        .filter(|c| kind == Kind::Counts || key.as_deref() == Some(c.series.key.as_str()))
        .collect();
    let mut out = Outcome { nights, tightened: Vec::new(), steps, note: None };
    let recent = &series[series.len().saturating_sub(nights)..];
    if kind == Kind::Counts && recent.len() < nights {
        out.note = Some(format!("{} of the {nights} nights needed under this key: nothing tightened yet", recent.len()));
        return Ok((baseline.clone(), out));
    }
    // The row's figures on each of the nights it is judged on, newest first: the last `nights`
    // of the series (counts), or the last `nights` on which this machine measured it (timing) —
    // tonight's among them, or the row is not this machine's tonight and nothing is taken.
    let nights_of = |b: &ScenarioResult| -> Option<Vec<&HeadlineRow>> {
        let same = |h: &&HeadlineRow| h.scenario == b.name && h.trace_state_entries == b.trace_state_entries;
        match kind {
            Kind::Counts => recent.iter().map(|e| e.headline.iter().find(same)).collect(),
            Kind::Timing => {
                let here = |e: &&&HistoryEntry| e.headline.iter().find(same).is_some_and(|h| e.machine_of(h) == key.as_deref());
                let on: Vec<&&HistoryEntry> = series.iter().rev().filter(here).take(nights).collect();
                let tonight = on.first().is_some_and(|e| e.run_id == current.environment.run_id);
                (tonight && on.len() == nights).then(|| on.iter().filter_map(|e| e.headline.iter().find(same)).collect())
            }
        }
    };
    let primary = baseline.primary_allocator().to_owned();
    let mut next = baseline.clone();
    let mut judged = 0;
    for b in next.scenarios.iter_mut().filter(|s| s.allocator == primary) {
        let Some(rows) = nights_of(b) else { continue };
        let Some(now) = current.primary().find(|s| s.name == b.name && s.trace_state_entries == b.trace_state_entries) else {
            continue;
        };
        judged += 1;
        let mut improved = Vec::new();
        let mut worse = false;
        for f in figures(kind) {
            let (was, margin) = ((f.base)(b), (f.spread)(b));
            // Signed so that "better" is always "smaller".
            let sign = if f.lower_is_better { 1.0 } else { -1.0 };
            let gain = |h: &&HeadlineRow| sign * ((f.night)(h) - was);
            if f.tightens && rows.iter().all(|h| gain(h) < -margin) {
                improved.push(Tightened {
                    scenario: b.name.clone(),
                    trace_state_entries: b.trace_state_entries,
                    metric: f.name,
                    before: was,
                    after: (f.base)(now),
                });
            }
            worse |= rows.iter().any(|h| gain(h) > margin);
        }
        // The row is replaced whole, by the results file's: none of its figures may rise above the
        // baseline's beyond the baseline row's own spread (0 for exact counts).
        worse |= figures(kind).iter().any(|f| {
            let sign = if f.lower_is_better { 1.0 } else { -1.0 };
            let rise = sign * ((f.base)(now) - (f.base)(b));
            rise.is_nan() || rise > (f.spread)(b)
        });
        if improved.is_empty() || worse {
            continue;
        }
        let tightened =
            improved.iter().map(|t| format!("{}: {} → {} over {nights} nights", t.metric, t.before, t.after)).collect();
        *b = ScenarioResult {
            provenance: Some(Provenance {
                run_id: current.environment.run_id.clone(),
                commit: current.environment.git_commit.clone(),
                date: current.environment.started_at.clone(),
                tightened,
            }),
            ..now.clone()
        };
        out.tightened.extend(improved);
    }
    if judged == 0 && kind == Kind::Timing {
        out.note = Some(format!("no row has {nights} nights measured on this machine yet: nothing tightened"));
    }
    Ok((next, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use spanalloc_record::input::parse_results;
    use spanalloc_record::schema::Environment;

    /// The fixture's runs: the baseline at 6 allocations per span for value-copy ts=0, and the
    /// nights after it, night `i` at `allocs[i]`, each in the history.
    fn nights(allocs: &[f64]) -> (Results, Vec<Results>, Vec<HistoryEntry>) {
        let mut base = parse_results(include_bytes!("../../record/tests/fixtures/results-v1.json")).unwrap();
        base.environment.profile = Some("release".into());
        base.environment.run_id = Some("base".into());
        base.scenarios
            .iter_mut()
            .find(|s| s.name == "value-copy" && s.trace_state_entries == 0)
            .unwrap()
            .metrics
            .allocs_per_span = 6.0;
        let runs: Vec<Results> = allocs
            .iter()
            .enumerate()
            .map(|(i, &a)| {
                let mut r = base.clone();
                r.environment.run_id = Some(format!("night{i}"));
                r.environment.started_at = format!("2026-12-{:02}T02:17:00Z", i + 1);
                r.environment.git_commit = Some(format!("commit{i}"));
                r.scenarios
                    .iter_mut()
                    .find(|s| s.name == "value-copy" && s.trace_state_entries == 0)
                    .unwrap()
                    .metrics
                    .allocs_per_span = a;
                r
            })
            .collect();
        let history = runs.iter().map(HistoryEntry::from_results).collect();
        (base, runs, history)
    }

    fn value_copy(r: &Results) -> &ScenarioResult {
        r.scenarios.iter().find(|s| s.name == "value-copy" && s.trace_state_entries == 0).unwrap()
    }

    #[test]
    fn a_gain_held_for_three_nights_tightens_the_row_and_says_which_night() {
        let (base, runs, history) = nights(&[6.0, 5.0, 5.0, 5.0]);
        let (next, o) = ratchet(&base, runs.last().unwrap(), &history, Kind::Counts, 3).unwrap();
        assert_eq!(o.tightened.len(), 1, "{o:?}");
        assert_eq!((o.tightened[0].metric, o.tightened[0].before, o.tightened[0].after), ("allocs/span", 6.0, 5.0));
        let row = value_copy(&next);
        assert_eq!(row.metrics.allocs_per_span, 5.0);
        let p = row.provenance.as_ref().expect("the row says which night set it");
        assert_eq!((p.run_id.as_deref(), p.commit.as_deref()), (Some("night3"), Some("commit3")));
        // Every other row is the baseline's, untouched.
        assert_eq!(next.scenarios.iter().filter(|s| s.provenance.is_none()).count(), base.scenarios.len() - 1);
        // The step is named with its commits.
        assert!(
            o.steps.iter().any(|c| c.series.metric == "allocs/span" && c.commit_range() == "commit0..commit1"),
            "{:?}",
            o.steps
        );
    }

    #[test]
    fn a_one_night_dip_or_a_mixed_night_does_not() {
        for allocs in [&[6.0, 6.0, 6.0, 5.0][..], &[5.0, 5.0, 6.0, 5.0], &[5.0, 5.0, 7.0, 5.0]] {
            let (base, runs, history) = nights(allocs);
            let (next, o) = ratchet(&base, runs.last().unwrap(), &history, Kind::Counts, 3).unwrap();
            assert!(o.tightened.is_empty(), "{allocs:?}: {o:?}");
            assert_eq!(next, base);
        }
        // Too few nights: said so.
        let (base, runs, history) = nights(&[5.0, 5.0]);
        let (_, o) = ratchet(&base, runs.last().unwrap(), &history, Kind::Counts, 3).unwrap();
        assert!(o.tightened.is_empty() && o.note.as_deref().unwrap().starts_with("2 of the 3 nights"));
    }

    #[test]
    fn a_timing_gain_does_not_loosen_what_else_the_row_carries() {
        // CPU 20% lower on three nights, but p99 latency doubled on the last: the row, replaced
        // whole, would loosen the latency gate.
        let (mut base, mut runs, _) = nights(&[6.0, 6.0, 6.0, 6.0]);
        let m = value_copy(&base).metrics.clone();
        // A steady baseline: five repeats at its own figures.
        let b = base.scenarios.iter_mut().find(|s| s.name == "value-copy" && s.trace_state_entries == 0).unwrap();
        b.samples.cpu_ns_per_span = vec![m.cpu_ns_per_span; 5];
        b.samples.latency_p99_ns = vec![m.latency_p99_ns as f64; 5];
        for (i, r) in runs.iter_mut().enumerate() {
            let s = r.scenarios.iter_mut().find(|s| s.name == "value-copy" && s.trace_state_entries == 0).unwrap();
            s.metrics.cpu_ns_per_span = if i == 0 { m.cpu_ns_per_span } else { m.cpu_ns_per_span * 0.8 };
            s.metrics.latency_p99_ns = if i == 3 { m.latency_p99_ns * 2 } else { m.latency_p99_ns };
        }
        let history: Vec<HistoryEntry> = runs.iter().map(HistoryEntry::from_results).collect();
        let margin = spread(&value_copy(&base).samples.cpu_ns_per_span);
        assert!(m.cpu_ns_per_span * 0.2 > margin, "the planted gain is beyond the baseline's spread");
        let (next, o) = ratchet(&base, runs.last().unwrap(), &history, Kind::Timing, 3).unwrap();
        assert!(o.tightened.is_empty(), "{o:?}");
        assert_eq!(next, base);
        // Without the worse latency, the same gain tightens CPU.
        let s = runs[3].scenarios.iter_mut().find(|s| s.name == "value-copy" && s.trace_state_entries == 0).unwrap();
        s.metrics.latency_p99_ns = m.latency_p99_ns;
        let history: Vec<HistoryEntry> = runs.iter().map(HistoryEntry::from_results).collect();
        let (_, o) = ratchet(&base, runs.last().unwrap(), &history, Kind::Timing, 3).unwrap();
        assert!(o.tightened.iter().any(|t| t.metric == "CPU ns/span" && t.scenario == "value-copy"), "{o:?}");
    }

    #[test]
    fn a_timing_row_counts_only_the_nights_its_machine_measured_it() {
        // CPU 20% lower on three nights; on the middle one a shard on another machine type
        // measured the row (a merged night): that night is not the baseline machine's.
        let (mut base, mut runs, _) = nights(&[6.0, 6.0, 6.0, 6.0]);
        let m = value_copy(&base).metrics.clone();
        let b = base.scenarios.iter_mut().find(|s| s.name == "value-copy" && s.trace_state_entries == 0).unwrap();
        b.samples.cpu_ns_per_span = vec![m.cpu_ns_per_span; 5];
        for (i, r) in runs.iter_mut().enumerate() {
            let on_other = i == 2;
            let env = r.environment.clone();
            let s = r.scenarios.iter_mut().find(|s| s.name == "value-copy" && s.trace_state_entries == 0).unwrap();
            s.metrics.cpu_ns_per_span = if i == 0 { m.cpu_ns_per_span } else { m.cpu_ns_per_span * 0.8 };
            if on_other {
                s.environment = Some(Environment { cpu: "another machine type".into(), ..env });
            }
        }
        let history: Vec<HistoryEntry> = runs.iter().map(HistoryEntry::from_results).collect();
        let other = runs[2].machine_of(value_copy(&runs[2]));
        assert_ne!(other, base.environment.fingerprint().map(|f| f.id()));
        assert_eq!(
            history[2].headline.iter().find(|h| h.scenario == "value-copy" && h.trace_state_entries == 0).unwrap().fingerprint,
            other
        );
        let (next, o) = ratchet(&base, runs.last().unwrap(), &history, Kind::Timing, 3).unwrap();
        // This machine's last three nights are 0, 1 and 3, and night 0 had no gain.
        assert!(o.tightened.is_empty(), "{o:?}");
        assert_eq!(next, base);
        // A fourth night on the machine makes three of its own (nights 1, 3 and 4).
        let mut fourth = runs[3].clone();
        fourth.environment.run_id = Some("night4".into());
        let history: Vec<HistoryEntry> = runs.iter().chain([&fourth]).map(HistoryEntry::from_results).collect();
        let (_, o) = ratchet(&base, &fourth, &history, Kind::Timing, 3).unwrap();
        assert!(o.tightened.iter().any(|t| t.metric == "CPU ns/span" && t.scenario == "value-copy"), "{o:?}");
        // Tonight's row measured elsewhere: nothing of it is taken into this machine's baseline.
        let mut elsewhere = fourth.clone();
        elsewhere.environment.run_id = Some("night5".into());
        let env = elsewhere.environment.clone();
        let s = elsewhere.scenarios.iter_mut().find(|s| s.name == "value-copy" && s.trace_state_entries == 0).unwrap();
        s.environment = Some(Environment { cpu: "another machine type".into(), ..env });
        let history: Vec<HistoryEntry> = runs.iter().chain([&fourth, &elsewhere]).map(HistoryEntry::from_results).collect();
        let (next, o) = ratchet(&base, &elsewhere, &history, Kind::Timing, 3).unwrap();
        assert!(o.tightened.is_empty(), "{o:?}");
        assert_eq!(next, base);
    }

    #[test]
    fn only_the_baselines_series_counts_once_per_run_and_only_nights_that_passed() {
        let tightens = |history: &[HistoryEntry], current: &Results, base: &Results| {
            ratchet(base, current, history, Kind::Counts, 3).map(|(_, o)| o.tightened.len())
        };
        let (base, runs, history) = nights(&[5.0, 5.0, 5.0]);
        assert_eq!(tightens(&history, &runs[2], &base), Ok(1));
        // A night under another counts key (another toolchain) is not of the baseline's series,
        // whatever key the current run has.
        let mut other = history.clone();
        other[0].counts_key = Some("another-toolchain".into());
        assert_eq!(tightens(&other, &runs[2], &base), Ok(0));
        let mut moved = base.clone();
        moved.environment.rustc = "rustc 9.99.0".into();
        assert!(tightens(&history, &runs[2], &moved).unwrap_err().contains("not of the baseline's series"));
        // Another span count is another quantity.
        let mut other = history.clone();
        other[1].config.spans *= 2;
        assert_eq!(tightens(&other, &runs[2], &base), Ok(0));
        // A night whose run failed, or whose line predates the record of failures, does not count.
        for failures in [Some(1), None] {
            let mut other = history.clone();
            other[0].failures = failures;
            assert_eq!(tightens(&other, &runs[2], &base), Ok(0), "{failures:?}");
        }
        // One night copied three times is one night.
        let (base, runs, history) = nights(&[6.0, 5.0]);
        let copied: Vec<HistoryEntry> = [&history[..1], &[history[1].clone(), history[1].clone()][..], &history[1..]].concat();
        assert!(tightens(&copied, &runs[1], &base).unwrap_err().contains("3 times"));
        let (base, runs, history) = nights(&[6.0, 5.0, 5.0]);
        let copied = [&history[..1], &vec![history[1].clone(); 3][..], &history[2..]].concat();
        assert_eq!(tightens(&copied, &runs[2], &base), Ok(0), "two nights of 5, not four");
    }

    #[test]
    fn a_ratchet_never_raises_a_figure() {
        // The history says 5 allocations per span three nights running, but the results file of
        // the last night (the row that would be taken) says 7: an edited line, refused.
        let (base, mut runs, history) = nights(&[5.0, 5.0, 5.0]);
        let row = runs[2].scenarios.iter_mut().find(|s| s.name == "value-copy" && s.trace_state_entries == 0).unwrap();
        row.metrics.allocs_per_span = 7.0;
        assert!(ratchet(&base, &runs[2], &history, Kind::Counts, 3).unwrap_err().contains("differs from its results file"));
        // A gain in allocations with more bytes per span than the baseline's on the row taken:
        // the row is not replaced.
        let (base, mut runs, _) = nights(&[5.0, 5.0, 5.0]);
        for r in &mut runs {
            let row = r.scenarios.iter_mut().find(|s| s.name == "value-copy" && s.trace_state_entries == 0).unwrap();
            row.metrics.bytes_per_span += 1.0;
        }
        let history: Vec<HistoryEntry> = runs.iter().map(HistoryEntry::from_results).collect();
        let (next, o) = ratchet(&base, &runs[2], &history, Kind::Counts, 3).unwrap();
        assert!(o.tightened.is_empty(), "{o:?}");
        assert_eq!(next, base);
    }

    #[test]
    fn a_failed_night_tightens_nothing() {
        let (base, mut runs, _) = nights(&[5.0, 5.0, 5.0]);
        runs[2].failures.push(spanalloc_record::schema::Failure {
            name: "value-copy".into(),
            trace_state_entries: 0,
            kind: spanalloc_record::schema::FailureKind::Verify,
            pass: "verify".into(),
            error: "planted".into(),
            stderr_tail: String::new(),
        });
        let history: Vec<HistoryEntry> = runs.iter().map(HistoryEntry::from_results).collect();
        assert!(ratchet(&base, &runs[2], &history, Kind::Counts, 3).unwrap_err().contains("a failed night tightens nothing"));
    }

    #[test]
    fn steps_are_dated_in_time_not_as_text() {
        // A baseline of September, nights in October: "2026-10-…" sorts before "2026-9-…" as
        // text, but the steps after the baseline are October's.
        let (mut base, runs, history) = nights(&[6.0, 5.0, 5.0, 5.0]);
        base.environment.started_at = "2026-9-1".into();
        let mut history = history;
        for (i, e) in history.iter_mut().enumerate() {
            e.date = format!("2026-10-{}T02:17:00Z", i + 1);
        }
        let (_, o) = ratchet(&base, runs.last().unwrap(), &history, Kind::Counts, 3).unwrap();
        assert!(!o.steps.is_empty(), "the October step is after a September baseline");
    }

    #[test]
    fn the_history_must_end_with_the_night() {
        let (base, runs, history) = nights(&[5.0, 5.0, 5.0]);
        let e = ratchet(&base, &runs[1], &history, Kind::Counts, 3).unwrap_err();
        assert!(e.contains("append it first"), "{e}");
    }
}
