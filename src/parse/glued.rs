//! Glued page text: a page's tags stripped with no separator, so that a table row becomes its
//! label followed by its cells run together (`行政规范性文件1204310`, `(七)总计11 0 1104`).
//!
//! The labels are found in the running text in form order; each label's digit run is split into
//! the row's cells by what the form promises: the number of cells, no leading zeros, decimals
//! only in money cells, signs only in 本年增/减, section 三's row sums (六 applicant columns =
//! 总计), its column identities (一 + 二 = (七)总计 + 四, and the result rows sum to (七)总计),
//! and section 四's group sums. A row is written when every assignment that satisfies the
//! constraints the document keeps gives it the same cells; otherwise it is NULL with
//! `glued_ambiguous`. When the document's own sums are wrong, the readings that leave one
//! column identity out are tried, then only rows that their digits alone settle (`solve_s3`);
//! the broken identity still fails in `checks`: nothing is repaired.
//!
//! A cell printed empty leaves no trace, so a row with an empty cell has fewer numbers than
//! cells. Once a document shows one (a row with fewer digits than cells, or none: its cells are
//! `blank`), every placement of empty cells in every row is a candidate too. Where the
//! assignments differ only in where the empty cells go, the cells they agree on are written
//! one at a time (the total, a column none of them fills) and the rest are [`IN_DOUBT`]: not
//! when a number had to be cut apart, nor when the run stands lines away from its label
//! (`consensus`, `Located::detached`).

use crate::forms::FORMS;
use crate::model::TCell;
use crate::model::IN_DOUBT;
use crate::model::{FormVersion, Problem};
use crate::parse::extract::{Extracted, Found, S2Key};

/// Splits of one row tried at most; a row with more is in doubt (real rows have a few).
const MAX_SPLITS: usize = 20_000;
/// Candidates of one row (splits that keep its arithmetic) at most; a row with more is in doubt:
/// no table search settles it, and holding them costs memory on every document.
const MAX_CANDIDATES: usize = 2_000;
/// Nodes of the table search at most; past it, every row the search was needed for is in doubt.
const MAX_SEARCH_NODES: usize = 20_000;

/// Whether `text` looks like glued page text: a row label with digits right after it, or section
/// 三's first label running straight into more text (a table whose cells were all empty).
pub fn looks_glued(text: &str) -> bool {
    let followed = |label: &str, by: &dyn Fn(char) -> bool| {
        text.match_indices(label).any(|(i, m)| {
            text[i + m.len()..]
                .trim_start_matches([' ', '\u{a0}', '\u{3000}'])
                .starts_with(by)
        })
    };
    let digit = |c: char| c.is_ascii_digit();
    [
        "申请数量",
        "(七)总计",
        "（七）总计",
        "继续办理",
        "规章",
        "行政许可",
        "行政处罚",
    ]
    .iter()
    .any(|label| followed(label, &digit))
        || followed("本年新收政府信息公开申请数量", &|c| {
            c > '\u{2e80}' && !matches!(c, '（' | '）' | '｜')
        })
}

/// Whether the cells that the layout readers extracted hold no number at all: then a glued
/// reading cannot lose anything they found.
pub fn nothing_found(x: &Extracted) -> bool {
    let numeric = |c: &&TCell| c.text.trim().starts_with(|ch: char| ch.is_ascii_digit());
    let rows_empty = |rows: &Option<Vec<Found<'_, _>>>| {
        rows.iter()
            .flatten()
            .all(|r: &Found<'_, _>| !r.values.iter().any(numeric))
    };
    rows_empty(&x.s3) && x.s2.iter().flatten().all(|r| !r.values.iter().any(numeric))
}

/// The text projected onto its canonical characters (as [`crate::forms::canonical`] makes
/// them), with the byte offset in the text of each, so labels are searched in canonical form
/// and the numbers read from the text as written.
struct Canon {
    text: String,
    /// `offsets[i]`: where the canonical byte `i` came from; one more entry for the end.
    offsets: Vec<usize>,
}

impl Canon {
    fn new(text: &str) -> Canon {
        let mut c = Canon {
            text: String::with_capacity(text.len()),
            offsets: Vec::with_capacity(text.len() + 1),
        };
        for (i, ch) in text.char_indices() {
            let mapped = match ch {
                c if c.is_whitespace() => continue,
                '“' | '”' | '"' | '\'' | '‘' | '’' | '「' | '」' | '『' | '』' => {
                    continue
                }
                '（' => '(',
                '）' => ')',
                '、' | '．' | '。' => '.',
                '，' => ',',
                '：' => ':',
                '／' => '/',
                c => c,
            };
            c.text.push(mapped);
            c.offsets.extend(std::iter::repeat_n(i, mapped.len_utf8()));
        }
        c.offsets.push(text.len());
        // The words of traditional mirrors, as label comparison maps them: the replacement's
        // bytes all point at the replaced word's start.
        for (from, to) in crate::forms::vocabulary() {
            while let Some(i) = c.text.find(from.as_str()) {
                c.text.replace_range(i..i + from.len(), to);
                let at = c.offsets[i];
                c.offsets
                    .splice(i..i + from.len(), std::iter::repeat_n(at, to.len()));
            }
        }
        c
    }

    /// The first of `labels` (canonical) found at or after canonical byte `from`: its canonical
    /// start and end. The earliest wins; at the same place, the longest.
    fn find(&self, from: usize, labels: &[&str]) -> Option<(usize, usize)> {
        let hay = self.text.get(from..)?;
        labels
            .iter()
            .filter(|l| !l.is_empty())
            .filter_map(|l| hay.find(l).map(|i| (from + i, from + i + l.len())))
            .min_by_key(|&(s, e)| (s, std::cmp::Reverse(e)))
    }

    fn source(&self, canon_pos: usize) -> usize {
        self.offsets[canon_pos]
    }
}

