//! Writes that must never be seen half-done, lost, or left behind — nor land outside the folder
//! they were asked for.
//!
//! **One lock per folder.** Every write takes an advisory lock on the folder's `.spanalloc-lock`
//! (opened without following a symlink), held while the file is read and rewritten, so two
//! processes appending to one history lose nothing. A `spanalloc run` holds its output folder's
//! lock for its whole duration ([`hold_folder`]): a second run into the same folder is refused
//! before it measures anything, and the run's own writes go through the lock it holds. That one
//! lock file stays in each folder written to (removing it could let two writers lock two files).
//!
//! **Atomic.** New contents go to a temporary beside the target (`.NAME.<pid>.<random>.spanalloc-tmp`),
//! are flushed, renamed over the target, and the directory is flushed: readers see the old file or
//! the new one. A temporary left by a killed write is swept by the next write of the same file —
//! only that file's, and only when the process that made it is gone.
//!
//! **Where.** A path the user named (`--file`, a baseline's name in `--dir`) is written through a
//! symlink, its target replaced. A file the tool finds inside an output folder ([`write_output`])
//! is not: a symlink there whose target leaves the folder is refused, never followed.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The suffix of temporary files.
pub const TEMP_SUFFIX: &str = ".spanalloc-tmp";
/// The name of a folder's lock file.
pub const LOCK_FILE: &str = ".spanalloc-lock";

/// Folders whose lock this process holds ([`hold_folder`]), by canonical path, with how many
/// holders: writes into them need not (and must not) lock again.
static HELD: Mutex<BTreeMap<PathBuf, usize>> = Mutex::new(BTreeMap::new());

/// An exclusive lock on a file's writes, released when dropped.
pub struct Locked {
    target: PathBuf,
    _lock: Option<File>,
}

/// The file a write of `path` replaces: `path` itself, or what it links to.
fn real_target(path: &Path) -> std::io::Result<PathBuf> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path).map_err(|e| {
            std::io::Error::new(e.kind(), format!("{} is a symlink whose target cannot be resolved: {e}", path.display()))
        }),
        _ => Ok(path.to_path_buf()),
    }
}

fn dir_and_name(target: &Path) -> (PathBuf, String) {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    (dir, name)
}

/// Opens `dir`'s lock file without following a symlink in its place.
fn open_lock(dir: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let file = dir.join(LOCK_FILE);
    options.open(&file).map_err(|e| {
        if std::fs::symlink_metadata(&file).is_ok_and(|m| m.file_type().is_symlink()) {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{} is a symlink: not followed", file.display()))
        } else {
            e
        }
    })
}

fn held(dir: &Path) -> bool {
    let Ok(canonical) = std::fs::canonicalize(dir) else { return false };
    HELD.lock().unwrap_or_else(std::sync::PoisonError::into_inner).contains_key(&canonical)
}

/// Takes the lock on writes of `path` (through a symlink: of its target's folder), waiting for
/// another process that holds it.
pub fn lock(path: &Path) -> std::io::Result<Locked> {
    let target = real_target(path)?;
    let (dir, _) = dir_and_name(&target);
    if held(&dir) {
        return Ok(Locked { target, _lock: None });
    }
    let lock_file = open_lock(&dir)?;
    lock_file.lock()?;
    Ok(Locked { target, _lock: Some(lock_file) })
}

/// This process's hold on a folder's lock, released when dropped.
pub struct FolderGuard {
    canonical: PathBuf,
    _lock: File,
}

impl Drop for FolderGuard {
    fn drop(&mut self) {
        let mut held = HELD.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = held.get_mut(&self.canonical) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.canonical);
            }
        }
    }
}

/// Takes `dir`'s lock for as long as the guard lives, without waiting: `Err` says another
/// process holds it (another run writing there, or a report, baseline or history write). The
/// folder must exist.
pub fn hold_folder(dir: &Path) -> std::io::Result<FolderGuard> {
    let canonical = std::fs::canonicalize(dir)?;
    let lock_file = open_lock(&canonical)?;
    match lock_file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::WouldBlock,
                format!(
                    "another spanalloc process is writing in {} (it holds {}): not started",
                    dir.display(),
                    canonical.join(LOCK_FILE).display()
                ),
            ))
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(e),
    }
    *HELD.lock().unwrap_or_else(std::sync::PoisonError::into_inner).entry(canonical.clone()).or_insert(0) += 1;
    Ok(FolderGuard { canonical, _lock: lock_file })
}

