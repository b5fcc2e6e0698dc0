//! gongkai: Chinese government information-disclosure annual reports (政府信息公开工作年度报告)
//! in, a validated Hive-partitioned Parquet dataset out.
//!
//! Stages, each a module with plain data between them:
//! [`read::decode`] (or [`read::docx`], [`read::pdf`]) → [`parse::normalize`] →
//! [`parse::segment`] (layout, cells, sections) → [`parse::extract`] (rows) →
//! [`check::reconcile`] (canonical cells) → [`check::validate`] (checks) → [`dataset::sink`]
//! (Parquet). [`meta`] reads year and agency. [`pipeline::process`] is the pure function over
//! one document; [`dataset::run`] is the I/O around it; [`dataset::panel`] checks agencies across
//! years in every commit. [`analytics`] reads a finished dataset (export, report) with polars.
//!
//! The folders are layers, each using only those below it: `analytics` → `dataset` →
//! `pipeline` → `check` → `parse` → `read`, `meta` → `forms` (form knowledge, as data) →
//! `model`, `config`.

pub mod analytics;
pub mod check;
pub mod config;
pub mod dataset;
pub mod forms;
pub mod meta;
pub mod model;
pub mod parse;
pub mod pipeline;
pub mod read;
pub mod synth;

pub use pipeline::process;