/// How the cells of a row may be written.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct CellRules {
    /// A leading `+`/`-` (本年增/减).
    signed: bool,
    /// Decimals and a unit suffix (money).
    money: bool,
}

/// One way of splitting a run into cells: the text of each cell and its value.
#[derive(Clone, Debug, PartialEq)]
struct Split {
    raw: Vec<String>,
    values: Vec<f64>,
    /// Its cells are the run's numbers as the text spaces them (none cut apart).
    whole: bool,
}

/// A valid cell text: `0`, or digits with no leading zero (optionally grouped by thousands),
/// a sign where allowed, decimals where allowed.
fn valid_number(t: &str, rules: &[CellRules]) -> Option<f64> {
    let r = rules.first().copied().unwrap_or_default();
    let (sign, body) = match t.as_bytes().first()? {
        b'+' | b'-' if r.signed => (&t[..1], &t[1..]),
        b'+' | b'-' => return None,
        _ => ("", t),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) if r.money && !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            (i, Some(f))
        }
        Some(_) => return None,
        None => (body, None),
    };
    let groups: Vec<&str> = int.split(',').collect();
    let first = groups[0];
    let ok = !first.is_empty()
        && first.bytes().all(|b| b.is_ascii_digit())
        && (first == "0" || !first.starts_with('0'))
        && (groups.len() == 1
            || (first != "0"
                && first.len() <= 3
                && groups[1..]
                    .iter()
                    .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))));
    if !ok {
        return None;
    }
    let digits: String = int.chars().filter(|c| *c != ',').collect();
    let v: f64 = match frac {
        Some(f) => format!("{digits}.{f}").parse().ok()?,
        None => digits.parse().ok()?,
    };
    Some(if sign == "-" { -v } else { v })
}

/// Every split of `run` (digits, spaces, `,.+-`) into `rules.len()` cells. Spaces always
/// separate cells; a sign always starts one. None when there are more than [`MAX_SPLITS`].
fn splits(run: &str, rules: &[CellRules]) -> Option<Vec<Split>> {
    fn go(
        run: &[u8],
        pos: usize,
        rules: &[CellRules],
        raw: &mut Vec<String>,
        values: &mut Vec<f64>,
        out: &mut Vec<Split>,
        steps: &mut usize,
    ) -> bool {
        *steps += 1;
        if *steps > MAX_SPLITS * 8 || out.len() > MAX_SPLITS {
            return false;
        }
        let mut pos = pos;
        while pos < run.len() && run[pos] == b' ' {
            pos += 1;
        }
        if rules.is_empty() {
            if pos == run.len() {
                out.push(Split {
                    raw: raw.clone(),
                    values: values.clone(),
                    whole: false,
                });
            }
            return true;
        }
        // Every remaining cell needs at least one character.
        let last = run.len().saturating_sub(rules.len() - 1);
        for end in pos + 1..=last {
            let ch = run[end - 1];
            if ch == b' ' {
                break;
            }
            // A cell may end only before a space, a sign, the end, or between two digits.
            let boundary = end == run.len()
                || matches!(run[end], b' ' | b'+' | b'-')
                || (ch.is_ascii_digit() && run[end].is_ascii_digit());
            if !boundary {
                continue;
            }
            let text = std::str::from_utf8(&run[pos..end]).unwrap_or_default();
            if let Some(v) = valid_number(text, rules) {
                raw.push(text.to_string());
                values.push(v);
                let ok = go(run, end, &rules[1..], raw, values, out, steps);
                raw.pop();
                values.pop();
                if !ok {
                    return false;
                }
            }
        }
        true
    }
    let (mut raw, mut values, mut out, mut steps) = (Vec::new(), Vec::new(), Vec::new(), 0);
    let complete = go(
        run.as_bytes(),
        0,
        rules,
        &mut raw,
        &mut values,
        &mut out,
        &mut steps,
    );
    for s in &mut out {
        s.whole = s.raw.iter().map(String::as_str).eq(run.split_whitespace());
    }
    complete.then_some(out)
}

/// The number runs of one row's segment (canonical `from..to`): the first stretch of
/// `[0-9 ,.+-]` holding a digit, read from the source text. `next_enum` is the enumerator of the
/// next row when it is glued to this segment's end. Returns the candidate runs (two when the
/// enumerator may belong to either) and the source offset of the run and of the text after it,
/// or None when the segment holds digits in two places (prose, not a row).
fn segment_runs(
    text: &str,
    canon: &Canon,
    from: usize,
    to: usize,
    next_enum: Option<&str>,
) -> Option<(Vec<String>, usize, usize)> {
    let (a, b) = (canon.source(from), canon.source(to));
    let seg = &text[a..b];
    let is_run =
        |c: char| c.is_ascii_digit() || matches!(c, ' ' | ',' | '.' | '+' | '-' | '\u{a0}');
    // Stretches of run characters that hold a digit.
    let mut stretches: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in seg.char_indices().chain(std::iter::once((seg.len(), '\0'))) {
        match (start, i < seg.len() && is_run(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                if seg[s..i].bytes().any(|b| b.is_ascii_digit()) {
                    stretches.push((s, i));
                }
                start = None;
            }
            _ => {}
        }
    }
    let mut runs: Vec<String> = Vec::new();
    let normalize = |s: &str| s.replace('\u{a0}', " ").trim().to_string();
    match (stretches.as_slice(), next_enum) {
        ([], _) => return Some((Vec::new(), a, a)),
        ([only], Some(k)) => {
            let s = normalize(&seg[only.0..only.1]);
            // `…0000019 2.` or `…00000192.`: the next row's enumerator closes this stretch.
            if let Some(body) = s.strip_suffix('.').and_then(|t| t.strip_suffix(k)) {
                if body.trim().is_empty() {
                    return Some((Vec::new(), a, a));
                }
                if !body.ends_with(' ') && body.ends_with(|c: char| c.is_ascii_digit()) {
                    // The row's digits may have swallowed the enumerator.
                    runs.push(format!("{body}{k}"));
                }
                runs.push(body.trim().to_string());
            } else {
                runs.push(s);
            }
        }
        ([first, enumerator], Some(k))
            if normalize(&seg[enumerator.0..enumerator.1]).trim_end_matches('.') == k =>
        {
            runs.push(normalize(&seg[first.0..first.1]));
        }
        ([only], None) => runs.push(normalize(&seg[only.0..only.1])),
        _ => return None,
    }
    let first = stretches[0];
    Some((runs, a + first.0, a + first.1))
}

