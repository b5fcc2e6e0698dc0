//! Parquet output: one writer per (table, year), Hive directories, `_manifest.json`, and the
//! atomic commit of a staging directory. The files of a run are written into a staging
//! directory beside the output (a hidden sibling, never matched by `out/<table>/**`), then swapped
//! in with one `renameat2(RENAME_EXCHANGE)`: readers see the old dataset or the new one.

use crate::model::{Cell, Check, Processed};
use anyhow::{bail, Context, Result};
use arrow_array::builder::{
    Float64Builder, Int32Builder, Int64Builder, ListBuilder, StringBuilder,
};
use arrow_array::{ArrayRef, DictionaryArray, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    Documents,
    Cells,
    Checks,
    PanelChecks,
}

impl Table {
    pub const ALL: [Table; 4] = [
        Table::Documents,
        Table::Cells,
        Table::Checks,
        Table::PanelChecks,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Table::Documents => "documents",
            Table::Cells => "cells",
            Table::Checks => "checks",
            Table::PanelChecks => "panel_checks",
        }
    }
    pub fn schema(self) -> SchemaRef {
        let s = |n: &str| Field::new(n, DataType::Utf8, false);
        let sn = |n: &str| Field::new(n, DataType::Utf8, true);
        // Parquet stores these as plain strings; the dictionary is only how they are built.
        let code = |n: &str| Field::new(n, codes_type(), false);
        let list = |n: &str| {
            Field::new(
                n,
                DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
                false,
            )
        };
        let i32f = |n: &str| Field::new(n, DataType::Int32, false);
        let f64n = |n: &str| Field::new(n, DataType::Float64, true);
        Arc::new(Schema::new(match self {
            Table::Documents => vec![
                s("doc_id"),
                s("source_path"),
                list("duplicate_paths"),
                s("form_version"),
                sn("agency"),
                sn("province"),
                sn("prefecture"),
                sn("county"),
                sn("region_code"),
                sn("encoding"),
                sn("script"),
                sn("layout"),
                Field::new("pages", DataType::Int32, true),
                s("status"),
                list("problems"),
                i32f("n_cells"),
                i32f("n_values"),
                i32f("n_checks_failed"),
                Field::new("bytes", DataType::Int64, false),
                s("run_id"),
            ],
            Table::Cells => vec![
                code("doc_id"),
                code("form_version"),
                code("section"),
                code("item"),
                code("metric"),
                f64n("value"),
                code("status"),
                sn("raw"),
                code("unit"),
                Field::new("line", DataType::Int32, true),
            ],
            Table::Checks => vec![
                code("doc_id"),
                code("check"),
                f64n("expected"),
                f64n("actual"),
                sn("reason"),
                code("outcome"),
            ],
            Table::PanelChecks => vec![
                s("agency_key"),
                s("agency"),
                s("region_code"),
                s("doc_id"),
                Field::new("prev_year", DataType::Int32, true),
                sn("prev_doc_id"),
                s("check"),
                s("severity"),
                f64n("expected"),
                f64n("actual"),
                s("outcome"),
                sn("reason"),
            ],
        }))
    }
}

/// The dataset's format: 2 added `documents.pages`. Appending to another format is refused
/// (the files would not read as one table); a build rewrites it.
pub const FORMAT: u32 = 2;

/// One `documents` row: what `process` found plus where the file was and when it was written.
#[derive(Debug, Clone)]
pub struct DocRecord {
    pub doc_id: String,
    pub source_path: String,
    pub duplicate_paths: Vec<String>,
    pub bytes: u64,
    pub processed: Processed,
}

impl DocRecord {
    /// The partition: the statistics year, 0 when unknown.
    pub fn year(&self) -> i32 {
        self.processed.info.year.unwrap_or(0)
    }
}

/// A `documents` row as buffered for writing: the record without its cells and checks (they
/// are in their own tables), with the counts kept.
struct DocRow {
    doc: DocRecord,
    n_cells: i32,
    n_values: i32,
    n_checks_failed: i32,
}

/// A file of the dataset, as listed in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileEntry {
    pub path: String,
    pub table: String,
    pub year: i32,
    pub rows: u64,
    pub bytes: u64,
    pub run_id: String,
    /// `panel_checks` only: a hash of the partition's rows, so that a run whose panel checks
    /// for a year came out the same keeps that year's files instead of rewriting them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows_hash: Option<String>,
}

