//! Panel checks: the same agency's reports across years. Every `build` and `append` recomputes
//! the whole `panel_checks` table inside its commit, from the dataset it is about to commit: an
//! appended year changes the checks of the year after it as well as its own.
//!
//! polars scans the documents of a year (lazy scans of the listed Parquet files); the twenty
//! facts the rules use come from the cells files a batch at a time (arrow-rs, so only those
//! cells are ever held); the rules themselves are plain Rust over one agency's reports in year
//! order, and a year's rows are hashed, then written, agency by agency. Memory: one year's
//! reports, each agency's last present year, one agency's rows.

use crate::dataset::scan;
use crate::dataset::sink::{DatasetWriter, FileEntry, Table};
use crate::forms::FORMS;
use crate::model::FormVersion;
use anyhow::{Context, Result};
use arrow_array::{ArrayRef, Float64Array, Int32Array, RecordBatch, StringArray};
use polars::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

/// The applicant columns of section 三 and their total (`panel.carryover:<metric>`), from the
/// forms' data.
fn applicant() -> &'static [&'static str] {
    &FORMS.s3_metrics
}

/// Section 二 items whose `in_force` moves by issued − repealed: the rows of the 2021 form's
/// tables that have an `in_force` column.
fn in_force_items() -> Vec<&'static str> {
    FORMS
        .s2
        .iter()
        .filter(|t| t.version == FormVersion::V2021 && t.metrics.contains(&"in_force"))
        .flat_map(|t| t.rows.iter().map(|r| r.0))
        .collect()
}

const IN_FORCE_METRICS: [&str; 3] = ["issued", "repealed", "in_force"];

/// One report as the rules see it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub doc_id: String,
    pub year: i32,
    pub agency: String,
    pub region_code: String,
    /// Province, prefecture and county names as resolved (prefixes of the agency name).
    pub regions: Vec<String>,
    pub form_version: String,
    /// [`agency_key`], computed once when the report is read.
    pub key: String,
    /// The stated number of each of [`FACTS`], in its order; a blank cell counts as 0 (as in
    /// `checks`); None for a cell missing or not a value.
    pub facts: Vec<Option<f64>>,
}

/// The cells the rules read, `(item, metric)`: the carry-overs of section 三 and the in-force
/// counts of section 二.
pub static FACTS: std::sync::LazyLock<Vec<(&'static str, &'static str)>> =
    std::sync::LazyLock::new(|| {
        let mut facts = Vec::new();
        for item in ["carried_over", "carried_forward"] {
            facts.extend(applicant().iter().map(|&m| (item, m)));
        }
        for item in in_force_items() {
            facts.extend(IN_FORCE_METRICS.iter().map(|&m| (item, m)));
        }
        facts
    });

impl Report {
    fn fact(&self, item: &str, metric: &str) -> Option<f64> {
        let i = FACTS.iter().position(|f| *f == (item, metric))?;
        self.facts.get(i).copied().flatten()
    }
}

/// A `panel_checks` row.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelCheck {
    pub year: i32,
    pub agency_key: String,
    pub agency: String,
    pub region_code: String,
    pub doc_id: String,
    pub prev_year: Option<i32>,
    pub prev_doc_id: Option<String>,
    pub check: String,
    pub severity: &'static str,
    pub expected: Option<f64>,
    pub actual: Option<f64>,
    pub outcome: &'static str,
    pub reason: Option<&'static str>,
}

/// An agency's identity across years: the region code, then the agency name without white
/// space or punctuation and without the names of its region at the start (`北京市朝阳区财政局`
/// and `朝阳区财政局` are one agency once region 110105 is known). Short forms (`区财政局`) are
/// not expanded: they make a new series, never a wrong match.
pub fn agency_key(region_code: &str, agency: &str, regions: &[String]) -> String {
    let mut name: String = agency
        .chars()
        .filter(|c| {
            !c.is_whitespace()
                && !c.is_ascii_punctuation()
                && !"（）【】《》〈〉「」·、，。：；“”‘’".contains(*c)
        })
        .collect();
    loop {
        let before = name.len();
        for r in regions.iter().filter(|r| !r.is_empty()) {
            if let Some(rest) = name.strip_prefix(r.as_str()) {
                name = rest.to_string();
            }
        }
        if name.len() == before {
            break;
        }
    }
    format!("{region_code}:{name}")
}