/// What the glued reader found: its cells (owned) and, per form row, which of them are its
/// values.
pub struct Glued {
    cells: Vec<TCell>,
    s2: Vec<RowOut<S2Key>>,
    s2_header_versions: Vec<FormVersion>,
    s3: Option<Vec<RowOut<usize>>>,
    s4: Option<Option<Vec<usize>>>,
    pub problems: Vec<Problem>,
}

struct RowOut<K> {
    key: K,
    label: usize,
    /// Indices into `cells`; None when in doubt.
    values: Option<Vec<usize>>,
}

impl Glued {
    /// Section 三's rows as read: each row's index in the form's rows and its cells' texts
    /// (empty for a blank cell; None when the row is in doubt).
    pub fn s3_texts(&self) -> Vec<(usize, Option<Vec<&str>>)> {
        self.s3
            .iter()
            .flatten()
            .map(|r| {
                let texts = r.values.as_ref().map(|v| {
                    v.iter()
                        .map(|&i| self.cells[i].text.as_str())
                        .collect::<Vec<_>>()
                });
                (r.key, texts)
            })
            .collect()
    }

    /// The rows in the form the later stages read.
    pub fn extracted(&self) -> Extracted<'_> {
        fn found<'a, K: Copy>(cells: &'a [TCell], r: &RowOut<K>) -> Found<'a, K> {
            Found {
                key: r.key,
                label: &cells[r.label],
                values: r.values.iter().flatten().map(|&i| &cells[i]).collect(),
                in_doubt: r.values.is_none(),
            }
        }
        Extracted {
            s2: (!self.s2.is_empty())
                .then(|| self.s2.iter().map(|r| found(&self.cells, r)).collect()),
            s2_header_versions: self.s2_header_versions.clone(),
            s3: self
                .s3
                .as_ref()
                .map(|rows| rows.iter().map(|r| found(&self.cells, r)).collect()),
            s4: self.s4.as_ref().map(|v| {
                v.as_ref()
                    .map(|idx| idx.iter().map(|&i| &self.cells[i]).collect())
            }),
        }
    }
}

/// Line numbers of byte offsets.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        Lines(text.match_indices('\n').map(|(i, _)| i).collect())
    }
    fn of(&self, offset: usize) -> u32 {
        self.0.partition_point(|&nl| nl < offset) as u32 + 1
    }
}

struct Builder<'t> {
    text: &'t str,
    canon: Canon,
    lines: Lines,
    cells: Vec<TCell>,
}

impl Builder<'_> {
    fn cell(&mut self, text: String, offset: usize, row: u32) -> usize {
        self.cells.push(TCell {
            text,
            line: self.lines.of(offset),
            row,
            delimited: true,
            pad: false,
        });
        self.cells.len() - 1
    }

    fn label_cell(&mut self, label: (usize, usize), row: u32) -> usize {
        let (a, b) = (self.canon.source(label.0), self.canon.source(label.1));
        let text = self.text[a..b].trim().to_string();
        self.cell(text, a, row)
    }
}

/// A row as found in the glued text: where its label is, its number run(s) as read.
struct Located<K> {
    key: K,
    /// Canonical start and end of its label (section 四's row has none).
    label: Option<(usize, usize)>,
    /// The candidate runs (two when the next row's enumerator may belong to it; none when the
    /// row has no digits); None when the row's text holds digits in two places.
    runs: Option<Vec<String>>,
    /// Source offsets of the run and of the text after it.
    at: usize,
    after: usize,
    /// Words stand between the label and its run, on a line of their own (`二、上年结转…数量`,
    /// `三`, `、`, `# 12 1 1 14`: a markdown table broken apart): the run may be another
    /// row's, so the row is written only when the arithmetic settles all of it, never a cell
    /// at a time.
    detached: bool,
    rules: Vec<CellRules>,
}

impl<K> Located<K> {
    fn new(
        key: K,
        label: Option<(usize, usize)>,
        b: &Builder,
        seg: (usize, usize),
        next_enum: Option<&str>,
        rules: Vec<CellRules>,
    ) -> Self {
        let (runs, at, after) = match segment_runs(b.text, &b.canon, seg.0, seg.1, next_enum) {
            Some((runs, at, after)) => (Some(runs), at, after),
            None => (None, b.canon.source(seg.0), b.canon.source(seg.0)),
        };
        // Words on a later line than the label's end (the rest of a label on its own line,
        // `数量12 1 1 14`, is the label's).
        let detached = label.is_some_and(|(start, end)| {
            b.text
                .get(b.canon.source(end.max(start + 1) - 1)..at)
                .and_then(|between| between.split_once('\n'))
                .is_some_and(|(_, below)| below.chars().any(char::is_alphanumeric))
        });
        Located {
            key,
            label,
            runs,
            at,
            after,
            detached,
            rules,
        }
    }

    /// The row's cells as read: a detached row's only when no cell is in doubt.
    fn settled(&self, cells: Option<Vec<String>>) -> Option<Vec<String>> {
        cells.filter(|c| !self.detached || !c.iter().any(|t| t == IN_DOUBT))
    }

    /// Evidence that the document prints empty cells: a row with no digits, or with fewer
    /// digits than cells.
    fn shows_blanks(&self) -> bool {
        self.runs.as_ref().is_some_and(|runs| {
            runs.is_empty()
                || runs
                    .iter()
                    .all(|r| r.bytes().filter(u8::is_ascii_digit).count() < self.rules.len())
        })
    }

