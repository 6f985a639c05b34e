//! Strings from input files, made inert for the medium they are shown in.
//!
//! A results file is data anyone can write: a scenario name, a CPU string or a dhat site may hold
//! a newline (a fake `REGRESSED` line in a terminal, a heading in a pull request's summary), an
//! ANSI escape (a terminal's colours or title), Markdown or HTML (an image pulled from anywhere
//! into a step summary), a control character (an SVG no XML parser accepts), or 200 MB. Every
//! string an input file supplies passes through one of these on its way out.

pub use spanalloc_record::inert::{visible, MAX_SHOWN};

/// For a Markdown table cell or list item: [`visible`], then everything Markdown or the HTML it
/// allows would act on escaped — pipes, backticks, brackets and `!` (links, images), `<` and `&`
/// (raw HTML), `*` and `_` (emphasis), `#` (headings).
pub fn md(s: &str) -> String {
    let v = visible(s);
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' | '`' | '[' | ']' | '!' | '*' | '_' | '#' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// For Markdown, as a code span: [`visible`], backticks turned into quotes (nothing else acts
/// inside a code span; a table still needs its pipes escaped).
pub fn md_code(s: &str) -> String {
    format!("`{}`", visible(s).replace('`', "'").replace('|', "\\|"))
}

/// An SVG document with every character XML 1.0 forbids removed (C0 controls but tab, newline
/// and carriage return; U+FFFE, U+FFFF): a name holding one would make the whole chart
/// unreadable to an XML parser. Characters are already escaped by the renderer.
pub fn xml_safe(svg: String) -> String {
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}');
    if svg.chars().all(allowed) {
        svg
    } else {
        svg.chars().filter(|&c| allowed(c)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_strings_are_inert() {
        assert_eq!(visible("value-copy"), "value-copy");
        assert_eq!(visible("x\nREGRESSED y"), "x\\nREGRESSED y");
        assert_eq!(visible("\u{1b}[31mred"), "\\u{1b}[31mred");
        let long = "a".repeat(MAX_SHOWN + 10);
        assert!(visible(&long).ends_with("…(10 more bytes)"));
        // The newline is shown as `\n`, its backslash escaped for Markdown.
        assert_eq!(md("a|b\n# h <img src=x> ![i](https://e)"), "a\\|b\\\\n\\# h &lt;img src=x&gt; \\!\\[i\\](https://e)");
        assert_eq!(xml_safe("<text>a\u{1}b\u{7}</text>".into()), "<text>ab</text>");
        assert_eq!(md_code("<a as B>::f`x|y\n"), "`<a as B>::f'x\\|y\\n`");
    }
}
