//! The `spanalloc` binary: the command line over the built-in scenarios. Exit status: 0 fine,
//! 1 a scenario failed or a check disagreed, 2 bad input.

use spanalloc::catalog::Catalog;

#[global_allocator]
static ALLOCATOR: spanalloc::meter::Meter = spanalloc::meter::Meter;

fn main() -> std::process::ExitCode {
    spanalloc::cli::main(Catalog::builtin())
}
