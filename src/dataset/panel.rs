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
    evaluate_years(reports, &|_| true)
}

/// [`evaluate`], the rows of the `wanted` years only.
fn evaluate_years(reports: Vec<Report>, wanted: &dyn Fn(i32) -> bool) -> Vec<PanelCheck> {
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
            if !wanted(t) {
                continue;
            }
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
///
/// Memory does not grow with the dataset: the reports are read a chunk of documents at a time
/// and spilled to buckets by agency (files in the staging directory, removed before the commit),
/// then evaluated a bucket, and written an agency, at a time. Holding a year's reports and every
/// agency's last year made the step the peak of a build (218 MiB heap-and-code for an append of
/// one report onto 200,000, growing with the largest year).
pub fn update(root: &Path, files: &mut Vec<FileEntry>, writer: DatasetWriter) -> Result<u64> {
    update_within(root, files, writer, Limits::DEFAULT)
}

/// How much of the dataset the panel step holds at once.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Documents read (with their facts) per pass over a year's cells files.
    pub chunk_docs: usize,
    /// Reports per spill bucket, aimed at: one bucket's reports are held at a time.
    pub bucket_reports: u64,
}

impl Limits {
    /// About 20 MiB of reports per chunk (about 600 bytes each as read), less per bucket; a year
    /// of up to 32,768 documents is one pass over its cells files. Buckets are at most 256 (open files while spilling), so past
    /// 4 M reports a bucket grows by 1/256 of the dataset.
    pub const DEFAULT: Limits = Limits {
        chunk_docs: 32_768,
        bucket_reports: 16_384,
    };
    const MAX_BUCKETS: u64 = 256;
}

