//! Form versions, the 2019↔2021 reconciliation and every arithmetic identity, on fixtures
//! built from the form data with chosen numbers.

use gongkai::forms::FORMS;
use gongkai::model::{CellStatus, FormVersion, Outcome, Problem, Processed, Status};
use std::collections::HashMap;

type Values = HashMap<(String, String, String), String>;

/// A report in the pipe-row layout. `values` maps (section, item, metric) to the cell text;
/// absent keys are written as 0. `s2_form` lets section 二 use another form than section 三.
fn report(year: i32, s2_form: FormVersion, s3_form: FormVersion, values: &Values) -> String {
    let f = &*FORMS;
    let get = |s: &str, i: &str, m: &str| {
        values
            .get(&(s.to_string(), i.to_string(), m.to_string()))
            .cloned()
            .unwrap_or_else(|| "0".into())
    };
    let show = |label: &str| {
        label
            .replacen("一.", "一、", 1)
            .replacen("二.", "二、", 1)
            .replacen("四.", "四、", 1)
    };
    let mut t = format!("某县财政局{year}年政府信息公开工作年度报告\n本报告由某县财政局编制。统计期限自{year}年1月1日至{year}年12月31日。\n一、总体情况\n今年工作顺利。\n二、主动公开政府信息情况\n");
    for table in f.s2.iter().filter(|t| t.version == s2_form) {
        t.push_str(&format!(
            "第二十条第{}项 | | | |\n信息内容 | {} |\n",
            table.table,
            table
                .headers
                .iter()
                .map(|h| h.full.as_str())
                .collect::<Vec<_>>()
                .join(" | ")
        ));
        for (item, labels) in &table.rows {
            let cells: Vec<String> = table.metrics.iter().map(|m| get("s2", item, m)).collect();
            t.push_str(&format!("{} | {} |\n", labels[0].full, cells.join(" | ")));
        }
    }
    t.push_str("三、收到和处理政府信息公开申请情况\n(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) | 申请人情况 |\n自然人 | 法人或其他组织 | 总计 |\n商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |\n");
    for row in &f.s3_rows {
        match row.item {
            None => t.push_str(&format!("{} |\n", show(&row.labels[0].full))),
            Some(_) if row.split_in == Some(s3_form) => {
                t.push_str(&format!("{} |\n", row.labels[0].full))
            }
            Some(item) if row.only.is_none_or(|v| v == s3_form) => {
                let cells: Vec<String> = f.s3_metrics.iter().map(|m| get("s3", item, m)).collect();
                t.push_str(&format!(
                    "{} | {} |\n",
                    show(&row.labels[0].full),
                    cells.join(" | ")
                ));
            }
            _ => {}
        }
    }
    t.push_str("四、政府信息公开行政复议、行政诉讼情况\n行政复议 | 行政诉讼 |\n结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉 |\n");
    t.push_str("结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n");
    let cells: Vec<String> = f.s4_metrics.iter().map(|m| get("s4", "all", m)).collect();
    t.push_str(&format!(
        "{} |\n五、存在的主要问题及改进情况\n无。\n",
        cells.join(" | ")
    ));
    t
}

fn v(entries: &[(&str, &str, &str, &str)]) -> Values {
    entries
        .iter()
        .map(|(s, i, m, x)| ((s.to_string(), i.to_string(), m.to_string()), x.to_string()))
        .collect()
}

/// Consistent numbers: 3 new requests from natural persons, 1 carried over; 2 granted, 1 not held
/// (or 1 `other`), 1 carried forward. Review: 1 upheld of 1.
fn consistent(form: FormVersion) -> Values {
    let other = if form == FormVersion::V2019 {
        "other"
    } else {
        "other.other"
    };
    v(&[
        ("s3", "new", "natural_person", "3"),
        ("s3", "new", "total", "3"),
        ("s3", "carried_over", "natural_person", "1"),
        ("s3", "carried_over", "total", "1"),
        ("s3", "granted", "natural_person", "2"),
        ("s3", "granted", "total", "2"),
        ("s3", other, "natural_person", "1"),
        ("s3", other, "total", "1"),
        ("s3", "total", "natural_person", "3"),
        ("s3", "total", "total", "3"),
        ("s3", "carried_forward", "natural_person", "1"),
        ("s3", "carried_forward", "total", "1"),
        ("s4", "all", "review.upheld", "1"),
        ("s4", "all", "review.total", "1"),
        ("s2", "normative_docs", "issued", "12"),
        ("s2", "licensing", "decisions", "22446"),
        ("s2", "penalty", "decisions", "7"),
        ("s2", "regulations", "issued", "1"),
    ])
}

fn process(text: &str) -> Processed {
    gongkai::process("fixture.txt", text.as_bytes())
}