/// Rows per Parquet file before a partition rolls over to the next file.
const MAX_ROWS_PER_FILE: u64 = 1 << 20;

/// In-memory size at which a row group is written out, whatever its row count.
const ROW_GROUP_BYTES: usize = 2 << 20;

/// Page and dictionary size limit of the Parquet writers.
const PAGE_BYTES: usize = 64 * 1024;

/// Rows buffered before they are handed to the Parquet writer as one batch.
const BATCH_ROWS: usize = 8192;

enum Rows {
    Documents(Vec<DocRow>),
    Cells(Vec<(Arc<str>, Cell)>),
    Checks(Vec<(Arc<str>, Check)>),
    /// Written as record batches made elsewhere ([`DatasetWriter::write_batch`]): no buffer.
    Batches,
}

struct Part {
    run_id: Arc<str>,
    writer: ArrowWriter<File>,
    rel_path: String,
    rows: Rows,
    written: u64,
    /// The document count when this partition last got rows (for least-recently-used flushing).
    last_used: u64,
    columns: usize,
}

pub struct DatasetWriter {
    root: PathBuf,
    run_id: String,
    props: WriterProperties,
    parts: BTreeMap<(Table, i32), Part>,
    /// The next file number per partition (a partition rolls over to a new file every
    /// [`MAX_ROWS_PER_FILE`] rows).
    next_seq: BTreeMap<(Table, i32), u32>,
    files: Vec<FileEntry>,
    /// Documents and record batches written so far: the clock of least-recently-used flushing.
    docs: u64,
    /// [`OPEN_PARTITIONS_BYTES`], smaller in tests.
    open_partitions_bytes: usize,
}

/// Memory that all open partitions together may hold in buffered rows and unfinished row
/// groups. Every open row group holds encoders and a zstd context per column; a dump sorted by
/// year leaves last year's partitions idle but open, so without a bound memory grew with the
/// number of partitions seen. Over the bound, the least recently used partitions write out
/// their row groups (a smaller row group, never a different result).
const OPEN_PARTITIONS_BYTES: usize = 32 << 20;

/// What an open row group costs per column beyond its buffers (zstd compression and
/// decompression contexts that the Parquet writer keeps per column).
const COLUMN_OVERHEAD_BYTES: usize = 256 << 10;

/// The memory bound is checked every this many documents.
const MEMORY_CHECK_DOCS: u64 = 64;

impl DatasetWriter {
    pub fn new(
        root: &Path,
        run_id: &str,
        compression: &str,
        zstd_level: i32,
        row_group_rows: usize,
    ) -> Result<Self> {
        let compression = match compression {
            "zstd" => Compression::ZSTD(ZstdLevel::try_new(zstd_level)?),
            "snappy" => Compression::SNAPPY,
            _ => Compression::UNCOMPRESSED,
        };
        let props = WriterProperties::builder()
            .set_compression(compression)
            .set_max_row_group_row_count(Some(row_group_rows))
            // Every open (table, year) writer buffers a data page and a dictionary per column
            // before compressing them; the defaults (1 MiB each) times 10 columns times every
            // open partition made peak memory climb with the dump. Small pages bound it.
            .set_data_page_size_limit(PAGE_BYTES)
            // A partition that sees few rows (documents) would otherwise keep its whole row
            // group in memory until the end: cap row groups by size as well as by rows.
            .set_max_row_group_bytes(Some(ROW_GROUP_BYTES))
            .set_dictionary_page_size_limit(PAGE_BYTES)
            .set_created_by(format!("gongkai {}", env!("CARGO_PKG_VERSION")));
        // Min/max of a random hash, of free text, or of codes that every row group holds all of
        // never prunes a row group, and computing them was a sixth of the writing time.
        let props = [
            "doc_id",
            "raw",
            "form_version",
            "section",
            "item",
            "metric",
            "status",
            "unit",
            "check",
            "reason",
            "outcome",
        ]
        .into_iter()
        .fold(props, |p, c| {
            p.set_column_statistics_enabled(c.into(), EnabledStatistics::None)
        })
        .build();
        Ok(DatasetWriter {
            root: root.to_path_buf(),
            run_id: run_id.to_string(),
            props,
            parts: BTreeMap::new(),
            next_seq: BTreeMap::new(),
            files: Vec::new(),
            docs: 0,
            open_partitions_bytes: OPEN_PARTITIONS_BYTES,
        })
    }

