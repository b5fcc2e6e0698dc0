//! `gongkai compact`: every append adds a file to each partition it touches; after years of
//! appends a partition is many small files. Compaction rewrites each partition of more than one
//! file into as few files as the file size bound allows ([`sink`]'s rows per file), with the same
//! rows, schema and writer settings, under the same lock and atomic commit as build and append.
//!
//! It streams record batches through the Parquet reader and the dataset writer (arrow-rs), not
//! through polars: the files must stay exactly what build and append write (dictionary-encoded
//! code columns, row-group and page bounds, statistics settings) so that a later append's
//! readers and DuckDB see one table, and memory stays one row group per partition.

use crate::config::Config;
use crate::dataset::run::{new_run_id, refuse_other_format, usage, Lock};
use crate::dataset::sink::{self, DatasetWriter, FileEntry, Manifest, RunRecord, Table};
use anyhow::{bail, Context, Result};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Compaction {
    pub partitions: u64,
    pub files_before: u64,
    pub files_after: u64,
    pub rows: u64,
}

pub fn compact(out: &Path, cfg: &Config) -> Result<Compaction> {
    match Manifest::read(out) {
        Ok(Some(_)) => {}
        Ok(None) => {
            return Err(usage(format!(
                "{}: no gongkai dataset here (no {})",
                out.display(),
                sink::MANIFEST
            )))
        }
        Err(e) => return Err(usage(format!("{}: {e:#}", out.display()))),
    }
    let _lock = Lock::acquire(out)?;
    sink::remove_stale_staging(out);
    let Some(mut manifest) = Manifest::read(out)? else {
        bail!("{}: the dataset went away", out.display());
    };
    refuse_other_format(out, &manifest)?;
    let mut partitions: BTreeMap<(String, i32), Vec<FileEntry>> = BTreeMap::new();
    for f in &manifest.files {
        partitions
            .entry((f.table.clone(), f.year))
            .or_default()
            .push(f.clone());
    }
    partitions.retain(|_, files| files.len() > 1);
    let mut done = Compaction::default();
    if partitions.is_empty() {
        return Ok(done);
    }
    let started = crate::dataset::run::now_utc();
    let run_id = new_run_id();
    let staging = sink::staging_dir(out, &run_id);
    let result = (|| -> Result<Vec<FileEntry>> {
        std::fs::create_dir_all(&staging)?;
        sink::link_tree(out, &staging, &|name| name != sink::MANIFEST)?;
        let mut writer = DatasetWriter::for_config(&staging, &run_id, cfg)?;
        for ((table, year), files) in &partitions {
            let table = *Table::ALL
                .iter()
                .find(|t| t.name() == table)
                .with_context(|| format!("unknown table {table} in the manifest"))?;
            for f in files {
                let path = staging.join(&f.path);
                let file = std::fs::File::open(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                let reader = ParquetRecordBatchReaderBuilder::try_new(file)?
                    .with_batch_size(8192)
                    .build()?;
                for batch in reader {
                    let batch = batch?;
                    // The same columns as written; the reader's schema may carry other metadata.
                    let batch =
                        arrow_array::RecordBatch::try_new(table.schema(), batch.columns().to_vec())
                            .with_context(|| {
                                format!("{}: not the {} table's columns", f.path, table.name())
                            })?;
                    done.rows += batch.num_rows() as u64;
                    writer.write_batch(table, *year, &batch)?;
                }
                // Only the link in the staging directory: the committed dataset keeps its file.
                std::fs::remove_file(&path)?;
            }
            writer.close_partition(table, *year)?;
            done.partitions += 1;
            done.files_before += files.len() as u64;
        }
        writer.finish()
    })();
    let new_files = match result {
        Ok(f) => f,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    done.files_after = new_files.len() as u64;
    let replaced: std::collections::HashSet<&String> =
        partitions.values().flatten().map(|f| &f.path).collect();
    manifest.files.retain(|f| !replaced.contains(&f.path));
    manifest.runs.push(RunRecord {
        run_id: run_id.clone(),
        kind: "compact".into(),
        started,
        finished: crate::dataset::run::now_utc(),
        input: String::new(),
        inputs_seen: 0,
        documents_written: 0,
        by_status: Default::default(),
        by_form: Default::default(),
        cells: 0,
        checks_failed: 0,
        files: new_files.iter().map(|f| f.path.clone()).collect(),
        not_followed: Vec::new(),
        superseded: 0,
    });
    manifest.files.extend(new_files);
    manifest.files.sort_by(|a, b| a.path.cmp(&b.path));
    let committed = (|| -> Result<()> {
        manifest.write(&staging)?;
        sink::sync_tree(&staging)?;
        sink::commit(&staging, out)
    })();
    if let Err(e) = committed {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    Ok(done)
}
