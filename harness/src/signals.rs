//! A run's children never outlive it. Each child is started with `PR_SET_PDEATHSIG` (SIGKILL
//! when the thread that spawned it exits — `run` spawns every pass from its main thread, which
//! lives as long as the run), set between fork and exec and followed by a check that the parent
//! has not already gone. And SIGINT, SIGTERM and SIGHUP to `run` are passed on to the running
//! child before `run` itself ends with the same signal, so the child can stop cleanly first.

use std::process::Command;
use std::sync::atomic::{AtomicI32, Ordering};

/// The child a signal is passed on to; 0 for none.
static CHILD: AtomicI32 = AtomicI32::new(0);

extern "C" fn forward(signal: libc::c_int) {
    let child = CHILD.load(Ordering::SeqCst);
    // SAFETY: kill, signal and raise are async-signal-safe; `child` is a pid this process
    // started (or 0, skipped), and SIG_DFL then raise ends this process with the same signal.
    unsafe {
        if child > 0 {
            libc::kill(child, signal);
        }
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

/// Passes SIGINT, SIGTERM and SIGHUP on to the running child from now on.
pub fn forward_to_children() {
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: `forward` is an `extern "C" fn(c_int)` that only calls async-signal-safe
        // functions and reads an atomic; installing it replaces the default disposition.
        unsafe {
            libc::signal(signal, forward as *const () as libc::sighandler_t);
        }
    }
}

/// Records `pid` as the running child (0: none).
pub fn set_child(pid: u32) {
    CHILD.store(pid as i32, Ordering::SeqCst);
}

/// Makes the child `cmd` starts die with this process.
pub fn die_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: the closure runs in the forked child before exec and calls only prctl, getppid
    // and errno reads, which are async-signal-safe; it allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died before prctl took effect: then no signal will come.
            if libc::getppid() != parent {
                return Err(std::io::Error::other("the parent exited before the child started"));
            }
            Ok(())
        });
    }
}
