//! `spanalloc verify`: the meter checked from outside. Each row's pass without the meter counting
//! (the `outside` pass: the plain pass, run under valgrind's DHAT) at N and 2N unpaced spans gives
//! DHAT's heap blocks for the whole process; their difference is N spans' blocks, as setup,
//! warm-up and teardown do not grow with N and cancel out. The harness's own count passes at the
//! same N and 2N give Δ(allocs + reallocs) — DHAT counts a realloc as a block. No figure of the
//! meter enters the outside side.
//!
//! Exact rows (their counts repeat whatever the threads do) must agree to the block; a row whose
//! counts move with its threads' timing runs at least five of each side, and agrees unless the
//! ranges of Δ the two sides span lie apart by more than the wider of them spans (five runs need
//! not reach a moving row's extremes: one night's tracing-opentelemetry ranges, 39,775–39,777
//! and 39,778–39,779 blocks, lay one block apart).
//! Rows DHAT cannot see — a program of its own (the Go twin: Go's runtime allocates without
//! malloc) or an allocator other than the system's (jemalloc and mimalloc take their memory from
//! mmap, which DHAT does not count as blocks) — and a row whose allocations follow its threads'
//! pace, which valgrind changes (fastrace, whose dhat cross-check is waived for that), are listed
//! as not verifiable, with why.

use std::path::Path;
use std::time::Duration;

use spanalloc_model::WorkloadConfig;
use spanalloc_record::schema::{Verified, VerifyOutcome};

use crate::catalog::Entry;
use crate::console::{say, tell};
use crate::pass::{Pass, PassOutput};

/// N by default: 2,000 spans, and 4,000 (DHAT runs the code ~50 times slower).
pub const DEFAULT_SPANS: u64 = 2_000;
/// Warm-up spans at both sizes by default.
pub const DEFAULT_WARMUP: u64 = 1_000;
/// Count passes per size by default (a row whose counts move runs at least [`MOVING_REPEATS`]).
pub const DEFAULT_REPEAT: usize = 3;

/// The spans of the two sizes, the warm-up both share, and the count passes per size.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// N: the smaller size; the larger is 2N.
    pub spans: u64,
    /// Warm-up spans, the same at both sizes (so that it cancels).
    pub warmup: u64,
    /// Count passes per size (a row whose counts move runs at least five).
    pub repeat: usize,
}

/// One row's verdict.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// DHAT's Δblocks and the meter's Δ(allocs + reallocs) agree: exactly, or (a row whose
    /// counts move) in ranges no further apart than the wider of them spans.
    Agrees {
        /// The least and the most Δblocks from N to 2N DHAT's runs allow (one run for an exact row).
        dhat: (u64, u64),
        /// The least and the most Δ(allocs + reallocs) the meter's repeats allow.
        meter: (u64, u64),
    },
    /// They do not.
    Disagrees {
        /// The least and the most Δblocks from N to 2N DHAT's runs allow (one run for an exact row).
        dhat: (u64, u64),
        /// The least and the most Δ(allocs + reallocs) the meter's repeats allow.
        meter: (u64, u64),
    },
    /// DHAT cannot see this row's allocations.
    NotVerifiable(String),
    /// A pass failed or did other work than the model's: nothing was judged.
    Failed(String),
}

impl Outcome {
    /// Whether the verdict passes.
    pub fn passed(&self) -> bool {
        matches!(self, Outcome::Agrees { .. })
    }

    /// The verdict in words, with both figures: `exact` says how the row was judged, `n` is N.
    pub fn describe(&self, exact: bool, n: u64) -> String {
        let figure = |r: (u64, u64)| spanalloc_record::units::range(r.0, r.1);
        match self {
            Outcome::Agrees { dhat, meter } => format!(
                "agrees{}: DHAT Δblocks {}, meter Δ(allocs + reallocs) {} ({:.3} blocks/span)",
                if exact { "" } else { " within both sides' spread" },
                figure(*dhat),
                figure(*meter),
                (dhat.0 + dhat.1) as f64 / 2.0 / n.max(1) as f64
            ),
            Outcome::Disagrees { dhat, meter } => format!(
                "DISAGREES: DHAT Δblocks {}, meter Δ(allocs + reallocs) {} ({:+} blocks, {:+.3} per span)",
                figure(*dhat),
                figure(*meter),
                gap(*dhat, *meter),
                gap(*dhat, *meter) as f64 / n.max(1) as f64
            ),
            Outcome::NotVerifiable(why) => format!("not verifiable with DHAT: {why}"),
            Outcome::Failed(why) => format!("NOT JUDGED: {why}"),
        }
    }

