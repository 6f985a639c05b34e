//! The child side of a pass: runs one scenario in this process under one meter mode and
//! reports a [`PassOutput`]. Measuring only — nothing here renders.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use spanalloc_model::current_check::CheckConfig;
use spanalloc_model::stage::Stage;
use spanalloc_model::{RunHooks, Scenario, WorkloadConfig};

use spanalloc_model::current_check::CheckReport;
use spanalloc_record::schema::CurrentCheck;

use crate::dhat_profile;
use crate::meter::{self, slots, timeline, timeline::TimelineSampler, Counts, Mode, StageCounts};
use crate::pass::{Pass, PassOutput};
use crate::settle;
use crate::sys;

/// The meter's reading at one edge of the measured region.
#[derive(Clone, Copy, Default)]
struct Reading {
    cpu: Duration,
    counts: Counts,
    stages: StageCounts,
    live: i64,
    peak: i64,
}

struct ChildHooks {
    pass: Pass,
    /// Where the dhat pass writes its profile. The profiler runs from the measured region's start
    /// to its end only, so its sites and totals count the measured spans and nothing else.
    dhat_file: PathBuf,
    profiler: Mutex<Option<dhat::Profiler>>,
    /// Live bytes when the scenario's setup began: the harness's own, not the scenario's.
    harness_live: Mutex<i64>,
    start: Mutex<Reading>,
    end: Mutex<Reading>,
    timeline: Option<TimelineSampler>,
    exported: Arc<AtomicU64>,
}

impl ChildHooks {
    fn read(&self) -> Reading {
        let cpu = sys::process_cpu();
        match self.pass {
            Pass::Plain | Pass::Instructions | Pass::Probe | Pass::Outside => Reading { cpu, ..Default::default() },
            Pass::Count => {
                let live = slots::live_bytes();
                Reading { cpu, counts: slots::totals(), stages: slots::stage_totals(), live, peak: slots::peak_bytes(live) }
            }
            Pass::StatsAlloc => Reading { cpu, counts: meter::stats_alloc_counts(), ..Default::default() },
            Pass::Dhat => match self.profiler.lock().unwrap_or_else(PoisonError::into_inner).as_ref() {
                Some(_) => {
                    let s = dhat::HeapStats::get();
                    let counts = Counts { allocs: s.total_blocks, fresh_bytes: s.total_bytes, ..Default::default() };
                    Reading { cpu, counts, peak: s.max_bytes as i64, ..Default::default() }
                }
                None => Reading { cpu, ..Default::default() },
            },
        }
    }
}

impl RunHooks for ChildHooks {
    fn setup_start(&self) {
        if self.pass == Pass::Count {
            *self.harness_live.lock().unwrap_or_else(PoisonError::into_inner) = slots::live_bytes();
        }
    }

    fn measured_start(&self) {
        settle::prime_channel_wait();
        settle::others_at_rest(AT_REST_LIMIT);
        if self.pass == Pass::Count {
            slots::reset_peak();
        }
        spanalloc_region_start();
        if self.pass == Pass::Dhat {
            let profiler = dhat::Profiler::builder().file_name(&self.dhat_file).trim_backtraces(Some(DHAT_FRAMES)).build();
            *self.profiler.lock().unwrap_or_else(PoisonError::into_inner) = Some(profiler);
        }
        if let Some(t) = &self.timeline {
            t.begin();
        }
        let r = self.read();
        *self.start.lock().unwrap_or_else(PoisonError::into_inner) = r;
    }

    fn measured_end(&self) {
        settle::others_at_rest(AT_REST_LIMIT);
        spanalloc_region_end();
        if let Some(t) = &self.timeline {
            t.end();
        }
        let r = self.read();
        *self.end.lock().unwrap_or_else(PoisonError::into_inner) = r;
        // Dropping the profiler writes the profile; what is allocated after it is not tracked.
        drop(self.profiler.lock().unwrap_or_else(PoisonError::into_inner).take());
    }

    fn progress(&self) -> Option<Arc<AtomicU64>> {
        Some(Arc::clone(&self.exported))
    }
}

/// Where the measured region begins, for callgrind: the instructions pass runs the child under
/// `valgrind --tool=callgrind --dump-before=spanalloc_region_start
/// --dump-before=spanalloc_region_end` (crate::instructions), so that the second dump holds the
/// measured region's instructions on every thread and nothing else. Kept out of line, with a
/// body the optimiser cannot drop, so that both symbols exist and are called in every build.
#[no_mangle]
#[inline(never)]
pub extern "C" fn spanalloc_region_start() {
    // Bodies that differ, or the linker folds the two into one address.
    std::hint::black_box(1_u32);
}