/// [`update`] with explicit [`Limits`] (tests use small ones to cross every boundary).
pub fn update_within(
    root: &Path,
    files: &mut Vec<FileEntry>,
    mut writer: DatasetWriter,
    limits: Limits,
) -> Result<u64> {
    let (old, others): (Vec<FileEntry>, Vec<FileEntry>) = std::mem::take(files)
        .into_iter()
        .partition(|f| f.table == Table::PanelChecks.name());
    let mut old_by_year: BTreeMap<i32, Vec<FileEntry>> = BTreeMap::new();
    for f in old {
        old_by_year.entry(f.year).or_default().push(f);
    }
    let documents: Vec<&FileEntry> = others
        .iter()
        .filter(|f| f.table == Table::Documents.name() && f.year > 0)
        .collect();
    let n_docs: u64 = documents.iter().map(|f| f.rows).sum();
    let buckets = n_docs
        .div_ceil(limits.bucket_reports.max(1))
        .clamp(1, Limits::MAX_BUCKETS);
    let years: std::collections::BTreeSet<i32> = documents.iter().map(|f| f.year).collect();
    let mut spill = Spill::create(&root.join(SPILL_DIR), buckets)?;
    for year in years {
        let of_year: Vec<FileEntry> = others.iter().filter(|f| f.year == year).cloned().collect();
        let mut offset = 0;
        loop {
            let chunk = read_reports(root, &of_year, offset, limits.chunk_docs)?;
            for r in &chunk {
                spill.push(r)?;
            }
            if chunk.len() < limits.chunk_docs {
                break;
            }
            offset += chunk.len();
        }
    }
    let spill = spill.finish()?;
    // First each year's digest of its rows (a year whose rows came out the same keeps its
    // files), then, for the years that changed, the rows again into the writer.
    let mut digests: BTreeMap<i32, RowsDigest> = BTreeMap::new();
    let mut failed = 0;
    spill.each_agency(&|_| true, &mut |rows| {
        for r in rows {
            digests.entry(r.year).or_default().add(&r);
            failed += u64::from(r.outcome == "fail");
        }
        Ok(())
    })?;
    let mut hashes = BTreeMap::new();
    if digests.is_empty() {
        // No agency with two years yet: one empty file, so that
        // `read_parquet('out/panel_checks/**/*.parquet')` reads an empty table instead of
        // failing on no files.
        let hash = RowsDigest::default().hex();
        if !keep_if_same(0, &hash, &mut old_by_year, files) {
            writer.write_batch(Table::PanelChecks, 0, &to_batch(&[])?)?;
            hashes.insert(0, hash);
        }
    }
    for (&year, digest) in &digests {
        let hash = digest.hex();
        if !keep_if_same(year, &hash, &mut old_by_year, files) {
            hashes.insert(year, hash);
        }
    }
    // A few years' partitions open at a time, each group of years one more pass over the
    // buckets: a partition being written holds page buffers and a compression context per
    // column, so all of a build's years open at once would cost memory in proportion to the
    // number of years.
    let changed: Vec<i32> = hashes.keys().copied().filter(|&y| y != 0).collect();
    for years in changed.chunks(OPEN_YEARS) {
        let mut pending: BTreeMap<i32, Vec<PanelCheck>> = BTreeMap::new();
        spill.each_agency(&|year| years.contains(&year), &mut |rows| {
            for r in rows {
                let year = r.year;
                let year_rows = pending.entry(year).or_default();
                year_rows.push(r);
                if year_rows.len() >= BATCH_ROWS {
                    writer.write_batch(Table::PanelChecks, year, &to_batch(year_rows)?)?;
                    year_rows.clear();
                }
            }
            Ok(())
        })?;
        for (year, rows) in pending.into_iter().filter(|(_, rows)| !rows.is_empty()) {
            writer.write_batch(Table::PanelChecks, year, &to_batch(&rows)?)?;
        }
        for &year in years {
            writer.close_partition(Table::PanelChecks, year)?;
        }
    }
    spill.remove()?;
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

/// Rows per record batch written (a batch per year is pending at a time).
const BATCH_ROWS: usize = 4096;

/// Years whose panel partitions are written at once.
const OPEN_YEARS: usize = 4;

/// The panel step's scratch directory in the staging directory: removed before the commit, and
/// with the staging directory if the run fails.
const SPILL_DIR: &str = ".panel-spill";

/// Reports being spilled to bucket files by agency key, so that each agency's reports of every
/// year come back together, one bucket at a time.
struct Spill {
    dir: std::path::PathBuf,
    buckets: Vec<std::io::BufWriter<std::fs::File>>,
}

/// The spilled reports, read back a bucket at a time.
struct Spilled {
    dir: std::path::PathBuf,
    buckets: usize,
}

impl Spill {
    fn create(dir: &Path, buckets: u64) -> Result<Spill> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let buckets = (0..buckets)
            .map(|b| {
                let path = dir.join(b.to_string());
                let file = std::fs::File::create(&path)
                    .with_context(|| format!("creating {}", path.display()))?;
                Ok(std::io::BufWriter::with_capacity(16 << 10, file))
            })
            .collect::<Result<_>>()?;
        Ok(Spill {
            dir: dir.to_path_buf(),
            buckets,
        })
    }

    fn push(&mut self, r: &Report) -> Result<()> {
        use std::io::Write;
        let hash = blake3::hash(r.key.as_bytes());
        let word = u64::from_le_bytes(hash.as_bytes()[..8].try_into().expect("8 bytes"));
        let b = (word % self.buckets.len() as u64) as usize;
        let mut record = Vec::with_capacity(256);
        encode(r, &mut record);
        self.buckets[b]
            .write_all(&record)
            .with_context(|| format!("writing {}", self.dir.display()))
    }

    fn finish(self) -> Result<Spilled> {
        let n = self.buckets.len();
        for b in self.buckets {
            b.into_inner()
                .map_err(|e| e.into_error())
                .with_context(|| format!("writing {}", self.dir.display()))?;
        }
        Ok(Spilled {
            dir: self.dir,
            buckets: n,
        })
    }
}

