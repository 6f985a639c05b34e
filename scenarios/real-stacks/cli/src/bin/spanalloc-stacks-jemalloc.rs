//! `spanalloc-stacks` over jemalloc: where `run --allocator jemalloc` runs its plain and count passes.

use spanalloc::meter::{Inner, MeterOver};
use tikv_jemallocator::Jemalloc;

#[global_allocator]
static ALLOCATOR: MeterOver<Jemalloc> = MeterOver(Jemalloc);

fn main() -> std::process::ExitCode {
    spanalloc::meter::set_inner_name(<Jemalloc as Inner>::NAME);
    spanalloc::cli::main(spanalloc_stacks::catalog())
}
