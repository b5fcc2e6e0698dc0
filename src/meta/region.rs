//! Agency name → province / prefecture / county and the 6-digit code (GB/T 2260), using the
//! divisions that existed in the report's year (data/regions, CC0). Precision first: a name
//! that exists in several places resolves only when the document names one of their parents;
//! otherwise it stays NULL with `ambiguous_region`.

use crate::model::Problem;
use std::collections::HashMap;
use std::sync::LazyLock;

const HISTORY_CSV: &str = include_str!("../../data/regions/admin_divisions_history.csv");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Province,
    Prefecture,
    County,
}

#[derive(Debug, Clone)]
pub struct Division {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent: Option<String>,
    pub valid_from: i32,
    /// The last year it existed (the CSV's exclusive end, taken inclusively: a division
    /// abolished during a year still existed in part of it).
    pub valid_to: Option<i32>,
    pub successors: Vec<String>,
}

impl Division {
    fn valid_in(&self, year: i32) -> bool {
        self.valid_from <= year && self.valid_to.is_none_or(|t| year <= t)
    }
}

struct Index {
    all: Vec<Division>,
    /// Full names and short forms → indices into `all`, with whether the key is a short form.
    names: HashMap<String, Vec<(usize, bool)>>,
    by_code: HashMap<String, Vec<usize>>,
    max_key_chars: usize,
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let mut all = Vec::new();
    for line in HISTORY_CSV.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() < 7 {
            continue;
        }
        let level = match f[2] {
            "province" => Level::Province,
            "prefecture" => Level::Prefecture,
            _ => Level::County,
        };
        all.push(Division {
            code: f[0].to_string(),
            name: f[1].to_string(),
            level,
            parent: (!f[3].is_empty()).then(|| f[3].to_string()),
            valid_from: f[4].parse().unwrap_or(0),
            valid_to: f[5].parse().ok(),
            successors: f[6]
                .split(';')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        });
    }
    let mut names: HashMap<String, Vec<(usize, bool)>> = HashMap::new();
    let mut by_code: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, d) in all.iter().enumerate() {
        names.entry(d.name.clone()).or_default().push((i, false));
        if let Some(s) = short_form(&d.name, d.level) {
            names.entry(s).or_default().push((i, true));
        }
        by_code.entry(d.code.clone()).or_default().push(i);
    }
    let max_key_chars = names.keys().map(|k| k.chars().count()).max().unwrap_or(1);
    Index {
        all,
        names,
        by_code,
        max_key_chars,
    }
});

/// 郎溪县 → 郎溪, 宜春市 → 宜春, 阜新蒙古族自治县 → 阜新, 广西壮族自治区 → 广西. Two-character names
/// (城区, 和县) have no short form.
fn short_form(name: &str, level: Level) -> Option<String> {
    let chars: Vec<char> = name.chars().collect();
    if name.contains("自治") || name.ends_with("特别行政区") {
        let n = if name.starts_with("内蒙古") { 3 } else { 2 };
        return (chars.len() > n).then(|| chars[..n].iter().collect());
    }
    let suffixes: &[&str] = match level {
        Level::Province => &["省", "市"],
        Level::Prefecture => &["地区", "市", "盟"],
        Level::County => &["县", "区", "市", "旗"],
    };
    let s = suffixes.iter().find_map(|suf| name.strip_suffix(suf))?;
    (s.chars().count() >= 2).then(|| s.to_string())
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Region {
    pub province: Option<String>,
    pub prefecture: Option<String>,
    pub county: Option<String>,
    pub code: Option<String>,
}

/// Bodies of the central government have no region and need none.
const CENTRAL_PREFIXES: [&str; 4] = ["国务院", "国家", "中华人民共和国", "中央"];

pub fn resolve(agency: Option<&str>, year: Option<i32>, text: &str) -> (Region, Option<Problem>) {
    let Some(agency) = agency else {
        return (Region::default(), Some(Problem::RegionUnresolved));
    };
    let idx = &*INDEX;
    // Read the name chain at the start of the agency: 江西省宜春市上高县… → three divisions.
    let chars: Vec<char> = agency.chars().collect();
    let mut pos = 0;
    let mut chain: Vec<Vec<usize>> = Vec::new();
    while pos < chars.len() {
        let mut found = None;
        for len in (2..=idx.max_key_chars.min(chars.len() - pos)).rev() {
            let key: String = chars[pos..pos + len].iter().collect();
            if let Some(hits) = idx.names.get(&key) {
                // Full names beat short forms of the same text.
                let full: Vec<usize> = hits
                    .iter()
                    .filter(|(_, short)| !short)
                    .map(|(i, _)| *i)
                    .collect();
                let pick = if full.is_empty() {
                    hits.iter().map(|(i, _)| *i).collect()
                } else {
                    full
                };
                found = Some((len, pick));
                break;
            }
        }
        match found {
            // A later name must lie inside the one before it (宜春市上高县), else it is part of
            // the body's own name (…县东区街道 is not 攀枝花 东区).
            Some((len, hits))
                if chain.last().is_none_or(|prev: &Vec<usize>| {
                    hits.iter()
                        .any(|&h| prev.iter().any(|&p| is_ancestor(&idx.all[p].code, h)))
                }) =>
            {
                chain.push(hits);
                pos += len;
            }
            _ => break,
        }
    }
    if chain.is_empty() {
        let central = CENTRAL_PREFIXES.iter().any(|p| agency.starts_with(p));
        return (
            Region::default(),
            (!central).then_some(Problem::RegionUnresolved),
        );
    }
    // Candidates for the most specific name, consistent with every name before it.
    let mut candidates: Vec<usize> = chain.last().unwrap().clone();
    for earlier in &chain[..chain.len() - 1] {
        candidates.retain(|&c| earlier.iter().any(|&e| is_ancestor(&idx.all[e].code, c)));
    }
    if let Some(y) = year {
        let in_year: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&c| idx.all[c].valid_in(y))
            .collect();
        if !in_year.is_empty() {
            candidates = in_year;
        }
    }
    dedup_same_code(&mut candidates);
    if candidates.len() > 1 {
        // Let the document settle it: a parent named in the text (outside the agency name).
        let rest = text.replace(agency, "");
        let clued: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&c| ancestors(c).iter().any(|&a| mentions(&rest, &idx.all[a])))
            .collect();
        if clued.len() == 1 {
            candidates = clued;
        } else {
            return (Region::default(), Some(Problem::AmbiguousRegion));
        }
    }
    let Some(&best) = candidates.first() else {
        return (Region::default(), Some(Problem::RegionUnresolved));
    };
    (region_of(best), None)
}

