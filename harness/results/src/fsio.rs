//! Writes that must never be seen half-done, lost, or left behind.
//!
//! Every write of a file goes through [`lock`]: an advisory lock on a sibling lock file
//! (`.NAME.spanalloc-lock`), held while the file is read and rewritten, so two processes
//! appending to one history lose nothing. The new contents go to a temporary file beside the
//! target (`.NAME.<random>.spanalloc-tmp`: recognisable, ignored by git), are flushed, renamed
//! over the target, and the directory is flushed: readers see the old file or the new one. A
//! temporary left by a killed write is swept by the next write of the same file (under the
//! lock, so it cannot be another writer's). A target that is a symlink is written through: the
//! file it points to is replaced, the link stays.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The suffix of temporary files.
pub const TEMP_SUFFIX: &str = ".spanalloc-tmp";
/// The suffix of lock files.
pub const LOCK_SUFFIX: &str = ".spanalloc-lock";

/// An exclusive lock on a file's writes, released when dropped.
pub struct Locked {
    target: PathBuf,
    _lock: File,
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

/// Takes the lock on writes of `path` (through a symlink: of its target), waiting for another
/// process that holds it.
pub fn lock(path: &Path) -> std::io::Result<Locked> {
    let target = real_target(path)?;
    let (dir, name) = dir_and_name(&target);
    let lock_file =
        OpenOptions::new().create(true).truncate(false).write(true).open(dir.join(format!(".{name}{LOCK_SUFFIX}")))?;
    lock_file.lock()?;
    Ok(Locked { target, _lock: lock_file })
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
        let mut tmp = tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(TEMP_SUFFIX).tempfile_in(&dir)?;
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

/// Removes temporaries a killed write of `name` left in `dir`. The caller holds the lock.
fn sweep(dir: &Path, name: &str) {
    let prefix = format!(".{name}.");
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let file = e.file_name();
        let file = file.to_string_lossy();
        if file.starts_with(&prefix) && file.ends_with(TEMP_SUFFIX) {
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

/// Writes `bytes` to `path` atomically under its lock: readers see the old file or the new one,
/// never a mix, and a failure leaves the old file as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    lock(path)?.write(bytes)
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
        assert_eq!(names(dir.path()), [".a.json.spanalloc-lock", "a.json"]);
    }

    #[test]
    fn a_killed_writes_temporary_is_swept_by_the_next_write() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("h.jsonl");
        let left = dir.path().join(".h.jsonl.abc123.spanalloc-tmp");
        std::fs::write(&left, "half").unwrap();
        let other = dir.path().join(".other.json.abc.spanalloc-tmp");
        std::fs::write(&other, "another file's").unwrap();
        write_atomic(&f, b"whole").unwrap();
        assert!(!left.exists(), "swept");
        assert!(other.exists(), "another file's temporary is not this write's to sweep");
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
