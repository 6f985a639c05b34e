//! Waiting for a quiesced pipeline to come to rest before the meter is read at a region's edge.
//!
//! `Pipeline::quiesce` returns once every span is exported, but the pipeline's threads may still
//! be finishing the quiesce itself. The SDK rows' quiesce is `force_flush`, which hands the batch
//! worker a reply channel (opentelemetry_sdk 0.33 `BatchSpanProcessor::force_flush`): the worker
//! sends the reply and only then drops its end, so the channel's 640 B box (plus a 96 B waker
//! entry) was freed by the worker after the meter's reading about half the time. Measured with
//! dhat on tracing-otel ts 32: the region kept 3 blocks / 768 B in 3 of 6 passes, none in the
//! others, and when the box left at the start edge outlived the reading the region freed it —
//! the "retained −768 B" of the issue. Reading the meter only once every other thread is blocked
//! closes that race: a thread that has blocked again after sending the reply has dropped its end.

use std::time::{Duration, Instant};

/// Makes the calling thread wait once on a std channel, so that std keeps its per-thread waiting
/// context (`std::sync::mpmc::context`, a 48 B `Arc`, made on a thread's first wait that has to
/// block and kept in a thread local for good) before the measured region rather than in it.
/// The thread that reads the region's edges also quiesces the pipeline, and the SDK rows'
/// quiesce waits on `force_flush`'s reply channel: when the batch worker had not replied yet —
/// under load, 2 of 4 runs of the meter tests — that first blocking wait made the context
/// inside the region, which then kept one 48 B block the spans never asked for.
///
/// The wait always blocks: the message comes from a helper thread only once this thread is seen
/// asleep in it. A 1 ms `recv_timeout`, as before, gave up while still spinning when the process
/// ran slowly (under valgrind's DHAT: `spanalloc verify` saw the context's 3 blocks in one process
/// and not in the next), which made what a process allocates outside the region vary.
pub fn prime_channel_wait() {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    // SAFETY: gettid has no preconditions.
    let waiter = unsafe { libc::gettid() } as u64;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            // Bounded: without /proc, or a thread that never sleeps, it sends after a second.
            let deadline = Instant::now() + Duration::from_secs(1);
            while state(waiter) != Some(b'S') && Instant::now() < deadline {
                std::thread::sleep(POLL);
            }
            let _ = tx.send(());
        });
        let _ = rx.recv();
    });
}

/// Consecutive observations of every other thread blocked that count as "at rest": a thread
/// woken between two reads shows as running in one of them.
const AT_REST_READS: u32 = 2;
const POLL: Duration = Duration::from_micros(200);

/// Waits, for at most `limit`, until every thread of this process other than the caller is
/// blocked or sleeping (not `R` in /proc/self/task/*/stat) in [`AT_REST_READS`] reads in a row.
/// Returns whether it saw that. Allocates nothing through Rust's allocator, so a count pass
/// can call it inside its measured region (libc's own directory buffers are not metered).
pub fn others_at_rest(limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    let mut quiet = 0;
    loop {
        match others_running() {
            Some(false) => quiet += 1,
            Some(true) => quiet = 0,
            // No /proc: nothing to wait on, as before.
            None => return false,
        }
        if quiet >= AT_REST_READS {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(POLL);
    }
}

/// Whether any other thread of this process is running or runnable; `None` without /proc.
/// The directory is read with `getdents64` into a buffer on the stack: libc's `opendir` mallocs
/// its buffer, which the meter never sees but valgrind's DHAT does, once per poll — a number of
/// blocks that followed the threads' timing in `spanalloc verify`'s figures.
fn others_running() -> Option<bool> {
    // SAFETY: gettid has no preconditions.
    let me = unsafe { libc::gettid() } as u64;
    // SAFETY: a NUL-terminated literal path; the descriptor is closed below on every path.
    let fd = unsafe { libc::open(c"/proc/self/task".as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC) };
    if fd < 0 {
        return None;
    }
    let mut buf = [0u8; 4096];
    let mut running = false;
    'read: loop {
        // SAFETY: getdents64 writes at most buf.len() bytes into a buffer this frame owns.
        let n = unsafe { libc::syscall(libc::SYS_getdents64, fd, buf.as_mut_ptr(), buf.len()) };
        let Ok(n) = usize::try_from(n) else { break };
        if n == 0 {
            break;
        }
        for name in dirent_names(&buf[..n]) {
            if parse_u64(name).is_some_and(|tid| tid != me && state(tid) == Some(b'R')) {
                running = true;
                break 'read;
            }
        }
    }
    // SAFETY: `fd` was opened above and is closed once.
    unsafe { libc::close(fd) };
    Some(running)
}

