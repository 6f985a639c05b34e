//! Strings from input files, made inert where they are shown as one line: the bottom of what
//! `spanalloc-show`'s `text` builds on, here so that an input error — which quotes the file (an
//! unknown failure kind, a bad name) — is one inert line too.

use std::borrow::Cow;

/// Characters a reader cannot see but that change what they read: controls, and the format
/// characters that reorder (bidirectional embeddings, overrides and isolates) or hide text.
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// The longest input string shown: past it, the rest is counted, not printed.
pub const MAX_SHOWN: usize = 2000;

fn capped(s: &str) -> (&str, usize) {
    match s.char_indices().nth(MAX_SHOWN) {
        Some((at, _)) => (&s[..at], s.len() - at),
        None => (s, 0),
    }
}

/// For a terminal or a log: control characters (newlines, escapes, ANSI's ESC, NUL) and the
/// invisible characters that reorder or hide text (bidirectional overrides such as U+202E,
/// zero-width ones) shown as escapes (`\n`, `\u{1b}`, `\u{202e}`), and the string capped at
/// [`MAX_SHOWN`] characters.
pub fn visible(s: &str) -> Cow<'_, str> {
    let (head, rest) = capped(s);
    if rest == 0 && !head.chars().any(hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(head.len());
    for c in head.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    if rest > 0 {
        out.push_str(&format!("…({rest} more bytes)"));
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_shown_as_escapes() {
        assert_eq!(visible("a\u{0}b"), "a\\u{0}b");
        assert_eq!(visible("evil\u{202e}txt.exe"), "evil\\u{202e}txt.exe");
        assert_eq!(visible("x\u{200b}y\u{2066}z"), "x\\u{200b}y\\u{2066}z");
        assert_eq!(visible("naïve 中文"), "naïve 中文");
    }
}