    /// The splits of the row that `keep` accepts. With `blanks`, any cell may have been printed
    /// empty (leaving no trace), so every placement of fewer numbers among the cells is a
    /// candidate too.
    fn candidates(&self, blanks: bool, keep: &dyn Fn(&[f64]) -> bool) -> Candidates {
        let Some(runs) = &self.runs else {
            return Candidates::Doubt;
        };
        if runs.is_empty() {
            return Candidates::Blank;
        }
        let n = self.rules.len();
        let mut all: Vec<Split> = Vec::new();
        for run in runs {
            if !blanks {
                match splits(run, &self.rules) {
                    Some(s) => all.extend(s.into_iter().filter(|s| keep(&s.values))),
                    None => return Candidates::Doubt,
                }
                if all.len() > MAX_CANDIDATES {
                    return Candidates::Doubt;
                }
                continue;
            }
            let digits = run.bytes().filter(u8::is_ascii_digit).count();
            // The splits of the run into k cells depend only on those cells' rules; with one rule
            // for every cell (sections 三 and 四), only on k.
            let uniform = self.rules.windows(2).all(|w| w[0] == w[1]);
            // Cached by cell count when every cell has the same rules, else by placement (a
            // section 二 row: three cells at most).
            let mut cache: Vec<Option<Vec<Split>>> =
                vec![None; if uniform { n + 1 } else { 1 << n }];
            let mut values = vec![0.0; n];
            for mask in 1u32..(1 << n) {
                if mask.count_ones() as usize > digits {
                    continue;
                }
                let at: Vec<usize> = (0..n).filter(|i| mask & (1 << i) != 0).collect();
                let slot = if uniform { at.len() } else { mask as usize };
                if cache[slot].is_none() {
                    let rules: Vec<CellRules> = at.iter().map(|&i| self.rules[i]).collect();
                    match splits(run, &rules) {
                        Some(s) => cache[slot] = Some(s),
                        None => return Candidates::Doubt,
                    };
                }
                for part in cache[slot].as_ref().expect("filled above") {
                    values.iter_mut().for_each(|v| *v = 0.0);
                    for (j, &i) in at.iter().enumerate() {
                        values[i] = part.values[j];
                    }
                    if !keep(&values) {
                        continue;
                    }
                    let mut raw = vec![String::new(); n];
                    for (j, &i) in at.iter().enumerate() {
                        raw[i] = part.raw[j].clone();
                    }
                    all.push(Split {
                        raw,
                        values: values.clone(),
                        whole: part.whole,
                    });
                    if all.len() > MAX_CANDIDATES {
                        return Candidates::Doubt;
                    }
                }
            }
        }
        // No split repeats: the two readings of a run differ by a digit.
        Candidates::Some(all)
    }
}

/// A row's candidate splits: `Blank` when it has no digits at all.
enum Candidates {
    Blank,
    Some(Vec<Split>),
    /// Digits in two places, or too many splits.
    Doubt,
}

impl Candidates {
    /// The row's cells as its digits alone settle them (see [`consensus`]); a blank row's are
    /// all empty, a row in doubt has none.
    fn consensus(&self, n: usize) -> Option<Vec<String>> {
        match self {
            Candidates::Blank => Some(vec![String::new(); n]),
            Candidates::Some(v) => consensus(v.iter()),
            Candidates::Doubt => None,
        }
    }
}

/// Read the tables of glued text. Returns None when it holds no form row at all.
pub fn read(text: &str) -> Option<Glued> {
    let f = &*FORMS;
    let mut b = Builder {
        text,
        canon: Canon::new(text),
        lines: Lines::new(text),
        cells: Vec::new(),
    };
    let s3_start = b
        .canon
        .find(0, &["勾稽关系", "本年新收政府信息公开申请数量"])?
        .0;
    let s3 = locate_s3(&b, s3_start);
    let s3_end = s3.as_ref().map(|(_, _, end)| *end).unwrap_or(s3_start);
    let version = s3.as_ref().map(|(v, _, _)| *v);
    let (s2, s2_header_versions) = locate_s2(&b, s3_start, version);
    let s4 = locate_s4(&b, s3_end);
    if s2.is_empty() && s3.is_none() {
        return None;
    }
    // One empty cell anywhere and any row may hide one: then every placement is a candidate.
    let blanks = s2.iter().any(|r| r.shows_blanks())
        || s3
            .iter()
            .flat_map(|(_, rows, _)| rows)
            .any(|r| r.shows_blanks())
        || s4.as_ref().is_some_and(|r| r.shows_blanks());
    let mut problems = Vec::new();
    // A row's value cells (a cell the readings disagree on is [`IN_DOUBT`]), or None when the
    // row is in doubt as a whole.
    let mut emit = |b: &mut Builder, cells: Option<Vec<String>>, at: usize, id: u32| {
        if cells
            .as_ref()
            .is_none_or(|c| c.iter().any(|t| t == IN_DOUBT))
        {
            problems.push(Problem::GluedAmbiguous);
        }
        cells.map(|c| c.into_iter().map(|t| b.cell(t, at, id)).collect())
    };

    // Section 二: no arithmetic, so a row has only the cells its digits alone settle.
    let mut s2_out = Vec::new();
    for (k, row) in s2.iter().enumerate() {
        let id = 2_000_000 + k as u32;
        let label = b.label_cell(row.label.expect("s2 rows have labels"), id);
        let mut cells = row.candidates(blanks, &|_| true).consensus(row.rules.len());
        // A unit written after a money cell (`2735.94万元`, `93800元`) belongs to it.
        if let Some(cells) = &mut cells {
            let unit = ["万元", "元"]
                .into_iter()
                .find(|u| b.text[row.after..].starts_with(u));
            if let (Some(u), Some(last), true) = (
                unit,
                cells.last_mut(),
                row.rules.last().is_some_and(|r| r.money),
            ) {
                if !last.is_empty() && last != IN_DOUBT {
                    last.push_str(u);
                }
            }
        }
        let values = emit(&mut b, row.settled(cells), row.at, id);
        s2_out.push(RowOut {
            key: row.key,
            label,
            values,
        });
    }

    // Section 三: row sums per row, then the column identities over the whole table.
    let s3_out = s3.map(|(version, rows, _)| {
        let n = f.s3_metrics.len();
        let row_sum = |v: &[f64]| v[..n - 1].iter().sum::<f64>() == v[n - 1];
        let any: Vec<Candidates> = rows
            .iter()
            .map(|r| r.candidates(blanks, &|_| true))
            .collect();
        let items: Vec<&str> = rows
            .iter()
            .map(|r| f.s3_rows[r.key].item.expect("data rows only"))
            .collect();
        let chosen = solve_s3(&items, &any, &row_sum, version);
        let mut out = Vec::new();
        for (k, row) in rows.iter().enumerate() {
            let id = 1_000_000 + k as u32;
            let label = b.label_cell(row.label.expect("s3 rows have labels"), id);
            let values = emit(&mut b, row.settled(chosen[k].clone()), row.at, id);
            out.push(RowOut {
                key: row.key,
                label,
                values,
            });
        }
        out
    });

    // Section 四: the group sums.
    let s4_out = s4.map(|row| {
        let cells = s4_cells(&row, blanks);
        emit(&mut b, cells, row.at, 3_000_000)
    });

    problems.sort();
    problems.dedup();
    Some(Glued {
        cells: b.cells,
        s2: s2_out,
        s2_header_versions,
        s3: s3_out,
        s4: s4_out,
        problems,
    })
}

