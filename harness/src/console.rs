//! Writing to stdout and stderr without panicking. `println!` panics when stdout is a closed
//! pipe (`spanalloc compare … | head -1`) or a full disk (`spanalloc list >/dev/full`). Here a
//! closed pipe ends the output quietly and the command keeps the exit status its contract gives
//! (a regression still exits 1 after `head` has gone); any other failed write of stdout — a full
//! disk, an I/O error — is data lost, so [`stdout_failure`] reports it and the binary exits 2.

use std::fmt::Arguments;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

static STDOUT_GONE: AtomicBool = AtomicBool::new(false);
static STDERR_GONE: AtomicBool = AtomicBool::new(false);
/// The first failed write of stdout that was not a closed pipe.
static STDOUT_ERROR: Mutex<Option<String>> = Mutex::new(None);

fn write(gone: &AtomicBool, mut sink: impl Write, args: Arguments<'_>, newline: bool) -> Option<std::io::Error> {
    if gone.load(Ordering::Relaxed) {
        return None;
    }
    let written =
        sink.write_fmt(args).and_then(|()| if newline { sink.write_all(b"\n") } else { Ok(()) }).and_then(|()| sink.flush());
    match written {
        Ok(()) => None,
        Err(e) => {
            gone.store(true, Ordering::Relaxed);
            Some(e)
        }
    }
}

fn note_stdout(e: Option<std::io::Error>) {
    if let Some(e) = e.filter(|e| e.kind() != std::io::ErrorKind::BrokenPipe) {
        let mut slot = STDOUT_ERROR.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.get_or_insert_with(|| e.to_string());
    }
}

/// Why stdout lost data, if it did (a closed pipe is not a loss: the reader chose to stop).
pub fn stdout_failure() -> Option<String> {
    STDOUT_ERROR.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
}

/// Writes to stdout, and a newline.
pub fn out_line(args: Arguments<'_>) {
    note_stdout(write(&STDOUT_GONE, std::io::stdout().lock(), args, true));
}

/// Writes to stdout.
pub fn out(args: Arguments<'_>) {
    note_stdout(write(&STDOUT_GONE, std::io::stdout().lock(), args, false));
}

/// The name this binary's user calls it by, when it is not `spanalloc` (an outside crate's own
/// binary built on the extension point): its messages start with that name instead.
static TOOL: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Names the binary in its messages (`tool: …` where they say `spanalloc: …`).
pub fn set_tool(name: &str) {
    if name != "spanalloc" {
        let _ = TOOL.set(name.to_owned());
    }
}

/// Writes to stderr, and a newline.
pub fn err_line(args: Arguments<'_>) {
    if let Some(tool) = TOOL.get() {
        let text = args.to_string();
        if let Some(rest) = text.strip_prefix("spanalloc:") {
            let _ = write(&STDERR_GONE, std::io::stderr().lock(), format_args!("{tool}:{rest}"), true);
            return;
        }
    }
    let _ = write(&STDERR_GONE, std::io::stderr().lock(), args, true);
}

/// `println!` that never panics.
macro_rules! say {
    ($($t:tt)*) => { $crate::console::out_line(format_args!($($t)*)) };
}

/// `print!` that never panics.
macro_rules! say_raw {
    ($($t:tt)*) => { $crate::console::out(format_args!($($t)*)) };
}

/// `eprintln!` that never panics.
macro_rules! tell {
    ($($t:tt)*) => { $crate::console::err_line(format_args!($($t)*)) };
}

pub(crate) use {say, say_raw, tell};
