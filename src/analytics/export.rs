//! `gongkai export`: one row per document — the `documents` columns, then one column per
//! canonical cell of either form (`s3__new__total`, dots in codes as `_`), holding the cell's
//! value (NULL when the cell is not a value: blank, missing, unparsed). A code both forms share
//! is one column.
//!
//! Streams: a year's documents are held (one row each), its cells are read one file at a time
//! (a file holds whole documents) and pivoted with polars, and each file's rows are written
//! before the next is read. Written to a temporary file beside the target, renamed at the end.

use crate::dataset::scan;
use crate::dataset::sink::{FileEntry, Manifest, Table};
use crate::forms::FORMS;
use anyhow::{bail, Result};
use polars::prelude::*;
use std::path::Path;

/// The export's cell columns: `(column name, section, item, metric)` in form order.
pub fn cell_columns() -> Vec<(String, &'static str, &'static str, &'static str)> {
    FORMS
        .canonical_cells()
        .into_iter()
        .map(|(s, i, m)| (format!("{s}__{i}__{m}").replace('.', "_"), s, i, m))
        .collect()
}

enum Sink {
    Parquet(polars::io::parquet::write::BatchedWriter<std::fs::File>),
    Csv(std::fs::File, bool),
}

impl Sink {
    fn write(&mut self, df: &mut DataFrame) -> Result<()> {
        match self {
            Sink::Parquet(w) => w.write_batch(df)?,
            Sink::Csv(file, header) => {
                // CSV has no lists: a list column becomes its items joined by `;`.
                let lists: Vec<String> = df
                    .columns()
                    .iter()
                    .filter(|c| matches!(c.dtype(), DataType::List(_)))
                    .map(|c| c.name().to_string())
                    .collect();
                let mut flat = df.clone();
                for name in lists {
                    let list = flat.column(&name)?.list()?.clone();
                    let joined: StringChunked = (0..list.len())
                        .map(|i| {
                            list.get_as_series(i).map(|s| {
                                s.str()
                                    .map(|s| s.iter().flatten().collect::<Vec<_>>().join(";"))
                                    .unwrap_or_default()
                            })
                        })
                        .collect();
                    flat.with_column(joined.with_name(name.as_str().into()).into_column())?;
                }
                CsvWriter::new(&mut *file)
                    .include_header(*header)
                    .finish(&mut flat)?;
                *header = false;
            }
        }
        Ok(())
    }
}

/// What an export wrote.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Exported {
    pub rows: u64,
    pub columns: usize,
}

pub fn export(out: &Path, to: &Path) -> Result<Exported> {
    let Some(manifest) = Manifest::read(out)? else {
        bail!(
            "{}: no gongkai dataset here (no _manifest.json)",
            out.display()
        );
    };
    let csv = match to.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("parquet") => false,
        Some(e) if e.eq_ignore_ascii_case("csv") => true,
        _ => bail!(
            "{}: the export's format comes from its extension: .parquet or .csv",
            to.display()
        ),
    };
    super::write_beside(to, |file| write_all(out, &manifest, file, csv))
}

fn files_of(manifest: &Manifest, table: Table, year: i32) -> Vec<&FileEntry> {
    manifest
        .files
        .iter()
        .filter(|f| f.table == table.name() && f.year == year)
        .collect()
}

