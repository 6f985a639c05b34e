//! `traceparent` parsing and extraction never panic; what parses re-injects to the same header.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spanalloc_model::w3c::{extract, inject, parse_traceparent, HeaderCarrier};

fuzz_target!(|data: &[u8]| {
    let Ok(header) = std::str::from_utf8(data) else { return };
    let parsed = parse_traceparent(header);
    let carrier = HeaderCarrier { traceparent: header.to_owned(), tracestate: String::new() };
    if let Ok(ctx) = extract(&carrier) {
        let (trace_id, span_id, flags) = parsed.expect("extract succeeded, so parsing does");
        assert_eq!((ctx.trace_id, ctx.span_id, ctx.flags), (trace_id, span_id, flags));
        let mut again = HeaderCarrier::default();
        inject(&ctx, &mut again);
        // Version 00 round-trips exactly; later versions drop their extra fields.
        if header.starts_with("00-") {
            assert_eq!(again.traceparent, header);
        }
    }
});