/// The canonical forms a label is searched by: in full, unless it starts with an arabic
/// enumerator (`2.`), whose digit may be glued to the previous run: then by its text alone,
/// with the enumerator returned.
fn search_forms(labels: &[crate::forms::Label]) -> (Vec<&str>, Option<&'static str>) {
    const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    let digit = labels[0]
        .full
        .chars()
        .next()
        .and_then(|c| c.to_digit(10))
        .map(|d| DIGITS[d as usize]);
    let forms = labels
        .iter()
        .map(|l| {
            if digit.is_some() {
                l.bare.as_str()
            } else {
                l.full.as_str()
            }
        })
        .collect();
    (forms, digit)
}

/// Section 三's data rows of the document's version, found one after another in form order;
/// the version, the rows, and where the section ends.
fn locate_s3(b: &Builder, start: usize) -> Option<(FormVersion, Vec<Located<usize>>, usize)> {
    let f = &*FORMS;
    let version = if b.canon.find(start, &["逾期不补正", "收费通知"]).is_some() {
        FormVersion::V2021
    } else {
        FormVersion::V2019
    };
    let mut found: Vec<(usize, (usize, usize), Option<&'static str>)> = Vec::new();
    let mut pos = start;
    for (i, spec) in f.s3_rows.iter().enumerate() {
        if spec.item.is_none()
            || spec.only.is_some_and(|o| o != version)
            || spec.split_in == Some(version)
        {
            continue;
        }
        let (forms, enumerator) = search_forms(&spec.labels);
        if let Some(label) = b.canon.find(pos, &forms) {
            pos = label.1;
            found.push((i, label, enumerator));
        }
    }
    if found.is_empty() {
        return None;
    }
    // Where section 三 ends: section 四's first header, or 五, or the text's end.
    let end = b
        .canon
        .find(pos, &["行政复议", "五."])
        .map(|x| x.0)
        .unwrap_or(b.canon.text.len());
    let n = f.s3_metrics.len();
    let rows = found
        .iter()
        .enumerate()
        .map(|(k, &(i, label, _))| {
            let next = found.get(k + 1);
            let seg_end = next.map(|r| r.1 .0).unwrap_or(end);
            let next_enum = next.and_then(|r| r.2);
            Located::new(
                i,
                Some(label),
                b,
                (label.1, seg_end),
                next_enum,
                vec![CellRules::default(); n],
            )
        })
        .collect();
    Some((version, rows, end))
}

/// Choose each row's split (`Some(None)` for a blank row, None for a row in doubt), trusting
/// as much of the form's arithmetic as the document keeps:
/// 1. the splits that keep their row sum, and every column identity (一 + 二 = (七) + 四 and the
///    result rows = (七), per column): a row is settled when every assignment agrees on it;
/// 2. when no assignment keeps them all, the source broke one: the same with each single column
///    identity left out in turn, a row settled when every assignment of every such reading
///    agrees;
/// 3. when that fails too, only the rows that their digits alone settle (no arithmetic at all),
///    written as stated so that the broken sums fail in `checks`.
fn solve_s3(
    items: &[&str],
    any: &[Candidates],
    row_sum: &dyn Fn(&[f64]) -> bool,
    version: FormVersion,
) -> Vec<Option<Vec<String>>> {
    let f = &*FORMS;
    let n = f.s3_metrics.len();
    let kept: Vec<Vec<&Split>> = any
        .iter()
        .map(|c| match c {
            Candidates::Some(v) => v.iter().filter(|s| row_sum(&s.values)).collect(),
            _ => Vec::new(),
        })
        .collect();
    // The rows' candidate value vectors; a blank row is all zeros (blank counts as 0).
    let zero = vec![0.0; n];
    let options: Vec<Vec<&[f64]>> = any
        .iter()
        .zip(&kept)
        .map(|(c, k)| match c {
            Candidates::Blank => vec![zero.as_slice()],
            _ => k.iter().map(|s| s.values.as_slice()).collect(),
        })
        .collect();
    let row_of = |item: &str| items.iter().position(|i| *i == item);
    let results = f.result_rows(version);
    let balance = vec![
        ("new", 1.0),
        ("carried_over", 1.0),
        ("total", -1.0),
        ("carried_forward", -1.0),
    ];
    let result_sum: Vec<(&str, f64)> = results
        .iter()
        .map(|r| (*r, 1.0))
        .chain([("total", -1.0)])
        .collect();
    // Identities per column, over rows that are found and have candidates.
    let mut identities: Vec<(Vec<(usize, f64)>, usize)> = Vec::new();
    for terms in [balance, result_sum] {
        let rows: Option<Vec<(usize, f64)>> = terms
            .iter()
            .map(|(item, c)| {
                row_of(item)
                    .filter(|&r| !options[r].is_empty())
                    .map(|r| (r, *c))
            })
            .collect();
        if let Some(rows) = rows {
            identities.extend((0..n).map(|col| (rows.clone(), col)));
        }
    }
    let settle = |ids: &[(Vec<(usize, f64)>, usize)]| Search::new(&options, ids, n).run();
    // Each row's cells from the candidates some solution used.
    let cells = |used: Vec<Vec<bool>>| -> Vec<Option<Vec<String>>> {
        used.into_iter()
            .enumerate()
            .map(|(r, used)| match &any[r] {
                Candidates::Blank => Some(vec![String::new(); n]),
                _ => consensus(
                    kept[r]
                        .iter()
                        .zip(used)
                        .filter(|(_, u)| *u)
                        .map(|(s, _)| *s),
                ),
            })
            .collect()
    };
    let mut readable = match settle(&identities) {
        Settled::Rows(used) => return cells(used),
        Settled::NoSolution => true,
        Settled::TooLarge => false,
    };
    // One identity broken: every reading that leaves one out.
    let mut merged: Option<Vec<Vec<bool>>> = None;
    for d in 0..identities.len() {
        if !readable {
            break;
        }
        let mut ids = identities.clone();
        ids.remove(d);
        match settle(&ids) {
            Settled::Rows(used) => {
                merged = Some(match merged {
                    None => used,
                    Some(m) => m
                        .into_iter()
                        .zip(used)
                        .map(|(a, b)| a.into_iter().zip(b).map(|(x, y)| x || y).collect())
                        .collect(),
                })
            }
            Settled::NoSolution => {}
            Settled::TooLarge => readable = false,
        }
    }
    if let (Some(used), true) = (merged, readable) {
        return cells(used);
    }
    any.iter().map(|c| c.consensus(n)).collect()
}

/// A row's cells as every one of its candidate splits has them: a cell's text where all agree
/// (empty for a blank cell), [`IN_DOUBT`] where they differ. None when there is no candidate.
/// Where the arithmetic leaves the placement of empty cells open it may still settle some
/// cells: the total is the last number however the parts before it are placed, and a column
/// no candidate fills is blank. Which digits make a number is settled for the whole row or
/// not at all: a candidate that cuts a number of the text apart can make a sum hold that the
/// source got wrong (`11619`, stated 1 16 19, read 1 1 6 1 9), and a cell it agrees on would
/// be a repair.
fn consensus<'a>(mut splits: impl Iterator<Item = &'a Split>) -> Option<Vec<String>> {
    let first = splits.next()?;
    let (mut cells, mut whole) = (first.raw.clone(), first.whole);
    for s in splits {
        whole &= s.whole;
        for (cell, other) in cells.iter_mut().zip(&s.raw) {
            if cell != other {
                *cell = IN_DOUBT.to_string();
            }
        }
    }
    (whole || !cells.iter().any(|c| c == IN_DOUBT)).then_some(cells)
}

