//! One module per section of the page, in reading order; each turns the inputs into its
//! view and its markup.

pub mod allocators;
pub mod baseline;
pub mod benches;
pub mod claims;
pub mod go;
pub mod history;
pub mod holds;
pub mod method;
pub mod per_strategy;
pub mod releases;
pub mod stages;
pub mod strategies;
pub mod sweep;
pub mod timeline;
pub mod verdict;
