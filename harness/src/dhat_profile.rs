//! Reading a dhat profile (`dhat-heap.json`) back into sites grouped by hand-off.
//!
//! dhat records a call stack per allocation site. The frame that names the hand-off is the
//! first one, from the allocation outward, that is not the standard library (std, alloc, core,
//! hashbrown), a context type's own `Clone` impl or trace-state internals (the model's
//! `TraceState`, `SpanContext` and codec, the SDK's), or the meter and dhat: for a value-copy clone that is
//! `<ValueCopy as Strategy>::sample`, not `TraceState::clone`. Sites are keyed by that function's
//! path without file and line, so an edit does not rename them; every site is kept, per span.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use spanalloc_record::schema::{DhatSummary, Site, SiteStack};

#[derive(Deserialize)]
struct Profile {
    pps: Vec<ProgramPoint>,
    ftbl: Vec<String>,
}

#[derive(Deserialize)]
struct ProgramPoint {
    /// Total bytes.
    tb: u64,
    /// Total blocks.
    tbk: u64,
    /// Frame indices into `ftbl`, innermost first.
    fs: Vec<usize>,
}

/// Frames that never name a hand-off: where the allocation happens, not who asked for it.
const NOT_A_HAND_OFF: &[&str] = &[
    "alloc::",
    "core::",
    "std::",
    "hashbrown::",
    "dhat::",
    "spanalloc::meter",
    "__rust",
    "__rdl",
    "<T as alloc::",
    "<T as core::",
    "<[",
    "<u8 as ",
    "<&",
    "str as ",
    "str>::",
    // The contexts' own containers and the model's codec: the strategy method that called
    // them is the hand-off (`<ValueCopy as Strategy>::extract`, not `w3c::extract`).
    "spanalloc_model::trace_state::",
    "spanalloc_model::w3c::",
    "opentelemetry::trace::span_context::TraceState::",
    "opentelemetry::trace::span_context::TraceState as core::str::traits::FromStr",
    "spanalloc_model::trace_state::TraceState as core::clone::Clone",
    "spanalloc_model::context::SpanContext as core::clone::Clone",
    "spanalloc_model::context::SharedSpanContext as core::clone::Clone",
    "opentelemetry::trace::span_context::TraceState as core::clone::Clone",
    "opentelemetry::trace::span_context::SpanContext as core::clone::Clone",
];

/// Frames from which on a stack is thread boilerplate.
const THREAD_ENTRY: &str = "std::sys::backtrace::__rust_begin_short_backtrace";

/// `0xADDR: function (file:line:col)` → `function`.
fn function(frame: &str) -> &str {
    let f = frame.split_once(": ").map_or(frame, |(_, rest)| rest);
    match f.rfind(" (") {
        Some(i) if f.ends_with(')') => &f[..i],
        _ => f,
    }
}

/// A closure allocates on behalf of the function it is written in: one site for both.
fn owner(mut function: &str) -> &str {
    while let Some(f) = function.strip_suffix("::{{closure}}") {
        function = f;
    }
    function
}

fn is_hand_off(function: &str) -> bool {
    let bare = function.strip_prefix('<').unwrap_or(function);
    // `<I as alloc::…>`: a generic parameter's impl of a standard trait is the library's too.
    let generic_std_impl = bare.split_once(" as ").is_some_and(|(ty, tr)| {
        ty.len() <= 2
            && ty.chars().all(|c| c.is_ascii_uppercase())
            && ["alloc::", "core::", "std::"].iter().any(|p| tr.starts_with(p))
    });
    !generic_std_impl && !NOT_A_HAND_OFF.iter().any(|p| function.starts_with(p) || bare.starts_with(p))
}

/// The dhat pass's summary: region totals from `HeapStats`, sites from the profile file.
pub fn summary(file: &Path, spans: u64, blocks: u64, bytes: u64, max_bytes: u64) -> DhatSummary {
    DhatSummary {
        spans,
        total_blocks: blocks,
        total_bytes: bytes,
        max_bytes,
        allocs_per_span: per_span(blocks, spans),
        bytes_per_span: per_span(bytes, spans),
        file: file.file_name().map(|f| format!("dhat/{}", f.to_string_lossy())).unwrap_or_default(),
        top_sites: Vec::new(),
        sites: sites(file, spans).unwrap_or_default(),
    }
}

fn per_span(v: u64, spans: u64) -> f64 {
    if spans == 0 {
        0.0
    } else {
        v as f64 / spans as f64
    }
}

/// The total heap blocks of a profile: every program point's `tbk`. valgrind's DHAT writes the
/// format dhat-rs does (`spanalloc verify` reads its profiles here).
pub fn total_blocks(file: &Path) -> Result<u64, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("DHAT wrote no profile at {}: {e}", file.display()))?;
    let profile: Profile =
        serde_json::from_slice(&bytes).map_err(|e| format!("{} is not a DHAT profile: {e}", file.display()))?;
    Ok(profile.pps.iter().map(|p| p.tbk).sum())
}

