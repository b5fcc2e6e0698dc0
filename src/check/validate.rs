//! The arithmetic the forms promise (forms.md §3), evaluated per document. Values are never
//! changed here: a sum that does not add up is kept as stated and reported.

use crate::forms::{CodeHasher, FORMS};
use crate::model::{Cell, CellStatus, Check, Outcome, Section};
use std::collections::HashMap;

const SKIP_MISSING: &str = "missing_or_unparsed";
const SKIP_TOTAL_BLANK: &str = "total_blank_parts_filled";

/// A cell's contribution to a sum: blank counts as 0, missing/unparsed make the check skip.
#[derive(Clone, Copy)]
enum Term {
    Num(f64),
    Blank,
    Unknown,
}

struct Grid<'a> {
    map: HashMap<(&'a str, &'a str), &'a Cell, CodeHasher>,
}

impl<'a> Grid<'a> {
    fn term(&self, item: &str, metric: &str) -> Term {
        match self.map.get(&(item, metric)) {
            Some(c) if c.status == CellStatus::Value => {
                c.value.map(Term::Num).unwrap_or(Term::Unknown)
            }
            Some(c) if c.status == CellStatus::Blank => Term::Blank,
            _ => Term::Unknown,
        }
    }
}

fn skipped(id: &'static str, reason: &'static str) -> Check {
    Check {
        check: id,
        expected: None,
        actual: None,
        reason: Some(reason),
        outcome: Outcome::Skipped,
    }
}

fn compared(id: &'static str, expected: f64, actual: f64) -> Check {
    let outcome = if (expected - actual).abs() < 1e-6 {
        Outcome::Pass
    } else {
        Outcome::Fail
    };
    Check {
        check: id,
        expected: Some(expected),
        actual: Some(actual),
        reason: None,
        outcome,
    }
}

fn num(t: &Term) -> f64 {
    if let Term::Num(v) = t {
        *v
    } else {
        0.0
    }
}

/// `expected` is the stated total; `actual` the sum of its stated parts.
fn sum_check(id: &'static str, total: Term, parts: &[Term], extra_skip: bool) -> Check {
    if matches!(total, Term::Unknown) || parts.iter().any(|p| matches!(p, Term::Unknown)) {
        return skipped(id, SKIP_MISSING);
    }
    let parts_filled = parts.iter().any(|p| num(p) != 0.0);
    // 上海2019 style: a blank total over filled parts means "not filled in", not 0 (forms.md §3).
    if (matches!(total, Term::Blank) && parts_filled) || extra_skip {
        return skipped(id, SKIP_TOTAL_BLANK);
    }
    compared(id, num(&total), parts.iter().map(num).sum())
}

pub fn checks(cells: &[Cell]) -> Vec<Check> {
    let f = &*FORMS;
    let mut out = Vec::new();
    let s3: Vec<&Cell> = cells
        .iter()
        .filter(|c| c.section == Section::S3 && c.status != CellStatus::Derived)
        .collect();
    if let Some(version) = s3.first().map(|c| c.form_version) {
        let grid = Grid {
            map: s3.iter().map(|c| ((c.item, c.metric), *c)).collect(),
        };
        let (total_col, applicant_cols) = f.s3_metrics.split_last().expect("s3 has metrics");
        // Cells come row by row, so consecutive runs give the rows in form order.
        let mut items: Vec<&str> = s3.iter().map(|c| c.item).collect();
        items.dedup();
        // 1. Row sums.
        let mut blank_row_total = false;
        for item in &items {
            let total = grid.term(item, total_col);
            let parts: Vec<Term> = applicant_cols.iter().map(|m| grid.term(item, m)).collect();
            let check = sum_check(f.check_id("s3.row_sum", item), total, &parts, false);
            if check.reason == Some(SKIP_TOTAL_BLANK) && item_is_result(item) {
                blank_row_total = true;
            }
            out.push(check);
        }
        // 2. Balance per column: new + carried_over = total + carried_forward.
        let result_rows = f.result_rows(version);
        for m in &f.s3_metrics {
            let lhs = [grid.term("new", m), grid.term("carried_over", m)];
            let rhs = [grid.term("total", m), grid.term("carried_forward", m)];
            out.push(balance_check(f.check_id("s3.balance", m), lhs, rhs));
        }
        // 3. (七)总计 = sum of the result rows, per column.
        for m in &f.s3_metrics {
            let parts: Vec<Term> = result_rows.iter().map(|r| grid.term(r, m)).collect();
            let extra = m == total_col && blank_row_total;
            out.push(sum_check(
                f.check_id("s3.result_sum", m),
                grid.term("total", m),
                &parts,
                extra,
            ));
        }
    }
    // Section 四: each group's four outcomes sum to its total.
    let s4: Vec<&Cell> = cells.iter().filter(|c| c.section == Section::S4).collect();
    if !s4.is_empty() {
        let grid = Grid {
            map: s4.iter().map(|c| ((c.item, c.metric), *c)).collect(),
        };
        // s4_metrics is groups × outcomes, the group total last.
        let per_group = f.s4_outcomes.len();
        for (g, metrics) in f.s4_groups.iter().zip(f.s4_metrics.chunks(per_group)) {
            let (total_metric, parts) = metrics.split_last().expect("s4 outcomes");
            let total = grid.term("all", total_metric);
            let parts: Vec<Term> = parts.iter().map(|m| grid.term("all", m)).collect();
            out.push(sum_check(
                f.check_id("s4.group_sum", g),
                total,
                &parts,
                false,
            ));
        }
    }
    out
}

fn item_is_result(item: &str) -> bool {
    let f = &*FORMS;
    f.s3_result_rows.contains(&item) || f.s3_other_parts.contains(&item)
}

fn balance_check(id: &'static str, lhs: [Term; 2], rhs: [Term; 2]) -> Check {
    if lhs.iter().chain(&rhs).any(|t| matches!(t, Term::Unknown)) {
        return skipped(id, SKIP_MISSING);
    }
    let expected = num(&lhs[0]) + num(&lhs[1]);
    // A blank (七)总计 while new/carried_over are filled is "not filled in" as well.
    if matches!(rhs[0], Term::Blank) && matches!(rhs[1], Term::Blank) && expected != 0.0 {
        return skipped(id, SKIP_TOTAL_BLANK);
    }
    compared(id, expected, num(&rhs[0]) + num(&rhs[1]))
}