impl Locked {
    /// The file the lock covers (a symlink's target).
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Replaces the file with `bytes`, atomically.
    pub fn write(&self, bytes: &[u8]) -> std::io::Result<()> {
        let (dir, name) = dir_and_name(&self.target);
        sweep(&dir, &name);
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}.{}.", std::process::id()))
            .suffix(TEMP_SUFFIX)
            .rand_bytes(8)
            .tempfile_in(&dir)?;
        // A temporary file is private (0600); the file it becomes keeps the permissions of the one
        // it replaces, or gets the usual 0644 — baselines and history are shared.
        let permissions = match std::fs::metadata(&self.target) {
            Ok(m) => m.permissions(),
            Err(_) => default_permissions(),
        };
        tmp.as_file().set_permissions(permissions)?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist(&self.target).map_err(|e| e.error)?;
        // The rename itself lives in the directory: flush it too, or a crash can forget it.
        File::open(&dir)?.sync_all()?;
        Ok(())
    }
}

/// Whether process `pid` is alive (on Linux, its /proc entry; elsewhere, assumed so).
fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// The pid a temporary of `name` carries (`.NAME.<pid>.<random>.spanalloc-tmp`), if `file` is one:
/// a temporary of another file whose name begins like this one's (`a.json.b` beside `a.json`)
/// is not.
fn temporary_of(file: &str, name: &str) -> Option<u32> {
    let rest = file.strip_prefix(&format!(".{name}."))?.strip_suffix(TEMP_SUFFIX)?;
    let (pid, random) = rest.split_once('.')?;
    (!random.contains('.') && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())).then(|| pid.parse().ok()).flatten()
}

/// Removes temporaries a killed write of `name` left in `dir`: that file's only, and only those of
/// a process that is gone (another writer's temporary may be in flight). The caller holds the lock.
fn sweep(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let file = e.file_name();
        let file = file.to_string_lossy();
        if let Some(pid) = temporary_of(&file, name) {
            if pid != std::process::id() && !alive(pid) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Writes `bytes` to `path` atomically under its lock: readers see the old file or the new one,
/// never a mix, and a failure leaves the old file as it was. A symlink at `path` is written
/// through: `path` is one the user named.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    lock(path)?.write(bytes)
}

/// Writes `bytes` to `relative` inside the output folder `dir`, atomically, as [`write_atomic`]
/// — except that a symlink found at that path whose target leaves `dir` is refused, never
/// followed: an output folder (the default `reports/latest/` is inside the repository) must not
/// be a way to overwrite what a committed link names.
pub fn write_output(dir: &Path, relative: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let path = dir.join(relative);
    refuse_escaping_link(dir, &path)?;
    write_atomic(&path, bytes)?;
    Ok(path)
}

/// `Err` when `path`, inside `dir`, or any folder between `dir` and it (a `dhat/` made a link),
/// is a symlink whose target leaves `dir`.
pub fn refuse_escaping_link(dir: &Path, path: &Path) -> std::io::Result<()> {
    let below = path.strip_prefix(dir).unwrap_or(path);
    let mut at = dir.to_path_buf();
    for part in below.components() {
        at.push(part);
        if !std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            continue;
        }
        let inside = match (std::fs::canonicalize(&at), std::fs::canonicalize(dir)) {
            (Ok(target), Ok(root)) => target.starts_with(&root),
            _ => false,
        };
        if !inside {
            let to = std::fs::read_link(&at).map(|t| t.display().to_string()).unwrap_or_default();
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{} is a symlink to {to}, outside the output folder: not followed", at.display()),
            ));
        }
    }
    Ok(())
}

