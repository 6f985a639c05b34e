//! W3C Trace Context propagation: `traceparent` and `tracestate` into a header carrier and back.
//!
//! Malformed input never panics; it returns a [`W3cError`] that says which rule it broke. The
//! carrier keeps its two header strings between uses, so injecting into a reused carrier and
//! extracting with [`extract_into`] allocate nothing once the buffers have grown.

use thiserror::Error;

use crate::context::{ContextView, SpanContext};
use crate::ids::{parse_lower_hex, push_hex, SpanId, TraceFlags, TraceId};
use crate::trace_state::TraceStateError;

/// The `traceparent` header name.
pub const TRACEPARENT: &str = "traceparent";
/// The `tracestate` header name.
pub const TRACESTATE: &str = "tracestate";

/// Length of a version-00 `traceparent`: `vv-<32 hex>-<16 hex>-ff`.
const TRACEPARENT_LEN: usize = 55;

/// The field of a `traceparent` a problem was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The two-digit version.
    Version,
    /// The 32-digit trace id.
    TraceId,
    /// The 16-digit parent (span) id.
    SpanId,
    /// The two-digit flags.
    Flags,
}

/// Why a `traceparent` header was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TraceparentError {
    /// Not 55 characters (version 00), or shorter than 55 (later versions).
    #[error("traceparent is {0} characters long, expected 55")]
    Length(usize),
    /// A `-` missing where one must be, at this byte offset.
    #[error("traceparent has no '-' separator at offset {0}")]
    Separator(usize),
    /// Hex digits must be lower case.
    #[error("traceparent {0:?} field has an upper-case hex digit")]
    UpperCase(Field),
    /// A character that is not a hex digit.
    #[error("traceparent {0:?} field has a non-hex character")]
    NotHex(Field),
    /// Version `ff` is forbidden.
    #[error("traceparent version ff is forbidden")]
    ForbiddenVersion,
    /// The trace id is all zeros.
    #[error("traceparent trace id is all zeros")]
    ZeroTraceId,
    /// The parent id is all zeros.
    #[error("traceparent parent id is all zeros")]
    ZeroSpanId,
}

/// Why extraction failed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum W3cError {
    /// The carrier has no `traceparent`.
    #[error("carrier has no traceparent header")]
    MissingTraceparent,
    /// The `traceparent` is malformed.
    #[error(transparent)]
    Traceparent(#[from] TraceparentError),
    /// The `tracestate` is malformed.
    #[error(transparent)]
    TraceState(#[from] TraceStateError),
}

/// The two headers a context crosses a process boundary in; an empty string is an absent header.
#[derive(Debug, Default, Clone)]
pub struct HeaderCarrier {
    /// The `traceparent` value.
    pub traceparent: String,
    /// The `tracestate` value.
    pub tracestate: String,
}

impl HeaderCarrier {
    /// The header called `name` (case-insensitive), if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        let value = if name.eq_ignore_ascii_case(TRACEPARENT) {
            &self.traceparent
        } else if name.eq_ignore_ascii_case(TRACESTATE) {
            &self.tracestate
        } else {
            return None;
        };
        (!value.is_empty()).then_some(value.as_str())
    }
}

/// Writes `ctx` into the carrier, replacing what it held.
pub fn inject(ctx: &impl ContextView, carrier: &mut HeaderCarrier) {
    let tp = &mut carrier.traceparent;
    tp.clear();
    tp.push_str("00-");
    push_hex(tp, &ctx.trace_id().0);
    tp.push('-');
    push_hex(tp, &ctx.span_id().0);
    tp.push('-');
    push_hex(tp, &[ctx.flags().0]);
    carrier.tracestate.clear();
    ctx.write_trace_state(&mut carrier.tracestate);
}

/// Reads a remote context out of the carrier into a new [`SpanContext`].
pub fn extract(carrier: &HeaderCarrier) -> Result<SpanContext, W3cError> {
    let mut ctx = SpanContext::default();
    extract_into(carrier, &mut ctx)?;
    Ok(ctx)
}

