//! Markdown escaping, fuzzed: whatever a string holds, `text::md` leaves no character Markdown or
//! its HTML acts on unescaped, one line, and `text::visible` no control or bidirectional
//! character — the escaping every comment, summary and table cell goes through.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spanalloc_show::text::{md, visible};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let v = visible(s);
    assert!(!v.chars().any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)), "hidden character: {v:?}");
    let m = md(s);
    assert!(!m.contains('\n') && !m.contains('<') && !m.contains('>'), "a line break or a tag: {m:?}");
    // Every character Markdown acts on is preceded by a backslash (an escaped backslash is a pair).
    let mut chars = m.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            chars.next();
            continue;
        }
        assert!(!"|`[]!*_#".contains(c), "unescaped {c:?} in {m:?}");
    }
});
