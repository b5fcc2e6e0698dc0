//! polars scans of a dataset's tables: the files its manifest lists (never a stray file beside
//! them), each year's rows with their `year` (it lives in the directory name, not in the files).

use crate::dataset::sink::{FileEntry, Table};
use anyhow::Result;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// A lazy scan of these files (no Hive parsing: the caller knows their year).
pub fn files(root: &Path, files: &[&FileEntry]) -> PolarsResult<LazyFrame> {
    let paths: Vec<PlRefPath> = files
        .iter()
        .map(|f| PlRefPath::new(root.join(&f.path).to_string_lossy().as_ref()))
        .collect();
    LazyFrame::scan_parquet_files(
        paths.into_iter().collect(),
        ScanArgsParquet {
            hive_options: HiveOptions::new_disabled(),
            ..Default::default()
        },
    )
}

/// A lazy scan of `table` with its `year` column; None when the table has no files.
pub fn table(root: &Path, listed: &[FileEntry], table: Table) -> Result<Option<LazyFrame>> {
    let mut by_year: BTreeMap<i32, Vec<&FileEntry>> = BTreeMap::new();
    for f in listed.iter().filter(|f| f.table == table.name()) {
        by_year.entry(f.year).or_default().push(f);
    }
    let frames = by_year
        .into_iter()
        .map(|(year, of_year)| Ok(files(root, &of_year)?.with_column(lit(year).alias("year"))))
        .collect::<PolarsResult<Vec<_>>>()?;
    if frames.is_empty() {
        return Ok(None);
    }
    Ok(Some(concat(frames, UnionArgs::default())?))
}