/// Reads a remote context out of the carrier into `into`, reusing its trace-state buffers.
/// On error `into` is left unchanged except for its trace state, which is emptied.
pub fn extract_into(carrier: &HeaderCarrier, into: &mut SpanContext) -> Result<(), W3cError> {
    let header = carrier.get(TRACEPARENT).ok_or(W3cError::MissingTraceparent)?;
    let (trace_id, span_id, flags) = parse_traceparent(header)?;
    into.trace_state.parse_into(carrier.get(TRACESTATE).unwrap_or(""))?;
    into.trace_id = trace_id;
    into.span_id = span_id;
    into.flags = flags;
    into.remote = true;
    Ok(())
}

/// Parses `version-traceid-parentid-flags`.
pub fn parse_traceparent(s: &str) -> Result<(TraceId, SpanId, TraceFlags), TraceparentError> {
    let b = s.as_bytes();
    if b.len() < TRACEPARENT_LEN {
        return Err(TraceparentError::Length(b.len()));
    }
    for at in [2, 35, 52] {
        if b[at] != b'-' {
            return Err(TraceparentError::Separator(at));
        }
    }
    let field = |range: std::ops::Range<usize>, f: Field| -> Result<&str, TraceparentError> {
        let part = &b[range];
        if let Some(&c) = part.iter().find(|c| !matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(if c.is_ascii_hexdigit() { TraceparentError::UpperCase(f) } else { TraceparentError::NotHex(f) });
        }
        // Only ASCII hex digits are left, so this is a char boundary.
        Ok(std::str::from_utf8(part).expect("ascii"))
    };
    let version = field(0..2, Field::Version)?;
    if version == "ff" {
        return Err(TraceparentError::ForbiddenVersion);
    }
    // Version 00 has exactly four fields; a later version may append more after a '-'.
    if b.len() > TRACEPARENT_LEN && (version == "00" || b[TRACEPARENT_LEN] != b'-') {
        return Err(TraceparentError::Length(b.len()));
    }
    let trace_id = TraceId(parse_lower_hex(field(3..35, Field::TraceId)?).expect("checked hex"));
    let span_id = SpanId(parse_lower_hex(field(36..52, Field::SpanId)?).expect("checked hex"));
    let [flags] = parse_lower_hex::<1>(field(53..55, Field::Flags)?).expect("checked hex");
    if !trace_id.is_valid() {
        return Err(TraceparentError::ZeroTraceId);
    }
    if !span_id.is_valid() {
        return Err(TraceparentError::ZeroSpanId);
    }
    Ok((trace_id, span_id, TraceFlags(flags)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace_state::TraceState;

    const GOOD: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    fn carrier(tp: &str, ts: &str) -> HeaderCarrier {
        HeaderCarrier { traceparent: tp.into(), tracestate: ts.into() }
    }

    #[test]
    fn round_trips_with_and_without_trace_state() {
        for ts in ["", "rojo=00f067aa0ba902b7", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7,t@s=a b"] {
            let ctx = SpanContext {
                trace_id: TraceId([7; 16]),
                span_id: SpanId([9; 8]),
                flags: TraceFlags(0x01),
                remote: false,
                trace_state: TraceState::parse(ts).unwrap(),
            };
            let mut c = HeaderCarrier::default();
            inject(&ctx, &mut c);
            assert_eq!(c.tracestate, ts);
            let back = extract(&c).unwrap();
            assert!(back.remote);
            assert_eq!(SpanContext { remote: false, ..back }, ctx);
        }
    }

    #[test]
    fn extract_reads_the_spec_example() {
        let ctx = extract(&carrier(GOOD, "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")).unwrap();
        assert_eq!(ctx.trace_id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(ctx.span_id.to_string(), "00f067aa0ba902b7");
        assert!(ctx.flags.is_sampled());
        assert_eq!(ctx.trace_state.get("congo"), Some("t61rcWkgMzE"));
    }

    #[test]
    fn a_later_version_may_carry_more_fields() {
        assert!(parse_traceparent(&format!("01{}-extra", &GOOD[2..])).is_ok());
        assert_eq!(parse_traceparent(&format!("{GOOD}-extra")), Err(TraceparentError::Length(61)));
        assert_eq!(parse_traceparent(&format!("01{}x", &GOOD[2..])), Err(TraceparentError::Length(56)));
    }

    /// One row per malformed-input class, with the exact error it must give.
    #[test]
    fn malformed_traceparents_give_their_error() {
        use Field::*;
        use TraceparentError as E;
        let cases: &[(&str, E)] = &[
            ("", E::Length(0)),
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0", E::Length(54)),
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-011", E::Length(56)),
            ("00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01", E::Separator(35)),
            ("00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", E::Separator(2)),
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01", E::Separator(52)),
            ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", E::UpperCase(TraceId)),
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01", E::UpperCase(SpanId)),
            ("0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", E::UpperCase(Version)),
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0F", E::UpperCase(Flags)),
            ("00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", E::NotHex(TraceId)),
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01", E::NotHex(SpanId)),
            ("0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", E::NotHex(Version)),
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0\u{e9}", E::Length(56)),
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7- 1", E::NotHex(Flags)),
            ("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", E::ForbiddenVersion),
            ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", E::ZeroTraceId),
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", E::ZeroSpanId),
        ];
        for (input, want) in cases {
            assert_eq!(parse_traceparent(input).as_ref(), Err(want), "{input:?}");
            let got = extract(&carrier(input, ""));
            if !input.is_empty() {
                assert_eq!(got, Err(W3cError::Traceparent(want.clone())), "{input:?}");
            }
        }
        assert_eq!(extract(&carrier("", "a=1")), Err(W3cError::MissingTraceparent));
    }

    #[test]
    fn malformed_tracestates_give_their_error() {
        use TraceStateError as E;
        let too_many = (0..33).map(|i| format!("k{i}=v")).collect::<Vec<_>>().join(",");
        let cases: Vec<(String, E)> = vec![
            (too_many, E::TooManyMembers(33)),
            ("Rojo=1".into(), E::InvalidKey("Rojo".into())),
            ("1abc=1".into(), E::InvalidKey("1abc".into())),
            ("t@1sys=1".into(), E::InvalidKey("t@1sys".into())),
            ("rojo=a\u{e9}".into(), E::InvalidValue("a\u{e9}".into())),
            ("rojo=".into(), E::InvalidValue("".into())),
            ("rojo=a=b".into(), E::InvalidValue("a=b".into())),
            ("rojo".into(), E::MissingEquals("rojo".into())),
            ("rojo=1,rojo=2".into(), E::DuplicateKey("rojo".into())),
        ];
        for (input, want) in cases {
            let got = extract(&carrier(GOOD, &input));
            assert_eq!(got, Err(W3cError::TraceState(want)), "{input:?}");
        }
        // 32 members, blank members and spaces around them are fine.
        let thirty_two = (0..32).map(|i| format!("k{i}=v")).collect::<Vec<_>>().join(" , ");
        assert_eq!(extract(&carrier(GOOD, &format!(",{thirty_two},,"))).unwrap().trace_state.len(), 32);
    }

    #[test]
    fn extract_into_reuses_buffers_and_survives_errors() {
        let mut into = SpanContext::default();
        extract_into(&carrier(GOOD, "a=1,b=2"), &mut into).unwrap();
        assert_eq!(into.trace_state.len(), 2);
        assert!(extract_into(&carrier(GOOD, "a=1,B=2"), &mut into).is_err());
        assert!(into.trace_state.is_empty());
        extract_into(&carrier(GOOD, "c=3"), &mut into).unwrap();
        assert_eq!(into.trace_state.get("c"), Some("3"));
    }
}
