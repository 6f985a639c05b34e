//! W3C `tracestate`: an ordered list of vendor entries, at most 32, newest on the left.
//!
//! The list keeps the `String`s of entries it no longer uses, so a context that is refilled
//! again and again (the pooled strategy, the codec's `extract_into`) stops allocating once its
//! buffers are large enough. A `clone` copies only the live entries: a deep clone of `n` entries
//! costs exactly `1 + 2n` allocations (one `Vec`, one key and one value each) and `0` for `n = 0`,
//! the figure every strategy's expected cost rests on.

use std::fmt;

use thiserror::Error;

/// At most this many list members (W3C Trace Context, "tracestate Header Field Values").
pub const MAX_MEMBERS: usize = 32;

/// Why a trace-state key, value or header was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TraceStateError {
    /// More than [`MAX_MEMBERS`] list members in a header.
    #[error("tracestate has {0} members, more than the 32 allowed")]
    TooManyMembers(usize),
    /// A key outside the W3C key grammar.
    #[error("tracestate key {0:?} is not a valid W3C key")]
    InvalidKey(String),
    /// A value outside the W3C value grammar.
    #[error("tracestate value {0:?} is not a valid W3C value")]
    InvalidValue(String),
    /// A list member without `=`.
    #[error("tracestate member {0:?} has no '='")]
    MissingEquals(String),
    /// The same key twice in one header.
    #[error("tracestate key {0:?} appears more than once")]
    DuplicateKey(String),
}

/// One `key=value` list member.
pub type Entry = (String, String);

/// The vendor entries of a trace, leftmost (most recently updated) first.
#[derive(Default)]
pub struct TraceState {
    /// `entries[..len]` are live; the rest are spare buffers kept for reuse.
    entries: Vec<Entry>,
    len: usize,
}

impl TraceState {
    /// An empty trace state; allocates nothing.
    pub const fn new() -> Self {
        TraceState { entries: Vec::new(), len: 0 }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The entries, leftmost first.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries[..self.len].iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Adds or updates `key` as the leftmost entry; when that makes more than 32, the rightmost
    /// entry is dropped (W3C: "entries are added on the left and dropped from the right").
    pub fn insert(&mut self, key: &str, value: &str) -> Result<(), TraceStateError> {
        if !is_valid_key(key) {
            return Err(TraceStateError::InvalidKey(key.to_owned()));
        }
        if !is_valid_value(value) {
            return Err(TraceStateError::InvalidValue(value.to_owned()));
        }
        if let Some(i) = self.entries[..self.len].iter().position(|(k, _)| k == key) {
            let entry = self.entries.remove(i);
            self.entries.insert(self.len - 1, entry);
            self.len -= 1;
        }
        // Move a spare buffer (or a new entry) to the left edge and fill it.
        let mut entry = if self.entries.len() > self.len { self.entries.remove(self.len) } else { Entry::default() };
        entry.0.clear();
        entry.0.push_str(key);
        entry.1.clear();
        entry.1.push_str(value);
        self.entries.insert(0, entry);
        self.len += 1;
        if self.len > MAX_MEMBERS {
            self.len = MAX_MEMBERS;
        }
        Ok(())
    }

    /// Removes every entry, keeping the buffers for reuse.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Appends an entry on the right, reusing a spare buffer. The caller vouches for the grammar
    /// (the workload generator, or the parser after it has checked).
    pub(crate) fn push_right_unchecked(&mut self, key: &str, value: &str) {
        if self.len < self.entries.len() {
            let (k, v) = &mut self.entries[self.len];
            k.clear();
            k.push_str(key);
            v.clear();
            v.push_str(value);
        } else {
            self.entries.push((key.to_owned(), value.to_owned()));
        }
        self.len += 1;
    }

    /// Makes `self` equal to `other`, reusing this list's buffers: no allocation once they are
    /// large enough. This is how the pooled strategy copies a context.
    pub fn assign_from(&mut self, other: &TraceState) {
        self.clear();
        for (k, v) in other.iter() {
            self.push_right_unchecked(k, v);
        }
    }

    /// Reserves buffers for `entries` entries of up to `key_len` and `value_len` bytes, so that
    /// filling them later allocates nothing.
    pub fn reserve_entries(&mut self, entries: usize, key_len: usize, value_len: usize) {
        while self.entries.len() < entries {
            self.entries.push((String::with_capacity(key_len), String::with_capacity(value_len)));
        }
        for (k, v) in &mut self.entries {
            k.reserve(key_len.saturating_sub(k.len()));
            v.reserve(value_len.saturating_sub(v.len()));
        }
    }

    /// Appends the header form (`k1=v1,k2=v2`) to `out`.
    pub fn write_header(&self, out: &mut String) {
        for (i, (k, v)) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(k);
            out.push('=');
            out.push_str(v);
        }
    }

