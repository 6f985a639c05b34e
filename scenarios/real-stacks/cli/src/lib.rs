//! The catalog of `spanalloc-stacks`: the built-in rows plus the real stacks, through the
//! extension point, with its own per-allocator executables.
#![deny(missing_docs)]

use spanalloc::allocators::AllocatorBuild;
use spanalloc::catalog::Catalog;

/// The real-stack rows, in table order.
pub const STACKS: [&str; 2] = [spanalloc_tracing_otel::SCENARIO.name, spanalloc_fastrace::SCENARIO.name];

/// The built-ins, then tracing-opentelemetry and fastrace.
pub fn catalog() -> Catalog {
    Catalog::builtin().with(spanalloc_tracing_otel::SCENARIO).with(spanalloc_fastrace::SCENARIO).with_allocator_build(
        AllocatorBuild {
            package: env!("CARGO_PKG_NAME"),
            bin_prefix: "spanalloc-stacks",
            manifest_dir: env!("CARGO_MANIFEST_DIR"),
        },
    )
}
