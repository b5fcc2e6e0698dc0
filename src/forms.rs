//! The form knowledge of `data/forms.toml`, loaded once, and the label matching rules.

use crate::model::FormVersion;
use serde::Deserialize;
use std::sync::LazyLock;

const FORMS_TOML: &str = include_str!("../data/forms.toml");

/// The parsed form data, shared by every stage. Strings are leaked once so that cells can
/// carry `&'static str` codes without copying them per cell.
pub static FORMS: LazyLock<Forms> = LazyLock::new(|| {
    let raw: RawForms = toml::from_str(FORMS_TOML).expect("data/forms.toml is valid (unit-tested)");
    Forms::from_raw(raw)
});

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForms {
    /// Read on its own by `VOCABULARY` (canonicalisation needs it while FORMS is built).
    #[serde(rename = "vocabulary")]
    _vocabulary: Vec<(String, String)>,
    placeholders: Vec<String>,
    sections: RawSections,
    s2: Vec<RawS2Table>,
    s2_other_labels: RawLabels,
    s3: RawS3,
    s4: RawS4,
    markers: RawMarkers,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSections {
    s2: SectionHeading,
    s3: SectionHeading,
    s4: SectionHeading,
    end: SectionHeading,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct SectionHeading {
    pub numeral: String,
    pub words: Vec<String>,
    pub markers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawS2Table {
    table: String,
    version: String,
    headers: Vec<String>,
    metrics: Vec<String>,
    #[serde(default)]
    money: Vec<String>,
    rows: Vec<RawRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    #[serde(default)]
    item: Option<String>,
    labels: Vec<String>,
    #[serde(default)]
    group: bool,
    #[serde(default)]
    only: Option<String>,
    #[serde(default)]
    split_in: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLabels {
    labels: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawS3 {
    metrics: Vec<String>,
    headers: Vec<String>,
    rows: Vec<RawRow>,
    result_rows: Vec<String>,
    other_parts: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawS4 {
    groups: Vec<String>,
    outcomes: Vec<String>,
    headers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMarkers {
    v2019: Vec<String>,
    v2021: Vec<String>,
    legacy: Vec<String>,
    form: Vec<String>,
}

/// A label as written in the form, canonicalised, with the enumerator split off.
#[derive(Debug, Clone)]
pub struct Label {
    /// Canonical text, enumerator included (`(一)予以公开`).
    pub full: String,
    /// Canonical text without the enumerator (`予以公开`).
    pub bare: String,
    /// The bare text is long enough (4+ characters) to be matched without its enumerator.
    pub bare_long: bool,
    /// First characters of `full` and `bare`: every way of matching shares one of them.
    first: Option<char>,
    bare_first: Option<char>,
}

impl Label {
    fn new(s: &str) -> Label {
        let full = canonical(s);
        let bare = strip_enumerator(&full).to_string();
        let bare_long = has_chars(&bare, 4);
        Label {
            first: full.chars().next(),
            bare_first: bare.chars().next(),
            full,
            bare,
            bare_long,
        }
    }
}

#[derive(Debug)]
pub struct S2Table {
    /// Sub-table key, e.g. `(一)`.
    pub table: &'static str,
    pub version: FormVersion,
    pub headers: Vec<Label>,
    pub metrics: Vec<&'static str>,
    pub money: Vec<&'static str>,
    pub rows: Vec<(&'static str, Vec<Label>)>,
}

#[derive(Debug)]
pub struct S3Row {
    /// None for a header-only group label.
    pub item: Option<&'static str>,
    pub labels: Vec<Label>,
    pub only: Option<FormVersion>,
    /// The version in which this row is a header over sub-rows (2021 `(六)其他处理`).
    pub split_in: Option<FormVersion>,
}

#[derive(Debug)]
pub struct Forms {
    pub placeholders: Vec<String>,
    pub heading_s2: SectionHeading,
    pub heading_s3: SectionHeading,
    pub heading_s4: SectionHeading,
    pub heading_end: SectionHeading,
    pub s2: Vec<S2Table>,
    pub s2_other: Vec<Label>,
    pub s3_metrics: Vec<&'static str>,
    /// `kind:code` check ids by (kind, code).
    check_ids: std::collections::HashMap<(&'static str, &'static str), &'static str, CodeHasher>,
    pub s3_headers: Vec<Label>,
    pub s3_rows: Vec<S3Row>,
    pub s3_result_rows: Vec<&'static str>,
    pub s3_other_parts: Vec<&'static str>,
    pub s4_groups: Vec<&'static str>,
    pub s4_outcomes: Vec<&'static str>,
    /// `review.upheld` … `litigation_after_review.total`, in column order.
    pub s4_metrics: Vec<&'static str>,
    pub s4_headers: Vec<Label>,
    pub markers_2019: Vec<String>,
    pub markers_2021: Vec<String>,
    pub markers_legacy: Vec<String>,
    pub markers_form: Vec<String>,
}

/// A hasher for maps keyed by form codes (short, trusted strings, looked up per cell): the
/// length and the first and last 8 bytes. SipHash's DoS resistance buys nothing here, and a
/// collision only costs a comparison.
#[derive(Default, Clone, Copy)]
pub struct CodeHasher;
pub struct CodeHash(u64);
impl std::hash::BuildHasher for CodeHasher {
    type Hasher = CodeHash;
    fn build_hasher(&self) -> CodeHash {
        CodeHash(0)
    }
}
impl std::hash::Hasher for CodeHash {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
    fn write(&mut self, bytes: &[u8]) {
        let n = bytes.len();
        let word = |b: &[u8]| {
            let mut w = [0u8; 8];
            w[..b.len()].copy_from_slice(b);
            u64::from_le_bytes(w)
        };
        let x = if n > 8 {
            word(&bytes[..8]) ^ word(&bytes[n - 8..]).rotate_left(29)
        } else {
            word(bytes)
        };
        self.0 = (self.0.rotate_left(17) ^ x ^ n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

impl Forms {
    /// The stable id of a check, e.g. `s3.row_sum:granted`.
    pub fn check_id(&self, kind: &'static str, code: &'static str) -> &'static str {
        self.check_ids
            .get(&(kind, code))
            .copied()
            .unwrap_or_else(|| panic!("no check {kind} for {code} in forms.toml"))
    }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn version(s: &str) -> FormVersion {
    FormVersion::parse(s).unwrap_or_else(|| panic!("forms.toml: bad version {s}"))
}

impl Forms {
    fn from_raw(raw: RawForms) -> Forms {
        let labels = |v: &[String]| v.iter().map(|s| Label::new(s)).collect::<Vec<_>>();
        let s2 = raw
            .s2
            .into_iter()
            .map(|t| S2Table {
                table: leak(canonical(&t.table)),
                version: version(&t.version),
                headers: labels(&t.headers),
                metrics: t.metrics.into_iter().map(leak).collect(),
                money: t.money.into_iter().map(leak).collect(),
                rows: t
                    .rows
                    .into_iter()
                    .map(|r| (leak(r.item.expect("s2 rows have items")), labels(&r.labels)))
                    .collect(),
            })
            .collect();
        let s3_rows: Vec<S3Row> = raw
            .s3
            .rows
            .into_iter()
            .map(|r| S3Row {
                item: if r.group { None } else { r.item.map(leak) },
                labels: labels(&r.labels),
                only: r.only.as_deref().map(version),
                split_in: r.split_in.as_deref().map(version),
            })
            .collect();
        let s4_groups: Vec<&'static str> = raw.s4.groups.into_iter().map(leak).collect();
        let s4_outcomes: Vec<&'static str> = raw.s4.outcomes.into_iter().map(leak).collect();
        let s4_metrics = s4_groups
            .iter()
            .flat_map(|g| s4_outcomes.iter().map(move |o| leak(format!("{g}.{o}"))))
            .collect();
        let canon_all = |v: Vec<String>| v.iter().map(|s| canonical(s)).collect::<Vec<_>>();
        let s3_metrics: Vec<&'static str> = raw.s3.metrics.into_iter().map(leak).collect();
        // Every check id, made once: a document has dozens of checks.
        let s3_items = s3_rows.iter().filter_map(|r| r.item);
        let check_ids = s3_items
            .map(|i| ("s3.row_sum", i))
            .chain(s3_metrics.iter().map(|m| ("s3.balance", *m)))
            .chain(s3_metrics.iter().map(|m| ("s3.result_sum", *m)))
            .chain(s4_groups.iter().map(|g| ("s4.group_sum", *g)))
            .map(|(kind, code)| ((kind, code), leak(format!("{kind}:{code}"))))
            .collect();
        Forms {
            check_ids,
            placeholders: canon_all(raw.placeholders),
            heading_s2: raw.sections.s2,
            heading_s3: raw.sections.s3,
            heading_s4: raw.sections.s4,
            heading_end: raw.sections.end,
            s2,
            s2_other: labels(&raw.s2_other_labels.labels),
            s3_metrics,
            s3_headers: labels(&raw.s3.headers),
            s3_rows,
            s3_result_rows: raw.s3.result_rows.into_iter().map(leak).collect(),
            s3_other_parts: raw.s3.other_parts.into_iter().map(leak).collect(),
            s4_groups,
            s4_outcomes,
            s4_metrics,
            s4_headers: labels(&raw.s4.headers),
            markers_2019: canon_all(raw.markers.v2019),
            markers_2021: canon_all(raw.markers.v2021),
            markers_legacy: canon_all(raw.markers.legacy),
            markers_form: canon_all(raw.markers.form),
        }
    }

    /// The rows whose sum is (七)总计 in a form version: in 2021, `other` is its three sub-rows.
    pub fn result_rows(&self, version: FormVersion) -> Vec<&'static str> {
        self.s3_result_rows
            .iter()
            .flat_map(|r| {
                if *r == "other" && version == FormVersion::V2021 {
                    self.s3_other_parts.clone()
                } else {
                    vec![*r]
                }
            })
            .collect()
    }

    /// Section 三's rows of a form version in form order, each with whether it is a data row
    /// there (header-only groups are not; `(六)其他处理` is a data row in 2019 only).
    pub fn s3_rows_in(&self, version: FormVersion) -> impl Iterator<Item = (&S3Row, bool)> {
        self.s3_rows
            .iter()
            .filter(move |r| r.only.is_none_or(|v| v == version))
            .map(move |r| (r, r.item.is_some() && r.split_in != Some(version)))
    }

    /// Section 三's data rows of a form version in form order, each by its form label.
    pub fn s3_data_rows(&self, version: FormVersion) -> Vec<&str> {
        self.s3_rows_in(version)
            .filter(|(_, data)| *data)
            .map(|(r, _)| r.labels[0].full.as_str())
            .collect()
    }

    /// Every canonical cell `(section, item, metric)` of both forms, in form order, each once: a
    /// code both forms share is one cell (the wide export's columns). Includes `s3 other`, which
    /// the 2021 form states as three sub-rows and reconciliation derives.
    pub fn canonical_cells(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        let mut out = Vec::new();
        for t in &self.s2 {
            for (item, _) in &t.rows {
                for m in &t.metrics {
                    out.push(("s2", *item, *m));
                }
            }
        }
        for r in &self.s3_rows {
            for m in &self.s3_metrics {
                if let Some(item) = r.item {
                    out.push(("s3", item, *m));
                }
            }
        }
        out.extend(self.s4_metrics.iter().map(|m| ("s4", "all", *m)));
        let mut seen = std::collections::HashSet::new();
        out.retain(|c| seen.insert(*c));
        out
    }

    /// How many value columns a table of the forms has: each section 二 sub-table's, section
    /// 三's, section 四's.
    pub fn value_columns(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self.s2.iter().map(|t| t.metrics.len()).collect();
        v.extend([self.s3_metrics.len(), self.s4_metrics.len()]);
        v.sort();
        v.dedup();
        v
    }

    pub fn is_placeholder(&self, canon: &str) -> bool {
        self.placeholders.iter().any(|p| p == canon)
    }
}

/// The document-level evidence for a version: markers anywhere in the text (headers, sub-row
/// texts, the notice number).
pub fn marker_version(text: &str) -> Option<FormVersion> {
    let f = &*FORMS;
    let count = |ms: &[String]| ms.iter().filter(|m| text.contains(m.as_str())).count();
    let (a, b) = (count(&f.markers_2019), count(&f.markers_2021));
    match a.cmp(&b) {
        std::cmp::Ordering::Greater => Some(FormVersion::V2019),
        std::cmp::Ordering::Less => Some(FormVersion::V2021),
        std::cmp::Ordering::Equal => None,
    }
}

/// Canonical form of a label or cell text for comparison: no white space, half-width brackets
/// and punctuation, `、` as `.`, no quotes, vocabulary of traditional mirrors mapped.
/// Text is expected to be normalized already (full-width ASCII folded, simplified script).
pub fn canonical(s: &str) -> String {
    canonical_cow(s).into_owned()
}

/// [`canonical`] without an allocation for text that is already canonical (numbers, most
/// cells): plain ASCII with no white space or quotes.
pub fn canonical_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes()
        .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\'')
    {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(canonical_owned(s))
}

fn canonical_owned(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if c.is_whitespace() => {}
            '“' | '”' | '"' | '\'' | '‘' | '’' | '「' | '」' | '『' | '』' => {}
            '（' => out.push('('),
            '）' => out.push(')'),
            '、' | '．' | '。' => out.push('.'),
            '，' => out.push(','),
            '：' => out.push(':'),
            '／' => out.push('/'),
            c => out.push(c),
        }
    }
    for (from, to) in VOCABULARY.iter() {
        if out.contains(from.as_str()) {
            out = out.replace(from.as_str(), to);
        }
    }
    out
}

/// Words of traditional mirrors mapped for label matching. Loaded on its own (not through
/// FORMS) because building FORMS canonicalises labels with [`canonical`].
static VOCABULARY: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    #[derive(Deserialize)]
    struct OnlyVocabulary {
        vocabulary: Vec<(String, String)>,
    }
    toml::from_str::<OnlyVocabulary>(FORMS_TOML)
        .expect("data/forms.toml is valid (unit-tested)")
        .vocabulary
});

/// The words that traditional mirrors rewrite, each with the form's own word (`data/forms.toml`).
pub fn vocabulary() -> &'static [(String, String)] {
    &VOCABULARY
}

/// Whether text names (the start of) a row label of either form (`规章`, `行政处罚`,
/// `（七）总计`; not a column header such as `总计`).
pub fn is_label_start(text: &str) -> bool {
    let canon = canonical(text);
    let probe = Probe::new(&canon);
    let f = &*FORMS;
    let s2 = f.s2.iter().flat_map(|t| t.rows.iter().flat_map(|r| &r.1));
    let s3 = f.s3_rows.iter().flat_map(|r| &r.labels);
    s2.chain(s3).any(|l| probe_matches(&probe, l, 4))
}

/// `一.` `(一)` `1.` `1)` `(1)` at the start of a canonical label.
pub fn strip_enumerator(s: &str) -> &str {
    let is_num = |c: char| {
        c.is_ascii_digit()
            || matches!(
                c,
                '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
            )
    };
    if let Some(rest) = s.strip_prefix('(') {
        if let Some(end) = rest.find(')') {
            if end > 0 && rest[..end].chars().all(is_num) {
                return &rest[end + 1..];
            }
        }
        return s;
    }
    let n: usize = s
        .chars()
        .take_while(|&c| is_num(c))
        .map(char::len_utf8)
        .sum();
    if n > 0 {
        let rest = &s[n..];
        if let Some(r) = rest.strip_prefix('.').or_else(|| rest.strip_prefix(')')) {
            return r;
        }
    }
    s
}

/// True when `s` has at least `n` characters (without counting all of them).
pub fn has_chars(s: &str, n: usize) -> bool {
    n == 0 || s.chars().nth(n - 1).is_some()
}

/// A cell's canonical text, prepared once for matching against many labels.
pub struct Probe<'a> {
    pub canon: &'a str,
    first: Option<char>,
    bare: &'a str,
    bare_first: Option<char>,
    bare_long: bool,
}

impl<'a> Probe<'a> {
    pub fn new(canon: &'a str) -> Self {
        let bare = strip_enumerator(canon);
        Probe {
            canon,
            first: canon.chars().next(),
            bare,
            bare_first: bare.chars().next(),
            bare_long: has_chars(bare, 4),
        }
    }
}

/// Does a cell (canonical text) match a label? Equal; a truncation of it at least `min_prefix`
/// characters long; or the label followed by a note. Without the enumerator only when the
/// remaining text is long enough to be unambiguous.
pub fn label_matches(cell_canon: &str, label: &Label, min_prefix: usize) -> bool {
    probe_matches(&Probe::new(cell_canon), label, min_prefix)
}

/// [`label_matches`] for a prepared cell.
pub fn probe_matches(cell: &Probe, label: &Label, min_prefix: usize) -> bool {
    if cell.canon.is_empty() {
        return false;
    }
    // Every way of matching shares the first character; most cells differ there.
    let full_may = cell.first == label.first;
    let bare_may = label.bare_long && cell.bare_long && cell.bare_first == label.bare_first;
    if !full_may && !bare_may {
        return false;
    }
    let prefix_ok = |cell: &str, lab: &str| {
        cell == lab
            || (cell.len() < lab.len()
                && lab.starts_with(cell)
                && has_chars(cell, min_prefix.min(lab.chars().count())))
            || (!lab.is_empty() && cell.starts_with(lab))
    };
    (full_may && prefix_ok(cell.canon, &label.full))
        || (bare_may && prefix_ok(cell.bare, &label.bare))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_data_loads_and_is_complete() {
        let f = &*FORMS;
        let n2019: usize =
            f.s2.iter()
                .filter(|t| t.version == FormVersion::V2019)
                .map(|t| t.metrics.len() * t.rows.len())
                .sum();
        let n2021: usize =
            f.s2.iter()
                .filter(|t| t.version == FormVersion::V2021)
                .map(|t| t.metrics.len() * t.rows.len())
                .sum();
        assert_eq!((n2019, n2021), (22, 10), "forms.md §1A/§1B cell counts");
        let rows2019 = f
            .s3_rows
            .iter()
            .filter(|r| r.item.is_some() && r.only.is_none())
            .count();
        let rows2021 = f
            .s3_rows
            .iter()
            .filter(|r| r.item.is_some() && r.split_in.is_none())
            .count();
        assert_eq!(
            (rows2019 * 7, rows2021 * 7),
            (161, 175),
            "forms.md §1C grid sizes"
        );
        assert_eq!(f.s4_metrics.len(), 15);
    }

    #[test]
    fn canonical_and_enumerators() {
        assert_eq!(
            canonical("（二）部分公开 (区分处理的，只计这一情形)"),
            "(二)部分公开(区分处理的,只计这一情形)"
        );
        assert_eq!(canonical("3.危及“三安全一稳定”"), "3.危及三安全一稳定");
        assert_eq!(canonical("一、本年新收"), "一.本年新收");
        assert_eq!(strip_enumerator("(一)予以公开"), "予以公开");
        assert_eq!(strip_enumerator("一.本年新收"), "本年新收");
        assert_eq!(strip_enumerator("12.x"), "x");
        assert_eq!(strip_enumerator("规章"), "规章");
        assert_eq!(canonical("规范性档案"), "规范性文件");
    }

    #[test]
    fn matching_rules() {
        let l = Label::new("本年新制作数量");
        assert!(label_matches("本年新", &l, 3));
        assert!(!label_matches("本年", &l, 3));
        let other = Label::new("3.其他");
        assert!(
            !label_matches("其他", &other, 4),
            "the s3 column header 其他 is not row 3.其他"
        );
        let granted = Label::new("(一)予以公开");
        assert!(label_matches("予以公开", &granted, 4));
        let reg = Label::new("规章");
        assert!(label_matches(
            &canonical("规章（设区的市、自治州人民政府应提供相关数据）"),
            &reg,
            2
        ));
        assert!(!label_matches(
            "处理决定数量",
            &Label::new("本年处理决定数量"),
            3
        ));
    }
}