impl Spilled {
    /// Every agency's rows of the `wanted` years, sorted by year, document and check: bucket by
    /// bucket, agency key by agency key within a bucket.
    fn each_agency(
        &self,
        wanted: &dyn Fn(i32) -> bool,
        emit: &mut dyn FnMut(Vec<PanelCheck>) -> Result<()>,
    ) -> Result<()> {
        for b in 0..self.buckets {
            let path = self.dir.join(b.to_string());
            let bytes =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            let mut agencies: BTreeMap<String, Vec<Report>> = BTreeMap::new();
            let mut rest = &bytes[..];
            while !rest.is_empty() {
                let r = decode(&mut rest).with_context(|| format!("reading {}", path.display()))?;
                agencies.entry(r.key.clone()).or_default().push(r);
            }
            drop(bytes);
            for reports in agencies.into_values() {
                let mut rows = evaluate_years(reports, wanted);
                rows.sort_by(|a, b| {
                    (a.year, &a.doc_id, &a.check).cmp(&(b.year, &b.doc_id, &b.check))
                });
                emit(rows)?;
            }
        }
        Ok(())
    }

    fn remove(self) -> Result<()> {
        std::fs::remove_dir_all(&self.dir)
            .with_context(|| format!("removing {}", self.dir.display()))
    }
}

/// A report as a spill record: the strings the rules and rows use (length-prefixed), the year,
/// the facts. Region names are not kept: they only make the key.
fn encode(r: &Report, out: &mut Vec<u8>) {
    for s in [
        &r.key,
        &r.doc_id,
        &r.agency,
        &r.region_code,
        &r.form_version,
    ] {
        out.extend_from_slice(&(s.len() as u32).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    out.extend_from_slice(&r.year.to_le_bytes());
    out.extend_from_slice(&(r.facts.len() as u32).to_le_bytes());
    for f in &r.facts {
        match f {
            Some(v) => {
                out.push(1);
                out.extend_from_slice(&v.to_le_bytes());
            }
            None => out.push(0),
        }
    }
}

/// The report [`encode`] wrote at the start of `input`, which moves past it.
fn decode(input: &mut &[u8]) -> Result<Report> {
    fn take<'a>(input: &mut &'a [u8], n: usize) -> Result<&'a [u8]> {
        anyhow::ensure!(input.len() >= n, "a spill record is cut short");
        let (head, rest) = input.split_at(n);
        *input = rest;
        Ok(head)
    }
    fn word(input: &mut &[u8]) -> Result<[u8; 4]> {
        Ok(take(input, 4)?.try_into().expect("4 bytes"))
    }
    let mut strings = Vec::with_capacity(5);
    for _ in 0..5 {
        let n = u32::from_le_bytes(word(input)?) as usize;
        strings.push(String::from_utf8(take(input, n)?.to_vec())?);
    }
    let year = i32::from_le_bytes(word(input)?);
    let n = u32::from_le_bytes(word(input)?) as usize;
    let mut facts = Vec::with_capacity(n);
    for _ in 0..n {
        facts.push(match take(input, 1)?[0] {
            0 => None,
            _ => Some(f64::from_le_bytes(
                take(input, 8)?.try_into().expect("8 bytes"),
            )),
        });
    }
    let [key, doc_id, agency, region_code, form_version]: [String; 5] =
        strings.try_into().expect("five strings");
    Ok(Report {
        doc_id,
        year,
        agency,
        region_code,
        regions: Vec::new(),
        form_version,
        key,
        facts,
    })
}

/// An order-independent digest of a year's rows (their count and the sum of their hashes): the
/// rows come out bucket by bucket and the buckets depend on the dataset's size, so the same rows
/// must have the same digest in any order.
#[derive(Debug, Default)]
struct RowsDigest {
    rows: u64,
    sum: [u64; 4],
}

impl RowsDigest {
    fn add(&mut self, row: &PanelCheck) {
        // Every field, each closed by a byte no UTF-8 text holds (0xff), a missing one by 0xfe:
        // escaping its text for Debug formatting alone was 7% of the step (perf).
        let mut h = blake3::Hasher::new();
        let mut text = |s: Option<&str>| {
            match s {
                Some(s) => h.update(s.as_bytes()),
                None => h.update(&[0xfe]),
            };
            h.update(&[0xff]);
        };
        text(Some(&row.agency_key));
        text(Some(&row.agency));
        text(Some(&row.region_code));
        text(Some(&row.doc_id));
        text(row.prev_doc_id.as_deref());
        text(Some(&row.check));
        text(Some(row.severity));
        text(Some(row.outcome));
        text(row.reason);
        let numbers = [
            Some(f64::from(row.year)),
            row.prev_year.map(f64::from),
            row.expected,
            row.actual,
        ];
        for n in numbers {
            match n {
                Some(v) => h.update(&v.to_le_bytes()),
                None => h.update(&[0xfe]),
            };
        }
        let hash = h.finalize();
        for (lane, word) in self.sum.iter_mut().zip(hash.as_bytes().chunks_exact(8)) {
            *lane = lane.wrapping_add(u64::from_le_bytes(word.try_into().expect("8 bytes")));
        }
        self.rows += 1;
    }

