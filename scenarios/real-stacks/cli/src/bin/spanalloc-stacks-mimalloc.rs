//! `spanalloc-stacks` over mimalloc: where `run --allocator mimalloc` runs its plain and count passes.

use mimalloc::MiMalloc;
use spanalloc::meter::{Inner, MeterOver};

#[global_allocator]
static ALLOCATOR: MeterOver<MiMalloc> = MeterOver(MiMalloc);

fn main() -> std::process::ExitCode {
    spanalloc::meter::set_inner_name(<MiMalloc as Inner>::NAME);
    spanalloc::cli::main(spanalloc_stacks::catalog())
}