/// The names of the `linux_dirent64` records in `buf`: each is d_ino (8 bytes), d_off (8),
/// d_reclen (2), d_type (1), then the NUL-terminated name, `d_reclen` bytes in all.
fn dirent_names(buf: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let len = usize::from(u16::from_ne_bytes(buf.get(at + 16..at + 18)?.try_into().ok()?));
        let record = buf.get(at..at + len).filter(|_| len > 19)?;
        at += len;
        let name = &record[19..];
        Some(&name[..name.iter().position(|&b| b == 0).unwrap_or(name.len())])
    })
}

/// The state letter of thread `tid` from its stat line; `None` if it has ended.
fn state(tid: u64) -> Option<u8> {
    let mut path = [0u8; 64];
    let len = stat_path(tid, &mut path);
    path[len] = 0;
    // SAFETY: `path` is NUL-terminated above; the descriptor is closed below.
    let fd = unsafe { libc::open(path.as_ptr().cast(), libc::O_RDONLY | libc::O_CLOEXEC) };
    if fd < 0 {
        return None;
    }
    let mut buf = [0u8; 512];
    // SAFETY: reads at most buf.len() bytes into a buffer this frame owns.
    let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
    // SAFETY: `fd` was opened above and is closed once.
    unsafe { libc::close(fd) };
    state_letter(buf.get(..usize::try_from(n).ok()?)?)
}

/// `/proc/self/task/TID/stat` into `buf`, without allocating; returns its length.
fn stat_path(tid: u64, buf: &mut [u8; 64]) -> usize {
    const HEAD: &[u8] = b"/proc/self/task/";
    const TAIL: &[u8] = b"/stat";
    buf[..HEAD.len()].copy_from_slice(HEAD);
    let at = HEAD.len() + crate::sys::write_decimal(tid, &mut buf[HEAD.len()..]);
    buf[at..at + TAIL.len()].copy_from_slice(TAIL);
    at + TAIL.len()
}

/// The state field of a stat line: the first letter after the last `)` (a thread's name, in
/// parentheses before it, may itself hold `)` or spaces).
fn state_letter(stat: &[u8]) -> Option<u8> {
    let close = stat.iter().rposition(|&b| b == b')')?;
    stat.get(close + 1..)?.iter().copied().find(|b| !b.is_ascii_whitespace())
}

fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter().try_fold(0u64, |n, d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_state_after_a_name_with_parentheses() {
        assert_eq!(state_letter(b"4242 (a) b) c) S 1 2 3"), Some(b'S'));
        assert_eq!(state_letter(b"4242 (worker) R 1"), Some(b'R'));
        assert_eq!(state_letter(b"4242 (cut"), None);
        let mut buf = [0u8; 64];
        let n = stat_path(1234567, &mut buf);
        assert_eq!(&buf[..n], b"/proc/self/task/1234567/stat");
        assert_eq!(parse_u64(b"."), None);
        assert_eq!(parse_u64(b"17"), Some(17));
    }

    #[test]
    fn reads_the_names_of_directory_records() {
        let record = |name: &[u8]| {
            let len = (19 + name.len() + 1).div_ceil(8) * 8;
            let mut r = vec![0u8; len];
            r[16..18].copy_from_slice(&(len as u16).to_ne_bytes());
            r[19..19 + name.len()].copy_from_slice(name);
            r
        };
        let buf = [record(b"."), record(b".."), record(b"4242")].concat();
        assert_eq!(dirent_names(&buf).collect::<Vec<_>>(), vec![&b"."[..], b"..", b"4242"]);
        // A record cut short ends the walk, never reads past the buffer.
        assert_eq!(dirent_names(&buf[..buf.len() - 3]).count(), 2);
        assert!(others_running().is_some(), "this test runs where /proc is");
    }
}
