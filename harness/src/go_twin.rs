//! The Go twin's rows (`scenarios/go-twin/`): the strategies in Go, through the hand-offs of
//! OpenTelemetry Go's SDK, on the same seeded workload and digest as the Rust rows. Each is an
//! [`External`]: the twin is built once per run with the machine's `go` (Debian's `golang-go`,
//! installed by `scripts/install-go.sh`), outside every measured region, and measures each pass
//! in its own process. Its counts are `runtime.MemStats` deltas — not exact, since the runtime
//! allocates in the background — so the rows are marked not exact; they run one pass per repeat.
//! Opt-in (`run --go`, or by name), on in the nightly.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::external::{External, PassRequest};
use crate::pass::Pass;

/// The prefix every Go row's name starts with; `run --go` adds the rows that have it.
pub const PREFIX: &str = "go-";

/// Where the twin's sources are.
pub(crate) fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/go-twin")
}

/// The `go` to build with: `$GO`, or `go` on the PATH.
pub(crate) fn go() -> std::ffi::OsString {
    std::env::var_os("GO").unwrap_or_else(|| "go".into())
}

/// Builds the twin beside this executable, once per process (every Go row shares it).
fn prepare() -> Result<PathBuf, String> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().map_err(|e| format!("cannot find this executable: {e}"))?;
            let out = exe.with_file_name("spanalloc-go-twin");
            let status = Command::new(go())
                .args(["build", "-o"])
                .arg(&out)
                .arg(".")
                .current_dir(source_dir())
                .stdin(Stdio::null())
                .status();
            match status {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Err("the Go rows need a Go toolchain (1.19 or later): run scripts/install-go.sh (Debian's golang-go)".into())
                }
                Err(e) => Err(format!("cannot run go: {e}")),
                Ok(s) if !s.success() => Err(format!("`go build` of {} failed ({s})", source_dir().display())),
                Ok(_) => Ok(out),
            }
        })
        .clone()
}

/// The twin's flags for one pass of `strategy`.
fn args(strategy: &str, r: &PassRequest<'_>) -> Vec<String> {
    let c = r.cfg;
    let mut a = vec!["-strategy".to_owned(), strategy.to_owned()];
    for (flag, value) in [
        ("-spans", c.spans.to_string()),
        ("-rate", c.rate.to_string()),
        ("-trace-state", c.trace_state_entries.to_string()),
        ("-seed", c.seed.to_string()),
        ("-warmup", c.warmup.to_string()),
        ("-producers", c.producers.to_string()),
        ("-fan-out", c.fan_out.to_string()),
        ("-depth", c.depth.to_string()),
        ("-propagate-every", c.propagate_every.to_string()),
        ("-sample-ratio", c.sample_ratio.to_string()),
    ] {
        a.push(flag.to_owned());
        a.push(value);
    }
    a
}

const PASSES: &[Pass] = &[Pass::Count];

macro_rules! go_row {
    ($const:ident, $strategy:literal, $description:literal) => {
        #[doc = concat!("`go-", $strategy, "`: ", $description)]
        pub const $const: External = External {
            name: concat!("go-", $strategy),
            description: $description,
            exact_counts: false,
            // The twin's queue blocks when full: it never drops, and a row that did would fail.
            may_drop: false,
            passes: PASSES,
            prepare,
            args: |r| args($strategy, r),
            default_on: false,
        };
    };
}

go_row!(GO_VALUE, "value", "Go twin: SpanContext by value, as OpenTelemetry Go passes it (opt-in: --go)");
go_row!(
    GO_POINTER,
    "pointer",
    "Go twin: a *SpanContext per span inside the SDK, the article's proposal — a hypothetical SDK fork: it rewrites unexported SDK fields, which no user can (opt-in: --go)"
);
go_row!(
    GO_POINTER_EMBEDDED,
    "pointer-embedded",
    "Go twin: contexts embedded in upstream's span, readers get interior pointers; no per-span object (opt-in: --go)"
);
go_row!(GO_POOL, "pool", "Go twin: *SpanContext from a sync.Pool, returned after export (opt-in: --go)");
go_row!(GO_ATOMIC, "atomic", "Go twin: *SpanContext per span, current context in an atomic.Pointer (opt-in: --go)");
go_row!(
    GO_USER_POINTER,
    "user-pointer",
    "Go twin: what a user can write — upstream's SDK unmodified (as go-value), the user's code holding a *SpanContext to each span's context across its stages (opt-in: --go)"
);

/// The Go rows, value first (the Go rows' ratio reference).
pub const ALL: [External; 6] = [GO_VALUE, GO_POINTER, GO_POINTER_EMBEDDED, GO_POOL, GO_ATOMIC, GO_USER_POINTER];