/// Moves `from` (a temporary this process wrote beside the target) to `relative` inside the
/// output folder `dir`, under the same rules as [`write_output`]: a symlink there that leaves the
/// folder is refused, a directory in the file's place is an error (the rename fails). The
/// directory is flushed after the rename.
pub fn move_into_output(dir: &Path, relative: &Path, from: &Path) -> std::io::Result<PathBuf> {
    let path = dir.join(relative);
    refuse_escaping_link(dir, &path)?;
    let _lock = lock(&path)?;
    std::fs::rename(from, &path)?;
    let (parent, _) = dir_and_name(&path);
    File::open(&parent)?.sync_all()?;
    Ok(path)
}

/// The name of a temporary for `relative` inside `dir`, made by this process (so the next write
/// of that file sweeps it if the process dies first).
pub fn temporary_for(dir: &Path, relative: &Path) -> PathBuf {
    let path = dir.join(relative);
    let (parent, name) = dir_and_name(&path);
    let random: u64 = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    parent.join(format!(".{name}.{}.{random:x}{TEMP_SUFFIX}", std::process::id()))
}

/// A probe that `dir` takes new files, removed at once: named after this process, so a probe left
/// by a killed run is swept by the next ([`sweep_probes`]).
pub fn probe_writable(dir: &Path) -> std::io::Result<()> {
    sweep_probes(dir);
    tempfile::Builder::new().prefix(&format!(".spanalloc-probe.{}.", std::process::id())).rand_bytes(8).tempfile_in(dir).map(drop)
}

/// Removes probes of processes that are gone.
fn sweep_probes(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let file = e.file_name();
        let pid = file
            .to_str()
            .and_then(|f| f.strip_prefix(".spanalloc-probe."))
            .and_then(|r| r.split_once('.'))
            .and_then(|(p, _)| p.parse::<u32>().ok());
        if pid.is_some_and(|p| !alive(p)) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// The largest results or baseline file read: well above the largest real one (a baseline with
/// every row, allocator and Go row is about 10 MB; the committed nightly is under 1 MB).
pub const CAP_RESULTS: u64 = 32 * 1024 * 1024;
/// The largest thresholds file read.
pub const CAP_THRESHOLDS: u64 = 1024 * 1024;
/// The largest history file read (a year of nightly lines is a few MB).
pub const CAP_HISTORY: u64 = 256 * 1024 * 1024;

/// Reads `path` if it is a regular file (through a symlink) of at most `cap` bytes: a FIFO, a
/// device or a directory is refused at once (a FIFO would hang the reader), and so is a file
/// larger than any real input, before it is read.
pub fn read_regular(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    let kind = meta.file_type();
    if !kind.is_file() {
        let what = if kind.is_dir() { "a directory" } else { "not a regular file (a FIFO, socket or device)" };
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("is {what}")));
    }
    if meta.len() > cap {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("is {} bytes, larger than any file of its kind (at most {cap})", meta.len()),
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // A file that grows after the check is still read no further than the cap.
    File::open(path)?.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("grew beyond {cap} bytes while read")));
    }
    Ok(bytes)
}

/// [`read_regular`], as UTF-8 text.
pub fn read_regular_text(path: &Path, cap: u64) -> std::io::Result<String> {
    String::from_utf8(read_regular(path, cap)?)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "is not UTF-8 text"))
}

#[cfg(unix)]
fn default_permissions() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o644)
}