    /// A writer with the configuration's compression and row groups.
    pub fn for_config(root: &Path, run_id: &str, cfg: &crate::config::Config) -> Result<Self> {
        Self::new(
            root,
            run_id,
            &cfg.compression,
            cfg.zstd_level,
            cfg.row_group_rows,
        )
    }

    fn part(&mut self, table: Table, year: i32) -> Result<&mut Part> {
        if !self.parts.contains_key(&(table, year)) {
            let rel_dir = format!("{}/year={year}", table.name());
            let seq = self.next_seq.entry((table, year)).or_insert(0);
            let rel_path = format!("{rel_dir}/part-{}-{:04}.parquet", self.run_id, *seq);
            *seq += 1;
            std::fs::create_dir_all(self.root.join(&rel_dir))
                .with_context(|| format!("creating {}", self.root.join(&rel_dir).display()))?;
            let file = File::create(self.root.join(&rel_path))
                .with_context(|| format!("creating {}", self.root.join(&rel_path).display()))?;
            let writer = ArrowWriter::try_new(file, table.schema(), Some(self.props.clone()))?;
            let rows = match table {
                Table::Documents => Rows::Documents(Vec::new()),
                Table::Cells => Rows::Cells(Vec::new()),
                Table::Checks => Rows::Checks(Vec::new()),
                Table::PanelChecks => Rows::Batches,
            };
            self.parts.insert(
                (table, year),
                Part {
                    run_id: Arc::from(self.run_id.as_str()),
                    writer,
                    rel_path,
                    rows,
                    written: 0,
                    last_used: 0,
                    columns: table.schema().fields().len(),
                },
            );
        }
        Ok(self.parts.get_mut(&(table, year)).expect("inserted above"))
    }

    /// Write one document's rows into its year's files.
    pub fn write(&mut self, mut doc: DocRecord) -> Result<()> {
        let year = doc.year();
        let id: Arc<str> = Arc::from(doc.doc_id.as_str());
        let (n_cells, n_values, n_checks_failed) = (
            doc.processed.cells.len() as i32,
            doc.processed.n_values() as i32,
            doc.processed.n_checks_failed() as i32,
        );
        let cells = std::mem::take(&mut doc.processed.cells);
        if !cells.is_empty() {
            let part = self.part(Table::Cells, year)?;
            if let Rows::Cells(v) = &mut part.rows {
                v.extend(cells.into_iter().map(|c| (id.clone(), c)));
            }
            part.flush_if_full()?;
        }
        let checks = std::mem::take(&mut doc.processed.checks);
        if !checks.is_empty() {
            let part = self.part(Table::Checks, year)?;
            if let Rows::Checks(v) = &mut part.rows {
                v.extend(checks.into_iter().map(|c| (id.clone(), c)));
            }
            part.flush_if_full()?;
        }
        let row = DocRow {
            doc,
            n_cells,
            n_values,
            n_checks_failed,
        };
        let part = self.part(Table::Documents, year)?;
        if let Rows::Documents(v) = &mut part.rows {
            v.push(row);
        }
        part.flush_if_full()?;
        for table in Table::ALL {
            if let Some(p) = self.parts.get_mut(&(table, year)) {
                p.last_used = self.docs;
            }
            self.roll_over_if_large((table, year))?;
        }
        self.docs += 1;
        if self.docs.is_multiple_of(MEMORY_CHECK_DOCS) {
            self.bound_memory()?;
        }
        Ok(())
    }

    /// Write a batch of `table`'s rows (its schema) into the year's files: the panel checks, and
    /// the rows a compaction copies.
    /// Open partitions share the memory bound here too: the panel checks write every year's
    /// partition at once.
    pub fn write_batch(&mut self, table: Table, year: i32, batch: &RecordBatch) -> Result<()> {
        let clock = self.docs;
        let part = self.part(table, year)?;
        part.writer.write(batch)?;
        part.written += batch.num_rows() as u64;
        part.last_used = clock;
        self.docs += 1;
        self.roll_over_if_large((table, year))?;
        self.bound_memory()
    }

    /// Finish the partition's current file (a compaction moves on to the next partition).
    pub fn close_partition(&mut self, table: Table, year: i32) -> Result<()> {
        self.close_part((table, year))
    }

