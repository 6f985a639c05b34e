//! Writing to stdout and stderr without panicking. `println!` panics when stdout is a closed
//! pipe (`spanalloc compare … | head -1`) or a full disk (`spanalloc list >/dev/full`); here a
//! failed write ends the output quietly and the command keeps the exit status its contract
//! gives (a regression still exits 1 after `head` has gone).

use std::fmt::Arguments;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_GONE: AtomicBool = AtomicBool::new(false);
static STDERR_GONE: AtomicBool = AtomicBool::new(false);

fn write(gone: &AtomicBool, mut sink: impl Write, args: Arguments<'_>, newline: bool) {
    if gone.load(Ordering::Relaxed) {
        return;
    }
    let written =
        sink.write_fmt(args).and_then(|()| if newline { sink.write_all(b"\n") } else { Ok(()) }).and_then(|()| sink.flush());
    if written.is_err() {
        gone.store(true, Ordering::Relaxed);
    }
}

/// Writes to stdout, and a newline.
pub fn out_line(args: Arguments<'_>) {
    write(&STDOUT_GONE, std::io::stdout().lock(), args, true);
}

/// Writes to stdout.
pub fn out(args: Arguments<'_>) {
    write(&STDOUT_GONE, std::io::stdout().lock(), args, false);
}

/// Writes to stderr, and a newline.
pub fn err_line(args: Arguments<'_>) {
    write(&STDERR_GONE, std::io::stderr().lock(), args, true);
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