fn outcome(p: &Processed, check: &str) -> Outcome {
    p.checks
        .iter()
        .find(|c| c.check == check)
        .unwrap_or_else(|| panic!("no check {check}"))
        .outcome
}

#[test]
fn consistent_reports_pass_every_check_in_both_forms() {
    for form in [FormVersion::V2019, FormVersion::V2021] {
        let p = process(&report(2021, form, form, &consistent(form)));
        assert_eq!(p.info.form_version, Some(form));
        assert_eq!(p.status(), Status::Ok, "{:?}", p.problems);
        let bad: Vec<_> = p
            .checks
            .iter()
            .filter(|c| c.outcome != Outcome::Pass)
            .collect();
        assert!(bad.is_empty(), "{form:?}: {bad:?}");
        assert_eq!(
            p.checks.len(),
            if form == FormVersion::V2019 {
                23 + 7 + 7 + 3
            } else {
                25 + 7 + 7 + 3
            }
        );
    }
}

#[test]
fn same_numbers_give_the_same_rows_for_every_comparable_code() {
    let a = process(&report(
        2020,
        FormVersion::V2019,
        FormVersion::V2019,
        &consistent(FormVersion::V2019),
    ));
    let b = process(&report(
        2021,
        FormVersion::V2021,
        FormVersion::V2021,
        &consistent(FormVersion::V2021),
    ));
    let key = |p: &Processed| -> HashMap<(String, String, String), Option<f64>> {
        p.cells
            .iter()
            .map(|c| {
                (
                    (
                        c.section.as_str().to_string(),
                        c.item.to_string(),
                        c.metric.to_string(),
                    ),
                    c.value,
                )
            })
            .collect()
    };
    let (ka, kb) = (key(&a), key(&b));
    // Comparable (forms.md §2): all of 三 at the aggregate (`other` derived in 2021), all of 四,
    // and 二's issued / decisions.
    let comparable: Vec<_> = ka
        .keys()
        .filter(|(s, _, m)| {
            s == "s3" || s == "s4" || (s == "s2" && (m == "issued" || m == "decisions"))
        })
        .filter(|(s, i, _)| !(s == "s3" && i.starts_with("other.")))
        // 2019-only rows (其他对外管理服务事项, 政府集中采购) have no 2021 counterpart.
        .filter(|(s, i, _)| !(s == "s2" && (i == "other_services" || i == "procurement")))
        .cloned()
        .collect();
    assert!(comparable.len() > 170);
    for k in &comparable {
        assert_eq!(ka.get(k), kb.get(k), "{k:?}");
    }
    // Concepts of one version keep their own codes.
    assert!(ka.contains_key(&("s2".into(), "regulations".into(), "total_public".into())));
    assert!(!kb.contains_key(&("s2".into(), "regulations".into(), "total_public".into())));
    assert!(kb.contains_key(&("s2".into(), "regulations".into(), "in_force".into())));
    assert!(ka.contains_key(&("s2".into(), "fees".into(), "prev_items".into())));
    assert!(!ka.contains_key(&("s2".into(), "fees".into(), "amount".into())));
    let other = b
        .cells
        .iter()
        .find(|c| c.item == "other" && c.metric == "total")
        .unwrap();
    assert_eq!(
        (other.status, other.value),
        (CellStatus::Derived, Some(1.0))
    );
}

#[test]
fn version_is_read_table_by_table_not_from_the_year() {
    // A 2021 report that still uses the 2019 section 二 (阎良 2021).
    let mut vals = consistent(FormVersion::V2021);
    vals.insert(
        ("s2".into(), "procurement".into(), "amount".into()),
        "1530000元".into(),
    );
    let p = process(&report(2021, FormVersion::V2019, FormVersion::V2021, &vals));
    assert_eq!(p.info.form_version, Some(FormVersion::V2021));
    assert!(p
        .cells
        .iter()
        .filter(|c| c.section.as_str() == "s2")
        .all(|c| c.form_version == FormVersion::V2019));
    assert!(p
        .cells
        .iter()
        .filter(|c| c.section.as_str() == "s3")
        .all(|c| c.form_version == FormVersion::V2021));
    assert!(p.problems.contains(&Problem::MixedFormVersions));
    let amount = p
        .cells
        .iter()
        .find(|c| c.item == "procurement" && c.metric == "amount")
        .unwrap();
    assert_eq!(
        (amount.value, amount.unit.as_str()),
        (Some(153.0), "10k_yuan")
    );
    // And a 2019-form report dated 2021 is 2019.
    let p = process(&report(
        2021,
        FormVersion::V2019,
        FormVersion::V2019,
        &consistent(FormVersion::V2019),
    ));
    assert_eq!(p.info.form_version, Some(FormVersion::V2019));
}

