//! `spanalloc-releases`: the whole spanalloc command line over the built-in rows and the otel-sdk
//! row at opentelemetry_sdk 0.28 to 0.32 (`otel-sdk@0.28` …). The meter is the global allocator.

#[global_allocator]
static ALLOCATOR: spanalloc::meter::Meter = spanalloc::meter::Meter;

fn main() -> std::process::ExitCode {
    spanalloc::cli::main(spanalloc_sdk_releases::catalog())
}
