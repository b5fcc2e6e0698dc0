//! From found rows to canonical cells: decide each table's form version, align values, parse
//! numbers and units, derive the 2021 `other` row. Concepts of one version keep their own
//! codes; only what forms.md §2 calls comparable shares a code (that mapping is forms.toml).

use crate::forms::FORMS;
use crate::model::{Cell, CellStatus, FormVersion, Problem, Section, Unit};
use crate::model::{TCell, IN_DOUBT};
use crate::parse::extract::{fit, fit_block, Extracted, Fit, Found, S2Key};

pub fn has_legacy_markers(text: &str) -> bool {
    FORMS
        .markers_legacy
        .iter()
        .any(|m| text.contains(m.as_str()))
}

/// A pre-2019 report: its own markers and none of the texts only the official forms print,
/// whatever rows a loose label match found in its prose (forms.md §4).
pub fn is_legacy(text: &str) -> bool {
    // The form-only texts first: a report of the official forms stops the search early.
    !FORMS.markers_form.iter().any(|m| text.contains(m.as_str())) && has_legacy_markers(text)
}

/// Did the extractor find anything of the form at all?
pub fn found_any(x: &Extracted) -> bool {
    x.s2.as_ref().is_some_and(|v| !v.is_empty())
        || x.s3.as_ref().is_some_and(|v| !v.is_empty())
        || x.s4
            .as_ref()
            .is_some_and(|v| v.as_ref().is_none_or(|v| !v.is_empty()))
}

pub struct Reconciled {
    pub cells: Vec<Cell>,
    pub problems: Vec<Problem>,
    /// The document's form: section 三's, else section 二's majority, else markers.
    pub form_version: FormVersion,
}

fn majority(vs: &[FormVersion]) -> Option<FormVersion> {
    let a = vs.iter().filter(|v| **v == FormVersion::V2019).count();
    let b = vs.iter().filter(|v| **v == FormVersion::V2021).count();
    match a.cmp(&b) {
        std::cmp::Ordering::Greater => Some(FormVersion::V2019),
        std::cmp::Ordering::Less => Some(FormVersion::V2021),
        std::cmp::Ordering::Equal => None,
    }
}

fn s3_version(rows: &[Found<usize>]) -> Option<FormVersion> {
    let f = &*FORMS;
    if rows
        .iter()
        .any(|r| f.s3_rows[r.key].only == Some(FormVersion::V2021))
    {
        return Some(FormVersion::V2021);
    }
    let other = rows
        .iter()
        .position(|r| f.s3_rows[r.key].split_in.is_some())?;
    let has_values = rows[other].values.iter().any(|c| !c.text.trim().is_empty());
    let next_is_total = rows
        .get(other + 1)
        .is_some_and(|r| f.s3_rows[r.key].item == Some("total"));
    (has_values || next_is_total).then_some(FormVersion::V2019)
}