    /// Keep the open partitions within [`OPEN_PARTITIONS_BYTES`], writing out the row groups of
    /// the least recently used ones first.
    fn bound_memory(&mut self) -> Result<()> {
        let mut open: Vec<(u64, (Table, i32), usize)> = self
            .parts
            .iter()
            .map(|(k, p)| (p.last_used, *k, p.memory_size()))
            .collect();
        let mut total: usize = open.iter().map(|o| o.2).sum();
        open.sort();
        for (_, key, bytes) in open {
            if total <= self.open_partitions_bytes {
                break;
            }
            if let Some(p) = self.parts.get_mut(&key) {
                p.write_out()?;
            }
            total -= bytes;
        }
        Ok(())
    }

    /// Copy the existing documents file `src` (already linked into this writer's root) into a
    /// new file of this run without the rows whose `doc_id` is in `drop`, and remove the link:
    /// the old file itself is never modified. Returns whether `src` held such rows.
    pub fn copy_documents_without(
        &mut self,
        src: &FileEntry,
        drop: &std::collections::HashSet<String>,
    ) -> Result<bool> {
        use arrow_array::cast::AsArray;
        use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
        let path = self.root.join(&src.path);
        let open = || -> Result<_> {
            let file = File::open(&path).with_context(|| format!("reading {}", path.display()))?;
            Ok(ParquetRecordBatchReaderBuilder::try_new(file)?.build()?)
        };
        let mut hit = false;
        for batch in open()? {
            hit |= batch?
                .column(0)
                .as_string::<i32>()
                .iter()
                .flatten()
                .any(|id| drop.contains(id));
        }
        if !hit {
            return Ok(false);
        }
        let seq = self
            .next_seq
            .entry((Table::Documents, src.year))
            .or_insert(0);
        let rel_path = format!(
            "documents/year={}/part-{}-{:04}.parquet",
            src.year, self.run_id, *seq
        );
        *seq += 1;
        let mut writer = ArrowWriter::try_new(
            File::create(self.root.join(&rel_path))?,
            Table::Documents.schema(),
            Some(self.props.clone()),
        )?;
        let mut rows = 0;
        for batch in open()? {
            let batch = batch?;
            let ids = batch.column(0).as_string::<i32>();
            // Write the runs of kept rows as slices: no copy of the rows themselves.
            let mut start = 0;
            for r in 0..=batch.num_rows() {
                if r == batch.num_rows() || drop.contains(ids.value(r)) {
                    if r > start {
                        writer.write(&batch.slice(start, r - start))?;
                        rows += (r - start) as u64;
                    }
                    start = r + 1;
                }
            }
        }
        writer.close()?;
        std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        if rows == 0 {
            std::fs::remove_file(self.root.join(&rel_path))?;
            return Ok(true);
        }
        let bytes = std::fs::metadata(self.root.join(&rel_path))?.len();
        self.files.push(FileEntry {
            path: rel_path,
            table: Table::Documents.name().into(),
            year: src.year,
            rows,
            bytes,
            run_id: self.run_id.clone(),
            rows_hash: None,
        });
        Ok(true)
    }

    /// Close every file; returns the manifest entries of the files written.
    pub fn finish(mut self) -> Result<Vec<FileEntry>> {
        let keys: Vec<(Table, i32)> = self.parts.keys().copied().collect();
        for key in keys {
            self.close_part(key)?;
        }
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(self.files)
    }

    /// Finish one partition's current file and list it.
    fn close_part(&mut self, key: (Table, i32)) -> Result<()> {
        let Some(mut part) = self.parts.remove(&key) else {
            return Ok(());
        };
        part.flush()?;
        part.writer.close()?;
        let bytes = std::fs::metadata(self.root.join(&part.rel_path))?.len();
        self.files.push(FileEntry {
            path: part.rel_path,
            table: key.0.name().into(),
            year: key.1,
            rows: part.written,
            bytes,
            run_id: self.run_id.clone(),
            rows_hash: None,
        });
        Ok(())
    }

    /// A writer keeps per-file metadata (row groups, page indexes) until its file is closed:
    /// bounded files keep that bounded however large the dump.
    fn roll_over_if_large(&mut self, key: (Table, i32)) -> Result<()> {
        if self
            .parts
            .get(&key)
            .is_some_and(|p| p.written >= MAX_ROWS_PER_FILE)
        {
            self.close_part(key)?;
        }
        Ok(())
    }
}

