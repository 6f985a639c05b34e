//! Saved baselines: results files under `reports/baselines/`, written atomically.

use std::path::{Path, PathBuf};

use crate::input::{load_results, read_results, InputError};

/// Where baselines live unless told otherwise.
pub const DEFAULT_DIR: &str = "reports/baselines";

/// A baseline's name without a `.json` a user may have typed: `save x.json` and `compare x.json`
/// mean the baseline `x`, stored as `x.json`.
pub fn stem(name: &str) -> &str {
    name.strip_suffix(".json").unwrap_or(name)
}

/// Checks a baseline name (with or without `.json`): a file name, not a path.
pub fn check_name(name: &str) -> Result<(), String> {
    let name = stem(name);
    let ok = !name.is_empty()
        && name.len() <= 100
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!("baseline name {name:?} must be letters, digits, '.', '_' or '-', starting with a letter or digit"))
    }
}

/// The file of baseline `name_or_path`: a path when it has a `/` (or is not UTF-8); otherwise the
/// saved baseline `dir/NAME.json` when there is one (`x` and `x.json` both name it), else a file
/// of that name here, else `dir/NAME.json` (which then reports itself missing). A name that is
/// both a saved baseline and a file here is ambiguous, and refused: `./NAME` names the file.
pub fn resolve(name_or_path: &Path, dir: &Path) -> Result<PathBuf, String> {
    let Some(name) = name_or_path.to_str().filter(|n| !n.contains('/')) else {
        return Ok(name_or_path.to_path_buf());
    };
    let saved = dir.join(format!("{}.json", stem(name)));
    let here = name_or_path.exists();
    match (saved.exists(), here) {
        (true, true) if std::fs::canonicalize(&saved).ok() != std::fs::canonicalize(name_or_path).ok() => Err(format!(
            "'{name}' names both the saved baseline {} and the file ./{name}: write ./{name} for the file, or the name without .json for the baseline",
            saved.display()
        )),
        (true, _) | (false, false) => Ok(saved),
        (false, true) => Ok(name_or_path.to_path_buf()),
    }
}

/// How a save treats what it writes over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SaveOptions {
    /// Save a run with failures, marked (`saved_with_failures`).
    pub allow_failures: bool,
    /// Replace a baseline of the same name; without it an existing one is kept and the save
    /// refused, naming the file.
    pub force: bool,
}

/// Saves the results in `from` as baseline `name` in `dir`; returns the file written.
/// Nothing is written unless `from` is a valid results file of a run without failures: a failed
/// run is not a clean baseline. With `allow_failures` it is saved all the same, marked
/// (`saved_with_failures`), and every comparison against it says so. An existing baseline of
/// that name is replaced only with `force` (checked under the file's lock, so two saves cannot
/// both believe the name was free).
pub fn save(name: &str, from: &Path, dir: &Path, options: SaveOptions) -> Result<PathBuf, InputError> {
    let SaveOptions { allow_failures, force } = options;
    check_name(name).map_err(|e| InputError::new(dir, e))?;
    let (results, mut bytes) = read_results(from)?;
    if let Some(first) = results.failures.first() {
        if !allow_failures {
            return Err(InputError::new(
                from,
                format!(
                    "the run has {} failure(s) (first: {}): not saved as a baseline (--allow-failures saves it, marked)",
                    results.failures.len(),
                    first.line()
                ),
            ));
        }
        let marked = crate::schema::Results { saved_with_failures: true, ..results };
        bytes = serde_json::to_vec_pretty(&marked).map_err(|e| InputError::new(from, format!("cannot encode: {e}")))?;
    }
    if dir.exists() && !dir.is_dir() {
        return Err(InputError::new(dir, "is not a directory, cannot save baselines in it"));
    }
    std::fs::create_dir_all(dir).map_err(|e| InputError::new(dir, format!("cannot create the baselines directory: {e}")))?;
    let target = dir.join(format!("{}.json", stem(name)));
    if target.is_dir() {
        return Err(InputError::new(&target, "is a directory, cannot save a baseline there"));
    }
    let cannot = |e: std::io::Error| InputError::new(&target, format!("cannot write the baseline: {e}"));
    let locked = crate::fsio::lock(&target).map_err(cannot)?;
    if !force && locked.target().exists() {
        return Err(InputError::new(
            &target,
            format!("baseline {} already exists: not replaced (--force replaces it)", stem(name)),
        ));
    }
    locked.write(&bytes).map_err(cannot)?;
    Ok(target)
}

/// Reads the baseline in `file`, lets `change` decide what replaces it (`Ok(None)`: nothing), and
/// writes that — the whole read-modify-write under the file's lock, as [`save`] takes it, so a
/// concurrent save or ratchet waits for this one instead of being overwritten by it. `change`
/// may refuse (`Err`): nothing is written.
pub fn update<E>(
    file: &Path,
    change: impl FnOnce(crate::schema::Results) -> Result<Option<crate::schema::Results>, E>,
) -> Result<Result<(), E>, InputError> {
    let cannot = |e: std::io::Error| InputError::new(file, format!("cannot write the baseline: {e}"));
    let locked = crate::fsio::lock(file).map_err(cannot)?;
    let saved = load_results(locked.target())?;
    let next = match change(saved) {
        Ok(Some(next)) => next,
        Ok(None) => return Ok(Ok(())),
        Err(e) => return Ok(Err(e)),
    };
    let bytes = serde_json::to_vec_pretty(&next).map_err(|e| InputError::new(file, format!("cannot encode: {e}")))?;
    locked.write(&bytes).map_err(cannot)?;
    Ok(Ok(()))
}

/// One line per baseline in `dir`: name, date, commit, scenarios (or why it cannot be read).
pub fn list(dir: &Path) -> Result<Vec<String>, InputError> {
    if !dir.exists() {
        return Ok(vec![]);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| InputError::new(dir, format!("cannot list baselines: {e}")))?;
    let mut files: Vec<PathBuf> =
        entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
    files.sort();
    Ok(files
        .iter()
        .map(|f| {
            let name = f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            match load_results(f) {
                Ok(r) => format!(
                    "{name:<24} {}  {}  {} scenarios",
                    r.environment.started_at,
                    r.environment.git_commit.as_deref().map_or_else(|| "no commit".to_owned(), |c| c.chars().take(12).collect()),
                    r.scenarios.len()
                ),
                Err(e) => format!("{name:<24} unreadable: {}", e.problem),
            }
        })
        .collect())
}
