//! The outside pass's command: a child run under valgrind's DHAT, which counts the
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