impl Part {
    /// Estimated bytes held: buffered rows, the unfinished row group, its per-column contexts.
    fn memory_size(&self) -> usize {
        let rows = match &self.rows {
            Rows::Documents(v) => v.capacity() * (std::mem::size_of::<DocRow>() + 128),
            Rows::Cells(v) => v.capacity() * (std::mem::size_of::<(Arc<str>, Cell)>() + 8),
            Rows::Checks(v) => v.capacity() * std::mem::size_of::<(Arc<str>, Check)>(),
            Rows::Batches => 0,
        };
        let open = if self.writer.in_progress_rows() > 0 {
            self.columns * COLUMN_OVERHEAD_BYTES
        } else {
            0
        };
        rows + self.writer.memory_size() + open
    }

    /// Write buffered rows and the unfinished row group to the file, and release the buffers.
    fn write_out(&mut self) -> Result<()> {
        self.flush()?;
        self.writer.flush()?;
        match &mut self.rows {
            Rows::Documents(v) => *v = Vec::new(),
            Rows::Cells(v) => *v = Vec::new(),
            Rows::Checks(v) => *v = Vec::new(),
            Rows::Batches => {}
        }
        Ok(())
    }

    fn len(&self) -> usize {
        match &self.rows {
            Rows::Documents(v) => v.len(),
            Rows::Cells(v) => v.len(),
            Rows::Checks(v) => v.len(),
            Rows::Batches => 0,
        }
    }

    fn flush_if_full(&mut self) -> Result<()> {
        // A documents row carries more (paths, problems) and a partition sees few of them:
        // a smaller batch keeps every open partition's buffer small.
        let limit = if matches!(self.rows, Rows::Documents(_)) {
            BATCH_ROWS / 8
        } else {
            BATCH_ROWS
        };
        if self.len() >= limit {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.len() == 0 {
            return Ok(());
        }
        let n = self.len() as u64;
        let batch = match &mut self.rows {
            Rows::Documents(v) => documents_batch(v, &self.run_id)?,
            Rows::Cells(v) => cells_batch(v)?,
            Rows::Checks(v) => checks_batch(v)?,
            Rows::Batches => return Ok(()),
        };
        match &mut self.rows {
            Rows::Documents(v) => v.clear(),
            Rows::Cells(v) => v.clear(),
            Rows::Checks(v) => v.clear(),
            Rows::Batches => {}
        }
        self.writer.write(&batch)?;
        self.written += n;
        Ok(())
    }
}

fn strings<'a>(it: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    let mut b = StringBuilder::new();
    for s in it {
        b.append_option(s);
    }
    Arc::new(b.finish())
}

fn lists<'a, I: Iterator<Item = &'a str>>(it: impl Iterator<Item = I>) -> ArrayRef {
    let mut b = ListBuilder::new(StringBuilder::new());
    for inner in it {
        for s in inner {
            b.values().append_value(s);
        }
        b.append(true);
    }
    Arc::new(b.finish())
}

fn documents_batch(rows: &[DocRow], run_id: &str) -> Result<RecordBatch> {
    let info = |f: fn(&DocRow) -> Option<&str>| strings(rows.iter().map(f));
    let ints = |f: fn(&DocRow) -> i32| {
        let mut b = Int32Builder::new();
        rows.iter().for_each(|r| b.append_value(f(r)));
        Arc::new(b.finish()) as ArrayRef
    };
    let mut bytes = Int64Builder::new();
    rows.iter()
        .for_each(|r| bytes.append_value(r.doc.bytes as i64));
    let cols: Vec<ArrayRef> = vec![
        info(|r| Some(&r.doc.doc_id)),
        info(|r| Some(&r.doc.source_path)),
        lists(
            rows.iter()
                .map(|r| r.doc.duplicate_paths.iter().map(String::as_str)),
        ),
        info(|r| {
            Some(
                r.doc
                    .processed
                    .info
                    .form_version
                    .unwrap_or_default()
                    .as_str(),
            )
        }),
        info(|r| r.doc.processed.info.agency.as_deref()),
        info(|r| r.doc.processed.info.province.as_deref()),
        info(|r| r.doc.processed.info.prefecture.as_deref()),
        info(|r| r.doc.processed.info.county.as_deref()),
        info(|r| r.doc.processed.info.region_code.as_deref()),
        info(|r| r.doc.processed.info.encoding),
        info(|r| r.doc.processed.info.script),
        info(|r| r.doc.processed.info.layout),
        Arc::new(Int32Array::from_iter(
            rows.iter()
                .map(|r| r.doc.processed.info.pages.map(|p| p as i32)),
        )),
        info(|r| Some(r.doc.processed.status().as_str())),
        lists(
            rows.iter()
                .map(|r| r.doc.processed.problems.iter().map(|p| p.code())),
        ),
        ints(|r| r.n_cells),
        ints(|r| r.n_values),
        ints(|r| r.n_checks_failed),
        Arc::new(bytes.finish()),
        strings(rows.iter().map(|_| Some(run_id))),
    ];
    Ok(RecordBatch::try_new(Table::Documents.schema(), cols)?)
}