/// Where it ends; see [`spanalloc_region_start`].
#[no_mangle]
#[inline(never)]
pub extern "C" fn spanalloc_region_end() {
    std::hint::black_box(2_u32);
}

/// Writes `@progress N` lines to stderr for the parent's progress bar, without allocating: the
/// count pass must not see its own reporting.
fn spawn_progress(exported: Arc<AtomicU64>, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut line = [0u8; 40];
        while !stop.load(Ordering::Acquire) {
            // Parked, not asleep: the pass unparks it when the spans are done, so its end waits
            // for no tick (a 200 ms sleep added up to 0.2 s to every pass).
            std::thread::park_timeout(Duration::from_millis(200));
            let n = format_progress(exported.load(Ordering::Relaxed), &mut line);
            let _ = std::io::stderr().write_all(&line[..n]);
        }
    })
}

/// `@progress N\n` into `buf`; returns its length.
fn format_progress(n: u64, buf: &mut [u8; 40]) -> usize {
    const PREFIX: &[u8] = b"@progress ";
    buf[..PREFIX.len()].copy_from_slice(PREFIX);
    let len = sys::write_decimal(n, &mut buf[PREFIX.len()..]);
    buf[PREFIX.len() + len] = b'\n';
    PREFIX.len() + len + 1
}

/// How long an edge of the measured region waits for the quiesced pipeline's threads to block
/// ([`settle`]). Every row's threads block within microseconds of a quiesce; the limit only
/// bounds the wait for a pipeline with a thread that never blocks.
const AT_REST_LIMIT: Duration = Duration::from_secs(1);

/// Frames kept per dhat call stack: enough for the SDK's deepest (about 50) to reach the thread
/// start, so every site can be traced to the hand-off that asked.
const DHAT_FRAMES: usize = 96;

/// `{:016x}` into a string that never grows: `format!` pads one character at a time into an
/// empty string, so the blocks it takes depended on the digest's leading zeros — blocks outside
/// the region that differed between two sizes of a run under `spanalloc verify`.
fn hex16(v: u64) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(16);
    let _ = write!(s, "{v:016x}");
    s
}

