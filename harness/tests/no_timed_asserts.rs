//! No test reads a clock except through the watchdog (`tests/common/watchdog.rs`): a timed
//! assertion fails on a loaded machine and proves little on an idle one, so one must not creep
//! back in. Speed lives in `benches/`; "not quadratic" in counted work.

use std::path::{Path, PathBuf};

/// What reads a clock in Rust. Spelt in two halves so this file does not find itself.
const CLOCK_READS: [[&str; 2]; 2] = [["Instant::", "now"], [".elap", "sed("]];

/// The one file allowed to read a clock.
const WATCHDOG: &str = "harness/tests/common/watchdog.rs";

/// Folders that hold no test of ours: build outputs, fuzzing corpora, version control.
const SKIPPED_DIRS: [&str; 4] = ["target", ".git", "corpus", "artifacts"];

/// Every `.rs` file under `dir`, skipping build outputs.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        let name = entry.file_name().into_string().unwrap_or_default();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() && !SKIPPED_DIRS.contains(&name.as_str()) {
            rust_files(&path, out);
        } else if kind.is_file() && name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// `(file:line, line)` for every clock read in test code under `root`, the watchdog aside: all
/// of a file under a `tests/` folder, else what follows its `#[cfg(test)]`.
fn timed_lines(root: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    let reads: Vec<String> = CLOCK_READS.iter().map(|[a, b]| format!("{a}{b}")).collect();
    let mut found = Vec::new();
    for file in files {
        let relative = file.strip_prefix(root).unwrap();
        if relative == Path::new(WATCHDOG) || relative.starts_with("benches") {
            continue;
        }
        let mut in_test = relative.components().any(|c| c.as_os_str() == "tests");
        for (i, line) in std::fs::read_to_string(&file).unwrap().lines().enumerate() {
            in_test |= line.contains("#[cfg(test)]");
            if in_test && reads.iter().any(|r| line.contains(r.as_str())) {
                found.push((format!("{}:{}", relative.display(), i + 1), line.trim().to_owned()));
            }
        }
    }
    found.sort();
    found
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

#[test]
fn no_test_reads_a_clock_but_the_watchdog() {
    let found = timed_lines(&workspace_root());
    assert!(
        found.is_empty(),
        "a test reads a clock outside {WATCHDOG} (assert what ends, through the watchdog; speed goes to benches/):\n{}",
        found.iter().map(|(at, line)| format!("  {at}: {line}")).collect::<Vec<_>>().join("\n")
    );
}

/// The guard finds what it is for: a timed assertion planted in a copy of a test folder and in a
/// unit-test module is named; the watchdog and a clock outside test code are not.
#[test]
fn a_planted_timed_assertion_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let tests = dir.path().join("harness/tests/common");
    std::fs::create_dir_all(&tests).unwrap();
    let src = dir.path().join("scenarios/model/src");
    std::fs::create_dir_all(&src).unwrap();
    let read = |i: usize| format!("{}{}", CLOCK_READS[i][0], CLOCK_READS[i][1]);
    let timed = format!("let t = std::time::{}();\nassert!(t{}).as_secs() < 10);\n", read(0), read(1));
    std::fs::write(dir.path().join("harness/tests/planted.rs"), &timed).unwrap();
    std::fs::write(
        src.join("lib.rs"),
        format!("fn run() {{ let _ = std::time::{}(); }}\n#[cfg(test)]\nmod tests {{\n{timed}}}\n", read(0)),
    )
    .unwrap();
    std::fs::write(dir.path().join(WATCHDOG), &timed).unwrap();
    let found: Vec<String> = timed_lines(dir.path()).into_iter().map(|(at, _)| at).collect();
    assert_eq!(
        found,
        [
            "harness/tests/planted.rs:1",
            "harness/tests/planted.rs:2",
            "scenarios/model/src/lib.rs:4",
            "scenarios/model/src/lib.rs:5"
        ]
    );
}
