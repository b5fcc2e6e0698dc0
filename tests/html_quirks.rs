//! The 上海 2019 HTML quirks (forms.md §1A, §3): header and body colspans disagree, so cells are
//! mapped by logical order; 总计 cells left blank over filled applicant cells are "not filled in".

use gongkai::model::{CellStatus, Outcome};

fn shanghai_like() -> String {
    let mut h = String::from("<html><head><meta charset=\"utf-8\"></head><body>\n<p>上海市某区人民政府办公室2019年政府信息公开工作年度报告</p>\n<p>本报告由上海市某区人民政府办公室编制，统计期限自2019年1月1日至2019年12月31日。</p>\n<p>二、主动公开政府信息情况</p>\n<table>\n");
    h.push_str("<tr><td colspan=\"5\">第二十条第（五）项</td></tr>\n");
    // Header: 本年增/减 spans two grid columns...
    h.push_str("<tr><td>信息内容</td><td>上一年项目数量</td><td colspan=\"2\">本年增/减</td><td>处理决定数量</td></tr>\n");
    // ...while the body's first value does: by grid column the 0 would slide; by order it does not.
    h.push_str("<tr><td>行政许可</td><td colspan=\"2\">12</td><td>-1</td><td>251</td></tr>\n");
    h.push_str(
        "<tr><td>其他对外管理服务事项</td><td colspan=\"2\">3</td><td>&nbsp;</td><td>7</td></tr>\n",
    );
    h.push_str("</table>\n<p>三、收到和处理政府信息公开申请情况</p>\n<table>\n");
    h.push_str("<tr><td colspan=\"3\" rowspan=\"3\">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td colspan=\"7\">申请人情况</td></tr>\n");
    h.push_str("<tr><td rowspan=\"2\">自然人</td><td colspan=\"5\">法人或其他组织</td><td rowspan=\"2\">总计</td></tr>\n");
    h.push_str("<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>\n");
    let row = |label: &str, v: [&str; 7]| {
        format!(
            "<tr><td colspan=\"3\">{label}</td>{}</tr>\n",
            v.iter()
                .map(|x| format!("<td>{x}</td>"))
                .collect::<String>()
        )
    };
    h.push_str(&row(
        "一、本年新收政府信息公开申请数量",
        ["850", "9", "", "", "", "", "859"],
    ));
    h.push_str(&row(
        "二、上年结转政府信息公开申请数量",
        ["18", "", "", "", "", "", "18"],
    ));
    h.push_str(&format!("<tr><td rowspan=\"20\">三、本年度办理结果</td><td colspan=\"2\">（一）予以公开</td>{}</tr>\n", ["270", "2", "", "", "", "", ""].iter().map(|x| format!("<td>{x}</td>")).collect::<String>()));
    h.push_str(&format!("<tr><td colspan=\"2\">（二）部分公开（区分处理的，只计这一情形，不计其他情形）</td>{}</tr>\n", ["531", "2", "", "", "", "", ""].iter().map(|x| format!("<td>{x}</td>")).collect::<String>()));
    h.push_str(&row("（七）总计", ["798", "7", "", "", "", "", "805"]));
    h.push_str(&row(
        "四、结转下年度继续办理",
        ["70", "2", "", "", "", "", "72"],
    ));
    h.push_str("</table>\n<p>四、政府信息公开行政复议、行政诉讼情况</p>\n<p>五、存在的主要问题及改进情况</p>\n</body></html>\n");
    h
}

#[test]
fn logical_order_not_grid_columns() {
    let p = gongkai::process("shanghai.html", shanghai_like().as_bytes());
    assert_eq!(p.info.layout, Some("html"));
    let v = |item: &str, metric: &str| {
        p.cells
            .iter()
            .find(|c| c.item == item && c.metric == metric)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            v("licensing", "prev_items").value,
            v("licensing", "change").value,
            v("licensing", "decisions").value
        ),
        (Some(12.0), Some(-1.0), Some(251.0))
    );
    assert_eq!(v("other_services", "change").status, CellStatus::Blank);
    assert_eq!(v("other_services", "decisions").value, Some(7.0));
    assert_eq!(
        p.info.region_code.as_deref(),
        Some("310000"),
        "上海市 named, 某区 is not a district"
    );
    // The source lines point into the HTML.
    assert_eq!(v("licensing", "decisions").line, Some(8));
}

#[test]
fn blank_totals_over_filled_parts_are_skipped_not_failed() {
    let p = gongkai::process("shanghai.html", shanghai_like().as_bytes());
    let check = |id: &str| {
        p.checks
            .iter()
            .find(|c| c.check == id)
            .unwrap_or_else(|| panic!("{id}"))
            .clone()
    };
    assert_eq!(check("s3.row_sum:granted").outcome, Outcome::Skipped);
    assert_eq!(
        check("s3.row_sum:granted").reason,
        Some("total_blank_parts_filled")
    );
    assert_eq!(check("s3.result_sum:total").outcome, Outcome::Skipped);
    // 859 + 18 = 805 + 72 holds, and so does the natural-person column: 850 + 18 = 798 + 70.
    assert_eq!(check("s3.balance:total").outcome, Outcome::Pass);
    assert_eq!(check("s3.balance:natural_person").outcome, Outcome::Pass);
    assert_eq!(check("s3.row_sum:new").outcome, Outcome::Pass);
    // Section 四 has no table here: missing, never zero.
    assert!(p
        .cells
        .iter()
        .filter(|c| c.section.as_str() == "s4")
        .all(|c| c.status == CellStatus::Missing));
}
