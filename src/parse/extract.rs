//! Find every form row in a section's cells and the cells that belong to it.
//!
//! The rule that keeps values from sliding: a row's values are the cells after its label, up
//! to the next label (or the row's end, where the layout says where rows end). Exactly the
//! expected number of them, followed only by empty padding, is aligned; anything else is in
//! doubt and becomes NULL with a problem code (see [`fit`]).

use crate::forms::{canonical, canonical_cow, has_chars, probe_matches, Label, Probe, FORMS};
use crate::model::FormVersion;
use crate::model::{TCell, IN_DOUBT};
use crate::parse::segment::Sections;

/// Minimum characters for a truncated label to count (`本年新` for `本年新制作数量`).
const MIN_PREFIX_ROW: usize = 4;
const MIN_PREFIX_HEADER: usize = 3;
const MIN_PREFIX_S4: usize = 2;
/// Longer text that is no label ends a row: it is prose, not a cell.
const MAX_VALUE_CHARS: usize = 16;
/// Empty cells tolerated around section 四's data row (header padding, trailing cells).
const MAX_BLOCK_SLACK: usize = 64;

#[derive(Debug, Clone)]
pub struct Found<'a, K> {
    pub key: K,
    pub label: &'a TCell,
    pub values: Vec<&'a TCell>,
    /// The row is there but its values are in doubt (glued text that the arithmetic does not
    /// settle): NULL, with the problem its reader reported.
    pub in_doubt: bool,
}

pub enum Tag<K> {
    Row(K),
    Stop,
}

/// Walk cells, start a row at each label, collect the cells after it.
///
/// A number that follows no label in a layout without cell delimiters (a header, then `11`,
/// then `行政处罚`, `23`: plain pdftotext's order of a borderless table) means the values may
/// precede their labels: every row up to the next header is in doubt, since taking the
/// numbers after each label would shift them by a row.
pub fn collect<'a, K: Copy>(
    cells: &'a [TCell],
    mut classify: impl FnMut(&TCell, &Probe) -> Option<Tag<K>>,
) -> Vec<Found<'a, K>> {
    let mut out: Vec<Found<'a, K>> = Vec::new();
    let mut open = false;
    let mut stray_number = false;
    for cell in cells {
        let canon = canonical_cow(&cell.text);
        // Every label has Chinese in it: numbers, blanks and ASCII placeholders are never labels.
        let tag = if canon.is_ascii() {
            None
        } else {
            classify(cell, &Probe::new(&canon))
        };
        match tag {
            Some(Tag::Row(key)) => {
                out.push(Found {
                    key,
                    label: cell,
                    values: Vec::new(),
                    in_doubt: stray_number,
                });
                open = true;
            }
            Some(Tag::Stop) => {
                open = false;
                stray_number = false;
            }
            None => {
                if !open {
                    stray_number |=
                        !cell.delimited && cell.text.bytes().any(|b| b.is_ascii_digit());
                    continue;
                }
                let f = out.last_mut().expect("open implies a row");
                // A delimited cell of another table row, or text too long for a value, ends it.
                let other_row = cell.delimited && f.label.delimited && cell.row != f.label.row;
                if other_row || has_chars(&canon, MAX_VALUE_CHARS + 1) {
                    open = false;
                } else {
                    f.values.push(cell);
                }
            }
        }
    }
    out
}

#[derive(Debug, PartialEq)]
pub enum Fit<'a> {
    /// One entry per expected cell; None = the document does not have it.
    Cells(Vec<Option<&'a TCell>>),
    Misaligned,
}

fn is_empty(c: &TCell) -> bool {
    c.text.trim().is_empty()
}

/// Text that is no value: Chinese with no digit that means no placeholder (a label's fragment,
/// a note).
fn continues_label(c: &TCell) -> bool {
    let canon = canonical(&c.text);
    canon.chars().any(|ch| ch > '\u{2e80}')
        && !canon.chars().any(|ch| ch.is_ascii_digit())
        && !FORMS.is_placeholder(&canon)
}