/// Per row and column, the least and greatest value among the row's candidates still alive.
struct Bounds(Vec<Vec<(f64, f64)>>);

impl Bounds {
    fn of(options: &[Vec<&[f64]>], alive: &[Vec<bool>], n: usize) -> Bounds {
        Bounds(
            options
                .iter()
                .zip(alive)
                .map(|(opts, alive)| {
                    (0..n)
                        .map(|col| {
                            opts.iter()
                                .zip(alive)
                                .filter(|(_, a)| **a)
                                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (o, _)| {
                                    (a.min(o[col]), b.max(o[col]))
                                })
                        })
                        .collect()
                })
                .collect(),
        )
    }
}

/// What a search found.
enum Settled {
    /// Per row and candidate, whether it may be in a solution: some solution picks it, or,
    /// when the search ran out of its budget after finding one, no identity rules it out.
    Rows(Vec<Vec<bool>>),
    NoSolution,
    /// Out of budget before any solution.
    TooLarge,
}

/// A search over the rows' candidates for the assignments that satisfy linear identities
/// (per column: Σ coefficient × row value = 0).
struct Search<'a> {
    options: &'a [Vec<&'a [f64]>],
    /// Each identity: its terms (row, coefficient) and the column it holds in.
    identities: &'a [(Vec<(usize, f64)>, usize)],
    /// Per row and candidate, whether it may still be part of a solution.
    alive: Vec<Vec<bool>>,
    bounds: Bounds,
    n: usize,
}