    fn hex(&self) -> String {
        let [a, b, c, d] = self.sum;
        format!("{:016x}{a:016x}{b:016x}{c:016x}{d:016x}", self.rows)
    }
}

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

/// The facts the rules use in these cells files, each as `stated(doc_id, index in FACTS,
/// value)` (a blank counts as 0, as in `checks`; None is a cell missing or not a value), read a
/// batch at a time with arrow-rs. polars held a whole file's rows of the filter's columns before
/// filtering: the panel step peaked at 381 MiB over 200,000 reports, growing with the size of a
/// year.
fn read_facts(
    root: &Path,
    cells: &[&FileEntry],
    stated: &mut dyn FnMut(&str, usize, Option<f64>),
) -> Result<()> {
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
            let (doc, status) = (code("doc_id")?, code("status")?);
            let dictionary = |name: &str| -> Result<_> {
                let d = column(name)?
                    .as_dictionary_opt::<Int32Type>()
                    .with_context(|| format!("{}: {name} is not a code column", f.path))?;
                let names = d
                    .values()
                    .as_string_opt::<i32>()
                    .with_context(|| format!("{}: {name} is not a code column", f.path))?;
                Ok((d.keys(), names))
            };
            let ((items, item_names), (metrics, metric_names)) =
                (dictionary("item")?, dictionary("metric")?);
            // Which fact each (item code, metric code) of this batch's dictionaries is: looking
            // up the two strings of every row (SipHash) was about a quarter of the step (perf).
            let (width, index) = (metric_names.len(), &index);
            let fact_of: Vec<Option<usize>> = (0..item_names.len())
                .flat_map(|i| {
                    (0..width).map(move |m| {
                        index
                            .get(&(item_names.value(i), metric_names.value(m)))
                            .copied()
                    })
                })
                .collect();
            let value = column("value")?
                .as_primitive_opt::<Float64Type>()
                .with_context(|| format!("{}: value is not a number column", f.path))?;
            for row in 0..batch.num_rows() {
                if items.is_null(row) || metrics.is_null(row) {
                    continue;
                }
                let (i, m) = (items.value(row) as usize, metrics.value(row) as usize);
                let Some(&Some(k)) = fact_of.get(i * width + m) else {
                    continue;
                };
                let value = match status.value(row) {
                    "blank" => Some(0.0),
                    _ => value.is_valid(row).then(|| value.value(row)),
                };
                stated(doc.value(row), k, value);
            }
        }
    }
    Ok(())
}