pub fn reconcile(x: &Extracted, text: &str) -> Reconciled {
    let f = &*FORMS;
    let mut out = Reconciled {
        cells: Vec::new(),
        problems: Vec::new(),
        form_version: FormVersion::Unknown,
    };
    let v3 = x.s3.as_deref().and_then(s3_version);
    let s2_found_versions: Vec<FormVersion> =
        x.s2.iter()
            .flatten()
            .filter_map(|r| r.key.version)
            .collect();
    let v2_majority = majority(&x.s2_header_versions).or_else(|| majority(&s2_found_versions));
    // The text markers are searched only when the tables do not say.
    let doc = v3
        .or(v2_majority)
        .or_else(|| crate::forms::marker_version(text));
    out.form_version = doc.unwrap_or(FormVersion::Unknown);

    // Section 二, sub-table by sub-table.
    let s2_fallback = v2_majority.or(doc);
    let empty = Vec::new();
    let s2_rows = x.s2.as_ref().unwrap_or(&empty);
    if x.s2.is_none() {
        out.problems.push(Problem::MissingSection);
    }
    let mut tables: Vec<&str> = f.s2.iter().map(|t| t.table).collect();
    tables.dedup();
    let mut s2_versions_used = Vec::new();
    for table in tables {
        let items_of = |v: FormVersion| f.s2.iter().find(|t| t.table == table && t.version == v);
        let stated = s2_rows
            .iter()
            .filter(|r| {
                f.s2.iter()
                    .any(|t| t.table == table && t.rows.iter().any(|(i, _)| *i == r.key.item))
            })
            .find_map(|r| r.key.version);
        let Some(version) = stated.or(s2_fallback) else {
            out.problems.push(Problem::UnknownFormVersion);
            continue;
        };
        let Some(spec) = items_of(version) else {
            continue;
        };
        s2_versions_used.push(version);
        for (item, _) in &spec.rows {
            let found: Vec<&Found<S2Key>> =
                s2_rows.iter().filter(|r| r.key.item == *item).collect();
            let values = row_fit(&found, spec.metrics.len(), &mut out.problems);
            for (k, metric) in spec.metrics.iter().enumerate() {
                let money = spec.money.contains(metric);
                // Only 2021 本年收费金额 prints its unit (单位:万元) in the header.
                let header_says_10k = money && version == FormVersion::V2021;
                out.cells.push(make_cell(
                    version,
                    Section::S2,
                    item,
                    metric,
                    values[k],
                    money,
                    header_says_10k,
                    &mut out.problems,
                ));
            }
        }
    }
    if s2_versions_used.iter().any(|v| Some(*v) != doc) && doc.is_some() {
        out.problems.push(Problem::MixedFormVersions);
    }

    // Section 三.
    let v3_used = v3.or(doc);
    match v3_used {
        None => out.problems.push(Problem::UnknownFormVersion),
        Some(version) => {
            if x.s3.is_none() {
                out.problems.push(Problem::MissingSection);
            }
            let rows = x.s3.as_deref().unwrap_or(&[]);
            let n = f.s3_metrics.len();
            for (i, spec) in f.s3_rows.iter().enumerate() {
                let Some(item) = spec.item else { continue };
                if spec.only.is_some_and(|o| o != version) || spec.split_in == Some(version) {
                    continue;
                }
                let found: Vec<&Found<usize>> = rows.iter().filter(|r| r.key == i).collect();
                let values = row_fit(&found, n, &mut out.problems);
                for (k, metric) in f.s3_metrics.iter().enumerate() {
                    out.cells.push(make_cell(
                        version,
                        Section::S3,
                        item,
                        metric,
                        values[k],
                        false,
                        false,
                        &mut out.problems,
                    ));
                }
            }
            if version == FormVersion::V2021 {
                derive_other(&mut out.cells);
            }
        }
    }

    // Section 四: one unlabelled row of 15.
    let version = out.form_version;
    if matches!(version, FormVersion::V2019 | FormVersion::V2021) {
        let n = f.s4_metrics.len();
        let values = match &x.s4 {
            None => {
                out.problems.push(Problem::MissingSection);
                vec![Source::Absent; n]
            }
            Some(None) => vec![Source::Doubt; n],
            Some(Some(v)) => match fit_block(v, n) {
                Fit::Cells(c) => c
                    .into_iter()
                    .map(|c| c.map_or(Source::Absent, Source::Cell))
                    .collect(),
                Fit::Misaligned => {
                    out.problems.push(Problem::MisalignedRow);
                    vec![Source::Doubt; n]
                }
            },
        };
        for (k, metric) in f.s4_metrics.iter().enumerate() {
            out.cells.push(make_cell(
                version,
                Section::S4,
                "all",
                metric,
                values[k],
                false,
                false,
                &mut out.problems,
            ));
        }
    }
    out.problems.sort();
    out.problems.dedup();
    out
}

/// Where a canonical cell's text comes from.
#[derive(Clone, Copy)]
enum Source<'a> {
    /// The document has this cell (its value in doubt when its text is [`IN_DOUBT`]).
    Cell(&'a TCell),
    /// The document lacks the cell.
    Absent,
    /// The row's values are there but which is this cell's is in doubt (already flagged).
    Doubt,
}

/// The cells of a row, aligned (one [`Source`] per expected cell).
fn row_fit<'a, K>(
    found: &[&Found<'a, K>],
    n: usize,
    problems: &mut Vec<Problem>,
) -> Vec<Source<'a>> {
    let cells = match found {
        [] => return vec![Source::Absent; n],
        [one] if one.in_doubt => return vec![Source::Doubt; n],
        [one] => fit(&one.values, n),
        _ => {
            problems.push(Problem::DuplicateRow);
            return vec![Source::Doubt; n];
        }
    };
    match cells {
        Fit::Cells(c) => c
            .into_iter()
            .map(|c| c.map_or(Source::Absent, Source::Cell))
            .collect(),
        Fit::Misaligned => {
            problems.push(Problem::MisalignedRow);
            vec![Source::Doubt; n]
        }
    }
}

