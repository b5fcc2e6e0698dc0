//! Jobs over a finished dataset, on polars: a wide export (one row per report) and an overview
//! report with plots.

pub mod export;
pub mod report;
