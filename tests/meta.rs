//! Who and when: year, agency and region of the seeds and of fixtures made from them.

mod common;
use common::*;
use gongkai::model::{FormVersion, Problem};

fn text(prefix: &str) -> String {
    String::from_utf8(seed(prefix).1).unwrap()
}

fn run(t: &str) -> gongkai::model::Processed {
    gongkai::process("fixture.txt", t.as_bytes())
}

#[test]
fn seeds_resolve_year_form_and_region() {
    let want = [
        (
            "000",
            2020,
            FormVersion::V2019,
            "360923",
            "上高县工业和信息化局",
        ),
        (
            "001",
            2021,
            FormVersion::V2021,
            "210900",
            "阜新市煤炭工业转型发展局",
        ),
        ("002", 2020, FormVersion::V2019, "610925", "岚皋县"),
        (
            "003",
            2024,
            FormVersion::V2021,
            "341821",
            "郎溪县科技工信局",
        ),
        (
            "004",
            2020,
            FormVersion::V2019,
            "610722",
            "城固县信息化工作办公室",
        ),
    ];
    for (prefix, year, form, code, agency) in want {
        let p = run(&text(prefix));
        assert_eq!(p.info.year, Some(year), "{prefix}");
        assert_eq!(p.info.form_version, Some(form), "{prefix}");
        assert_eq!(p.info.region_code.as_deref(), Some(code), "{prefix}");
        assert_eq!(p.info.agency.as_deref(), Some(agency), "{prefix}");
    }
}

#[test]
fn a_renamed_county_resolves_to_the_division_of_its_year() {
    let t = text("000")
        .replace("上高县工业和信息化局", "广德县财政局")
        .replace("上高县", "广德县")
        .replace(
            "2020年1月1日至2020年12月31日",
            "2019年1月1日至2019年12月31日",
        );
    let p = run(&t);
    assert_eq!(p.info.year, Some(2019));
    assert_eq!(
        (
            p.info.region_code.as_deref(),
            p.info.county.as_deref(),
            p.info.prefecture.as_deref()
        ),
        (Some("341822"), Some("广德县"), Some("宣城市"))
    );
}

#[test]
fn an_ambiguous_district_needs_a_clue_from_the_document() {
    let t = text("004")
        .replace("城固县", "朝阳区")
        .replace("城固", "朝阳");
    let p = run(&t);
    assert_eq!(p.info.agency.as_deref(), Some("朝阳区信息化工作办公室"));
    assert_eq!(p.info.region_code, None);
    assert!(p.problems.contains(&Problem::AmbiguousRegion));
    let with_clue = t.replace(
        "本报告通过朝阳区人民政府门户网站公布",
        "本报告通过北京市朝阳区人民政府门户网站公布",
    );
    let p = run(&with_clue);
    assert_eq!(
        (p.info.region_code.as_deref(), p.info.province.as_deref()),
        (Some("110105"), Some("北京市"))
    );
    assert!(!p.problems.contains(&Problem::AmbiguousRegion));
}

#[test]
fn page_chrome_does_not_name_the_author() {
    let t = format!("宜春市人民政府门户网站 主办单位:宜春市人民政府办公室 版权所有\n{}\n主办单位:江西省人民政府办公厅 赣ICP备05000001号", text("000"));
    let p = run(&t);
    assert_eq!(p.info.agency.as_deref(), Some("上高县工业和信息化局"));
    assert_eq!(p.info.region_code.as_deref(), Some("360923"));
    // Seed 001: the footer names 阜新市人民政府办公室; the author is the 来源.
    assert_eq!(
        run(&text("001")).info.agency.as_deref(),
        Some("阜新市煤炭工业转型发展局")
    );
}

#[test]
fn a_document_without_a_year_is_kept_with_a_problem() {
    let mut t = text("001");
    for y in 2000..2030 {
        t = t
            .replace(&format!("{y}年"), "本年")
            .replace(&format!("{y}-"), "");
    }
    let p = run(&t);
    assert_eq!(p.info.year, None);
    assert!(p.problems.contains(&Problem::NoYear));
    assert!(!p.cells.is_empty(), "the tables are still read");
}

#[test]
fn a_period_and_a_title_that_disagree_are_reported() {
    let t = text("002").replacen("岚皋县2020年度", "岚皋县2019年度", 1);
    let p = run(&t);
    assert_eq!(p.info.year, Some(2020), "the stated period wins");
    assert!(p.problems.contains(&Problem::YearConflict));
}
