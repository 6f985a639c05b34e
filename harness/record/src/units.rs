//! Byte counts written for people, one way everywhere: the judge's reasons, the tables and the
//! report all say "2.0 KiB" for the same figure.

/// `bytes` in B, KiB or MiB.
pub fn human_bytes(bytes: f64) -> String {
    if bytes >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", bytes / (1024.0 * 1024.0))
    } else if bytes >= 1024.0 {
        format!("{:.1} KiB", bytes / 1024.0)
    } else {
        format!("{bytes:.0} B")
    }
}

/// A byte count that may be negative (heap a region gave back).
pub fn signed_bytes(bytes: i64) -> String {
    if bytes < 0 {
        format!("−{}", human_bytes(bytes.unsigned_abs() as f64))
    } else {
        human_bytes(bytes as f64)
    }
}

/// A count that may move, as shown: `27831` when it held, `27829–27833` over its least and most.
pub fn range(least: u64, most: u64) -> String {
    if least == most {
        least.to_string()
    } else {
        format!("{least}–{most}")
    }
}