/// A string column of few distinct values (codes, or one doc id over many rows), built as a
/// dictionary: a row costs a key, not a copy of its text. Values are told apart by address, so
/// the common case (the same code or id as the row before) is one comparison.
struct Codes<'a> {
    values: Vec<&'a str>,
    keys: Vec<i32>,
}

impl<'a> Codes<'a> {
    fn with_capacity(rows: usize) -> Self {
        Codes {
            values: Vec::new(),
            keys: Vec::with_capacity(rows),
        }
    }

    fn push(&mut self, s: &'a str) {
        let same = |v: &&str| std::ptr::eq(*v, s);
        let key = match self.keys.last() {
            Some(&k) if same(&self.values[k as usize]) => k,
            _ => match self.values.iter().rposition(same) {
                Some(k) => k as i32,
                None => {
                    self.values.push(s);
                    self.values.len() as i32 - 1
                }
            },
        };
        self.keys.push(key);
    }

    fn finish(self) -> ArrayRef {
        Arc::new(DictionaryArray::new(
            Int32Array::from(self.keys),
            Arc::new(StringArray::from(self.values)),
        ))
    }
}

/// The Arrow type of a [`Codes`] column.
fn codes_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

fn cells_batch(rows: &[(Arc<str>, Cell)]) -> Result<RecordBatch> {
    let n = rows.len();
    let mut codes: [Codes; 7] = std::array::from_fn(|_| Codes::with_capacity(n));
    let mut value = Float64Builder::with_capacity(n);
    let mut raw = StringBuilder::with_capacity(n, n * 4);
    let mut line = Int32Builder::with_capacity(n);
    for (id, c) in rows {
        let [doc_id, form_version, section, item, metric, status, unit] = &mut codes;
        doc_id.push(id);
        form_version.push(c.form_version.as_str());
        section.push(c.section.as_str());
        item.push(c.item);
        metric.push(c.metric);
        status.push(c.status.as_str());
        unit.push(c.unit.as_str());
        value.append_option(c.value);
        raw.append_option(c.raw.as_deref());
        line.append_option(c.line.map(|l| l as i32));
    }
    let [doc_id, form_version, section, item, metric, status, unit] = codes;
    let cols: Vec<ArrayRef> = vec![
        doc_id.finish(),
        form_version.finish(),
        section.finish(),
        item.finish(),
        metric.finish(),
        Arc::new(value.finish()),
        status.finish(),
        Arc::new(raw.finish()),
        unit.finish(),
        Arc::new(line.finish()),
    ];
    Ok(RecordBatch::try_new(Table::Cells.schema(), cols)?)
}

fn checks_batch(rows: &[(Arc<str>, Check)]) -> Result<RecordBatch> {
    let n = rows.len();
    let mut codes: [Codes; 4] = std::array::from_fn(|_| Codes::with_capacity(n));
    let mut expected = Float64Builder::with_capacity(n);
    let mut actual = Float64Builder::with_capacity(n);
    let mut reason = StringBuilder::with_capacity(n, n);
    for (id, c) in rows {
        let [doc_id, check, outcome, _] = &mut codes;
        doc_id.push(id);
        check.push(c.check);
        outcome.push(c.outcome.as_str());
        expected.append_option(c.expected);
        actual.append_option(c.actual);
        reason.append_option(c.reason);
    }
    let [doc_id, check, outcome, _] = codes;
    let cols: Vec<ArrayRef> = vec![
        doc_id.finish(),
        check.finish(),
        Arc::new(expected.finish()),
        Arc::new(actual.finish()),
        Arc::new(reason.finish()),
        outcome.finish(),
    ];
    Ok(RecordBatch::try_new(Table::Checks.schema(), cols)?)
}

