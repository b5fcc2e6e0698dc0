//! Who and when: the statistics year and the issuing agency, from the normalized text.
//! Precision first: a year or agency that cannot be established is NULL with a problem code.

pub mod region;

use crate::model::Problem;

#[derive(Debug, Default, PartialEq)]
pub struct Meta {
    pub year: Option<i32>,
    pub agency: Option<String>,
    pub problems: Vec<Problem>,
}

const MIN_YEAR: i32 = 2000;
const MAX_YEAR: i32 = 2100;

/// Every `YYYY年` in the text: (char index of the year, year).
fn years(chars: &[char]) -> Vec<(usize, i32)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 < chars.len() {
        if chars[i..i + 4].iter().all(|c| c.is_ascii_digit())
            && chars[i + 4] == '年'
            && (i == 0 || !chars[i - 1].is_ascii_digit())
        {
            let y: i32 = chars[i..i + 4]
                .iter()
                .collect::<String>()
                .parse()
                .unwrap_or(0);
            if (MIN_YEAR..=MAX_YEAR).contains(&y) {
                out.push((i, y));
            }
            i += 5;
        } else {
            i += 1;
        }
    }
    out
}

fn window(chars: &[char], from: usize, to: usize) -> String {
    chars[from.min(chars.len())..to.min(chars.len())]
        .iter()
        .collect()
}

pub fn meta(text: &str) -> Meta {
    let mut m = Meta::default();
    // Only the part before section 二 speaks about the report itself; tables and later prose
    // mention other years (plans, last year's figures).
    let head_end = text.find("二、主动公开").unwrap_or(text.len().min(6000));
    let head = &compact_numbers(&text[..floor_char_boundary(text, head_end)]);
    let chars: Vec<char> = head.chars().collect();
    let found = years(&chars);

    // 1. The stated period: 统计期限自2020年1月1日…, 统计时间为2024年1月1日…
    let period = found.iter().find(|(i, _)| {
        let before = window(&chars, i.saturating_sub(16), *i);
        let after = window(&chars, i + 4, i + 12);
        before.contains("统计")
            && (after.starts_with("年1月")
                || after.starts_with("年01月")
                || after.starts_with("年度"))
    });
    // 2. The title: X2020年(度)政府信息公开工作年度报告.
    let title = found.iter().find(|(i, _)| {
        // A title split over lines (`2024年政府信息` / `公开工作年度报告`) reads as one.
        let after: String = chars[(i + 4).min(chars.len())..]
            .iter()
            .filter(|c| **c != '\n')
            .take(16)
            .collect();
        after.starts_with("年政府信息公开")
            || after.starts_with("年度政府信息公开")
            || after.starts_with("年度信息公开")
            || after.starts_with("年政务公开")
    });
    // 3. The year the prose talks about most (2020年,我局…), a weaker signal.
    let prose = {
        let mut counts: Vec<(i32, usize)> = Vec::new();
        for (_, y) in &found {
            match counts.iter_mut().find(|(k, _)| k == y) {
                Some(e) => e.1 += 1,
                None => counts.push((*y, 1)),
            }
        }
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
        counts.first().map(|(y, _)| *y)
    };
    m.year = period.map(|p| p.1).or(title.map(|t| t.1)).or(prose);
    if let (Some(p), Some(t)) = (period, title) {
        if p.1 != t.1 {
            m.problems.push(Problem::YearConflict);
        }
    }
    if m.year.is_none() {
        m.problems.push(Problem::NoYear);
    }

    m.agency = title
        .and_then(|(i, _)| agency_before(&chars, *i))
        .or_else(|| between(head, "本报告由", &["根据", "依据", "编制", "按照"]))
        .or_else(|| between(head, "由", &["编制", "根据《"]))
        .or_else(|| between(head, "来源:", &[" ", "\n", "\t"]))
        .or_else(|| between(text, "请与", &["联系"]))
        .or_else(|| between(text, "可与", &["联系"]));
    if m.agency.is_none() {
        m.problems.push(Problem::NoAgency);
    }
    m
}

