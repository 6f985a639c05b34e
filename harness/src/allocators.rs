//! The allocator axis: one child executable per allocator beneath the meter.
//!
//! A global allocator is fixed when a program is linked, so `run --allocator jemalloc` cannot
//! switch the running binary's; it runs the plain and count passes in a sibling executable built
//! with that allocator (`spanalloc-jemalloc`, cargo feature `jemalloc`), built on demand by cargo
//! beside the running one, so the default build and run never pay for allocators not asked for.
//! The dhat pass and its twin count pass always run over the system allocator: dhat wraps it,
//! and sites and counts do not depend on the allocator.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The allocators `--allocator` knows, in table order.
pub const KNOWN: [&str; 3] = ["system", "jemalloc", "mimalloc"];

/// How a catalog's per-allocator executables are built: `cargo build -p PACKAGE --bin
/// PREFIX-ALLOCATOR --features ALLOCATOR`, from the package at `manifest_dir`.
#[derive(Debug, Clone, Copy)]
pub struct AllocatorBuild {
    /// The package whose binaries they are.
    pub package: &'static str,
    /// The binaries' common prefix (`spanalloc` → `spanalloc-jemalloc`).
    pub bin_prefix: &'static str,
    /// The package's directory (`env!("CARGO_MANIFEST_DIR")`).
    pub manifest_dir: &'static str,
}

/// Set (to anything) to use the allocator executables already beside this one, without cargo:
/// for an installed copy, or a test that cargo built them for.
pub const PREBUILT_ENV: &str = "SPANALLOC_PREBUILT_ALLOCATORS";

/// Checks a `--allocator` list: known names, each once, at least one.
pub fn parse_list(names: &[String]) -> Result<Vec<String>, String> {
    if names.is_empty() {
        return Err("--allocator needs at least one of system, jemalloc, mimalloc".into());
    }
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if !KNOWN.contains(&n.as_str()) {
            return Err(format!("unknown allocator '{n}' (known: {})", KNOWN.join(", ")));
        }
        if out.contains(n) {
            return Err(format!("--allocator names '{n}' twice"));
        }
        out.push(n.clone());
    }
    Ok(out)
}

/// The executable each of `wanted` runs in, building the missing ones (cargo's output goes to
/// stderr; it happens before anything is measured). `Err` is one line.
pub fn executables(build: Option<&AllocatorBuild>, wanted: &[String]) -> Result<Vec<(String, PathBuf)>, String> {
    let me = std::env::current_exe().map_err(|e| format!("cannot find this executable: {e}"))?;
    let mut out = Vec::new();
    for name in wanted {
        if name == crate::meter::inner_name() {
            out.push((name.clone(), me.clone()));
            continue;
        }
        let Some(build) = build else {
            return Err(format!(
                "--allocator {name}: this binary does not say how to build its allocator executables (Catalog::with_allocator_build)"
            ));
        };
        let exe = me.with_file_name(format!("{}-{name}", build.bin_prefix));
        if std::env::var_os(PREBUILT_ENV).is_none() {
            cargo_build(build, name, &me)?;
        }
        if !exe.is_file() {
            return Err(format!("--allocator {name}: {} was not built", exe.display()));
        }
        out.push((name.clone(), exe));
    }
    Ok(out)
}

/// `cargo build` of one allocator executable into the target directory and profile `me` lives
/// in, so it lands beside `me` and shares its compiled dependencies.
fn cargo_build(build: &AllocatorBuild, name: &str, me: &Path) -> Result<(), String> {
    let profile_dir = me.parent().ok_or("this executable has no directory")?;
    let target_dir = profile_dir.parent().ok_or("this executable is not in a cargo target directory")?;
    let profile = match profile_dir.file_name().and_then(|p| p.to_str()) {
        Some("debug") => "dev".to_owned(),
        Some(p) => p.to_owned(),
        None => return Err("this executable is not in a cargo target directory".into()),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let bin = format!("{}-{name}", build.bin_prefix);
    crate::console::tell!("spanalloc: building {bin} (cargo build --profile {profile} --features {name}) …");
    let status = Command::new(&cargo)
        .args(["build", "--quiet", "--profile", &profile, "-p", build.package, "--bin", &bin, "--features", name])
        .arg("--manifest-path")
        .arg(Path::new(build.manifest_dir).join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir)
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("--allocator {name}: cannot run cargo ({e}); build it with `cargo build --release -p {} --bin {bin} --features {name}`", build.package))?;
    if !status.success() {
        return Err(format!(
            "--allocator {name}: `cargo build -p {} --bin {bin} --features {name}` failed ({status})",
            build.package
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn lists_are_checked() {
        assert_eq!(parse_list(&list(&["system", "mimalloc"])).unwrap(), list(&["system", "mimalloc"]));
        assert_eq!(
            parse_list(&list(&["tcmalloc"])).unwrap_err(),
            "unknown allocator 'tcmalloc' (known: system, jemalloc, mimalloc)"
        );
        assert_eq!(parse_list(&list(&["system", "system"])).unwrap_err(), "--allocator names 'system' twice");
        assert!(parse_list(&[]).is_err());
    }

    #[test]
    fn this_executables_own_allocator_needs_no_build() {
        let exes = executables(None, &list(&["system"])).unwrap();
        assert_eq!(exes[0].1, std::env::current_exe().unwrap());
        assert!(executables(None, &list(&["jemalloc"])).unwrap_err().contains("Catalog::with_allocator_build"));
    }
}