/// Runs `scenario` with `cfg` as `pass`; `dhat_file` is where the dhat pass writes its profile;
/// `current_check` runs the current-context check after a count pass's region.
pub fn measure(
    scenario: &Scenario,
    cfg: &WorkloadConfig,
    pass: Pass,
    dhat_file: Option<&Path>,
    current_check: bool,
) -> PassOutput {
    // A probe asks how fast the row holds: paced as asked, past its gate rate.
    let paced = if pass == Pass::Probe { cfg.clone() } else { scenario.workload(cfg) };
    let cfg = &paced;
    meter::set_mode(pass.mode());
    let dhat_file: PathBuf = dhat_file.map_or_else(|| "dhat-heap.json".into(), Path::to_path_buf);
    // Room for four times the expected duration at one point per 10 ms.
    let expected_ms = (cfg.spans * 1000).checked_div(cfg.rate).unwrap_or(10_000);
    let period = timeline::PERIOD.as_millis() as usize;
    let timeline = (pass == Pass::Count)
        .then(|| TimelineSampler::spawn(timeline::PERIOD, (expected_ms as usize / period * 4 + 1000).min(200_000)));
    let exported = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let progress = spawn_progress(Arc::clone(&exported), Arc::clone(&stop));
    let hooks = ChildHooks {
        pass,
        dhat_file: dhat_file.clone(),
        profiler: Mutex::new(None),
        harness_live: Mutex::default(),
        start: Mutex::default(),
        end: Mutex::default(),
        timeline,
        exported,
    };

    let report = (scenario.run)(cfg, &hooks);

    stop.store(true, Ordering::Release);
    progress.thread().unpark();
    let _ = progress.join();
    let (start, end) =
        (*hooks.start.lock().unwrap_or_else(PoisonError::into_inner), *hooks.end.lock().unwrap_or_else(PoisonError::into_inner));
    let harness_live = *hooks.harness_live.lock().unwrap_or_else(PoisonError::into_inner);
    // The pass's peak RSS before the check below: its threads and stores are the harness's, and
    // only a row's first count pass runs it.
    let peak_rss_bytes = sys::peak_rss_bytes();
    // Outside the measured region, on a count pass asked for it: the current-context slot under
    // a writer, for the claim that an atomic swap gives safe cross-thread reads.
    let current_check = scenario
        .check_current
        .filter(|_| pass == Pass::Count && current_check)
        .map(|check| check(CheckConfig::for_spans(cfg.spans)));
    let timeline = hooks.timeline.map(TimelineSampler::finish);
    let counted = matches!(pass, Pass::Count | Pass::StatsAlloc);
    let mut out = PassOutput {
        pass: pass.name().to_owned(),
        scenario: scenario.name.to_owned(),
        spans: report.spans_started,
        spans_exported: report.spans_exported,
        digest: hex16(report.digest),
        cpu_ns: (end.cpu.saturating_sub(start.cpu)).as_nanos() as u64,
        emit_elapsed_ns: report.emit_elapsed_ns,
        achieved_rate: report.achieved_rate,
        max_lag_ns: report.max_lag_ns,
        latency_p50_ns: report.latency.p50_ns,
        latency_p99_ns: report.latency.p99_ns,
        latency_max_ns: report.latency.max_ns,
        peak_rss_bytes,
        counts: counted.then(|| end.counts - start.counts),
        setup_heap_bytes: None,
        retained_heap_bytes: None,
        peak_heap_bytes: None,
        peak_heap_error_bytes: None,
        peak_live_bytes: None,
        allocator: Some(meter::inner_name().to_owned()),
        language: None,
        gc_cycles: None,
        gc_pause_ns: None,
        stages: None,
        timeline: timeline.map(|t| t.into_iter().map(|(ms, b)| [ms as i64, b]).collect()),
        dhat: None,
        settings: report
            .settings
            .into_iter()
            .chain(scenario.unpaced_rate.map(|r| {
                ("unpaced passes".to_owned(), format!("paced at {r} spans/s (its bounded queue drops spans when outrun)"))
            }))
            .collect(),
        current_check: current_check.map(to_schema),
        export_batches: Some(report.export_batches),
    };
    if pass == Pass::Count {
        // What the harness had live before setup (its histogram, timeline buffer, progress
        // thread) is not the scenario's: every heap figure is taken above it.
        out.setup_heap_bytes = Some((start.live - harness_live).max(0) as u64);
        out.peak_heap_bytes = Some((end.peak.max(start.live) - harness_live).max(0) as u64);
        out.retained_heap_bytes = Some(end.live - start.live);
        out.peak_live_bytes = Some(end.peak.max(start.live).max(0) as u64);
        if let Some(points) = out.timeline.as_mut() {
            points.iter_mut().for_each(|p| p[1] -= harness_live);
        }
        out.peak_heap_error_bytes = Some(slots::peak_error_bound());
        let s = end.stages - start.stages;
        out.stages = Some(Stage::ALL.iter().map(|st| [s.allocs[st.index()], s.bytes[st.index()]]).collect());
    }
    if pass == Pass::Dhat {
        meter::set_mode(Mode::Off);
        // The profiler started at the region's start, so its totals are the region's.
        let region = end.counts;
        out.dhat =
            Some(dhat_profile::summary(&dhat_file, report.spans_started, region.allocs, region.fresh_bytes, end.peak as u64));
    }
    out
}

fn to_schema(r: CheckReport) -> CurrentCheck {
    CurrentCheck {
        writers: r.writers,
        readers: r.readers,
        stores: r.stores,
        reads: r.reads,
        torn: r.torn,
        out_of_order: r.out_of_order,
    }
}

/// Whether this process's global allocator is spanalloc's meter: a known allocation must be
/// counted. A binary built on the extension point without it would measure nothing.
pub fn meter_installed() -> bool {
    let mode = meter::mode();
    meter::set_mode(Mode::Fast);
    let before = slots::this_thread();
    drop(std::hint::black_box(Box::new([0u8; 64])));
    let counted = slots::this_thread() - before;
    meter::set_mode(mode);
    counted.allocs == 1 && counted.bytes_allocated == 64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_meter_is_this_test_binarys_allocator() {
        let _mode = meter::MODE_TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        assert!(meter_installed());
    }

    #[test]
    fn progress_lines() {
        let mut b = [0u8; 40];
        for (n, want) in
            [(0u64, "@progress 0\n"), (1_234_567, "@progress 1234567\n"), (u64::MAX, "@progress 18446744073709551615\n")]
        {
            let len = format_progress(n, &mut b);
            assert_eq!(std::str::from_utf8(&b[..len]).unwrap(), want);
        }
    }
}
