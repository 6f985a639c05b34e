//! The whole spanalloc command line — run, list, compare, report… — for the built-in scenarios
//! plus this crate's own. The meter must be the global allocator: every pass re-runs this
//! binary, and the counts come from it.

use spanalloc::catalog::Catalog;

#[global_allocator]
static ALLOC: spanalloc::meter::Meter = spanalloc::meter::Meter;

fn main() -> std::process::ExitCode {
    spanalloc::cli::main(Catalog::builtin().with(custom_strategy::SCENARIO))
}
