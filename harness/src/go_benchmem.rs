//! The article's C8 as the article measured it: `go test -bench . -benchmem` of its receiver
//! code, reproduced verbatim in `scenarios/go-twin/article`, run `RUNS` times interleaved (the
//! test binary run again and again, both benchmarks each time) with a fixed number of calls per
//! repeat, and every `Benchmark…` line parsed into [`GoBenchmem`]. B/op and
//! allocs/op are the runtime's heap counters over the calls (what C8 is judged on); ns/op is
//! timing, with its spread over the repeats. Run with the Go rows, by the same Go they use.

use std::process::{Command, Stdio};

use spanalloc_record::schema::{GoBenchSample, GoBenchmark, GoBenchmem};

/// The package, relative to the repository.
pub const PACKAGE: &str = "scenarios/go-twin/article";
/// Runs of the test binary, each timing every benchmark once: five, as benchstat wants at least.
const RUNS: usize = 5;
/// Calls per repeat: fixed, so that every repeat divides the same totals (about 10 ms a repeat).
const BENCHTIME: &str = "200000x";

/// Builds the benchmarks' test binary once, runs it `RUNS` times — each run times both
/// benchmarks, one after the other, so run i of one pairs with run i of the other — and parses
/// every line; an error names what failed.
pub fn run() -> Result<GoBenchmem, String> {
    let dir = crate::go_twin::source_dir().join("article");
    let version = Command::new(crate::go_twin::go())
        .arg("version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run go ({e}): the article's benchmarks need Go (scripts/install-go.sh)"))?;
    let go = String::from_utf8_lossy(&version.stdout).trim().to_owned();
    let scratch = tempfile::tempdir().map_err(|e| format!("cannot make a directory for the test binary: {e}"))?;
    let binary = scratch.path().join("article.test");
    let built = Command::new(crate::go_twin::go())
        .args(["test", "-c", "-o"])
        .arg(&binary)
        .arg(".")
        .current_dir(&dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run go test -c in {PACKAGE}: {e}"))?;
    if !built.status.success() {
        let stdout = String::from_utf8_lossy(&built.stdout);
        return Err(format!("`go test -c` in {PACKAGE} failed ({}): {}", built.status, last_line(&built.stderr, &stdout)));
    }
    let mut text = String::new();
    for _ in 0..RUNS {
        let out = Command::new(&binary)
            .args(["-test.run", "^$", "-test.bench", ".", "-test.benchmem", "-test.count", "1", "-test.benchtime", BENCHTIME])
            .current_dir(&dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run the benchmarks of {PACKAGE}: {e}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            return Err(format!("the benchmarks of {PACKAGE} failed ({}): {}", out.status, last_line(&out.stderr, &stdout)));
        }
        text.push_str(&stdout);
    }
    let benchmarks = parse(&text)?;
    Ok(GoBenchmem { go, package: PACKAGE.into(), benchtime: BENCHTIME.into(), benchmarks })
}

fn last_line(stderr: &[u8], stdout: &str) -> String {
    let err = String::from_utf8_lossy(stderr);
    err.lines().chain(stdout.lines()).rfind(|l| !l.trim().is_empty()).unwrap_or("no output").to_owned()
}

/// Every `BenchmarkName-P  N  X ns/op  Y B/op  Z allocs/op` line, grouped by name in the order
/// first seen. A benchmark line without its B/op and allocs/op (no `-benchmem`) is an error: C8
/// is judged on them.
pub fn parse(output: &str) -> Result<Vec<GoBenchmark>, String> {
    let mut out: Vec<GoBenchmark> = Vec::new();
    for line in output.lines().filter(|l| l.starts_with("Benchmark")) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let name = fields[0].trim_start_matches("Benchmark");
        // `-P` is GOMAXPROCS, which go test appends when it is above 1.
        let name = name.rsplit_once('-').filter(|(_, p)| p.parse::<u32>().is_ok()).map_or(name, |(n, _)| n);
        let unit = |u: &str| fields.windows(2).find(|w| w[1] == u).map(|w| w[0]);
        let (Some(ns), Some(bytes), Some(allocs)) = (unit("ns/op"), unit("B/op"), unit("allocs/op")) else {
            return Err(format!("not a -benchmem line (ns/op, B/op and allocs/op): {line:?}"));
        };
        let bad = |what: &str| format!("{what} unreadable in {line:?}");
        let sample = GoBenchSample {
            ns_per_op: ns.parse().map_err(|_| bad("ns/op"))?,
            bytes_per_op: bytes.parse().map_err(|_| bad("B/op"))?,
            allocs_per_op: allocs.parse().map_err(|_| bad("allocs/op"))?,
        };
        match out.iter_mut().find(|b| b.name == name) {
            Some(b) => b.samples.push(sample),
            None => out.push(GoBenchmark { name: name.to_owned(), samples: vec![sample] }),
        }
    }
    if out.is_empty() {
        return Err(format!("`go test -bench` in {PACKAGE} printed no benchmark line"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_go_test_benchmem_output() {
        let text = "goos: linux\ngoarch: amd64\npkg: spanalloc/gotwin/article\ncpu: AMD EPYC\n\
                    BenchmarkPointerReceiver-2   \t  200000\t        29.40 ns/op\t      32 B/op\t       1 allocs/op\n\
                    BenchmarkValueReceiver-2     \t  200000\t        51.40 ns/op\t      48 B/op\t       2 allocs/op\n\
                    BenchmarkPointerReceiver-2   \t  200000\t        37.50 ns/op\t      32 B/op\t       1 allocs/op\n\
                    BenchmarkValueReceiver       \t  200000\t        45.60 ns/op\t      48 B/op\t       2 allocs/op\nPASS\nok  \tx\t0.1s\n";
        let b = parse(text).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].name, "PointerReceiver");
        assert_eq!(b[1].name, "ValueReceiver");
        assert_eq!(b[0].samples.len(), 2);
        assert_eq!(b[1].samples[1], GoBenchSample { ns_per_op: 45.6, bytes_per_op: 48, allocs_per_op: 2 });
        assert_eq!(b[0].spread(|s| s.ns_per_op), Some((29.4, (29.4 + 37.5) / 2.0, 37.5)));
    }

    #[test]
    fn refuses_lines_without_benchmem_and_output_without_benchmarks() {
        let e = parse("BenchmarkPointerReceiver-2 \t 200000 \t 29.40 ns/op\n").unwrap_err();
        assert!(e.contains("not a -benchmem line"), "{e}");
        let e = parse("PASS\nok x 0.1s\n").unwrap_err();
        assert!(e.contains("no benchmark line"), "{e}");
    }
}
