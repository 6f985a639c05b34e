//! Baseline names: checking and resolving any string never panics, and a name that passes the
//! check resolves inside the baselines directory.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spanalloc_record::baseline::{check_name, resolve};

fuzz_target!(|data: &[u8]| {
    let Ok(name) = std::str::from_utf8(data) else { return };
    let dir = std::path::Path::new("/nonexistent-spanalloc-baselines");
    let resolved = resolve(std::path::Path::new(name), dir);
    if let (Ok(()), Ok(resolved)) = (check_name(name), &resolved) {
        assert!(resolved.starts_with(dir) || std::path::Path::new(name).exists(), "{name:?} → {resolved:?}");
    }
});