#[test]
fn each_identity_fails_when_the_source_is_wrong() {
    let base = consistent(FormVersion::V2019);
    let cases: [(&str, &str, &str, &str, &[&str]); 4] = [
        // (section, item, metric, stated text, checks that must fail)
        (
            "s3",
            "granted",
            "total",
            "5",
            &["s3.row_sum:granted", "s3.result_sum:total"],
        ),
        (
            "s3",
            "carried_forward",
            "natural_person",
            "2",
            &["s3.balance:natural_person", "s3.row_sum:carried_forward"],
        ),
        (
            "s3",
            "total",
            "natural_person",
            "4",
            &[
                "s3.result_sum:natural_person",
                "s3.row_sum:total",
                "s3.balance:natural_person",
            ],
        ),
        ("s4", "all", "review.total", "2", &["s4.group_sum:review"]),
    ];
    for (s, i, m, x, must) in cases {
        let mut vals = base.clone();
        vals.insert((s.into(), i.into(), m.into()), x.into());
        let p = process(&report(2020, FormVersion::V2019, FormVersion::V2019, &vals));
        for c in must {
            assert_eq!(outcome(&p, c), Outcome::Fail, "{c} for {i}.{m}={x}");
        }
        // Kept as stated.
        let cell = p
            .cells
            .iter()
            .find(|c| c.section.as_str() == s && c.item == i && c.metric == m)
            .unwrap();
        assert_eq!(cell.value, x.parse().ok());
        assert!(p.problems.contains(&Problem::ChecksFailed));
        assert_eq!(
            p.n_checks_failed(),
            p.checks
                .iter()
                .filter(|c| c.outcome == Outcome::Fail)
                .count()
        );
    }
    for g in ["litigation_direct", "litigation_after_review"] {
        let mut vals = base.clone();
        vals.insert(
            ("s4".into(), "all".into(), format!("{g}.upheld")),
            "2".into(),
        );
        let p = process(&report(2020, FormVersion::V2019, FormVersion::V2019, &vals));
        assert_eq!(outcome(&p, &format!("s4.group_sum:{g}")), Outcome::Fail);
    }
}

#[test]
fn blank_totals_and_missing_cells_skip_with_a_reason() {
    // 上海 2019 style: applicant cells filled, the row's 总计 blank.
    let mut vals = consistent(FormVersion::V2019);
    vals.insert(("s3".into(), "granted".into(), "total".into()), "".into());
    let p = process(&report(2020, FormVersion::V2019, FormVersion::V2019, &vals));
    let c = p
        .checks
        .iter()
        .find(|c| c.check == "s3.row_sum:granted")
        .unwrap();
    assert_eq!(
        (c.outcome, c.reason),
        (Outcome::Skipped, Some("total_blank_parts_filled"))
    );
    assert_eq!(outcome(&p, "s3.result_sum:total"), Outcome::Skipped);
    assert_eq!(outcome(&p, "s3.balance:natural_person"), Outcome::Pass);
    // Blank parts count as 0 (seed 002: the 4 in 自然人 and 总计 only).
    let mut vals = consistent(FormVersion::V2019);
    vals.insert(
        ("s3".into(), "granted".into(), "commercial".into()),
        "".into(),
    );
    let p = process(&report(2020, FormVersion::V2019, FormVersion::V2019, &vals));
    assert_eq!(outcome(&p, "s3.row_sum:granted"), Outcome::Pass);
    // Unparsed text makes the check skip.
    let mut vals = consistent(FormVersion::V2019);
    vals.insert(
        ("s4".into(), "all".into(), "review.other".into()),
        "两件".into(),
    );
    let p = process(&report(2020, FormVersion::V2019, FormVersion::V2019, &vals));
    let c = p
        .checks
        .iter()
        .find(|c| c.check == "s4.group_sum:review")
        .unwrap();
    assert_eq!(
        (c.outcome, c.reason),
        (Outcome::Skipped, Some("missing_or_unparsed"))
    );
    assert!(p.problems.contains(&Problem::UnparsedCells));
}

#[test]
fn legacy_and_non_reports_have_no_cells() {
    let legacy = "某市2016年政府信息公开工作年度报告\n一、概述\n根据《政府信息公开条例》(国务院令第492号)...\n二、主动公开政府信息情况\n全年主动公开信息1200条。\n行政许可 12\n规范性文件 3\n三、依申请公开政府信息情况\n同意公开答复数12件,不同意公开答复数1件。\n";
    let p = process(legacy);
    assert_eq!(
        (p.info.form_version, p.status()),
        (Some(FormVersion::Legacy), Status::NoTables)
    );
    assert!(p.cells.is_empty() && p.checks.is_empty());
    let letter = "关于报送2021年度工作总结的函\n各科室:请于1月10日前报送。\n";
    let p = process(letter);
    assert_eq!(
        (p.info.form_version, p.status()),
        (Some(FormVersion::Unknown), Status::NoTables)
    );
    assert!(p.problems.contains(&Problem::NoReportTables));
}
