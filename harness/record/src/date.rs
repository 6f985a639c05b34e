//! Reading the dates results and history carry (`started_at`, a line's `date`) as instants, so
//! that they are compared in time and never as strings: "2026-9-1" sorts after "2026-10-1" as
//! text. No date crate: one proleptic-Gregorian conversion, the inverse of the harness's own.

/// `text` — `YYYY-MM-DD`, then optionally `THH:MM[:SS]`, a fraction, and `Z` or `±HH:MM` (none is UTC) — as
/// seconds since the Unix epoch (UTC). `None` when it is not such a date.
pub fn seconds(text: &str) -> Option<i64> {
    let (day, time) = match text.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut parts = day.splitn(3, '-');
    let y: i64 = number(parts.next()?, 4, 4)?;
    let m: i64 = number(parts.next()?, 1, 2)?;
    let d: i64 = number(parts.next()?, 1, 2)?;
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    let mut secs = days_from_civil(y, m, d) * 86_400;
    if let Some(t) = time {
        let (clock, offset) = split_offset(t)?;
        let clock = clock.split_once('.').map_or(clock, |(c, frac)| if number(frac, 1, 9).is_some() { c } else { "" });
        let mut hms = clock.splitn(3, ':');
        let h: i64 = number(hms.next()?, 2, 2)?;
        let min: i64 = number(hms.next()?, 2, 2)?;
        let s: i64 = hms.next().map_or(Some(0), |s| number(s, 2, 2))?;
        if h > 23 || min > 59 || s > 60 {
            return None;
        }
        secs += h * 3600 + min * 60 + s - offset;
    }
    Some(secs)
}

/// Whether `a` is later than `b`; `None` when either is not a date.
pub fn later(a: &str, b: &str) -> Option<bool> {
    Some(seconds(a)? > seconds(b)?)
}

fn number(s: &str, min: usize, max: usize) -> Option<i64> {
    (s.len() >= min && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// The clock and the offset east of UTC in seconds (`Z` is 0).
fn split_offset(t: &str) -> Option<(&str, i64)> {
    if let Some(clock) = t.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let Some(at) = t.rfind(['+', '-']) else {
        return Some((t, 0));
    };
    let (clock, off) = t.split_at(at);
    let sign = if off.starts_with('-') { -1 } else { 1 };
    let (h, m) = off[1..].split_once(':')?;
    let (h, m): (i64, i64) = (number(h, 2, 2)?, number(m, 2, 2)?);
    (h < 24 && m < 60).then_some((clock, sign * (h * 3600 + m * 60)))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's days_from_civil.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_compare_in_time_not_as_text() {
        assert_eq!(seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(seconds("2026-12-04T02:17:00Z"), Some(1_796_350_620));
        assert_eq!(later("2026-10-1", "2026-9-1"), Some(true), "October is after September");
        assert_eq!(later("2026-9-1", "2026-10-1"), Some(false));
        assert_eq!(seconds("2026-12-04T03:17:00+01:00"), seconds("2026-12-04T02:17:00Z"));
        assert_eq!(seconds("2026-12-04T02:17:00.123456789Z"), seconds("2026-12-04T02:17:00Z"));
        assert_eq!(seconds("2024-02-29"), Some(days_from_civil(2024, 2, 29) * 86_400));
    }

    #[test]
    fn what_is_not_a_date_is_none() {
        for bad in
            ["", "yesterday", "2026-13-01", "2025-02-29", "2026-12-04T25:00:00Z", "2026-12-04T02:17:00+1", "１９７０-01-01"]
        {
            assert_eq!(seconds(bad), None, "{bad}");
        }
    }
}