    /// What a row carries in results.json (schema 17).
    pub fn record(&self) -> Verified {
        let pair = |r: &(u64, u64)| Some([r.0, r.1]);
        let (outcome, dhat_blocks, meter_blocks, why) = match self {
            Outcome::Agrees { dhat, meter } => (VerifyOutcome::Agrees, pair(dhat), pair(meter), None),
            Outcome::Disagrees { dhat, meter } => (VerifyOutcome::Disagrees, pair(dhat), pair(meter), None),
            Outcome::NotVerifiable(why) => (VerifyOutcome::NotVerifiable, None, None, Some(why.clone())),
            Outcome::Failed(why) => (VerifyOutcome::NotJudged, None, None, Some(why.clone())),
        };
        Verified { outcome, dhat_blocks, meter_blocks, why }
    }
}

/// What `spanalloc verify` was asked to check.
pub struct Request<'c> {
    /// The rows.
    pub scenarios: Vec<&'c Entry>,
    /// One workload per trace-state size (spans, rate and warm-up are set by [`verify`]).
    pub workloads: Vec<WorkloadConfig>,
    /// The allocators asked for: only the system's can be verified.
    pub allocators: Vec<String>,
    /// N, the warm-up and the repeats.
    pub sizes: Sizes,
    /// `valgrind --version`, for the record.
    pub valgrind: String,
    /// How long a pass may go without progress.
    pub stall: Duration,
}

/// Verifies every row of `request`, printing a line per row and a verdict; true when every row
/// agrees.
pub fn run(request: &Request<'_>) -> bool {
    let (n, sizes) = (request.sizes.spans, request.sizes);
    say!(
        "verify: {} at {n} and {} unpaced spans (warm-up {}), {} count passes per size ({MOVING_REPEATS} of each side for a row whose counts move); DHAT Δblocks against the meter's Δ(allocs + reallocs)",
        request.valgrind,
        2 * n,
        sizes.warmup,
        sizes.repeat
    );
    let mut tally = [0usize; 4];
    for entry in &request.scenarios {
        for cfg in &request.workloads {
            for allocator in &request.allocators {
                let ts = cfg.trace_state_entries;
                let label = if allocator == "system" { entry.name().to_owned() } else { format!("{}@{allocator}", entry.name()) };
                let outcome = match not_verifiable(entry, allocator) {
                    Some(why) => Outcome::NotVerifiable(why),
                    None => verify(entry, cfg, sizes, &|pass, c, profile| {
                        crate::spawn::run_pass(entry, None, pass, c, profile, false, request.stall, &|_| {}).map_err(|f| {
                            let tail = f.stderr_tail.lines().last().map(|l| format!(" ({l})")).unwrap_or_default();
                            format!("{}{tail}", f.error)
                        })
                    }),
                };
                let said = outcome.describe(entry.exact_counts(), n);
                if outcome.passed() {
                    say!("{label} ts={ts}: {said}");
                } else {
                    tell!("{label} ts={ts}: {said}");
                }
                tally[match outcome {
                    Outcome::Agrees { .. } => 0,
                    Outcome::Disagrees { .. } => 1,
                    Outcome::NotVerifiable(_) => 2,
                    Outcome::Failed(_) => 3,
                }] += 1;
            }
        }
    }
    let [agree, disagree, cannot, failed] = tally;
    let ok = disagree + cannot + failed == 0 && agree > 0;
    say!(
        "verify: {} {agree} of {} rows agree with DHAT; {disagree} disagree, {cannot} not verifiable, {failed} not judged",
        if ok { "✅" } else { "❌" },
        agree + disagree + cannot + failed
    );
    ok
}

/// Why `entry` on `allocator` cannot be verified with DHAT, if it cannot.
pub fn not_verifiable(entry: &Entry, allocator: &str) -> Option<String> {
    if let Entry::External(e) = entry {
        let what = if e.name.starts_with(crate::go_twin::PREFIX) {
            "a Go program: Go's runtime allocates from its own heap, not through malloc, so DHAT sees none of its blocks"
        } else {
            "a program of its own: its allocator and its pass without the meter are its own"
        };
        return Some(what.to_owned());
    }
    if allocator != "system" {
        return Some(format!(
            "on {allocator}: it takes its memory from the kernel (mmap), not through malloc, so DHAT sees none of its blocks"
        ));
    }
    if crate::meter::inner_name() != "system" {
        return Some(format!("this binary's meter sits on {}, which DHAT does not see", crate::meter::inner_name()));
    }
    if let Some(why) = entry.cross_check_waived() {
        // fastrace: under valgrind (~50 times slower) its collector's timer cuts other batches,
        // its buffers grow otherwise, and the two sides no longer do the same work (measured: DHAT
        // +1 to +3 blocks over 1,000 spans, the same in five runs).
        return Some(format!(
            "its allocations follow its threads' pace, which valgrind slows some 50 times (its cross-check is waived for the same reason: {why})"
        ));
    }
    None
}

