//! The instructions pass: one pass of an in-process scenario under callgrind, which counts the
//! instructions every thread executes in the measured region. A count of instructions repeats to
//! a few in 100,000 from night to night whatever else the machine is doing, where CPU time on a
//! shared 2-core machine moves by an eighth (docs/change-points.md): it is the CPU series a
//! change of a few percent can be found in. It is not time — a cache miss or a contended lock
//! costs one instruction — so CPU ns/span stays beside it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The most warm-up spans the pass runs (fewer when the run has fewer). A long warm-up settles the
/// allocator: after 10,000 the rows repeat to 0.020% from run to run (median of 32), after 2,000
/// to 0.27% (docs/change-points.md). But
/// fastrace's collector never reports its last spans under valgrind after 20,000 (at 15,000 the
/// pass takes 2.5 s): its producer thread fills the 10,240-command ring before the collector is
/// scheduled, and what overflows waits in a thread-local queue until that thread sends again
/// (fastrace 0.7.19 `util/spsc.rs`, `Sender::send`), which it never does. Half of that is safe.
pub const WARMUP_CAP: u64 = 10_000;

/// The program run, found on PATH.
pub const VALGRIND: &str = "valgrind";

/// What the run says when valgrind is missing: the instructions pass is asked for, and cannot
/// be skipped quietly.
pub fn check_valgrind() -> Result<String, String> {
    valgrind_version("--instructions needs valgrind on PATH (Debian: apt-get install valgrind)")
}

/// `valgrind --version`, or `missing` when it does not run.
pub fn valgrind_version(missing: &str) -> Result<String, String> {
    let out = Command::new(VALGRIND).arg("--version").output().map_err(|_| missing.to_owned())?;
    if !out.status.success() {
        return Err(missing.to_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// `valgrind --tool=callgrind` over `exe`, dumping on entering the child's
/// `spanalloc_region_start` (`profile.1`: everything before) and `spanalloc_region_end`
/// (`profile.2`: the measured region, every thread). A dump resets every thread's costs;
/// `--zero-before` does not — it resets only the thread that enters the function, so the
/// producer and exporter threads would keep their warm-up (measured: 20,000 warm-up spans added
/// 10× to a 2,000-span region).
pub fn command(exe: &Path, profile: &Path) -> Command {
    let mut cmd = Command::new(VALGRIND);
    cmd.arg("--tool=callgrind")
        .arg("--dump-before=spanalloc_region_start")
        .arg("--dump-before=spanalloc_region_end")
        .arg(format!("--callgrind-out-file={}", profile.display()))
        .arg(exe);
    cmd
}

/// The dump the region's end wrote beside `profile`.
pub fn region_dump(profile: &Path) -> PathBuf {
    let mut name = profile.as_os_str().to_owned();
    name.push(".2");
    PathBuf::from(name)
}

/// The instructions (callgrind's `Ir`, the first event) of the region's dump: its `summary:`
/// line, the total over every thread.
pub fn read_region(profile: &Path) -> Result<u64, String> {
    let dump = region_dump(profile);
    let text = std::fs::read_to_string(&dump)
        .map_err(|e| format!("callgrind wrote no dump at the measured region's end ({}: {e})", dump.display()))?;
    parse_summary(&text).ok_or_else(|| format!("{} has no `summary:` line with an instruction count", dump.display()))
}

fn parse_summary(text: &str) -> Option<u64> {
    text.lines().find_map(|l| l.strip_prefix("summary:")).and_then(|s| s.split_whitespace().next()).and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_is_the_first_event_of_the_summary_line() {
        let dump = "version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 33333160\ntotals: 26654174\n";
        assert_eq!(parse_summary(dump), Some(33_333_160));
        assert_eq!(parse_summary("events: Ir Dr\nsummary: 12 7\n"), Some(12));
        assert_eq!(parse_summary("totals: 5\n"), None);
        assert_eq!(parse_summary("summary: many\n"), None);
    }

    #[test]
    fn the_region_dump_is_the_second_numbered_one() {
        assert_eq!(region_dump(Path::new("/t/callgrind.out")), PathBuf::from("/t/callgrind.out.2"));
    }
}