/// Evaluate the rules over every agency's reports. Reports without an agency or a resolved region
/// are not in any panel: a name alone does not identify an agency (every county has a 财政局).
pub fn evaluate(reports: Vec<Report>) -> Vec<PanelCheck> {
    let mut panels: BTreeMap<String, BTreeMap<i32, Vec<Report>>> = BTreeMap::new();
    for r in reports {
        panels
            .entry(r.key.clone())
            .or_default()
            .entry(r.year)
            .or_default()
            .push(r);
    }
    let mut out = Vec::new();
    for (key, years) in &panels {
        let years: Vec<(&i32, &Vec<Report>)> = years.iter().collect();
        for (i, (&t, docs)) in years.iter().enumerate() {
            let row = |d: &Report, prev: Option<(i32, Option<&Report>)>| PanelCheck {
                year: t,
                agency_key: key.clone(),
                agency: d.agency.clone(),
                region_code: d.region_code.clone(),
                doc_id: d.doc_id.clone(),
                prev_year: prev.map(|p| p.0),
                prev_doc_id: prev.and_then(|p| p.1).map(|p| p.doc_id.clone()),
                check: String::new(),
                severity: "soft",
                expected: None,
                actual: None,
                outcome: "fail",
                reason: None,
            };
            if docs.len() > 1 {
                for (k, d) in docs.iter().enumerate() {
                    let other = &docs[if k == 0 { 1 } else { 0 }];
                    out.push(PanelCheck {
                        check: "panel.duplicate".into(),
                        prev_doc_id: Some(other.doc_id.clone()),
                        expected: Some(1.0),
                        actual: Some(docs.len() as f64),
                        ..row(d, None)
                    });
                }
            }
            let Some(&(&p, prev_docs)) = i.checked_sub(1).and_then(|j| years.get(j)) else {
                continue;
            };
            let prev_doc = (prev_docs.len() == 1).then(|| &prev_docs[0]);
            for d in docs.iter() {
                let base = row(d, Some((p, prev_doc)));
                if t - p > 1 {
                    out.push(PanelCheck {
                        check: "panel.gap".into(),
                        expected: Some(f64::from(p + 1)),
                        actual: Some(f64::from(t)),
                        ..base.clone()
                    });
                }
                // Against a year of two documents the rules are not evaluated at all (which one is
                // the agency's report?): the `panel.duplicate` rows say so, once per document.
                if docs.len() > 1 || prev_doc.is_none() {
                    continue;
                }
                // Why the year-to-year rules cannot be evaluated for this pair, if they cannot.
                let unpaired = (t - p > 1).then_some("the years are not consecutive");
                let prev = prev_doc.filter(|_| unpaired.is_none());
                let fact = |r: &Report, item: &str, metric: &str| r.fact(item, metric);
                let judged =
                    |check: String, severity, sides: Option<(Option<f64>, Option<f64>)>| {
                        let (reason, expected, actual, outcome) = match (unpaired, sides) {
                            (Some(why), _) => (Some(why), None, None, "skipped"),
                            (None, None) => (Some("the forms differ"), None, None, "skipped"),
                            (None, Some((Some(e), Some(a)))) => {
                                let ok = (e - a).abs() < 1e-6;
                                (None, Some(e), Some(a), if ok { "pass" } else { "fail" })
                            }
                            (None, Some((e, a))) => {
                                (Some("a cell is missing or not a value"), e, a, "skipped")
                            }
                        };
                        PanelCheck {
                            check,
                            severity,
                            expected,
                            actual,
                            outcome,
                            reason,
                            ..base.clone()
                        }
                    };
                for &m in applicant() {
                    let sides = Some(match prev {
                        Some(pr) => (fact(pr, "carried_forward", m), fact(d, "carried_over", m)),
                        None => (None, None),
                    });
                    out.push(judged(format!("panel.carryover:{m}"), "hard", sides));
                }
                if d.form_version == "2021" {
                    for item in in_force_items() {
                        let sides = match prev {
                            Some(pr) if pr.form_version != "2021" => None,
                            Some(pr) => {
                                let f = |r, m| fact(r, item, m);
                                let moved =
                                    f(d, "in_force").zip(f(pr, "in_force")).map(|(a, b)| a - b);
                                let net = f(d, "issued").zip(f(d, "repealed")).map(|(a, b)| a - b);
                                Some((net, moved))
                            }
                            None => Some((None, None)),
                        };
                        out.push(judged(format!("panel.in_force:{item}"), "soft", sides));
                    }
                }
            }
        }
    }
    out
}

