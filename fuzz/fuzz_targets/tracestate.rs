//! `tracestate` parsing never panics, agrees with the allocation-free validator, and what parses
//! writes back to a header that parses to the same entries.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spanalloc_model::trace_state::{validate_header, TraceState};

fuzz_target!(|data: &[u8]| {
    let Ok(header) = std::str::from_utf8(data) else { return };
    let parsed = TraceState::parse(header);
    assert_eq!(parsed.as_ref().map(TraceState::len).map_err(Clone::clone), validate_header(header));
    if let Ok(state) = parsed {
        let mut out = String::new();
        state.write_header(&mut out);
        assert_eq!(TraceState::parse(&out).expect("a written header parses"), state);
    }
});
