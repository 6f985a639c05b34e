//! Reading a dhat profile (`dhat-heap.json`) back: the sites that allocated the most.

use std::path::Path;

use serde::Deserialize;

use spanalloc_results::schema::{AllocationSite, DhatSummary};

/// How many sites a summary keeps.
pub const TOP_SITES: usize = 8;

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

/// The dhat pass's summary: region totals from `HeapStats`, top sites from the profile file.
pub fn summary(file: &Path, spans: u64, blocks: u64, bytes: u64, max_bytes: u64) -> DhatSummary {
    let per = |v: u64| {
        if spans == 0 {
            0.0
        } else {
            v as f64 / spans as f64
        }
    };
    DhatSummary {
        spans,
        total_blocks: blocks,
        total_bytes: bytes,
        max_bytes,
        allocs_per_span: per(blocks),
        bytes_per_span: per(bytes),
        file: file.file_name().map(|f| format!("dhat/{}", f.to_string_lossy())).unwrap_or_default(),
        top_sites: top_sites(file).unwrap_or_default(),
    }
}

/// The sites with the most bytes, each named by its innermost frame in spanalloc's own code.
pub fn top_sites(file: &Path) -> Option<Vec<AllocationSite>> {
    let text = std::fs::read_to_string(file).ok()?;
    let profile: Profile = serde_json::from_str(&text).ok()?;
    let mut sites: Vec<AllocationSite> = profile
        .pps
        .iter()
        .map(|pp| AllocationSite { site: site_name(&profile.ftbl, &pp.fs), blocks: pp.tbk, bytes: pp.tb })
        .collect();
    // Several program points can share an innermost spanalloc frame: merge them.
    sites.sort_by(|a, b| a.site.cmp(&b.site));
    sites.dedup_by(|b, a| {
        if a.site == b.site {
            a.blocks += b.blocks;
            a.bytes += b.bytes;
            true
        } else {
            false
        }
    });
    sites.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.site.cmp(&b.site)));
    sites.truncate(TOP_SITES);
    Some(sites)
}

/// The innermost frame that is spanalloc's own code but not its meter; dhat frames read
/// `0xADDR: function (file:line:col)`.
fn site_name(ftbl: &[String], frames: &[usize]) -> String {
    let frame = |i: &usize| ftbl.get(*i).map(String::as_str).unwrap_or("?");
    let ours =
        frames.iter().map(frame).find(|f| f.contains("spanalloc") && !f.contains("spanalloc::meter") && !f.contains("dhat"));
    let chosen = ours.or_else(|| frames.first().map(frame)).unwrap_or("[unknown]");
    chosen.split_once(": ").map_or(chosen, |(_, rest)| rest).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_innermost_own_frame() {
        let ftbl: Vec<String> = [
            "[root]",
            "0x1: alloc::alloc::alloc (alloc.rs:1:1)",
            "0x2: <spanalloc::meter::Meter as GlobalAlloc>::alloc (meter/mod.rs:9:9)",
            "0x3: spanalloc_value_copy::ValueCopy::sample (scenarios/value-copy/src/lib.rs:70:22)",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            site_name(&ftbl, &[1, 2, 3]),
            "spanalloc_value_copy::ValueCopy::sample (scenarios/value-copy/src/lib.rs:70:22)"
        );
        assert_eq!(site_name(&ftbl, &[1]), "alloc::alloc::alloc (alloc.rs:1:1)");
    }

    #[test]
    fn merges_and_ranks_sites() {
        let dir = std::env::temp_dir().join(format!("spanalloc-dhat-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("p.json");
        std::fs::write(
            &f,
            r#"{"pps":[{"tb":10,"tbk":1,"fs":[1]},{"tb":30,"tbk":3,"fs":[2]},{"tb":25,"tbk":2,"fs":[1]}],
                "ftbl":["[root]","0x1: spanalloc_a::f (a.rs:1:1)","0x2: spanalloc_b::g (b.rs:2:2)"]}"#,
        )
        .unwrap();
        let sites = top_sites(&f).unwrap();
        assert_eq!(sites[0], AllocationSite { site: "spanalloc_a::f (a.rs:1:1)".into(), blocks: 3, bytes: 35 });
        assert_eq!(sites[1].bytes, 30);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
