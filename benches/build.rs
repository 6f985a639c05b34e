//! Decides whether the iai-callgrind bench can run: it needs `iai-callgrind-runner` at exactly
//! the library's version (0.16.1) and valgrind. Without them `cargo bench` still runs every
//! criterion bench, and the iai bench says in one line how to get its runner.
use std::process::Command;

const RUNNER_VERSION: &str = "0.16.1";

/// What `program --version` prints, on either stream: the runner, asked alone, answers with an
/// error that names its version ("iai-callgrind-runner (0.16.1) is >= …") and exits 1.
fn version_of(program: &str) -> Option<String> {
    let out = Command::new(program).arg("--version").output().ok()?;
    Some(format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn main() {
    println!("cargo::rustc-check-cfg=cfg(iai_runner)");
    println!("cargo:rerun-if-env-changed=PATH");
    println!("cargo:rerun-if-env-changed=IAI_CALLGRIND_RUNNER");
    // `cargo install` puts the runner here: look again when it changes.
    let cargo_home = std::env::var("CARGO_HOME").ok().or_else(|| std::env::var("HOME").ok().map(|h| format!("{h}/.cargo")));
    if let Some(home) = cargo_home {
        println!("cargo:rerun-if-changed={home}/bin");
    }
    let runner = std::env::var("IAI_CALLGRIND_RUNNER").unwrap_or_else(|_| "iai-callgrind-runner".into());
    let runner_ok = version_of(&runner)
        .is_some_and(|v| v.split(|c: char| c.is_whitespace() || c == '(' || c == ')').any(|w| w == RUNNER_VERSION));
    let valgrind_ok = version_of("valgrind").is_some();
    if runner_ok && valgrind_ok {
        println!("cargo:rustc-cfg=iai_runner");
    }
}