#[cfg(not(unix))]
fn default_permissions() -> std::fs::Permissions {
    tempfile::tempfile().and_then(|f| f.metadata()).map(|m| m.permissions()).expect("a temporary file")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_whole_and_leaves_only_its_lock() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.json");
        write_atomic(&f, b"first").unwrap();
        write_atomic(&f, b"second").unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"second");
        assert_eq!(names(dir.path()), [".spanalloc-lock", "a.json"], "one lock file per folder");
    }

    /// A pid no process has: above Linux's largest (`pid_max` is at most 2^22).
    const GONE: u32 = 4_194_305;

    #[test]
    fn a_killed_writes_temporary_is_swept_by_the_next_write() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("h.jsonl");
        let left = dir.path().join(format!(".h.jsonl.{GONE}.abc123.spanalloc-tmp"));
        std::fs::write(&left, "half").unwrap();
        let other = dir.path().join(format!(".other.json.{GONE}.abc.spanalloc-tmp"));
        std::fs::write(&other, "another file's").unwrap();
        // A temporary of `h.jsonl.b`, whose name begins like h.jsonl's: not this write's.
        let longer = dir.path().join(format!(".h.jsonl.b.{GONE}.abc.spanalloc-tmp"));
        std::fs::write(&longer, "h.jsonl.b's").unwrap();
        // A live writer's temporary (this process stands in for it): in flight, kept.
        let live = dir.path().join(format!(".h.jsonl.{}.inflight.spanalloc-tmp", std::os::unix::process::parent_id()));
        std::fs::write(&live, "in flight").unwrap();
        write_atomic(&f, b"whole").unwrap();
        assert!(!left.exists(), "swept");
        assert!(other.exists() && longer.exists(), "another file's temporary is not this write's to sweep");
        assert!(live.exists(), "a live process's temporary is not swept");
    }

    #[test]
    fn a_second_holder_of_a_folder_is_refused_and_the_holder_writes_through_its_hold() {
        let dir = tempfile::tempdir().unwrap();
        let guard = hold_folder(dir.path()).unwrap();
        // This process writes through its own hold (it would deadlock locking again).
        write_atomic(&dir.path().join("results.json"), b"{}").unwrap();
        // Another process holding the lock: stood for by a second open file description.
        drop(guard);
        let other = open_lock(dir.path()).unwrap();
        other.lock().unwrap();
        let refused = hold_folder(dir.path()).err().expect("refused while another holds it");
        assert!(refused.to_string().contains("another spanalloc process is writing in"), "{refused}");
        drop(other);
        assert!(hold_folder(dir.path()).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn an_output_folders_symlink_that_leaves_it_is_refused_and_a_lock_link_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        std::os::unix::fs::symlink(&victim, out.join("index.html")).unwrap();
        let e = write_output(&out, Path::new("index.html"), b"<html>").unwrap_err();
        assert!(e.to_string().contains("outside the output folder: not followed"), "{e}");
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        // A link that stays inside the folder is followed.
        std::fs::write(out.join("real.svg"), "old").unwrap();
        std::os::unix::fs::symlink("real.svg", out.join("chart.svg")).unwrap();
        write_output(&out, Path::new("chart.svg"), b"new").unwrap();
        assert_eq!(std::fs::read(out.join("real.svg")).unwrap(), b"new");
        // A symlinked lock file makes nothing at its target.
        let elsewhere = dir.path().join("lock-target");
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        std::os::unix::fs::symlink(&elsewhere, sub.join(LOCK_FILE)).unwrap();
        let e = write_atomic(&sub.join("a.json"), b"x").unwrap_err();
        assert!(e.to_string().contains("is a symlink: not followed"), "{e}");
        assert!(!elsewhere.exists());
    }

    #[test]
    fn regular_files_only_and_within_their_cap() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_regular(dir.path(), 10).unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; 11]).unwrap();
        assert!(read_regular(&big, 10).unwrap_err().to_string().contains("larger than any file of its kind"));
        assert_eq!(read_regular(&big, 11).unwrap().len(), 11);
        #[cfg(unix)]
        {
            let fifo = dir.path().join("fifo");
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            // SAFETY: mkfifo reads a NUL-terminated path that lives for the call.
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            let e = read_regular(&fifo, 10).unwrap_err();
            assert!(e.to_string().contains("not a regular file"), "refused at once, not read: {e}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn writes_through_a_symlink_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.jsonl");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.jsonl");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        let dangling = dir.path().join("dangling.json");
        std::os::unix::fs::symlink(dir.path().join("nowhere/x.json"), &dangling).unwrap();
        assert!(write_atomic(&dangling, b"x").unwrap_err().to_string().contains("symlink"));
    }

    #[cfg(unix)]
    #[test]
    fn new_files_are_readable_by_all_and_replaced_ones_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.json");
        write_atomic(&f, b"1").unwrap();
        assert_eq!(std::fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o644);
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&f, b"2").unwrap();
        assert_eq!(std::fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o640);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.json");
        write_atomic(&f, b"old").unwrap();
        // A directory in the file's place cannot be replaced by a file.
        let blocked = dir.path().join("sub");
        std::fs::create_dir(&blocked).unwrap();
        assert!(write_atomic(&blocked, b"new").is_err());
        assert_eq!(std::fs::read(&f).unwrap(), b"old");
    }
}
