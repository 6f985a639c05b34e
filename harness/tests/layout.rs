//! The one-way layout (docs/layout.md) as scripts/check_layout.py checks it: this workspace
//! passes, and a copy with a crate that depends back, or a module that imports its importer,
//! fails naming the breach.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// `python3 scripts/check_layout.py DIR`: exit code and stdout.
fn check(dir: &Path) -> (Option<i32>, String) {
    let mut cmd = Command::new("python3");
    cmd.arg(root().join("scripts/check_layout.py")).arg(dir);
    let o = common::watchdog::output(&mut cmd, "check_layout.py");
    (o.status.code(), String::from_utf8_lossy(&o.stdout).into_owned())
}

/// Copies what the check reads — the manifests and the library sources — into `to`.
fn copy_layout(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        let (src, dst) = (entry.path(), to.join(&name));
        if entry.file_type().unwrap().is_dir() {
            if !["target", ".git", "fuzz", "docs", "reports"].contains(&name.as_str()) {
                std::fs::create_dir_all(&dst).unwrap();
                copy_layout(&src, &dst);
            }
        } else if name == "Cargo.toml" || name.ends_with(".rs") {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

fn planted(edit: impl FnOnce(&Path)) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    copy_layout(&root(), dir.path());
    assert_eq!(check(dir.path()).0, Some(0), "the copy passes before the plant");
    edit(dir.path());
    check(dir.path())
}

fn append(file: &Path, text: &str) {
    let mut s = std::fs::read_to_string(file).unwrap();
    s.push_str(text);
    std::fs::write(file, s).unwrap();
}

#[test]
fn the_workspace_flows_one_way() {
    let (code, out) = check(&root());
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("no module imports its importer"), "{out}");
}

#[test]
fn a_judge_that_depends_on_show_fails() {
    let (code, out) = planted(|d| {
        let manifest = d.join("harness/judge/Cargo.toml");
        let s = std::fs::read_to_string(&manifest).unwrap();
        let s = s.replace("[dependencies]\n", "[dependencies]\nspanalloc-show.workspace = true\n");
        std::fs::write(manifest, s).unwrap();
    });
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("spanalloc-judge depends on spanalloc-show, which it may not"), "{out}");
}

#[test]
fn a_section_builder_that_imports_the_page_fails() {
    let (code, out) = planted(|d| append(&d.join("harness/show/src/report/builder.rs"), "\nuse super::page::Page;\n"));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("spanalloc_show::report::builder → spanalloc_show::report::page"), "{out}");
}

#[test]
fn a_rule_that_imports_the_walk_over_rows_fails() {
    let (code, out) = planted(|d| append(&d.join("harness/judge/src/rules/exact.rs"), "\nuse crate::compare::Row;\n"));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("spanalloc_judge::rules::exact → spanalloc_judge::compare"), "{out}");
}
