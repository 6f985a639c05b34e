# md_text: standard input as inert Markdown on one line, for a comment or a step summary that
# quotes text from a file or a program (an error that quotes a head's results file): newlines
# become spaces, it is capped at 2000 characters, and every character Markdown or the HTML it
# allows acts on — links, images, raw HTML, code, emphasis, tables, headings — is
# backslash-escaped. Sourced by pr-judge.sh; harness/tests/hostile.rs checks it.
md_text() {
    tr '\n\r' '  ' | cut -c1-2000 | sed -e 's/[][\\`*_{}<>&!|#~]/\\&/g' -e 's/ *$//'
}