    /// Parses a `tracestate` header.
    pub fn parse(header: &str) -> Result<TraceState, TraceStateError> {
        let mut state = TraceState::new();
        state.parse_into(header)?;
        Ok(state)
    }

    /// Parses a `tracestate` header into `self`, reusing its buffers. On error `self` is empty.
    pub fn parse_into(&mut self, header: &str) -> Result<(), TraceStateError> {
        self.clear();
        let result = self.parse_members(header);
        if result.is_err() {
            self.clear();
        }
        result
    }

    fn parse_members(&mut self, header: &str) -> Result<(), TraceStateError> {
        // Empty members (",,", surrounding spaces) are allowed and skipped.
        for member in header.split(',').map(|m| m.trim_matches([' ', '\t'])).filter(|m| !m.is_empty()) {
            let Some((key, value)) = member.split_once('=') else {
                return Err(TraceStateError::MissingEquals(member.to_owned()));
            };
            if !is_valid_key(key) {
                return Err(TraceStateError::InvalidKey(key.to_owned()));
            }
            if !is_valid_value(value) {
                return Err(TraceStateError::InvalidValue(value.to_owned()));
            }
            if self.get(key).is_some() {
                return Err(TraceStateError::DuplicateKey(key.to_owned()));
            }
            if self.len == MAX_MEMBERS {
                let count = header.split(',').filter(|m| !m.trim_matches([' ', '\t']).is_empty()).count();
                return Err(TraceStateError::TooManyMembers(count));
            }
            self.push_right_unchecked(key, value);
        }
        Ok(())
    }
}

/// The list members of a header, trimmed, blanks skipped.
fn members(header: &str) -> impl Iterator<Item = &str> {
    header.split(',').map(|m| m.trim_matches([' ', '\t'])).filter(|m| !m.is_empty())
}

/// Checks a `tracestate` header by the W3C grammar without building anything: for strategies
/// that keep the entries in a form of their own. Returns the number of entries.
pub fn validate_header(header: &str) -> Result<usize, TraceStateError> {
    let mut count = 0;
    for (i, member) in members(header).enumerate() {
        let Some((key, value)) = member.split_once('=') else {
            return Err(TraceStateError::MissingEquals(member.to_owned()));
        };
        if !is_valid_key(key) {
            return Err(TraceStateError::InvalidKey(key.to_owned()));
        }
        if !is_valid_value(value) {
            return Err(TraceStateError::InvalidValue(value.to_owned()));
        }
        if members(header).take(i).any(|m| m.split_once('=').is_some_and(|(k, _)| k == key)) {
            return Err(TraceStateError::DuplicateKey(key.to_owned()));
        }
        count += 1;
    }
    if count > MAX_MEMBERS {
        return Err(TraceStateError::TooManyMembers(count));
    }
    Ok(count)
}

impl Clone for TraceState {
    /// Copies the live entries only: `1 + 2n` allocations, none for an empty state.
    fn clone(&self) -> Self {
        TraceState { entries: self.entries[..self.len].to_vec(), len: self.len }
    }
}

impl PartialEq for TraceState {
    fn eq(&self, other: &Self) -> bool {
        self.entries[..self.len] == other.entries[..other.len]
    }
}

impl Eq for TraceState {}

impl fmt::Debug for TraceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

fn is_key_char(c: u8) -> bool {
    matches!(c, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'*' | b'/')
}

/// `simple-key = lcalpha 0*255(...)`, or `tenant-id "@" system-id` with a tenant of
/// `(lcalpha / DIGIT) 0*240(...)` and a system of `lcalpha 0*13(...)`.
pub fn is_valid_key(key: &str) -> bool {
    let b = key.as_bytes();
    match key.split_once('@') {
        None => !b.is_empty() && b.len() <= 256 && b[0].is_ascii_lowercase() && b.iter().all(|&c| is_key_char(c)),
        Some((tenant, system)) => {
            let (t, s) = (tenant.as_bytes(), system.as_bytes());
            !t.is_empty()
                && t.len() <= 241
                && (t[0].is_ascii_lowercase() || t[0].is_ascii_digit())
                && t.iter().all(|&c| is_key_char(c))
                && !s.is_empty()
                && s.len() <= 14
                && s[0].is_ascii_lowercase()
                && s.iter().all(|&c| is_key_char(c))
        }
    }
}