/// Up to `limit` reports of the dataset under `root` (its `files`), from the `offset`-th on,
/// with the facts the rules use: one pass over the files' cells.
pub fn read_reports(
    root: &Path,
    files: &[FileEntry],
    offset: usize,
    limit: usize,
) -> Result<Vec<Report>> {
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
        ])
        .slice(offset as i64, limit as IdxSize);
    let facts = &*FACTS;
    let df = docs
        .collect()
        .map_err(|e| anyhow::anyhow!("reading the dataset for the panel checks: {e}"))?;
    let cells: Vec<&FileEntry> = files
        .iter()
        .filter(|f| f.table == Table::Cells.name())
        .collect();
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
            facts: vec![None; facts.len()],
            key: String::new(),
        };
        let r = Report {
            key: agency_key(&r.region_code, &r.agency, &r.regions),
            ..r
        };
        out.push(r);
    }
    // Each document's facts, found by its id (a document listed twice gets them twice).
    let mut at: HashMap<String, Vec<usize>> = HashMap::with_capacity(out.len());
    for (i, r) in out.iter().enumerate() {
        at.entry(r.doc_id.clone()).or_default().push(i);
    }
    read_facts(root, &cells, &mut |doc, k, value| {
        for &i in at.get(doc).into_iter().flatten() {
            out[i].facts[k] = value;
        }
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

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

    /// A panel of `agencies` agencies over 2019-2023, one with two reports in 2021, one without
    /// 2020, and facts that make some rules pass and some fail.
    fn panel(agencies: usize) -> Vec<Report> {
        let mut out = Vec::new();
        for a in 0..agencies {
            for year in 2019..=2023 {
                if a % 7 == 3 && year == 2020 {
                    continue;
                }
                let copies = if a % 5 == 1 && year == 2021 { 2 } else { 1 };
                for c in 0..copies {
                    let form = if year < 2021 { "2019" } else { "2021" };
                    let v = ((a + year as usize) % 3) as f64;
                    let mut r = report(
                        &format!("doc-{a}-{year}-{c}"),
                        year,
                        form,
                        &[
                            ("carried_over", "total", v),
                            ("carried_forward", "total", v + (a % 2) as f64),
                        ],
                    );
                    r.agency = format!("机构{a}");
                    r.key = format!("360923:{}", r.agency);
                    out.push(r);
                }
            }
        }
        out
    }

    fn sorted(mut rows: Vec<PanelCheck>) -> Vec<String> {
        let mut rows: Vec<String> = rows.drain(..).map(|r| format!("{r:?}")).collect();
        rows.sort();
        rows
    }

    #[test]
    fn spilled_reports_come_back_as_they_went_in() {
        let mut r = panel(1).remove(0);
        r.facts[0] = Some(-0.5);
        r.regions.clear();
        let mut bytes = Vec::new();
        encode(&r, &mut bytes);
        encode(&r, &mut bytes);
        let mut rest = &bytes[..];
        assert_eq!(decode(&mut rest).unwrap(), r);
        assert_eq!(decode(&mut rest).unwrap(), r);
        assert!(rest.is_empty());
        let mut cut = &bytes[..bytes.len() - 1];
        assert!(decode(&mut cut).is_ok() && decode(&mut cut).is_err());
    }

    #[test]
    fn buckets_give_the_rows_of_evaluating_everything_at_once() {
        let reports = panel(40);
        let whole = sorted(evaluate(reports.clone()));
        assert!(whole.iter().any(|r| r.contains("\"fail\"")));
        assert!(whole.iter().any(|r| r.contains("panel.duplicate")));
        let dir = std::env::temp_dir().join(format!("gongkai-spill-{}", std::process::id()));
        for buckets in [1, 3, 16] {
            let mut spill = Spill::create(&dir, buckets).unwrap();
            for r in &reports {
                spill.push(r).unwrap();
            }
            let spilled = spill.finish().unwrap();
            let (mut rows, mut agencies) = (Vec::new(), BTreeSet::new());
            spilled
                .each_agency(&|_| true, &mut |a| {
                    // One agency per call, all of its years.
                    let keys: BTreeSet<_> = a.iter().map(|r| r.agency_key.clone()).collect();
                    assert!(keys.len() <= 1 && keys.iter().all(|k| agencies.insert(k.clone())));
                    rows.extend(a);
                    Ok(())
                })
                .unwrap();
            spilled.remove().unwrap();
            assert_eq!(sorted(rows), whole, "{buckets} buckets");
        }
        assert!(!dir.exists());
    }

    #[test]
    fn the_digest_of_a_years_rows_ignores_their_order() {
        let rows = evaluate(panel(5));
        let digest = |rows: &mut dyn Iterator<Item = &PanelCheck>| {
            let mut d = RowsDigest::default();
            rows.for_each(|r| d.add(r));
            d.hex()
        };
        let forward = digest(&mut rows.iter());
        assert_eq!(forward, digest(&mut rows.iter().rev()));
        assert_ne!(forward, digest(&mut rows.iter().skip(1)));
        let mut changed = rows.clone();
        changed[0].actual = Some(99.0);
        assert_ne!(forward, digest(&mut changed.iter()));
        // A row twice is not the same as once (a count as well as a sum).
        assert_ne!(
            digest(&mut rows.iter().take(1)),
            digest(&mut rows.iter().take(1).chain(rows.iter().take(1)))
        );
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