/// Bring the panel checks of the dataset staged at `root` up to date: evaluate them over its
/// `files` (the other tables), then per year keep the partition's files when its rows came out
/// the same (a yearly append leaves the earlier years' files as they were) and otherwise replace
/// them: the old files are links in the staging directory only, the committed dataset keeps them.
/// `files` comes in with the old panel entries and leaves with the new ones. Returns how many
/// checks failed.
pub fn update(root: &Path, files: &mut Vec<FileEntry>, mut writer: DatasetWriter) -> Result<u64> {
    let (old, others): (Vec<FileEntry>, Vec<FileEntry>) = std::mem::take(files)
        .into_iter()
        .partition(|f| f.table == Table::PanelChecks.name());
    let mut old_by_year: BTreeMap<i32, Vec<FileEntry>> = BTreeMap::new();
    for f in old {
        old_by_year.entry(f.year).or_default().push(f);
    }
    // Year by year, holding one year's reports and each agency's last present year's: memory
    // is bounded by the largest year and the number of agencies, not by the dataset.
    let years: std::collections::BTreeSet<i32> = others
        .iter()
        .filter(|f| f.table == Table::Documents.name() && f.year > 0)
        .map(|f| f.year)
        .collect();
    let mut last: std::collections::HashMap<String, Vec<Report>> = Default::default();
    let (mut failed, mut any) = (0, false);
    let mut hashes = BTreeMap::new();
    for year in years {
        let of_year: Vec<FileEntry> = others.iter().filter(|f| f.year == year).cloned().collect();
        let mut this: BTreeMap<String, Vec<Report>> = BTreeMap::new();
        for r in read_reports(root, &of_year)? {
            this.entry(r.key.clone()).or_default().push(r);
        }
        // The year's rows agency by agency, in the files' order (agency key, document, check):
        // one agency's rows at a time, never the year's (a year's rows ran to 200 MiB).
        let rows_of_year = |emit: &mut dyn FnMut(Vec<PanelCheck>) -> Result<()>| -> Result<()> {
            for (key, reports) in &this {
                let mut pairs: Vec<Report> = last.get(key).into_iter().flatten().cloned().collect();
                pairs.extend(reports.iter().cloned());
                let mut rows: Vec<PanelCheck> = evaluate(pairs)
                    .into_iter()
                    .filter(|r| r.year == year)
                    .collect();
                rows.sort_by(|a, b| (&a.doc_id, &a.check).cmp(&(&b.doc_id, &b.check)));
                emit(rows)?;
            }
            Ok(())
        };
        // First the rows' hash (a year whose rows came out the same keeps its files), then,
        // only if they changed, the rows again into the writer.
        let (mut hasher, mut n) = (blake3::Hasher::new(), 0);
        rows_of_year(&mut |rows| {
            for r in &rows {
                hasher.update(format!("{r:?}").as_bytes());
            }
            n += rows.len();
            failed += rows.iter().filter(|r| r.outcome == "fail").count() as u64;
            Ok(())
        })?;
        if n > 0 {
            any = true;
            let hash = hasher.finalize().to_hex().to_string();
            if !keep_if_same(year, &hash, &mut old_by_year, files) {
                let mut pending: Vec<PanelCheck> = Vec::new();
                rows_of_year(&mut |rows| {
                    pending.extend(rows);
                    while pending.len() >= BATCH_ROWS {
                        let rest = pending.split_off(BATCH_ROWS);
                        let batch = to_batch(&std::mem::replace(&mut pending, rest))?;
                        writer.write_batch(Table::PanelChecks, year, &batch)?;
                    }
                    Ok(())
                })?;
                if !pending.is_empty() {
                    writer.write_batch(Table::PanelChecks, year, &to_batch(&pending)?)?;
                }
                writer.close_partition(Table::PanelChecks, year)?;
                hashes.insert(year, hash);
            }
        }
        last.extend(this);
    }
    if !any {
        // No agency with two years yet: one empty file, so that
        // `read_parquet('out/panel_checks/**/*.parquet')` reads an empty table instead of
        // failing on no files.
        let hash = blake3::Hasher::new().finalize().to_hex().to_string();
        if !keep_if_same(0, &hash, &mut old_by_year, files) {
            writer.write_batch(Table::PanelChecks, 0, &to_batch(&[])?)?;
            writer.close_partition(Table::PanelChecks, 0)?;
            hashes.insert(0, hash);
        }
    }
    // What is left of the old files was replaced or has no rows any more.
    for f in old_by_year.into_values().flatten() {
        let path = root.join(&f.path);
        std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
    }
    for mut f in writer.finish()? {
        f.rows_hash = hashes.get(&f.year).cloned();
        files.push(f);
    }
    files.extend(others);
    Ok(failed)
}