/// Align a row's values with its `n` expected cells.
pub fn fit<'a>(values: &[&'a TCell], n: usize) -> Fit<'a> {
    // Where the layout does not delimit cells (a cell or a line each), text among the values
    // that is no number (a fragment of a label wrapped over several lines, this row's or the
    // next's) or numbers apart in one line (several cells on it) make the count of cells
    // unknown: taken as cells they would push the numbers along. (A delimited cell with such
    // text is just that cell, unparsed.)
    if values
        .iter()
        .take(n)
        .any(|c| !c.delimited && (continues_label(c) || digits_apart(&c.text)))
    {
        return Fit::Misaligned;
    }
    // Two numbers of one text block (pdftotext's lines of one wrapped cell) are not two cells.
    let numeric = |c: &TCell| c.text.bytes().any(|b| b.is_ascii_digit());
    if values
        .windows(2)
        .take(n)
        .any(|w| !w[0].delimited && w[0].row == w[1].row && numeric(w[0]) && numeric(w[1]))
    {
        return Fit::Misaligned;
    }
    if values.is_empty() {
        return Fit::Cells(vec![None; n]);
    }
    if values.len() >= n {
        if values[n..].iter().all(|c| is_empty(c)) {
            return Fit::Cells(values[..n].iter().map(|c| Some(*c)).collect());
        }
        return Fit::Misaligned;
    }
    // Fewer cells than the form has: which one is absent cannot be known.
    if values.iter().all(|c| is_empty(c)) {
        Fit::Cells(vec![None; n])
    } else {
        Fit::Misaligned
    }
}

/// Align an unlabelled block (section 四's single data row): every offset at which all cells
/// outside the window are empty is possible; if they disagree, it is in doubt.
pub fn fit_block<'a>(values: &[&'a TCell], n: usize) -> Fit<'a> {
    if values.len() <= n {
        if values.len() == n || values.iter().all(|c| is_empty(c)) {
            return fit(values, n);
        }
        return Fit::Misaligned;
    }
    // A block much longer than the row is not a row: in doubt, and never a quadratic search.
    if values.len() > n + MAX_BLOCK_SLACK {
        return Fit::Misaligned;
    }
    // Row padding (`||||`) is never data: when some window avoids it, only such windows count.
    let possible = |off: usize, allow_pad: bool| {
        values[..off]
            .iter()
            .chain(&values[off + n..])
            .all(|c| is_empty(c))
            && (allow_pad || values[off..off + n].iter().all(|c| !c.pad))
    };
    let allow_pad = !(0..=values.len() - n).any(|off| possible(off, false));
    let mut result: Option<Vec<Option<&'a TCell>>> = None;
    for off in (0..=values.len() - n).filter(|&off| possible(off, allow_pad)) {
        let window: Vec<Option<&'a TCell>> =
            values[off..off + n].iter().map(|c| Some(*c)).collect();
        match &result {
            None => result = Some(window),
            Some(prev) => {
                let text = |c: &Option<&TCell>| c.map(|c| c.text.trim().to_string());
                if !prev.iter().zip(&window).all(|(a, b)| text(a) == text(b)) {
                    return Fit::Misaligned;
                }
            }
        }
    }
    result.map(Fit::Cells).unwrap_or(Fit::Misaligned)
}

fn any_label(cell: &Probe, labels: &[Label], min_prefix: usize) -> bool {
    labels.iter().any(|l| probe_matches(cell, l, min_prefix))
}

/// Section 二: which sub-table version each row sits under, from the nearest header.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct S2Key {
    pub item: &'static str,
    pub version: Option<FormVersion>,
}

pub struct Extracted<'a> {
    pub s2: Option<Vec<Found<'a, S2Key>>>,
    /// Versions named by section 二 headers, in order.
    pub s2_header_versions: Vec<FormVersion>,
    /// Index into `FORMS.s3_rows`.
    pub s3: Option<Vec<Found<'a, usize>>>,
    /// The cells after section 四's last header label; None inside when they are in doubt.
    pub s4: Option<Option<Vec<&'a TCell>>>,
}

