//! Trace and span identifiers and trace flags, with the lower-case hex form W3C headers use.

use std::fmt;

/// A 16-byte trace id. All zeros is invalid on the wire.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct TraceId(pub [u8; 16]);

/// An 8-byte span id. All zeros is invalid on the wire.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct SpanId(pub [u8; 8]);

/// The W3C trace-flags byte; bit 0 is "sampled".
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Debug)]
pub struct TraceFlags(pub u8);

impl TraceFlags {
    /// The sampled bit.
    pub const SAMPLED: TraceFlags = TraceFlags(0x01);

    /// Whether the sampled bit is set.
    pub fn is_sampled(self) -> bool {
        self.0 & 0x01 != 0
    }
}

impl TraceId {
    /// Whether this id may appear on the wire (not all zeros).
    pub fn is_valid(&self) -> bool {
        self.0 != [0; 16]
    }
}

impl SpanId {
    /// Whether this id may appear on the wire (not all zeros).
    pub fn is_valid(&self) -> bool {
        self.0 != [0; 8]
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends the lower-case hex form of `bytes` to `out` without allocating once `out` has room.
pub fn push_hex(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 0x0f) as usize] as char);
    }
}

/// Parses lower-case hex into `out`; `None` when the length is wrong or a digit is not `[0-9a-f]`.
pub(crate) fn parse_lower_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let s = s.as_bytes();
    if s.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, pair) in s.chunks_exact(2).enumerate() {
        out[i] = (lower_hex_digit(pair[0])? << 4) | lower_hex_digit(pair[1])?;
    }
    Some(out)
}

fn lower_hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

macro_rules! hex_fmt {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                for b in &self.0 {
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({self})", stringify!($t))
            }
        }
    };
}
hex_fmt!(TraceId);
hex_fmt!(SpanId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let id = TraceId([0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36]);
        let mut s = String::new();
        push_hex(&mut s, &id.0);
        assert_eq!(s, "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(s, id.to_string());
        assert_eq!(parse_lower_hex::<16>(&s), Some(id.0));
    }

    #[test]
    fn hex_rejects_upper_case_non_hex_and_wrong_length() {
        assert_eq!(parse_lower_hex::<2>("ABcd"), None);
        assert_eq!(parse_lower_hex::<2>("0g00"), None);
        assert_eq!(parse_lower_hex::<2>("000"), None);
        assert_eq!(parse_lower_hex::<2>("00000"), None);
    }

    #[test]
    fn validity_and_sampled_bit() {
        assert!(!TraceId::default().is_valid());
        assert!(!SpanId::default().is_valid());
        assert!(SpanId([0, 0, 0, 0, 0, 0, 0, 1]).is_valid());
        assert!(TraceFlags(0x03).is_sampled());
        assert!(!TraceFlags(0x02).is_sampled());
    }
}
