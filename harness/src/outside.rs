//! The outside pass's command and reading: a child run under valgrind's DHAT, which counts the
//! heap blocks of the whole process through malloc itself, never through the meter
//! ([`crate::verify`]).

use std::path::Path;
use std::process::Command;

/// What verify says when valgrind is missing: it installs nothing itself.
pub fn check_valgrind() -> Result<String, String> {
    crate::instructions::valgrind_version(
        "verify needs valgrind on PATH: run scripts/install-valgrind.sh (Debian: apt-get install valgrind)",
    )
}

/// `valgrind --tool=dhat` over `exe`, its profile written to `profile`.
pub fn command(exe: &Path, profile: &Path) -> Command {
    let mut cmd = Command::new(crate::instructions::VALGRIND);
    // Fair scheduling: valgrind runs one thread at a time, and by default lets a producer fill a
    // bounded queue before the thread that drains it is scheduled.
    cmd.arg("--tool=dhat").arg("--fair-sched=yes").arg(format!("--dhat-out-file={}", profile.display())).arg(exe);
    cmd
}

/// The total heap blocks of a DHAT profile: every program point's `tbk`. valgrind's DHAT and
/// dhat-rs write the same format.
pub fn total_blocks(profile: &Path) -> Result<u64, String> {
    #[derive(serde::Deserialize)]
    struct Profile {
        pps: Vec<Point>,
    }
    #[derive(serde::Deserialize)]
    struct Point {
        tbk: u64,
    }
    let text = std::fs::read_to_string(profile).map_err(|e| format!("DHAT wrote no profile at {}: {e}", profile.display()))?;
    let p: Profile = serde_json::from_str(&text).map_err(|e| format!("{} is not a DHAT profile: {e}", profile.display()))?;
    Ok(p.pps.iter().map(|p| p.tbk).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_is_every_points_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("dhat.out");
        std::fs::write(&f, r#"{"dhatFileVersion":2,"mode":"heap","pps":[{"tb":10,"tbk":3,"fs":[1]},{"tb":5,"tbk":4,"fs":[2]}],"ftbl":["[root]"]}"#)
            .unwrap();
        assert_eq!(total_blocks(&f), Ok(7));
        std::fs::write(&f, "not json").unwrap();
        assert!(total_blocks(&f).unwrap_err().contains("is not a DHAT profile"));
        assert!(total_blocks(&dir.path().join("none")).unwrap_err().contains("DHAT wrote no profile"));
    }
}
