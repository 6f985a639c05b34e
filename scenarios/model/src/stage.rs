//! Which pipeline stage the current thread is in, so an allocator can charge each allocation to
//! the stage that made it.
//!
//! The marker is a `const`-initialised thread-local `Cell` without a destructor: reading it from
//! inside a global allocator neither allocates nor fails, even while a thread is exiting.

use std::cell::Cell;

/// A stage of the tracing pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Stage {
    /// Outside the pipeline's stages (thread start, coordination).
    Other = 0,
    /// Creating contexts and spans, publishing and reading the current context.
    Tracer = 1,
    /// The sampler reading the parent context.
    Sampler = 2,
    /// Span end: building the record and batching it for the exporter.
    Processor = 3,
    /// The exporter thread: encoding, digest, dropping records.
    Exporter = 4,
    /// Injecting into and extracting from a carrier.
    Propagator = 5,
}

impl Stage {
    /// Every stage, in index order.
    pub const ALL: [Stage; 6] =
        [Stage::Other, Stage::Tracer, Stage::Sampler, Stage::Processor, Stage::Exporter, Stage::Propagator];

    /// The stage's name as reports print it.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Other => "other",
            Stage::Tracer => "tracer",
            Stage::Sampler => "sampler",
            Stage::Processor => "processor",
            Stage::Exporter => "exporter",
            Stage::Propagator => "propagator",
        }
    }

    /// Index into [`Stage::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

thread_local! {
    static CURRENT: Cell<Stage> = const { Cell::new(Stage::Other) };
}

/// The stage the calling thread is in.
pub fn current() -> Stage {
    CURRENT.try_with(Cell::get).unwrap_or(Stage::Other)
}

/// Marks the calling thread as in `stage` until the guard drops, then restores the previous one.
pub fn enter(stage: Stage) -> StageGuard {
    let previous = CURRENT.with(|c| c.replace(stage));
    StageGuard { previous }
}

/// Restores the previous stage when dropped.
#[must_use = "the stage ends when the guard drops"]
pub struct StageGuard {
    previous: Stage,
}

impl Drop for StageGuard {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.previous));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_nest_and_restore() {
        assert_eq!(current(), Stage::Other);
        {
            let _t = enter(Stage::Tracer);
            {
                let _s = enter(Stage::Sampler);
                assert_eq!(current(), Stage::Sampler);
            }
            assert_eq!(current(), Stage::Tracer);
        }
        assert_eq!(current(), Stage::Other);
        assert!(Stage::ALL.iter().enumerate().all(|(i, s)| s.index() == i));
    }
}