/// Without the spaces that PDF text puts between numbers and Chinese (`2020 年 1 月`), so that
/// `2020年1月` reads the same however it was extracted.
fn compact_numbers(s: &str) -> String {
    let cjk = |c: char| c > '\u{2e80}';
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' || c == '\u{a0}' {
            let prev = out.chars().last();
            let next = chars[i + 1..].iter().find(|n| !matches!(n, ' ' | '\u{a0}'));
            let (Some(p), Some(&n)) = (prev, next) else {
                out.push(c);
                continue;
            };
            if (p.is_ascii_digit() && cjk(n)) || (cjk(p) && n.is_ascii_digit()) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The agency name written before the year in a title line (`岚皋县2020年度…`).
fn agency_before(chars: &[char], year_at: usize) -> Option<String> {
    let start = chars[..year_at]
        .iter()
        .rposition(|c| *c == '\n')
        .map(|p| p + 1)
        .unwrap_or(0);
    let before = window(chars, start, year_at);
    if !before.trim().is_empty() {
        return clean_agency(&before);
    }
    // The year starts its line: the agency is the title's line above (`上海市科学技术委员会` /
    // `2024年政府信息公开工作年度报告`).
    let above_end = start.saturating_sub(1);
    let above_start = chars[..above_end]
        .iter()
        .rposition(|c| *c == '\n')
        .map(|p| p + 1)
        .unwrap_or(0);
    clean_agency(&window(chars, above_start, above_end))
}

fn between(text: &str, start: &str, ends: &[&str]) -> Option<String> {
    let mut from = 0;
    while let Some(p) = text[from..].find(start) {
        let s = from + p + start.len();
        let rest = &text[s..floor_char_boundary(text, (s + 120).min(text.len()))];
        if let Some(e) = ends.iter().filter_map(|e| rest.find(e)).min() {
            if let Some(a) = clean_agency(&rest[..e]) {
                return Some(a);
            }
        }
        from = s;
    }
    None
}

/// An agency name is short, has no punctuation of a sentence and ends like a body does.
fn clean_agency(s: &str) -> Option<String> {
    let t = s
        .trim()
        .trim_matches(|c: char| c.is_whitespace() || "《》“”\"'()（）:：,，。.".contains(c));
    let n = t.chars().count();
    if !(2..=30).contains(&n)
        || t.contains(['，', ',', '。', '、', '《', '》', ':', '：', ' '])
        || t.chars().any(|c| c.is_ascii_digit())
    {
        return None;
    }
    Some(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_text_spacing_is_read_the_same() {
        let m = meta("宜春市市场监督管理局 2020 年政府信息公开工作年度报告\n报告所列数据的统计期限自 2020 年 1 月 1 日至 2020 年 12 月 31 日。");
        assert_eq!(m.year, Some(2020));
        assert_eq!(m.agency.as_deref(), Some("宜春市市场监督管理局"));
    }

    #[test]
    fn period_beats_prose_and_title() {
        let m = meta("本报告由某县某局根据条例编制。报告所列数据的统计期限自2020年1月1日至2020年12月31日。2021年将继续");
        assert_eq!(m.year, Some(2020));
        assert_eq!(m.agency.as_deref(), Some("某县某局"));
    }

    #[test]
    fn title_and_conflict() {
        let m = meta("岚皋县2020年度政府信息公开\n工作年度报告\n统计期限自2019年1月1日起");
        assert_eq!(m.year, Some(2019));
        assert!(m.problems.contains(&Problem::YearConflict));
        assert_eq!(m.agency.as_deref(), Some("岚皋县"));
    }

    #[test]
    fn a_title_over_several_lines() {
        let m = meta("上海市科学技术委员会\n2024 年政府信息\n公开工作年度报告\n一、总体情况");
        assert_eq!(m.year, Some(2024));
        assert_eq!(m.agency.as_deref(), Some("上海市科学技术委员会"));
        let m = meta("岚皋县财政局2021年度政府\n信息公开工作年度报告");
        assert_eq!(
            (m.year, m.agency.as_deref()),
            (Some(2021), Some("岚皋县财政局"))
        );
    }

    #[test]
    fn no_year_is_a_problem_not_a_guess() {
        let m = meta("日期: 2022-01-20 一份通知");
        assert_eq!(m.year, None);
        assert!(m.problems.contains(&Problem::NoYear));
    }
}