/// `_manifest.json`: what the dataset holds and how it got there.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct Manifest {
    /// [`FORMAT`] of the gongkai that wrote the dataset.
    pub format: u32,
    pub runs: Vec<RunRecord>,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunRecord {
    pub run_id: String,
    pub kind: String,
    pub started: String,
    pub finished: String,
    pub input: String,
    pub inputs_seen: u64,
    pub documents_written: u64,
    pub by_status: BTreeMap<String, u64>,
    #[serde(default)]
    pub by_form: BTreeMap<String, u64>,
    pub cells: u64,
    pub checks_failed: u64,
    pub files: Vec<String>,
    /// Directories under the input that the run did not read (symlinked, unreadable, or the
    /// output dataset itself), with the reason.
    #[serde(default)]
    pub not_followed: Vec<String>,
    /// `failed` rows of earlier runs (a path that could not be read) replaced by this run's row
    /// for the same path, now readable.
    #[serde(default)]
    pub superseded: u64,
}

pub const MANIFEST: &str = "_manifest.json";

impl Manifest {
    /// Documents and cells the dataset holds.
    pub fn totals(&self) -> (u64, u64) {
        let rows = |t: Table| -> u64 {
            self.files
                .iter()
                .filter(|f| f.table == t.name())
                .map(|f| f.rows)
                .sum()
        };
        (rows(Table::Documents), rows(Table::Cells))
    }