/// One canonical cell from its source. A value in doubt is NULL with status `unparsed` (the
/// document has the cell; which number is its is not known).
#[allow(clippy::too_many_arguments)]
fn make_cell(
    version: FormVersion,
    section: Section,
    item: &'static str,
    metric: &'static str,
    cell: Source,
    money: bool,
    header_says_10k: bool,
    problems: &mut Vec<Problem>,
) -> Cell {
    let unit = if money { Unit::TenKYuan } else { Unit::Count };
    let mut c = Cell {
        form_version: version,
        section,
        item,
        metric,
        value: None,
        status: CellStatus::Missing,
        raw: None,
        unit,
        line: None,
    };
    let tc = match cell {
        Source::Cell(tc) if tc.text != IN_DOUBT => tc,
        Source::Absent => {
            problems.push(Problem::MissingCells);
            return c;
        }
        Source::Doubt | Source::Cell(_) => {
            c.status = CellStatus::Unparsed;
            return c;
        }
    };
    let raw = tc.text.trim().to_string();
    c.line = Some(tc.line);
    match parse_value(&raw, money, header_says_10k) {
        Parsed::Blank => c.status = CellStatus::Blank,
        Parsed::Number(v) => {
            c.status = CellStatus::Value;
            c.value = Some(v);
        }
        Parsed::Unparsed => {
            c.status = CellStatus::Unparsed;
            problems.push(Problem::UnparsedCells);
        }
        Parsed::AmbiguousUnit => {
            c.status = CellStatus::Unparsed;
            problems.push(Problem::AmbiguousUnit);
        }
    }
    c.raw = Some(raw);
    c
}

/// 2021: `other` = the sum of its three sub-rows, NULL if any is missing or unparsed, or if all
/// three are blank (nothing was stated).
fn derive_other(cells: &mut Vec<Cell>) {
    let f = &*FORMS;
    // One pass over the cells: per metric, how many parts were seen, whether all are usable,
    // whether any states a number, and their sum.
    let n = f.s3_metrics.len();
    let (mut seen, mut usable, mut any_value, mut sum) = (
        vec![0usize; n],
        vec![true; n],
        vec![false; n],
        vec![0.0f64; n],
    );
    for c in cells
        .iter()
        .filter(|c| c.section == Section::S3 && f.s3_other_parts.contains(&c.item))
    {
        let Some(k) = f.s3_metrics.iter().position(|m| *m == c.metric) else {
            continue;
        };
        seen[k] += 1;
        usable[k] &= matches!(c.status, CellStatus::Value | CellStatus::Blank);
        any_value[k] |= c.status == CellStatus::Value;
        sum[k] += c.value.unwrap_or(0.0);
    }
    for (k, metric) in f.s3_metrics.iter().enumerate() {
        let ok = seen[k] == f.s3_other_parts.len() && usable[k] && any_value[k];
        cells.push(Cell {
            form_version: FormVersion::V2021,
            section: Section::S3,
            item: "other",
            metric,
            value: ok.then_some(sum[k]),
            status: CellStatus::Derived,
            raw: None,
            unit: Unit::Count,
            line: None,
        });
    }
}

#[derive(Debug, PartialEq)]
pub enum Parsed {
    Blank,
    Number(f64),
    Unparsed,
    AmbiguousUnit,
}

/// Count units that may follow a number in a cell (`0件`).
const COUNT_SUFFIXES: [&str; 7] = ["件", "个", "项", "条", "次", "人", "家"];

/// Parse a cell's text. Money becomes 万元 (`10k_yuan`): `元` ÷ 10,000, `亿元` × 10,000. A money
/// cell without a unit is read as 万元 unless it is a whole number of six digits or more, which
/// looks like 元: that is in doubt and stays NULL.
pub fn parse_value(raw: &str, money: bool, header_says_10k: bool) -> Parsed {
    // Digits separated by white space are separate cells (a `pdftotext -layout` row `27 0 0 0 0
    // 0 27` in one cell), never one number: canonicalisation would join them.
    if crate::parse::extract::digits_apart(raw) {
        return Parsed::Unparsed;
    }
    let t = crate::forms::canonical_cow(raw);
    if t.is_empty() || FORMS.is_placeholder(&t) {
        return Parsed::Blank;
    }
    if t == "零" {
        return Parsed::Number(0.0);
    }
    // The unit as a power of ten, applied to the decimal text: `7219100元` times 1e-4 in binary
    // is 721.9100000000001, and a query for 721.91 would not find it.
    let (num, exponent, unit_stated) = if money {
        if let Some(n) = t.strip_suffix("亿元") {
            (n, 4, true)
        } else if let Some(n) = t.strip_suffix("万元").or_else(|| t.strip_suffix("万")) {
            (n, 0, true)
        } else if let Some(n) = t.strip_suffix('元') {
            (n, -4, true)
        } else {
            (&*t, 0, header_says_10k)
        }
    } else {
        let n = COUNT_SUFFIXES
            .iter()
            .find_map(|s| t.strip_suffix(s))
            .unwrap_or(&t);
        (n, 0, true)
    };
    let Some(v) = parse_number(num) else {
        return Parsed::Unparsed;
    };
    if money && !unit_stated && v.fract() == 0.0 && v.abs() >= 100_000.0 {
        return Parsed::AmbiguousUnit;
    }
    if exponent == 0 {
        return Parsed::Number(v);
    }
    // `parse_number` accepted the text, so without its separators it is a decimal literal.
    let digits: String = num.chars().filter(|&c| c != ',').collect();
    match format!("{digits}e{exponent}").parse::<f64>() {
        Ok(scaled) if scaled.is_finite() => Parsed::Number(scaled),
        _ => Parsed::Unparsed,
    }
}

