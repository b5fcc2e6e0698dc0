//! Every cell of every seed against a reviewed golden file, plus the values the issue names.

mod common;
use common::*;
use gongkai::model::{CellStatus, FormVersion, Problem, Status};

fn cell<'a>(
    p: &'a gongkai::model::Processed,
    section: &str,
    item: &str,
    metric: &str,
) -> &'a gongkai::model::Cell {
    p.cells
        .iter()
        .find(|c| c.section.as_str() == section && c.item == item && c.metric == metric)
        .unwrap_or_else(|| panic!("no cell {section} {item} {metric}"))
}

#[test]
fn seeds_match_golden_files() {
    for (name, bytes) in seeds() {
        let p = gongkai::process(&name, &bytes);
        assert_golden(&format!("{name}.golden"), &golden_text(&p));
    }
}

#[test]
fn seed_000_is_all_zeros() {
    let (n, b) = seed("000");
    let p = gongkai::process(&n, &b);
    assert_eq!(p.info.form_version, Some(FormVersion::V2019));
    assert_eq!(p.cells.len(), 198);
    assert!(p
        .cells
        .iter()
        .all(|c| c.status == CellStatus::Value && c.value == Some(0.0)));
    assert_eq!(p.status(), Status::Ok);
    assert!(p
        .checks
        .iter()
        .all(|c| c.outcome == gongkai::model::Outcome::Pass));
}

#[test]
fn seed_001_is_the_2021_form() {
    let (n, b) = seed("001");
    let p = gongkai::process(&n, &b);
    assert_eq!(p.info.form_version, Some(FormVersion::V2021));
    assert_eq!(cell(&p, "s2", "penalty", "decisions").value, Some(2.0));
    assert_eq!(
        p.cells
            .iter()
            .filter(|c| c.status != CellStatus::Derived)
            .count(),
        200
    );
    assert_eq!(cell(&p, "s3", "other", "total").status, CellStatus::Derived);
    assert_eq!(cell(&p, "s3", "other", "total").value, Some(0.0));
    assert_eq!(p.status(), Status::Ok);
}

#[test]
fn seed_002_tab_layout_keeps_blanks_blank() {
    let (n, b) = seed("002");
    let p = gongkai::process(&n, &b);
    assert_eq!(p.info.layout, Some("tab_cells"));
    for m in ["issued", "published", "total_public"] {
        assert_eq!(cell(&p, "s2", "regulations", m).status, CellStatus::Blank);
        assert_eq!(cell(&p, "s2", "regulations", m).value, None);
    }
    let v = |i, m| cell(&p, "s2", i, m).value;
    assert_eq!(
        [
            v("normative_docs", "issued"),
            v("normative_docs", "published"),
            v("normative_docs", "total_public")
        ],
        [Some(12.0), Some(12.0), Some(24.0)]
    );
    assert_eq!(
        [
            v("licensing", "prev_items"),
            v("licensing", "change"),
            v("licensing", "decisions")
        ],
        [Some(244.0), Some(-1.0), Some(22446.0)]
    );
    assert_eq!(v("procurement", "items"), Some(31.0));
    let amount = cell(&p, "s2", "procurement", "amount");
    assert_eq!(
        (amount.value, amount.raw.as_deref(), amount.unit.as_str()),
        (Some(6181.0), Some("6181万元"), "10k_yuan")
    );
    assert_eq!(cell(&p, "s3", "new", "natural_person").value, Some(4.0));
    assert_eq!(
        cell(&p, "s3", "new", "commercial").status,
        CellStatus::Blank
    );
    assert!(p
        .cells
        .iter()
        .filter(|c| c.section.as_str() == "s4")
        .all(|c| c.status == CellStatus::Blank));
}

#[test]
fn seed_003_lost_values_are_missing_not_zero() {
    let (n, b) = seed("003");
    let p = gongkai::process(&n, &b);
    assert_eq!(p.info.script, Some("traditional"));
    assert_eq!(p.info.form_version, Some(FormVersion::V2021));
    assert!(
        p.cells.iter().all(|c| c.value.is_none()),
        "no number may be invented"
    );
    // 規章 is followed by a single 0 for three columns: the cells are there, which one holds
    // the 0 is unknowable (unparsed, misaligned_row); every other cell is absent (missing).
    for c in p.cells.iter().filter(|c| c.status != CellStatus::Derived) {
        let expected = if c.item == "regulations" {
            CellStatus::Unparsed
        } else {
            CellStatus::Missing
        };
        assert_eq!(c.status, expected, "{} {}", c.item, c.metric);
    }
    assert_eq!(p.status(), Status::Partial);
    assert!(p.problems.contains(&Problem::MisalignedRow));
}

#[test]
fn seed_004_inconsistencies_are_kept_and_flagged() {
    let (n, b) = seed("004");
    let p = gongkai::process(&n, &b);
    assert_eq!(cell(&p, "s3", "granted", "total").value, Some(15.0));
    assert_eq!(cell(&p, "s3", "granted", "natural_person").value, Some(0.0));
    assert_eq!(
        cell(&p, "s3", "granted", "other_org").status,
        CellStatus::Blank
    );
    assert_eq!(
        cell(&p, "s4", "all", "litigation_direct.upheld").value,
        Some(2.0)
    );
    assert_eq!(
        cell(&p, "s4", "all", "litigation_direct.total").value,
        Some(0.0)
    );
    assert_eq!(
        cell(&p, "s2", "procurement", "amount").value,
        Some(8827.8344)
    );
    let failed = p.failed_checks();
    assert!(failed.contains(&"s3.row_sum:granted"), "{failed:?}");
    assert!(
        failed.contains(&"s4.group_sum:litigation_direct"),
        "{failed:?}"
    );
    assert_eq!(p.n_checks_failed(), failed.len());
}

#[test]
fn seeds_000_to_002_pass_every_check() {
    for prefix in ["000", "001", "002"] {
        let (n, b) = seed(prefix);
        let p = gongkai::process(&n, &b);
        let bad: Vec<_> = p
            .checks
            .iter()
            .filter(|c| c.outcome != gongkai::model::Outcome::Pass)
            .collect();
        assert!(bad.is_empty(), "{n}: {bad:?}");
    }
}
