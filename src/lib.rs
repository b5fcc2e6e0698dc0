//! gongkai: Chinese government information-disclosure annual reports (政府信息公开工作年度报告)
//! in, a validated Hive-partitioned Parquet dataset out.
//!
//! Stages, each a module with plain data between them:
//! [`decode`] → [`normalize`] → [`segment`] (layout, cells, sections) → [`extract`] (rows) →
//! [`reconcile`] (canonical cells) → [`validate`] (checks) → [`dataset::sink`] (Parquet). [`meta`] reads
//! year and agency. [`pipeline::process`] is the pure function over one document;
//! [`dataset::run`] is the I/O around it; [`dataset::panel`] checks agencies across years in
//! every commit. [`analytics`] reads a finished dataset (export, report) with polars.

pub mod analytics;
pub mod config;
pub mod dataset;
pub mod decode;
pub mod docx;
pub mod extract;
pub mod forms;
pub mod glued;
pub mod html;
pub mod meta;
pub mod model;
pub mod normalize;
pub mod pdf;
pub mod pdftext;
pub mod pipeline;
pub mod reconcile;
pub mod region;
pub mod segment;
pub mod synth;
pub mod validate;

pub use pipeline::process;
