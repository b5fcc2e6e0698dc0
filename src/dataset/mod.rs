//! The dataset on disk: a run (build or append) around the pure pipeline, the Parquet sink and
//! its atomic commit, the panel checks every commit brings up to date, compaction, and status.

pub mod compact;
pub mod panel;
pub mod run;
pub mod scan;
pub mod sink;
pub mod status;