/// Rows per record batch written.
const BATCH_ROWS: usize = 8192;

/// Keeps a year's files when they hold the same rows (by the hash of the rows): true when kept.
fn keep_if_same(
    year: i32,
    hash: &str,
    old_by_year: &mut BTreeMap<i32, Vec<FileEntry>>,
    files: &mut Vec<FileEntry>,
) -> bool {
    let same = old_by_year
        .get(&year)
        .is_some_and(|f| f.iter().all(|f| f.rows_hash.as_deref() == Some(hash)));
    if same {
        files.extend(old_by_year.remove(&year).unwrap_or_default());
    }
    same
}

fn to_batch(rows: &[PanelCheck]) -> Result<RecordBatch> {
    let strings = |f: &dyn Fn(&PanelCheck) -> Option<&str>| -> ArrayRef {
        Arc::new(rows.iter().map(f).collect::<StringArray>())
    };
    let floats = |f: &dyn Fn(&PanelCheck) -> Option<f64>| -> ArrayRef {
        Arc::new(rows.iter().map(f).collect::<Float64Array>())
    };
    let columns: Vec<ArrayRef> = vec![
        strings(&|r| Some(&r.agency_key)),
        strings(&|r| Some(&r.agency)),
        strings(&|r| Some(&r.region_code)),
        strings(&|r| Some(&r.doc_id)),
        Arc::new(rows.iter().map(|r| r.prev_year).collect::<Int32Array>()),
        strings(&|r| r.prev_doc_id.as_deref()),
        strings(&|r| Some(&r.check)),
        strings(&|r| Some(r.severity)),
        floats(&|r| r.expected),
        floats(&|r| r.actual),
        strings(&|r| Some(r.outcome)),
        strings(&|r| r.reason),
    ];
    Ok(RecordBatch::try_new(Table::PanelChecks.schema(), columns)?)
}

/// The facts the rules use of every document in these cells files (a blank counts as 0, as in
/// `checks`; NULL is a cell missing or not a value), read a batch at a time with arrow-rs: only
/// the twenty cells per document are kept. polars held a whole file's rows of the filter's
/// columns before filtering: the panel step peaked at 381 MiB over 200,000 reports, growing
/// with the size of a year.
fn read_facts(root: &Path, cells: &[&FileEntry]) -> Result<HashMap<String, Vec<Option<f64>>>> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int32Type};
    use arrow_array::{Array, ArrayAccessor};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::arrow::ProjectionMask;
    let facts = &*FACTS;
    let index: HashMap<(&str, &str), usize> = facts
        .iter()
        .enumerate()
        .map(|(k, &(i, m))| ((i, m), k))
        .collect();
    let mut out: HashMap<String, Vec<Option<f64>>> = HashMap::new();
    for f in cells {
        let path = root.join(&f.path);
        let file =
            std::fs::File::open(&path).with_context(|| format!("reading {}", path.display()))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
        let wanted = ["doc_id", "item", "metric", "value", "status"];
        let mask = ProjectionMask::columns(builder.parquet_schema(), wanted);
        let reader = builder
            .with_projection(mask)
            .with_batch_size(8192)
            .build()?;
        for batch in reader {
            let batch = batch?;
            let column = |name: &str| {
                batch
                    .column_by_name(name)
                    .with_context(|| format!("{}: no column {name}", f.path))
            };
            let code = |name: &str| -> Result<_> {
                column(name)?
                    .as_dictionary_opt::<Int32Type>()
                    .and_then(|d| d.downcast_dict::<StringArray>())
                    .with_context(|| format!("{}: {name} is not a code column", f.path))
            };
            let (doc, item, metric, status) = (
                code("doc_id")?,
                code("item")?,
                code("metric")?,
                code("status")?,
            );
            let value = column("value")?
                .as_primitive_opt::<Float64Type>()
                .with_context(|| format!("{}: value is not a number column", f.path))?;
            for row in 0..batch.num_rows() {
                let Some(&k) = index.get(&(item.value(row), metric.value(row))) else {
                    continue;
                };
                let stated = match status.value(row) {
                    "blank" => Some(0.0),
                    _ => value.is_valid(row).then(|| value.value(row)),
                };
                out.entry(doc.value(row).to_string())
                    .or_insert_with(|| vec![None; facts.len()])[k] = stated;
            }
        }
    }
    Ok(out)
}