/// For a layout whose order of cells is not to be trusted (plain pdftotext): a table's rows
/// keep their values only when every row of the table has all its cells filled. One row short
/// (an empty cell) means the numbers may belong to the row before or after (`行政处罚`, `28`,
/// `行政强制`: 28 may be either's); its table is then in doubt.
pub fn require_full_rows(e: &mut Extracted) {
    let f = &*FORMS;
    fn filled<K>(found: &Found<'_, K>) -> usize {
        found.values.iter().filter(|c| !is_empty(c)).count()
    }
    if let Some(rows) = e.s2.as_mut() {
        for t in &f.s2 {
            let n = t.metrics.len();
            // A row under a header of the other form version is not this table's (2021's (五)
            // has one cell a row, 2019's three).
            let in_table = |r: &Found<'_, S2Key>| {
                t.rows.iter().any(|(item, _)| *item == r.key.item)
                    && r.key.version.is_none_or(|v| v == t.version)
            };
            if rows.iter().filter(|r| in_table(r)).any(|r| filled(r) != n) {
                rows.iter_mut()
                    .filter(|r| in_table(r))
                    .for_each(|r| r.in_doubt = true);
            }
        }
    }
    if let Some(rows) = e.s3.as_mut() {
        let n = f.s3_metrics.len();
        if rows.iter().any(|r| filled(r) != n) {
            rows.iter_mut().for_each(|r| r.in_doubt = true);
        }
    }
}

/// Whether the reader left any row, or any cell, in doubt.
pub fn any_in_doubt(e: &Extracted) -> bool {
    fn doubt<K>(f: &Found<'_, K>) -> bool {
        f.in_doubt || f.values.iter().any(|c| c.text == IN_DOUBT)
    }
    e.s2.iter().flatten().any(doubt)
        || e.s3.iter().flatten().any(doubt)
        || e.s4.iter().flatten().flatten().any(|c| c.text == IN_DOUBT)
}

pub fn extract<'a>(cells: &'a [TCell], sections: &Sections) -> Extracted<'a> {
    let mut header_versions = Vec::new();
    let s2 = sections
        .s2
        .clone()
        .map(|r| extract_s2(&cells[r], &mut header_versions));
    let s3 = sections.s3.clone().map(|r| extract_s3(&cells[r]));
    let s4 = sections.s4.clone().map(|r| Some(extract_s4(&cells[r])));
    Extracted {
        s2,
        s2_header_versions: header_versions,
        s3,
        s4,
    }
}

fn extract_s2<'a>(
    cells: &'a [TCell],
    header_versions: &mut Vec<FormVersion>,
) -> Vec<Found<'a, S2Key>> {
    let f = &*FORMS;
    let mut current: Option<FormVersion> = None;
    collect(cells, |_, probe| {
        let canon = probe.canon;
        if canon.is_empty() {
            return None;
        }
        if canon.starts_with("第二十条") {
            current = None;
            return Some(Tag::Stop);
        }
        for t in &f.s2 {
            if let Some((item, _)) = t
                .rows
                .iter()
                .find(|(_, labels)| any_label(probe, labels, MIN_PREFIX_ROW))
            {
                return Some(Tag::Row(S2Key {
                    item,
                    version: current,
                }));
            }
        }
        let mut versions =
            f.s2.iter()
                .filter(|t| any_label(probe, &t.headers, MIN_PREFIX_HEADER))
                .map(|t| t.version);
        if let Some(v) = versions.next() {
            if versions.all(|w| w == v) {
                current = Some(v);
                header_versions.push(v);
            }
            return Some(Tag::Stop);
        }
        if any_label(probe, &f.s2_other, MIN_PREFIX_HEADER) {
            return Some(Tag::Stop);
        }
        None
    })
}

fn extract_s3(cells: &[TCell]) -> Vec<Found<'_, usize>> {
    let f = &*FORMS;
    collect(cells, |_, probe| {
        let canon = probe.canon;
        if canon.is_empty() {
            return None;
        }
        if let Some(i) = f
            .s3_rows
            .iter()
            .position(|r| any_label(probe, &r.labels, MIN_PREFIX_ROW))
        {
            return Some(if f.s3_rows[i].item.is_some() {
                Tag::Row(i)
            } else {
                Tag::Stop
            });
        }
        if canon == "其他" || any_label(probe, &f.s3_headers, MIN_PREFIX_HEADER) {
            return Some(Tag::Stop);
        }
        None
    })
}

fn extract_s4(cells: &[TCell]) -> Vec<&TCell> {
    let f = &*FORMS;
    let is_header = |c: &TCell| {
        let canon = canonical(&c.text);
        !canon.is_empty()
            && !canon.starts_with(|ch: char| ch.is_ascii_digit())
            && any_label(&Probe::new(&canon), &f.s4_headers, MIN_PREFIX_S4)
    };
    let Some(last) = cells.iter().rposition(is_header) else {
        return Vec::new();
    };
    let header = &cells[last];
    cells[last + 1..]
        .iter()
        .filter(|c| !(c.delimited && header.delimited && c.row == header.row))
        .take_while(|c| !has_chars(&canonical(&c.text), MAX_VALUE_CHARS + 1))
        .collect()
}