/// Every site of the profile, grouped by hand-off, most bytes first.
pub fn sites(file: &Path, spans: u64) -> Option<Vec<Site>> {
    let profile: Profile = serde_json::from_slice(&std::fs::read(file).ok()?).ok()?;
    let mut by_site: BTreeMap<String, Site> = BTreeMap::new();
    for pp in &profile.pps {
        let frames: Vec<&str> = pp.fs.iter().map(|&i| profile.ftbl.get(i).map_or("?", |f| function(f))).collect();
        let key = frames.iter().find(|f| is_hand_off(f)).copied().or(frames.first().copied()).map_or("[unknown]", owner);
        let stack: Vec<String> = frames.iter().take_while(|f| **f != THREAD_ENTRY).map(|f| (*f).to_owned()).collect();
        let site = by_site.entry(key.to_owned()).or_insert_with(|| Site {
            site: key.to_owned(),
            blocks: 0,
            bytes: 0,
            blocks_per_span: 0.0,
            bytes_per_span: 0.0,
            stacks: Vec::new(),
        });
        site.blocks += pp.tbk;
        site.bytes += pp.tb;
        match site.stacks.iter_mut().find(|s| s.frames == stack) {
            Some(s) => {
                s.blocks += pp.tbk;
                s.bytes += pp.tb;
            }
            None => site.stacks.push(SiteStack { frames: stack, blocks: pp.tbk, bytes: pp.tb }),
        }
    }
    let mut out: Vec<Site> = by_site.into_values().filter(|s| s.blocks > 0).collect();
    for s in &mut out {
        s.blocks_per_span = per_span(s.blocks, spans);
        s.bytes_per_span = per_span(s.bytes, spans);
        s.stacks.sort_by_key(|st| std::cmp::Reverse(st.bytes));
    }
    out.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.site.cmp(&b.site)));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_is_every_points_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("dhat.out");
        std::fs::write(&f, r#"{"dhatFileVersion":2,"mode":"heap","pps":[{"tb":10,"tbk":3,"fs":[1]},{"tb":5,"tbk":4,"fs":[2]}],"ftbl":["[root]"]}"#)
            .unwrap();
        assert_eq!(total_blocks(&f), Ok(7));
        std::fs::write(&f, "not json").unwrap();
        assert!(total_blocks(&f).unwrap_err().contains("is not a DHAT profile"));
        assert!(total_blocks(&dir.path().join("none")).unwrap_err().contains("DHAT wrote no profile"));
    }

    #[test]
    fn the_hand_off_is_the_first_frame_that_asked() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("p.json");
        std::fs::write(
            &f,
            r#"{"pps":[
                {"tb":90,"tbk":9,"fs":[1,2,3,4,9]},
                {"tb":72,"tbk":9,"fs":[1,2,3,5,9]},
                {"tb":8,"tbk":1,"fs":[1,6,7,9]},
                {"tb":8,"tbk":1,"fs":[1,6,8,9]},
                {"tb":0,"tbk":0,"fs":[1]}],
              "ftbl":["[root]",
                "0x1: <spanalloc::meter::Meter as core::alloc::global::GlobalAlloc>::alloc (meter/mod.rs:9:9)",
                "0x2: alloc::raw_vec::RawVecInner::try_allocate_in (raw_vec.rs:1:1)",
                "0x3: <spanalloc_model::trace_state::TraceState as core::clone::Clone>::clone (model/src/trace_state.rs:250:9)",
                "0x4: <spanalloc_value_copy::ValueCopy as spanalloc_model::strategy::Strategy>::sample (value-copy/src/lib.rs:70:22)",
                "0x5: <spanalloc_value_copy::ValueCopy as spanalloc_model::strategy::Strategy>::end (value-copy/src/lib.rs:88:22)",
                "0x6: <alloc::sync::Arc<T>>::new (sync.rs:1:1)",
                "0x7: spanalloc_pointer_passing::PointerPassing::child (pointer-passing/src/lib.rs:60:9)",
                "0x8: spanalloc_pointer_passing::PointerPassing::child::{{closure}} (pointer-passing/src/lib.rs:61:9)",
                "0x9: std::sys::backtrace::__rust_begin_short_backtrace (backtrace.rs:1:1)"]}"#,
        )
        .unwrap();
        let sites = sites(&f, 10).unwrap();
        let names: Vec<&str> = sites.iter().map(|s| s.site.as_str()).collect();
        assert_eq!(
            names,
            [
                "<spanalloc_value_copy::ValueCopy as spanalloc_model::strategy::Strategy>::sample",
                "<spanalloc_value_copy::ValueCopy as spanalloc_model::strategy::Strategy>::end",
                "spanalloc_pointer_passing::PointerPassing::child",
            ],
            "the clone's caller, not TraceState::clone; one site per function, whatever the line"
        );
        assert_eq!((sites[0].blocks, sites[0].blocks_per_span, sites[0].bytes_per_span), (9, 0.9, 9.0));
        assert_eq!(sites[2].blocks, 2, "a function and a closure written in it: one site");
        assert_eq!(sites[2].stacks.len(), 2, "the stacks keep the closure frame");
        assert_eq!(sites[0].stacks.len(), 1);
        assert!(sites[0].stacks[0].frames.iter().all(|f| !f.contains("__rust_begin_short_backtrace")));
    }
}
