//! Glued page text made from the real seed reports: their tables' separators stripped, as a
//! page's `get_text()` leaves them. Every number that comes out must be the one the seed states
//! (its values are pinned by hand in `tests/seed_truth.rs`); cells printed empty leave no trace,
//! so a seed with empty cells may keep rows NULL, never a wrong number.

mod common;
use common::*;
use gongkai::model::Processed;

/// The seed with every cell separator removed: `|`, tabs and the line breaks inside tables
/// (lines that hold a cell), so a row's cells run together.
fn glue(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let cell = line.contains('|') || line.starts_with('\t') || line.trim().chars().count() < 30;
        out.push_str(line.replace(['|', '\t'], "").replace('\u{a0}', "").trim());
        if !cell {
            out.push('\n');
        }
    }
    out
}

fn value_of(p: &Processed, c: &gongkai::model::Cell) -> Option<f64> {
    p.cells
        .iter()
        .find(|x| x.section == c.section && x.item == c.item && x.metric == c.metric)
        .and_then(|x| x.value)
}

#[test]
fn glued_seeds_give_the_seeds_numbers_or_null() {
    for (prefix, least) in [("000", 198), ("001", 200), ("004", 0)] {
        let (name, bytes) = seed(prefix);
        let as_layout = gongkai::process(&name, &bytes);
        let glued_text = glue(std::str::from_utf8(&bytes).unwrap());
        let glued = gongkai::process("glued.txt", glued_text.as_bytes());
        assert_eq!(glued.info.layout, Some("glued"), "{prefix}");
        assert_eq!(
            glued.info.form_version, as_layout.info.form_version,
            "{prefix}"
        );
        assert_eq!(glued.info.year, as_layout.info.year, "{prefix}");
        let mut recovered = 0;
        for c in &glued.cells {
            if let Some(v) = c.value {
                assert_eq!(
                    Some(v),
                    value_of(&as_layout, c),
                    "{prefix} {} {} {}",
                    c.section.as_str(),
                    c.item,
                    c.metric
                );
                recovered += 1;
            }
        }
        println!("{prefix}: {recovered} of {} cells", glued.cells.len());
        assert!(recovered >= least, "{prefix}: {recovered} cells recovered");
    }
}

#[test]
fn a_row_the_arithmetic_cannot_settle_is_null_with_a_problem() {
    // 2021 (一): issued, repealed, in_force glued as 1204310 — 12/0/4310, 1/20/4310, 120/4/310…
    let text = "二、主动公开政府信息情况\n第二十条第(一)项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件1204310\n三、收到和处理政府信息公开申请情况\n(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)一、本年新收政府信息公开申请数量452100048二、上年结转政府信息公开申请数量0000000";
    let p = gongkai::process("g.txt", text.as_bytes());
    let get = |item: &str, metric: &str| {
        p.cells
            .iter()
            .find(|c| c.item == item && c.metric == metric)
            .unwrap()
            .value
    };
    assert_eq!(get("regulations", "issued"), Some(0.0));
    assert_eq!(get("normative_docs", "in_force"), None);
    // 45 + 2 + 1 + 0 + 0 + 0 = 48: the only split whose applicant columns sum to 总计.
    assert_eq!(get("new", "natural_person"), Some(45.0));
    assert_eq!(get("new", "total"), Some(48.0));
    assert!(p.problems.iter().any(|x| x.code() == "glued_ambiguous"));
}

#[test]
fn digits_cut_apart_to_make_a_sum_hold_settle_no_cell() {
    // Zeros printed empty, and (一)予以公开 states 1 + 16 = 19 glued as `11619`: its own sum is
    // wrong. Cut as 1 1 6 1 9 it would add up (and the table's column sums can be made to hold
    // with it), but that reading repairs the source: the row stays NULL, never 总计 9.
    let text = "三、收到和处理政府信息公开申请情况\n（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他一、本年新收政府信息公开申请数量9064154二、上年结转政府信息公开申请数量145三、本年度办理结果（一）予以公开11619（二）部分公开（区分处理的，只计这一情形，不计其他情形）（三）不予公开1.属于国家秘密42422.其他法律行政法规禁止公开3.危及\"三安全一稳定\"4.保护第三方合法权益182205.属于三类内部事务信息6.属于四类过程性信息54547.属于行政执法案卷8.属于行政查询事项（四）无法提供1.本机关不掌握相关政府信息112.没有现成信息需要另行制作3.补正后申请内容仍不明确123（五）不予处理1.信访举报投诉类申请2.重复申请3.要求提供公开出版物4.无正当理由大量反复申请5.要求行政机关确认或重新出具已获取信息（六）其他处理1.申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请113.其他11（七）总计17464139四、结转下年度继续办理2020\n四、政府信息公开行政复议、行政诉讼情况\n";
    let p = gongkai::process("g.txt", text.as_bytes());
    assert_eq!(p.info.layout, Some("glued"));
    for metric in ["natural_person", "commercial", "other_org", "total"] {
        let c = p
            .cells
            .iter()
            .find(|c| c.item == "granted" && c.metric == metric)
            .unwrap();
        assert_eq!(c.value, None, "granted {metric}");
    }
    assert!(p.problems.iter().any(|x| x.code() == "glued_ambiguous"));
}