/// `value = 0*255(chr) nblk-chr`: printable ASCII without `,` and `=`, spaces allowed inside
/// but not at the end, at most 256 characters.
pub fn is_valid_value(value: &str) -> bool {
    let b = value.as_bytes();
    let nblk = |c: u8| matches!(c, 0x21..=0x2b | 0x2d..=0x3c | 0x3e..=0x7e);
    !b.is_empty() && b.len() <= 256 && nblk(b[b.len() - 1]) && b.iter().all(|&c| c == b' ' || nblk(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(header: &str) -> TraceState {
        TraceState::parse(header).unwrap()
    }

    #[test]
    fn insert_adds_left_and_moves_updated_keys_left() {
        let mut s = state("a=1,b=2");
        s.insert("c", "3").unwrap();
        s.insert("b", "9").unwrap();
        let mut h = String::new();
        s.write_header(&mut h);
        assert_eq!(h, "b=9,c=3,a=1");
    }

    #[test]
    fn insert_drops_from_the_right_beyond_32() {
        let mut s = TraceState::new();
        for i in 0..33 {
            s.insert(&format!("k{i}"), "v").unwrap();
        }
        assert_eq!(s.len(), 32);
        assert_eq!(s.iter().next().unwrap().0, "k32");
        assert_eq!(s.get("k0"), None, "the oldest, rightmost entry is dropped");
        assert_eq!(s.get("k1"), Some("v"));
    }

    #[test]
    fn insert_refuses_bad_keys_and_values() {
        let mut s = TraceState::new();
        assert_eq!(s.insert("Upper", "v"), Err(TraceStateError::InvalidKey("Upper".into())));
        assert_eq!(s.insert("k", "a,b"), Err(TraceStateError::InvalidValue("a,b".into())));
        assert!(s.is_empty());
    }

    #[test]
    fn key_grammar() {
        for ok in ["a", "rojo", "congo_t61rcWkgMzE", "a-b*c/d_e", "0tenant@sys", "t@s-1"] {
            let ok = ok.to_ascii_lowercase();
            assert!(is_valid_key(&ok), "{ok}");
        }
        let long_simple = format!("a{}", "b".repeat(255));
        assert!(is_valid_key(&long_simple));
        assert!(!is_valid_key(&format!("{long_simple}b")));
        for bad in ["", "1abc", "Abc", "a b", "a=b", "t@", "@s", "t@1s", "t@sssssssssssssss", "a.b", "t@s@u"] {
            assert!(!is_valid_key(bad), "{bad:?}");
        }
    }

    #[test]
    fn value_grammar() {
        for ok in ["0", "00f067aa0ba902b7", "a b", "~!", &"x".repeat(256)] {
            assert!(is_valid_value(ok), "{ok:?}");
        }
        for bad in ["", "a ", "a,b", "a=b", "caf\u{e9}", "\t", &"x".repeat(257)] {
            assert!(!is_valid_value(bad), "{bad:?}");
        }
    }

    #[test]
    fn clone_copies_only_live_entries() {
        let mut s = state("a=1,b=2,c=3");
        s.parse_into("z=1").unwrap();
        let c = s.clone();
        assert_eq!(c.entries.len(), 1);
        assert_eq!(c, s);
    }

    #[test]
    fn validating_a_header_agrees_with_parsing_it() {
        let too_many = (0..33).map(|i| format!("k{i}=v")).collect::<Vec<_>>().join(",");
        for header in ["", "a=1", " a=1 ,, b=2", "a=1,a=2", "A=1", "a=", "a", too_many.as_str(), "t@s=a b"] {
            let parsed = TraceState::parse(header).map(|s| s.len());
            assert_eq!(validate_header(header), parsed, "{header:?}");
        }
    }

    #[test]
    fn parse_into_failure_leaves_it_empty() {
        let mut s = state("a=1");
        assert!(s.parse_into("a=1,B=2").is_err());
        assert!(s.is_empty());
    }
}