    pub fn read(dir: &Path) -> Result<Option<Manifest>> {
        let path = dir.join(MANIFEST);
        match std::fs::read(&path) {
            Ok(b) => Ok(Some(serde_json::from_slice(&b).with_context(|| {
                format!("{}: not a gongkai manifest", path.display())
            })?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    pub fn write(&self, dir: &Path) -> Result<()> {
        let path = dir.join(MANIFEST);
        std::fs::write(&path, serde_json::to_vec_pretty(self)?)
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }
}

/// Where a run stages its files: a hidden sibling of the output.
pub fn staging_dir(out: &Path, run_id: &str) -> PathBuf {
    sibling(out, &format!("staging-{run_id}"))
}

pub fn sibling(out: &Path, suffix: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    out.with_file_name(format!(".{name}.{suffix}"))
}

/// Whether a top-level entry of a dataset directory is gongkai's: its tables and its manifest.
/// Everything else there (notes, a DuckDB database, a CSV beside the tables) is the user's, and
/// every run keeps it where it is.
pub fn owned(name: &std::ffi::OsStr) -> bool {
    name == MANIFEST || Table::ALL.iter().any(|t| name == t.name())
}

/// Hard-link the top-level entries of `from` for which `keep` holds (recursively) into `to`,
/// so that swapping `to` in keeps them: no file is copied or rewritten.
pub fn link_tree(from: &Path, to: &Path, keep: &dyn Fn(&std::ffi::OsStr) -> bool) -> Result<()> {
    fn link_all(from: &Path, to: &Path) -> Result<()> {
        std::fs::create_dir_all(to)?;
        for e in std::fs::read_dir(from)? {
            let e = e?;
            link_entry(&e, &to.join(e.file_name()))?;
        }
        Ok(())
    }
    fn link_entry(e: &std::fs::DirEntry, target: &Path) -> Result<()> {
        if e.file_type()?.is_dir() {
            link_all(&e.path(), target)
        } else {
            std::fs::hard_link(e.path(), target)
                .with_context(|| format!("linking {}", e.path().display()))
        }
    }
    for e in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let e = e?;
        if keep(&e.file_name()) {
            link_entry(&e, &to.join(e.file_name()))?;
        }
    }
    Ok(())
}

/// Move the user's entries that are in `old` but not in `out` into `out`: files a user created in
/// the dataset after a run linked the others, or that a killed run left only in its staging.
fn rescue_foreign(old: &Path, out: &Path) {
    let Ok(rd) = std::fs::read_dir(old) else {
        return;
    };
    for e in rd.flatten() {
        let target = out.join(e.file_name());
        if !owned(&e.file_name()) && std::fs::symlink_metadata(&target).is_err() {
            let _ = std::fs::rename(e.path(), target);
        }
    }
}

/// Remove staging directories that a killed run left behind (the caller holds the lock), after
/// moving out any file of the user's that exists only there.
pub fn remove_stale_staging(out: &Path) {
    let Some(parent) = out.parent().map(|p| {
        if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        }
    }) else {
        return;
    };
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.staging-");
    if let Ok(rd) = std::fs::read_dir(parent) {
        for e in rd.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                if out.is_dir() {
                    rescue_foreign(&e.path(), out);
                }
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Make `staging` the dataset at `out` in one atomic step; the previous dataset is removed after
/// (any file of the user's that appeared in it meanwhile is moved over first).
pub fn commit(staging: &Path, out: &Path) -> Result<()> {
    if !out.exists() {
        std::fs::rename(staging, out)
            .with_context(|| format!("moving {} to {}", staging.display(), out.display()))?;
    } else {
        exchange(staging, out)?;
        // `staging` now holds the old dataset.
        rescue_foreign(staging, out);
        std::fs::remove_dir_all(staging)
            .with_context(|| format!("removing old dataset at {}", staging.display()))?;
    }
    sync_dir(out.parent().unwrap_or(Path::new(".")));
    Ok(())
}

fn sync_dir(dir: &Path) {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: two valid NUL-terminated paths; renameat2 does not retain them.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc != 0 {
        bail!(
            "swapping {} and {}: {}",
            a.display(),
            b.display(),
            std::io::Error::last_os_error()
        );
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> Result<()> {
    // Not atomic: a reader may briefly see no dataset. Linux is the supported platform.
    let old = b.with_extension("old");
    std::fs::rename(b, &old)?;
    std::fs::rename(a, b)?;
    std::fs::rename(&old, a)?;
    Ok(())
}

/// Fsync every file under `dir` before it becomes visible.
pub fn sync_tree(dir: &Path) -> Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let kind = e.file_type()?;
        if kind.is_dir() {
            sync_tree(&e.path())?;
        } else if kind.is_file() {
            // Only regular files: a user's FIFO or socket beside the tables must not be opened.
            File::open(e.path())?.sync_all()?;
        }
    }
    sync_dir(dir);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CellStatus, FormVersion, Section, Unit};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    fn doc(k: u32) -> DocRecord {
        let mut processed = Processed::default();
        processed.info.year = Some(2010 + (k % 7) as i32);
        processed.cells = (0..3)
            .map(|m| Cell {
                form_version: FormVersion::V2021,
                section: Section::S3,
                item: "new",
                metric: ["natural_person", "commercial", "total"][m],
                value: Some(k as f64),
                status: CellStatus::Value,
                raw: Some(k.to_string()),
                unit: Unit::Count,
                line: Some(k),
            })
            .collect();
        DocRecord {
            doc_id: format!("{k:032x}"),
            source_path: format!("{k}.txt"),
            duplicate_paths: Vec::new(),
            bytes: 1,
            processed,
        }
    }

    /// Writes 700 documents over 7 years with the given memory bound; returns every cells row
    /// (year, doc_id, metric, value) sorted, and the number of row groups.
    fn write_all(bound: usize) -> (Vec<(i32, String, String, f64)>, usize) {
        let dir = std::env::temp_dir().join(format!("gongkai-sink-{}-{bound}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut w = DatasetWriter::new(&dir, "t", "zstd", 3, 131_072).unwrap();
        w.open_partitions_bytes = bound;
        for k in 0..700 {
            w.write(doc(k)).unwrap();
        }
        let files = w.finish().unwrap();
        let (mut rows, mut groups) = (Vec::new(), 0);
        for f in files.iter().filter(|f| f.table == "cells") {
            let path = dir.join(&f.path);
            groups += SerializedFileReader::new(File::open(&path).unwrap())
                .unwrap()
                .num_row_groups();
            let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap())
                .unwrap()
                .build()
                .unwrap();
            for batch in reader {
                let b = batch.unwrap();
                use arrow_array::cast::AsArray;
                use arrow_array::types::{Float64Type, Int32Type};
                let text = |c: usize, r: usize| {
                    let d = b.column(c).as_dictionary::<Int32Type>();
                    let key = d.keys().value(r) as usize;
                    d.values().as_string::<i32>().value(key).to_string()
                };
                let values = b.column(5).as_primitive::<Float64Type>();
                for r in 0..b.num_rows() {
                    rows.push((f.year, text(0, r), text(4, r), values.value(r)));
                }
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
        rows.sort_by(|a, b| a.partial_cmp(b).unwrap());
        (rows, groups)
    }

    #[test]
    fn a_memory_bound_only_makes_row_groups_smaller() {
        let (unbounded, few) = write_all(usize::MAX);
        let (bounded, many) = write_all(0);
        assert_eq!(unbounded.len(), 2100);
        assert_eq!(unbounded, bounded);
        assert_eq!(few, 7, "one row group per year without a bound");
        assert!(many > few, "the bound wrote row groups out early");
    }
}