/// A pass of `entry` on a workload, in a child process: `Pass::Outside` with DHAT's profile path.
pub type PassFn<'f> = dyn Fn(Pass, &WorkloadConfig, Option<&Path>) -> Result<PassOutput, String> + 'f;

/// Halvings of the rate a row that may drop spans is retried at when it dropped some (DHAT
/// runs the code ~50 times slower: the SDK's bounded queue overflows at its usual pace).
const RETRIES: u32 = 2;

/// Verifies `entry` on `cfg` (its trace-state size; spans, rate and warm-up are set here).
/// A row whose number of exports follows its threads' timing (`per_export`) is compared net of
/// what its exports cost, each side by its own export count — the figure its pipeline reports,
/// not the meter's.
pub fn verify(entry: &Entry, cfg: &WorkloadConfig, sizes: Sizes, pass: &PassFn<'_>) -> Outcome {
    if let Some(why) = not_verifiable(entry, "system") {
        return Outcome::NotVerifiable(why);
    }
    let paced = entry.paced_rate(0, cfg.trace_state_entries);
    let first_rate = if paced == 0 { WorkloadConfig::default().rate } else { paced };
    let mut outcome = Outcome::Failed("not run".into());
    for attempt in 0..=RETRIES {
        let rate = if attempt == 0 { 0 } else { first_rate >> attempt };
        let at = |spans: u64| WorkloadConfig { spans, rate, warmup: sizes.warmup, ..cfg.clone() };
        outcome = verify_at(entry, [at(sizes.spans), at(2 * sizes.spans)], sizes.repeat, pass);
        let dropped = matches!(&outcome, Outcome::Failed(why) if why.contains(DROPPED));
        if !(dropped && entry.may_drop()) {
            return outcome;
        }
    }
    match outcome {
        Outcome::Failed(why) => Outcome::Failed(format!("{why}, at every rate tried down to {} spans/s", first_rate >> RETRIES)),
        other => other,
    }
}

/// The count passes per size a row whose counts move runs at least.
const MOVING_REPEATS: usize = 5;

/// What a pass that exported fewer spans than the model says reports.
const DROPPED: &str = "other work than the model's";

fn verify_at(entry: &Entry, sizes: [WorkloadConfig; 2], repeat: usize, pass: &PassFn<'_>) -> Outcome {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return Outcome::Failed(format!("no temporary folder for DHAT's profiles: {e}")),
    };
    let per_export = entry.per_export().map_or(0, |p| p.allocs);
    let net = |blocks: u64, out: &PassOutput| blocks.saturating_sub(out.export_batches.unwrap_or(0) * per_export);
    // A moving row's DHAT side has a spread too: as many runs as its count passes.
    let runs = if entry.exact_counts() { 1 } else { repeat.max(MOVING_REPEATS) };
    let mut dhat: [Vec<u64>; 2] = [vec![], vec![]];
    for run in 0..runs {
        for (i, c) in sizes.iter().enumerate() {
            let profile = dir.path().join(format!("dhat-{}-{run}.json", c.spans));
            let blocks = pass(Pass::Outside, c, Some(&profile)).and_then(|out| {
                same_work(entry, c, &out)?;
                Ok(net(crate::dhat_profile::total_blocks(&profile)?, &out))
            });
            match blocks {
                Ok(b) => dhat[i].push(b),
                Err(e) => return Outcome::Failed(format!("under DHAT at {} spans: {e}", c.spans)),
            }
        }
    }
    let mut meter: [Vec<u64>; 2] = [vec![], vec![]];
    // A moving row's spread from five repeats on, as compare gates it (MIN_REPEATS_FOR_SPREAD).
    let repeat = if entry.exact_counts() { repeat.max(1) } else { repeat.max(MOVING_REPEATS) };
    for _ in 0..repeat {
        for (i, c) in sizes.iter().enumerate() {
            let blocks = pass(Pass::Count, c, None).and_then(|out| {
                same_work(entry, c, &out)?;
                let k = out.counts.ok_or("the count pass reported no counts")?;
                Ok(net(k.dhat_blocks(), &out))
            });
            match blocks {
                Ok(b) => meter[i].push(b),
                Err(e) => return Outcome::Failed(format!("the count pass at {} spans: {e}", c.spans)),
            }
        }
    }
    judge(entry.exact_counts(), &dhat, &meter)
}