/// The reports of the dataset under `root` (its `files`), with the facts the rules use.
pub fn read_reports(root: &Path, files: &[FileEntry]) -> Result<Vec<Report>> {
    let Some(docs) = scan::table(root, files, Table::Documents)? else {
        return Ok(Vec::new());
    };
    let docs = docs
        .filter(
            col("year")
                .gt(lit(0))
                .and(col("agency").is_not_null())
                .and(col("region_code").is_not_null()),
        )
        .select([
            col("doc_id"),
            col("year"),
            col("agency"),
            col("region_code"),
            col("province"),
            col("prefecture"),
            col("county"),
            col("form_version"),
        ]);
    let facts = &*FACTS;
    let df = docs
        .collect()
        .map_err(|e| anyhow::anyhow!("reading the dataset for the panel checks: {e}"))?;
    let cells: Vec<&FileEntry> = files
        .iter()
        .filter(|f| f.table == Table::Cells.name())
        .collect();
    let stated = read_facts(root, &cells)?;
    let s = |name: &str| -> Result<StringChunked> {
        Ok(df.column(name)?.cast(&DataType::String)?.str()?.clone())
    };
    let (ids, agencies, codes, forms) = (
        s("doc_id")?,
        s("agency")?,
        s("region_code")?,
        s("form_version")?,
    );
    let names = [s("province")?, s("prefecture")?, s("county")?];
    let years = df.column("year")?.cast(&DataType::Int32)?;
    let years = years.i32()?;
    let mut out = Vec::with_capacity(df.height());
    for row in 0..df.height() {
        let r = Report {
            doc_id: ids.get(row).unwrap_or_default().to_string(),
            year: years.get(row).unwrap_or_default(),
            agency: agencies.get(row).unwrap_or_default().to_string(),
            region_code: codes.get(row).unwrap_or_default().to_string(),
            regions: names
                .iter()
                .filter_map(|n| n.get(row).map(str::to_string))
                .collect(),
            form_version: forms.get(row).unwrap_or_default().to_string(),
            facts: ids
                .get(row)
                .and_then(|id| stated.get(id))
                .cloned()
                .unwrap_or_else(|| vec![None; facts.len()]),
            key: String::new(),
        };
        let r = Report {
            key: agency_key(&r.region_code, &r.agency, &r.regions),
            ..r
        };
        out.push(r);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(doc: &str, year: i32, form: &str, facts: &[(&str, &str, f64)]) -> Report {
        Report {
            doc_id: doc.into(),
            year,
            agency: "上高县财政局".into(),
            region_code: "360923".into(),
            regions: vec!["江西省".into(), "宜春市".into(), "上高县".into()],
            form_version: form.into(),
            key: agency_key("360923", "上高县财政局", &[]),
            facts: FACTS
                .iter()
                .map(|f| facts.iter().find(|(i, m, _)| (*i, *m) == *f).map(|x| x.2))
                .collect(),
        }
    }

    fn outcome<'a>(rows: &'a [PanelCheck], doc: &str, check: &str) -> Option<&'a PanelCheck> {
        rows.iter().find(|r| r.doc_id == doc && r.check == check)
    }

    #[test]
    fn region_names_at_the_start_do_not_split_an_agency() {
        let regions = vec!["江西省".to_string(), "宜春市".into(), "上高县".into()];
        let a = agency_key("360923", "江西省上高县财政局", &regions);
        assert_eq!(a, agency_key("360923", "上高县 财政局", &regions));
        assert_eq!(a, "360923:财政局");
        assert_ne!(a, agency_key("360923", "上高县教育局", &regions));
    }

    #[test]
    fn carry_over_matches_last_years_carried_forward() {
        let rows = evaluate(vec![
            report(
                "a",
                2020,
                "2019",
                &[("carried_forward", "natural_person", 3.0)],
            ),
            report(
                "b",
                2021,
                "2021",
                &[("carried_over", "natural_person", 3.0)],
            ),
            report(
                "c",
                2022,
                "2021",
                &[("carried_over", "natural_person", 4.0)],
            ),
        ]);
        let b = outcome(&rows, "b", "panel.carryover:natural_person").unwrap();
        assert_eq!(
            (b.outcome, b.expected, b.actual),
            ("pass", Some(3.0), Some(3.0))
        );
        assert_eq!(
            (b.prev_year, b.prev_doc_id.as_deref()),
            (Some(2020), Some("a"))
        );
        // b states no carried_forward: c's rule is skipped, never a break.
        let c = outcome(&rows, "c", "panel.carryover:natural_person").unwrap();
        assert_eq!(
            (c.outcome, c.reason),
            ("skipped", Some("a cell is missing or not a value"))
        );
        // The forms differ between 2020 and 2021: in_force is not comparable.
        let f = outcome(&rows, "b", "panel.in_force:regulations").unwrap();
        assert_eq!((f.outcome, f.reason), ("skipped", Some("the forms differ")));
    }

    #[test]
    fn in_force_moves_by_issued_minus_repealed() {
        let f = |v: [f64; 3]| -> Vec<(&'static str, &'static str, f64)> {
            vec![
                ("regulations", "issued", v[0]),
                ("regulations", "repealed", v[1]),
                ("regulations", "in_force", v[2]),
            ]
        };
        let rows = evaluate(vec![
            report("a", 2021, "2021", &f([1.0, 0.0, 10.0])),
            report("b", 2022, "2021", &f([3.0, 1.0, 12.0])),
            report("c", 2023, "2021", &f([3.0, 1.0, 15.0])),
        ]);
        let b = outcome(&rows, "b", "panel.in_force:regulations").unwrap();
        assert_eq!(
            (b.outcome, b.severity, b.expected, b.actual),
            ("pass", "soft", Some(2.0), Some(2.0))
        );
        let c = outcome(&rows, "c", "panel.in_force:regulations").unwrap();
        assert_eq!(
            (c.outcome, c.expected, c.actual),
            ("fail", Some(2.0), Some(3.0))
        );
    }

    #[test]
    fn gaps_and_duplicates_are_reported_and_skip_the_year_to_year_rules() {
        let rows = evaluate(vec![
            report("a", 2019, "2019", &[("carried_forward", "total", 1.0)]),
            report("b", 2021, "2021", &[("carried_over", "total", 1.0)]),
            report("c", 2022, "2021", &[("carried_over", "total", 0.0)]),
            report("d", 2022, "2021", &[("carried_over", "total", 0.0)]),
        ]);
        let gap = outcome(&rows, "b", "panel.gap").unwrap();
        assert_eq!((gap.outcome, gap.prev_year), ("fail", Some(2019)));
        let skipped = outcome(&rows, "b", "panel.carryover:total").unwrap();
        assert_eq!(
            (skipped.outcome, skipped.reason),
            ("skipped", Some("the years are not consecutive"))
        );
        for (doc, other) in [("c", "d"), ("d", "c")] {
            let dup = outcome(&rows, doc, "panel.duplicate").unwrap();
            assert_eq!(
                (dup.outcome, dup.prev_year, dup.prev_doc_id.as_deref()),
                ("fail", None, Some(other))
            );
            // Against a year of two documents the rules are not evaluated.
            assert!(outcome(&rows, doc, "panel.carryover:total").is_none());
        }
        assert!(
            outcome(&rows, "a", "panel.carryover:total").is_none(),
            "the first year has no rule"
        );
    }
}