impl<'a> Search<'a> {
    fn new(
        options: &'a [Vec<&'a [f64]>],
        identities: &'a [(Vec<(usize, f64)>, usize)],
        n: usize,
    ) -> Search<'a> {
        let alive: Vec<Vec<bool>> = options.iter().map(|o| vec![true; o.len()]).collect();
        let bounds = Bounds::of(options, &alive, n);
        Search {
            options,
            identities,
            alive,
            bounds,
            n,
        }
    }

    /// Per row, the candidates some solution picks (a row in no identity: all of them).
    fn run(mut self) -> Settled {
        let rows = self.options.len();
        // Rows in the search: those in an identity; fewest candidates first. The others may be
        // any of their candidates.
        let in_identity = |r: usize| {
            self.identities
                .iter()
                .any(|(terms, _)| terms.iter().any(|(row, _)| *row == r))
        };
        let mut order: Vec<usize> = (0..rows).filter(|&r| in_identity(r)).collect();
        let mut choice = vec![usize::MAX; rows];
        // First drop every candidate that no choice of the other rows can complete (each
        // identity's range with it fixed and the rest at their bounds), until nothing changes:
        // with empty cells every placement is a candidate, and this is what keeps the search
        // within its node budget.
        loop {
            let mut dropped = false;
            for &r in &order {
                for k in 0..self.options[r].len() {
                    if !self.alive[r][k] {
                        continue;
                    }
                    choice[r] = k;
                    if !self.feasible(&choice) {
                        self.alive[r][k] = false;
                        dropped = true;
                    }
                }
                choice[r] = usize::MAX;
                if !self.alive[r].contains(&true) {
                    return Settled::NoSolution;
                }
            }
            if !dropped {
                break;
            }
            self.bounds = Bounds::of(self.options, &self.alive, self.n);
        }
        let live = |r: usize| self.alive[r].iter().filter(|a| **a).count();
        order.sort_by_key(|&r| live(r));
        let mut seen: Vec<Vec<bool>> = (0..rows)
            .map(|r| vec![!in_identity(r); self.options[r].len()])
            .collect();
        let mut solutions = 0usize;
        let mut nodes = 0usize;
        let complete = self.dfs(
            &order,
            0,
            &mut choice,
            &mut seen,
            &mut solutions,
            &mut nodes,
        );
        match (complete, solutions) {
            (true, 0) => Settled::NoSolution,
            (true, _) => Settled::Rows(seen),
            (false, 0) => Settled::TooLarge,
            // Out of budget with the identities shown to hold: every candidate the pruning
            // kept may be in a solution (more than the solutions use, never fewer).
            (false, _) => Settled::Rows(self.alive),
        }
    }

    /// Whether an identity can still hold given the rows chosen so far (values are
    /// non-negative, so unchosen rows contribute between their candidates' min and max).
    fn feasible(&self, choice: &[usize]) -> bool {
        self.identities.iter().all(|(terms, col)| {
            let (mut lo, mut hi) = (0.0, 0.0);
            for &(r, coef) in terms {
                let opts = &self.options[r];
                if choice[r] != usize::MAX {
                    let v = opts[choice[r]][*col] * coef;
                    lo += v;
                    hi += v;
                } else {
                    let (min, max) = self.bounds.0[r][*col];
                    let (a, b) = if coef >= 0.0 { (min, max) } else { (max, min) };
                    lo += a * coef;
                    hi += b * coef;
                }
            }
            lo <= 1e-9 && hi >= -1e-9
        })
    }

    fn dfs(
        &self,
        order: &[usize],
        depth: usize,
        choice: &mut Vec<usize>,
        seen: &mut [Vec<bool>],
        solutions: &mut usize,
        nodes: &mut usize,
    ) -> bool {
        *nodes += 1;
        if *nodes > MAX_SEARCH_NODES {
            return false;
        }
        if !self.feasible(choice) {
            return true;
        }
        let Some(&r) = order.get(depth) else {
            *solutions += 1;
            for (row, c) in choice.iter().enumerate() {
                if *c == usize::MAX {
                    continue;
                }
                seen[row][*c] = true;
            }
            return true;
        };
        for k in 0..self.options[r].len() {
            if !self.alive[r][k] {
                continue;
            }
            choice[r] = k;
            if !self.dfs(order, depth + 1, choice, seen, solutions, nodes) {
                return false;
            }
        }
        choice[r] = usize::MAX;
        true
    }
}