/// Whether white space stands between two digits (`27 0`), ignoring the text's ends.
pub fn digits_apart(raw: &str) -> bool {
    let mut last_digit = false;
    let mut gap = false;
    for c in raw.trim().chars() {
        if c.is_ascii_digit() || ('０'..='９').contains(&c) {
            if last_digit && gap {
                return true;
            }
            last_digit = true;
            gap = false;
        } else if c.is_whitespace() {
            gap = true;
        } else {
            last_digit = false;
            gap = false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(texts: &[&str]) -> Vec<TCell> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| TCell {
                text: t.to_string(),
                line: i as u32 + 1,
                row: i as u32,
                delimited: false,
                pad: false,
            })
            .collect()
    }

    #[test]
    fn full_rows_are_judged_by_their_own_form_version() {
        // Section 二 of a 2021 report as plain pdftotext printed it (a LibreOffice PDF): (五)
        // has one cell a row in 2021, three in 2019; its row is full.
        let c = cells(&[
            "二、主动公开政府信息情况",
            "第二十条第(一)项",
            "信息内容",
            "本年制发件数",
            "本年废止件数",
            "现行有效件数",
            "规章",
            "21",
            "0",
            "27",
            "第二十条第(五)项",
            "信息内容",
            "本年处理决定数量",
            "行政许可",
            "0",
            "三、收到和处理政府信息公开申请情况",
        ]);
        let sections = crate::parse::segment::find_sections(&c);
        let mut x = extract(&c, &sections);
        require_full_rows(&mut x);
        let rows = x.s2.expect("section 二");
        let licensing = rows.iter().find(|r| r.key.item == "licensing").unwrap();
        assert_eq!(licensing.key.version, Some(FormVersion::V2021));
        assert!(!licensing.in_doubt);
        assert_eq!(licensing.values.len(), 1);
    }

    #[test]
    fn fit_rules() {
        let c = cells(&["1", "", "3", "", ""]);
        let v: Vec<&TCell> = c.iter().collect();
        assert!(
            matches!(fit(&v, 3), Fit::Cells(ref x) if x.len() == 3 && x[2].unwrap().text == "3")
        );
        assert_eq!(
            fit(&v[..2], 3),
            Fit::Misaligned,
            "a short row with a value is in doubt"
        );
        assert_eq!(
            fit(&v, 2),
            Fit::Misaligned,
            "a value beyond the expected cells is in doubt"
        );
        assert!(matches!(fit(&[], 3), Fit::Cells(ref x) if x.iter().all(Option::is_none)));
    }

    #[test]
    fn label_fragments_and_numbers_apart_are_never_cells() {
        // pdftotext: 7.属于 / 行政执 / 法案卷 / 48 / 1 / 0 0 0 / 0 / 49 — the label wrapped,
        // three cells on one line. Taken as seven cells, 48 would land in 科研机构.
        let c = cells(&["行政执", "法案卷", "48", "1", "0 0 0", "0", "49"]);
        let v: Vec<&TCell> = c.iter().collect();
        assert_eq!(fit(&v, 7), Fit::Misaligned);
        let c = cells(&["48", "1", "0 0 0", "0", "49", "0", "0"]);
        let v: Vec<&TCell> = c.iter().collect();
        assert_eq!(fit(&v, 7), Fit::Misaligned);
        // A placeholder is a cell.
        let c = cells(&["无", "1", "1"]);
        let v: Vec<&TCell> = c.iter().collect();
        assert!(matches!(fit(&v, 3), Fit::Cells(_)));
    }

    #[test]
    fn fit_block_uses_the_only_consistent_offset() {
        let mut t = vec![""; 5];
        t.extend([
            "0", "0", "0", "0", "0", "2", "0", "0", "0", "0", "0", "0", "0", "0", "0",
        ]);
        let c = cells(&t);
        let v: Vec<&TCell> = c.iter().collect();
        match fit_block(&v, 15) {
            Fit::Cells(x) => assert_eq!(x[5].unwrap().text, "2"),
            _ => panic!("expected alignment"),
        }
        let c = cells(&["", "1", "", ""]);
        let v: Vec<&TCell> = c.iter().collect();
        assert_eq!(
            fit_block(&v, 2),
            Fit::Misaligned,
            "1 could be either column"
        );
    }
}