fn dedup_same_code(c: &mut Vec<usize>) {
    let idx = &*INDEX;
    let mut seen = Vec::new();
    c.retain(|&i| {
        let code = &idx.all[i].code;
        if seen.contains(code) {
            false
        } else {
            seen.push(code.clone());
            true
        }
    });
}

fn mentions(text: &str, d: &Division) -> bool {
    text.contains(d.name.as_str())
}

/// The division's parents, nearest first.
fn ancestors(i: usize) -> Vec<usize> {
    let idx = &*INDEX;
    let mut out = Vec::new();
    let mut cur = idx.all[i].parent.clone();
    while let Some(code) = cur {
        let Some(&p) = idx.by_code.get(&code).and_then(|v| v.last()) else {
            break;
        };
        out.push(p);
        cur = idx.all[p].parent.clone();
    }
    out
}

fn is_ancestor(code: &str, i: usize) -> bool {
    ancestors(i).iter().any(|&a| INDEX.all[a].code == code)
}

fn region_of(i: usize) -> Region {
    let idx = &*INDEX;
    let mut r = Region {
        code: Some(idx.all[i].code.clone()),
        ..Default::default()
    };
    for d in std::iter::once(i).chain(ancestors(i)) {
        let div = &idx.all[d];
        let slot = match div.level {
            Level::Province => &mut r.province,
            Level::Prefecture => &mut r.prefecture,
            Level::County => &mut r.county,
        };
        slot.get_or_insert_with(|| div.name.clone());
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(agency: &str, year: i32, text: &str) -> (Option<String>, Option<Problem>) {
        let (r, p) = resolve(Some(agency), Some(year), text);
        (r.code, p)
    }

    #[test]
    fn seeds_resolve() {
        for (agency, year, want) in [
            ("上高县工业和信息化局", 2020, "360923"),
            ("阜新市煤炭工业转型发展局", 2021, "210900"),
            ("岚皋县", 2020, "610925"),
            ("郎溪县科技工信局", 2024, "341821"),
            ("郎溪科技工信局", 2024, "341821"),
            ("城固县信息化工作办公室", 2020, "610722"),
        ] {
            assert_eq!(
                code(agency, year, ""),
                (Some(want.to_string()), None),
                "{agency}"
            );
        }
        let (r, _) = resolve(Some("上高县工业和信息化局"), Some(2020), "");
        assert_eq!(
            (
                r.province.as_deref(),
                r.prefecture.as_deref(),
                r.county.as_deref()
            ),
            (Some("江西省"), Some("宜春市"), Some("上高县"))
        );
    }

    #[test]
    fn renamed_county_uses_the_division_of_the_year() {
        assert_eq!(
            code("广德县人民政府办公室", 2019, "").0.as_deref(),
            Some("341822")
        );
        assert_eq!(
            code("广德市人民政府办公室", 2021, "").0.as_deref(),
            Some("341882")
        );
    }

    #[test]
    fn ambiguous_names_need_a_clue() {
        assert_eq!(
            code("朝阳区教育委员会", 2021, "朝阳区教育委员会2021年报告"),
            (None, Some(Problem::AmbiguousRegion))
        );
        assert_eq!(
            code("朝阳区教育委员会", 2021, "根据北京市政务公开要求")
                .0
                .as_deref(),
            Some("110105")
        );
        assert_eq!(
            code("北京市朝阳区教育委员会", 2021, "").0.as_deref(),
            Some("110105")
        );
        assert_eq!(
            code("鼓楼区民政局", 2021, "福建省福州市").0.as_deref(),
            Some("350102")
        );
    }

    #[test]
    fn provincial_and_central_bodies() {
        let (r, p) = resolve(Some("江西省财政厅"), Some(2021), "");
        assert_eq!(
            (r.code.as_deref(), r.province.as_deref(), r.county, p),
            (Some("360000"), Some("江西省"), None, None)
        );
        assert_eq!(
            resolve(Some("国家统计局"), Some(2021), ""),
            (Region::default(), None)
        );
        assert_eq!(
            resolve(Some("某某局"), Some(2021), "").1,
            Some(Problem::RegionUnresolved)
        );
    }
}