/// Section 二: each `第二十条第(X)项` sub-table up to the next one (or section 三), its version
/// from its headers, its rows in form order.
fn locate_s2(
    b: &Builder,
    s3_start: usize,
    fallback: Option<FormVersion>,
) -> (Vec<Located<S2Key>>, Vec<FormVersion>) {
    let f = &*FORMS;
    let mut titles = Vec::new();
    let mut pos = 0;
    while let Some((s, e)) = b.canon.find(pos, &["第二十条第"]) {
        if s >= s3_start {
            break;
        }
        titles.push((s, e));
        pos = e;
    }
    let mut out = Vec::new();
    let mut versions = Vec::new();
    for (t, &(_, title_end)) in titles.iter().enumerate() {
        let end = titles.get(t + 1).map(|x| x.0).unwrap_or(s3_start);
        let key = b.canon.text[title_end..end]
            .split_once(')')
            .map(|(k, _)| format!("{k})"))
            .unwrap_or_default();
        let specs: Vec<&crate::forms::S2Table> = f.s2.iter().filter(|s| s.table == key).collect();
        // The version whose headers cover most of the table's text (`处理决定数量` is also
        // the end of `本年处理决定数量`).
        let covered = |s: &crate::forms::S2Table| -> usize {
            s.headers
                .iter()
                .filter(|h| {
                    b.canon
                        .find(title_end, &[h.full.as_str()])
                        .is_some_and(|x| x.1 <= end)
                })
                .map(|h| h.full.len())
                .sum()
        };
        let stated = specs
            .iter()
            .map(|s| (covered(s), *s))
            .filter(|(c, _)| *c > 0)
            .max_by_key(|(c, _)| *c)
            .map(|(_, s)| s);
        if let Some(s) = stated {
            versions.push(s.version);
        }
        let Some(spec) =
            stated.or_else(|| specs.iter().find(|s| Some(s.version) == fallback).copied())
        else {
            continue;
        };
        let rules: Vec<CellRules> = spec
            .metrics
            .iter()
            .map(|m| CellRules {
                signed: *m == "change",
                money: spec.money.contains(m),
            })
            .collect();
        // Rows in order; each row's text ends at the next row's label or the table's end.
        let mut found: Vec<(&'static str, (usize, usize))> = Vec::new();
        let mut p = title_end;
        for (item, labels) in &spec.rows {
            let forms: Vec<&str> = labels.iter().map(|l| l.full.as_str()).collect();
            if let Some(x) = b.canon.find(p, &forms).filter(|x| x.0 < end) {
                p = x.1;
                found.push((item, x));
            }
        }
        for (k, &(item, label)) in found.iter().enumerate() {
            let seg_end = found.get(k + 1).map(|x| x.1 .0).unwrap_or(end);
            let key = S2Key {
                item,
                version: Some(spec.version),
            };
            out.push(Located::new(
                key,
                Some(label),
                b,
                (label.1, seg_end),
                None,
                rules.clone(),
            ));
        }
    }
    (out, versions)
}

/// Section 四: the one unlabelled row of 15 after the last header (the second 总计 after
/// 复议后起诉).
/// Section 四's cells: the group sums settle the row (a cell at a time where only the placement
/// of empty cells is open); when none holds (the source's sum is wrong), only what its digits
/// alone settle comes out, and the check fails.
fn s4_cells(row: &Located<()>, blanks: bool) -> Option<Vec<String>> {
    let per = FORMS.s4_outcomes.len();
    let sums = |v: &[f64]| {
        v.chunks(per)
            .all(|g| g[..per - 1].iter().sum::<f64>() == g[per - 1])
    };
    let n = row.rules.len();
    row.candidates(blanks, &sums)
        .consensus(n)
        .or_else(|| row.candidates(blanks, &|_| true).consensus(n))
}

/// Section 四's fifteen cells from a run of numbers, some of which may have run together
/// (spaces always separate cells) and, with `blanks`, some cells printed empty; see
/// [`s4_cells`]. None when nothing is settled.
pub fn split_s4(run: &str, blanks: bool) -> Option<Vec<String>> {
    let row = Located {
        key: (),
        label: None,
        runs: Some(vec![run.to_string()]),
        at: 0,
        after: 0,
        detached: false,
        rules: vec![CellRules::default(); FORMS.s4_metrics.len()],
    };
    s4_cells(&row, blanks)
}

fn locate_s4(b: &Builder, from: usize) -> Option<Located<()>> {
    let f = &*FORMS;
    let (_, after_header) = b.canon.find(from, &["复议后起诉"])?;
    let (_, first_total) = b.canon.find(after_header, &["总计"])?;
    let (_, header_end) = b.canon.find(first_total, &["总计"])?;
    let end = b
        .canon
        .find(header_end, &["五."])
        .map(|x| x.0)
        .unwrap_or(b.canon.text.len());
    let rules = vec![CellRules::default(); f.s4_metrics.len()];
    Some(Located::new((), None, b, (header_end, end), None, rules))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(run: &str, n: usize) -> Vec<Vec<f64>> {
        splits(run, &vec![CellRules::default(); n])
            .unwrap()
            .into_iter()
            .map(|s| s.values)
            .collect()
    }

    #[test]
    fn zeros_split_one_way() {
        assert_eq!(values("0000000", 7), vec![vec![0.0; 7]]);
        assert!(values("000000", 7).is_empty(), "fewer digits than cells");
    }

    #[test]
    fn spaces_separate_and_leading_zeros_are_never_numbers() {
        assert_eq!(values("12 0", 2), vec![vec![12.0, 0.0]]);
        assert_eq!(values("120", 2), vec![vec![1.0, 20.0], vec![12.0, 0.0]]);
        assert_eq!(
            values("105", 2),
            vec![vec![10.0, 5.0]],
            "1 | 05 is no split"
        );
    }

    #[test]
    fn the_row_sum_settles_most_rows() {
        // 一、本年新收 45 | 2 | 1 | 0 | 0 | 0 | 48, glued.
        let rules = vec![CellRules::default(); 7];
        let ok: Vec<Vec<f64>> = splits("452100048", &rules)
            .unwrap()
            .into_iter()
            .filter(|s| s.values[..6].iter().sum::<f64>() == s.values[6])
            .map(|s| s.values)
            .collect();
        assert_eq!(ok, vec![vec![45.0, 2.0, 1.0, 0.0, 0.0, 0.0, 48.0]]);
    }

    #[test]
    fn signs_and_money() {
        let rules = [
            CellRules::default(),
            CellRules {
                signed: true,
                money: false,
            },
        ];
        let s = splits("244-1", &rules).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].values, vec![244.0, -1.0]);
        let money = [CellRules {
            signed: false,
            money: true,
        }];
        assert_eq!(
            splits("4068.208", &money).unwrap()[0].values,
            vec![4068.208]
        );
        assert!(splits("4068.208", &[CellRules::default()])
            .unwrap()
            .is_empty());
    }

    #[test]
    fn thousands_groups_are_one_number() {
        assert_eq!(values("51,145", 2), vec![vec![5.0, 1145.0]]);
    }

    #[test]
    fn an_enumerator_glued_to_a_run_gives_both_readings() {
        let text = "1.本机关不掌握相关政府信息1900000192.没有现成信息需要另行制作";
        let canon = Canon::new(text);
        let from = canon.find(0, &["政府信息"]).unwrap().1;
        let to = canon.find(from, &["没有现成"]).unwrap().0;
        let (runs, _, _) = segment_runs(text, &canon, from, to, Some("2")).unwrap();
        assert_eq!(
            runs,
            vec!["1900000192".to_string(), "190000019".to_string()]
        );
    }

    #[test]
    fn glued_detection() {
        assert!(looks_glued("一、本年新收政府信息公开申请数量452100048二、"));
        assert!(looks_glued("(七)总计 11 0 1104"));
        assert!(looks_glued("规章19730行政规范性文件13"));
        assert!(looks_glued("一、本年新收政府信息公开申请数量二、上年结转"));
        assert!(!looks_glued("一、本年新收政府信息公开申请数量 |\n4 |"));
        assert!(!looks_glued("\t一、本年新收政府信息公开申请数量\n\t4"));
    }
}