/// `-1`, `+1036`, `1,234`, `8827.8344`. Thousands separators only in groups of three.
pub fn parse_number(s: &str) -> Option<f64> {
    let (sign, body) = match s.as_bytes().first()? {
        b'-' => (-1.0, &s[1..]),
        b'+' => (1.0, &s[1..]),
        _ => (1.0, s),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if int.is_empty()
        || frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    if int.bytes().all(|b| b.is_ascii_digit()) {
        // The common case: no separators.
        return body
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(|v| sign * v);
    }
    let groups: Vec<&str> = int.split(',').collect();
    let groups_ok = groups
        .iter()
        .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
        && (groups.len() == 1
            || (groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3)));
    if !groups_ok {
        return None;
    }
    let parsed = if groups.len() == 1 {
        body.parse::<f64>().ok()
    } else {
        let digits: String = groups.concat();
        match frac {
            Some(f) => format!("{digits}.{f}").parse::<f64>().ok(),
            None => digits.parse::<f64>().ok(),
        }
    };
    parsed.filter(|v| v.is_finite()).map(|v| sign * v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_units() {
        assert_eq!(parse_value("-1", false, false), Parsed::Number(-1.0));
        // Units scale the decimal text: the nearest double to 721.91, not one ulp above it.
        assert_eq!(
            parse_value("7219100元", true, false),
            Parsed::Number(721.91)
        );
        assert_eq!(
            parse_value("1,234.5元", true, false),
            Parsed::Number(0.12345)
        );
        assert_eq!(parse_value("3.7亿元", true, false), Parsed::Number(37000.0));
        assert_eq!(parse_value("-12元", true, false), Parsed::Number(-0.0012));
        assert_eq!(parse_value("+1036", false, false), Parsed::Number(1036.0));
        assert_eq!(parse_value("1,234", false, false), Parsed::Number(1234.0));
        assert_eq!(parse_value("12,34", false, false), Parsed::Unparsed);
        assert_eq!(parse_value(" 4 ", false, false), Parsed::Number(4.0));
        assert_eq!(
            parse_value("\u{a0}4\u{a0}", false, false),
            Parsed::Number(4.0)
        );
        // pdftotext -layout: a row's cells in one, never the number 270000027.
        assert_eq!(
            parse_value("27 0 0 0 0 0 27", false, false),
            Parsed::Unparsed
        );
        assert_eq!(parse_value("1 234", false, false), Parsed::Unparsed);
        assert_eq!(parse_value("２７　０", false, false), Parsed::Unparsed);
        assert_eq!(parse_value("0件", false, false), Parsed::Number(0.0));
        assert_eq!(parse_value("—", false, false), Parsed::Blank);
        assert_eq!(parse_value("无", false, false), Parsed::Blank);
        assert_eq!(parse_value("", false, false), Parsed::Blank);
        assert_eq!(parse_value("两件", false, false), Parsed::Unparsed);
        assert_eq!(parse_value("6181万元", true, false), Parsed::Number(6181.0));
        assert_eq!(parse_value("251000元", true, false), Parsed::Number(25.1));
        assert_eq!(
            parse_value("8827.8344", true, false),
            Parsed::Number(8827.8344)
        );
        assert_eq!(parse_value("1530000", true, false), Parsed::AmbiguousUnit);
        assert_eq!(
            parse_value("1530000", true, true),
            Parsed::Number(1530000.0)
        );
        assert_eq!(parse_value("1.", false, false), Parsed::Unparsed);
        assert_eq!(parse_value("-", false, false), Parsed::Blank);
    }
}