fn write_all(root: &Path, manifest: &Manifest, file: std::fs::File, csv: bool) -> Result<Exported> {
    let columns = cell_columns();
    // The canonical cells as a lookup table: a cell row joins to its column number.
    let codes = df!(
        "section" => columns.iter().map(|c| c.1).collect::<Vec<_>>(),
        "item" => columns.iter().map(|c| c.2).collect::<Vec<_>>(),
        "metric" => columns.iter().map(|c| c.3).collect::<Vec<_>>(),
        "k" => (0..columns.len() as u32).collect::<Vec<_>>(),
    )?;
    let wide_aggs: Vec<Expr> = columns
        .iter()
        .enumerate()
        .map(|(k, c)| {
            col("value")
                .filter(col("k").eq(lit(k as u32)))
                .first()
                .alias(c.0.as_str())
        })
        .collect();
    let years: std::collections::BTreeSet<i32> = manifest
        .files
        .iter()
        .filter(|f| f.table == Table::Documents.name())
        .map(|f| f.year)
        .collect();
    let mut sink = None;
    let mut file = Some(file);
    let mut done = Exported::default();
    let as_string = |names: &[&str]| -> Vec<Expr> {
        names
            .iter()
            .map(|n| col(*n).cast(DataType::String))
            .collect()
    };
    for year in years {
        let docs = scan::files(root, &files_of(manifest, Table::Documents, year))?
            .with_columns(as_string(&["doc_id"]))
            .with_column(lit(year).alias("year"))
            .collect()?;
        let doc_columns: Vec<PlSmallStr> = {
            let mut names: Vec<PlSmallStr> = docs.get_column_names_owned();
            // `year` after `duplicate_paths`, as in the contract's order.
            names.retain(|n| n != "year");
            let at = names
                .iter()
                .position(|n| n == "duplicate_paths")
                .map_or(0, |p| p + 1);
            names.insert(at, "year".into());
            names
        };
        let mut written: std::collections::HashSet<String> = Default::default();
        let mut emit = |mut df: DataFrame, sink: &mut Option<Sink>| -> Result<()> {
            let mut order: Vec<PlSmallStr> = doc_columns.clone();
            order.extend(columns.iter().map(|c| PlSmallStr::from(c.0.as_str())));
            df = df.select(order)?;
            if sink.is_none() {
                let f = file.take().expect("one sink per export");
                *sink = Some(if csv {
                    Sink::Csv(f, true)
                } else {
                    Sink::Parquet(
                        ParquetWriter::new(f)
                            .with_compression(ParquetCompression::Zstd(None))
                            .batched(df.schema())?,
                    )
                });
                done.columns = df.width();
            }
            // The Parquet writer needs every column in the same chunks (the rows of a year's
            // documents files come in one chunk per file).
            df.align_chunks_par();
            done.rows += df.height() as u64;
            sink.as_mut().expect("set above").write(&mut df)
        };
        for cells_file in files_of(manifest, Table::Cells, year) {
            let wide = scan::files(root, &[cells_file])?
                .select(
                    as_string(&["doc_id", "section", "item", "metric"])
                        .into_iter()
                        .chain([col("value")])
                        .collect::<Vec<_>>(),
                )
                .join(
                    codes.clone().lazy(),
                    [col("section"), col("item"), col("metric")],
                    [col("section"), col("item"), col("metric")],
                    JoinArgs::new(JoinType::Inner),
                )
                .group_by_stable([col("doc_id")])
                .agg(wide_aggs.clone());
            let rows = docs
                .clone()
                .lazy()
                .join(
                    wide,
                    [col("doc_id")],
                    [col("doc_id")],
                    JoinArgs::new(JoinType::Inner),
                )
                .collect()?;
            for id in rows.column("doc_id")?.str()?.iter().flatten() {
                written.insert(id.to_string());
            }
            emit(rows, &mut sink)?;
        }
        // Documents with no cells (failed, no tables, legacy): their row, every cell NULL.
        let mask: BooleanChunked = docs
            .column("doc_id")?
            .str()?
            .iter()
            .map(|id| Some(!id.is_some_and(|id| written.contains(id))))
            .collect();
        let mut rest = docs.filter(&mask)?;
        if rest.height() > 0 {
            for c in &columns {
                rest.with_column(Column::full_null(
                    c.0.as_str().into(),
                    rest.height(),
                    &DataType::Float64,
                ))?;
            }
            emit(rest, &mut sink)?;
        }
    }
    match sink {
        Some(Sink::Parquet(w)) => {
            w.finish()?;
        }
        Some(Sink::Csv(f, _)) => f.sync_all()?,
        None => {
            // An empty dataset: an empty file with no rows is still the answer.
        }
    }
    Ok(done)
}
