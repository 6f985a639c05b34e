//! `spanalloc` over mimalloc: the executable `run --allocator mimalloc` runs its plain and count
//! passes in (see `spanalloc::allocators`).

use mimalloc::MiMalloc;
use spanalloc::catalog::Catalog;
use spanalloc::meter::{Inner, MeterOver};

#[global_allocator]
static ALLOCATOR: MeterOver<MiMalloc> = MeterOver(MiMalloc);

fn main() -> std::process::ExitCode {
    spanalloc::meter::set_inner_name(<MiMalloc as Inner>::NAME);
    spanalloc::cli::main(Catalog::builtin())
}
