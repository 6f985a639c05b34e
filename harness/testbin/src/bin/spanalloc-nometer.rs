//! The command line over the built-ins without the meter as global allocator: the mistake a
//! user's binary can make, which `run` and `measure` must refuse in one line.

fn main() -> std::process::ExitCode {
    spanalloc::cli::main(spanalloc::catalog::Catalog::builtin())
}