/// The verdict from DHAT's totals and the meter's at N and 2N, each side's runs: an exact row's
/// must repeat and agree to the block; a moving row agrees unless the ranges of Δ its two sides
/// span lie apart by more than the wider of them spans — the rule C3's heap ranges are judged
/// by: a gap the runs' own spread could close is no evidence (each side's spread, nothing assumed).
pub fn judge(exact: bool, dhat: &[Vec<u64>; 2], meter: &[Vec<u64>; 2]) -> Outcome {
    let range = |side: &[Vec<u64>; 2], what: &str| -> Result<(u64, u64), String> {
        let ((small_lo, small_hi), (large_lo, large_hi)) = (lo_hi(&side[0]), lo_hi(&side[1]));
        if exact && (small_lo != small_hi || large_lo != large_hi) {
            return Err(format!(
                "an exact row's {what} moved between runs ({small_lo}–{small_hi} blocks at N, {large_lo}–{large_hi} at 2N)"
            ));
        }
        if large_hi < small_lo {
            return Err(format!("{what} fewer blocks at 2N ({large_hi}) than at N ({small_lo})"));
        }
        Ok((large_lo.saturating_sub(small_hi), large_hi - small_lo))
    };
    let (dhat, meter) = match (range(dhat, "DHAT saw"), range(meter, "meter counted")) {
        (Ok(d), Ok(m)) => (d, m),
        (Err(e), _) | (_, Err(e)) => return Outcome::Failed(e),
    };
    let spread = if exact { 0 } else { (dhat.1 - dhat.0).max(meter.1 - meter.0) };
    if gap(dhat, meter).unsigned_abs() <= u128::from(spread) || (dhat.0 <= meter.1 && meter.0 <= dhat.1) {
        Outcome::Agrees { dhat, meter }
    } else {
        Outcome::Disagrees { dhat, meter }
    }
}

/// How far DHAT's range lies from the meter's: positive when above, negative when below.
fn gap(dhat: (u64, u64), meter: (u64, u64)) -> i128 {
    if dhat.0 > meter.1 {
        i128::from(dhat.0) - i128::from(meter.1)
    } else {
        i128::from(dhat.1) - i128::from(meter.0)
    }
}

fn lo_hi(v: &[u64]) -> (u64, u64) {
    (v.iter().copied().min().unwrap_or(0), v.iter().copied().max().unwrap_or(0))
}

/// A pass did the model's work: the spans and digest the model expects.
fn same_work(entry: &Entry, cfg: &WorkloadConfig, out: &PassOutput) -> Result<(), String> {
    let expected = entry.same_work().expected(cfg);
    if crate::pass::same_work(out.spans_exported, &out.digest, expected) {
        return Ok(());
    }
    Err(format!(
        "exported {} spans with digest {}, the model expects {} with {:016x}: {DROPPED}",
        out.spans_exported, out.digest, expected.spans_exported, expected.digest
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_row_agrees_only_to_the_block() {
        let meter = [vec![1000, 1000], vec![1500, 1500]];
        let dhat = |small: u64, large: u64| [vec![small], vec![large]];
        assert_eq!(judge(true, &dhat(9000, 9500), &meter), Outcome::Agrees { dhat: (500, 500), meter: (500, 500) });
        assert_eq!(judge(true, &dhat(9000, 9501), &meter), Outcome::Disagrees { dhat: (501, 501), meter: (500, 500) });
        assert!(matches!(judge(true, &dhat(9000, 9500), &[vec![1000, 1001], vec![1500, 1500]]), Outcome::Failed(_)));
        assert_eq!(gap((501, 501), (500, 500)), 1);
        assert_eq!(gap((497, 499), (500, 500)), -1);
    }

    #[test]
    fn a_moving_row_agrees_unless_its_ranges_lie_apart_by_more_than_their_spread() {
        let meter = [vec![1000, 1003], vec![1500, 1502]];
        // The meter allows Δ 497 to 502: a spread of 5.
        assert!(judge(false, &[vec![0, 2], vec![499, 499]], &meter).passed());
        assert!(judge(false, &[vec![0], vec![502]], &meter).passed());
        // Apart, but by less than the spread: five runs need not reach a moving row's extremes.
        assert!(judge(false, &[vec![0, 1], vec![506, 507]], &meter).passed(), "505–507 is 3 above 502");
        assert!(judge(false, &[vec![0], vec![492]], &meter).passed(), "492 is 5 below 497");
        assert_eq!(
            judge(false, &[vec![0, 1], vec![509, 510]], &meter),
            Outcome::Disagrees { dhat: (508, 510), meter: (497, 502) }
        );
        assert_eq!(judge(false, &[vec![0], vec![491]], &meter), Outcome::Disagrees { dhat: (491, 491), meter: (497, 502) });
        // The night's case: 39,775–39,777 against 39,778–39,779, one block apart, spreads 2 and 1.
        assert!(judge(false, &[vec![100, 101], vec![39_877, 39_876]], &[vec![0, 1], vec![39_779, 39_779]]).passed());
        assert!(matches!(judge(false, &[vec![10], vec![5]], &meter), Outcome::Failed(_)));
    }
}
