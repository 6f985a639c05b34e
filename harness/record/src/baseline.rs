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
    let (results, bytes) = clean(name, from, dir, options)?;
    // A clean run is saved as it was written; a marked one re-encoded.
    let bytes = if results.saved_with_failures { encode(&results, from)? } else { bytes };
    let target = target(name, dir)?;
    let cannot = |e: std::io::Error| InputError::new(&target, format!("cannot write the baseline: {e}"));
    let locked = crate::fsio::lock(&target).map_err(cannot)?;
    if !options.force && locked.target().exists() {
        return Err(InputError::new(
            &target,
            format!("baseline {} already exists: not replaced (--force replaces it)", stem(name)),
        ));
    }
    locked.write(&bytes).map_err(cannot)?;
    Ok(target)
}

/// Saves the rows of `from` that `machine` measured into that machine's timing baseline `name`
/// (`baseline save --machine`): a first save writes them; after that the baseline gathers the
/// rows its machine had not measured before, and with `force` tonight's rows replace its own.
/// Rows it measured on earlier nights and another machine measured tonight are kept. On another
/// workload it is refused, or with `force` started again from tonight's rows. Returns the file
/// and what was done, in a few words.
pub fn save_machine(
    name: &str,
    from: &Path,
    dir: &Path,
    machine: &str,
    options: SaveOptions,
) -> Result<(PathBuf, String), InputError> {
    let (results, _) = clean(name, from, dir, options)?;
    let tonight = results.on_machine(machine).ok_or_else(|| {
        InputError::new(
            from,
            format!("has no row measured on machine {machine} (its machines: {})", results.machines().join(", ")),
        )
    })?;
    let target = target(name, dir)?;
    let cannot = |e: std::io::Error| InputError::new(&target, format!("cannot write the baseline: {e}"));
    let locked = crate::fsio::lock(&target).map_err(cannot)?;
    let rows = tonight.scenarios.len();
    let (next, said) = if locked.target().exists() {
        let saved = load_results(locked.target())?;
        match saved.config.workload_difference(&tonight.config) {
            Some(diff) if options.force => (tonight, format!("started again on another workload ({diff}): {rows} row(s)")),
            Some(diff) => {
                return Err(InputError::new(
                    &target,
                    format!("holds another workload ({diff}): not gathered into (--force starts it again)"),
                ))
            }
            None => {
                let next = saved.gathered(&tonight, options.force).map_err(|e| InputError::new(&target, e))?;
                let added = next.scenarios.len() - saved.scenarios.len();
                let kept = rows - added;
                let what = if options.force { "replaced" } else { "kept as they were" };
                (next, format!("{added} row(s) added, {kept} it had {what}"))
            }
        }
    } else {
        (tonight, format!("first save: {rows} row(s)"))
    };
    locked.write(&encode(&next, from)?).map_err(cannot)?;
    Ok((target, said))
}

/// The results in `from`, refused when the run has failures (or, with `allow_failures`, marked).
fn clean(name: &str, from: &Path, dir: &Path, options: SaveOptions) -> Result<(crate::schema::Results, Vec<u8>), InputError> {
    check_name(name).map_err(|e| InputError::new(dir, e))?;
    let (results, bytes) = read_results(from)?;
    let Some(first) = results.failures.first() else { return Ok((results, bytes)) };
    if !options.allow_failures {
        return Err(InputError::new(
            from,
            format!(
                "the run has {} failure(s) (first: {}): not saved as a baseline (--allow-failures saves it, marked)",
                results.failures.len(),
                first.line()
            ),
        ));
    }
    Ok((crate::schema::Results { saved_with_failures: true, ..results }, bytes))
}

/// `dir/NAME.json`, the directory made when it is missing.
fn target(name: &str, dir: &Path) -> Result<PathBuf, InputError> {
    if dir.exists() && !dir.is_dir() {
        return Err(InputError::new(dir, "is not a directory, cannot save baselines in it"));
    }
    std::fs::create_dir_all(dir).map_err(|e| InputError::new(dir, format!("cannot create the baselines directory: {e}")))?;
    let target = dir.join(format!("{}.json", stem(name)));
    if target.is_dir() {
        return Err(InputError::new(&target, "is a directory, cannot save a baseline there"));
    }
    Ok(target)
}

fn encode(results: &crate::schema::Results, from: &Path) -> Result<Vec<u8>, InputError> {
    serde_json::to_vec_pretty(results).map_err(|e| InputError::new(from, format!("cannot encode: {e}")))
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
