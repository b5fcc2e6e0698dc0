//! Text that poppler's `pdftotext` made of LibreOffice PDFs of generated reports
//! (`scripts/make-word-fixtures.sh`), with `-layout` (layout `pdftotext_layout`, tables rebuilt
//! from the character columns) and without (`pdftotext`). Neither is read completely (labels
//! wrapped around their numbers, narrow columns wrapping numbers onto several lines, cells out
//! of order), but no number may come out wrong: digits apart are separate cells, never one
//! number (`27 0 0 0 0 0 27` once became 270000027); what cannot be placed is NULL. Who and when
//! come out right (`2020 年` with spaces). `tests/pdf.rs` scores 600 more of each.

mod common;
use common::*;

#[test]
fn pdftotext_output_gives_no_wrong_number() {
    let mut n = 0;
    for suffix in [".layout.txt", ".plain.txt"] {
        for (t, p, score) in scored_fixtures("pdftotext", suffix) {
            assert_eq!((score.wrong, score.invented), (0, 0), "{}", t.path);
            assert_year_and_agency(&t, &p);
            let layout = if suffix == ".layout.txt" {
                "pdftotext_layout"
            } else {
                "pdftotext"
            };
            assert_eq!(p.info.layout, Some(layout), "{}", t.path);
            n += 1;
        }
    }
    assert_eq!(n, 30);
}

fn cell<'a>(
    p: &'a gongkai::model::Processed,
    item: &str,
    metric: &str,
) -> &'a gongkai::model::Cell {
    p.cells
        .iter()
        .find(|c| c.section.as_str() == "s3" && c.item == item && c.metric == metric)
        .unwrap_or_else(|| panic!("s3 {item} {metric}"))
}

/// `pdftotext -layout` of a LibreOffice PDF of a report whose zero cells are printed empty
/// (report `lo/003118` of `tests/fixtures/pdf.tar.zst`): each row's numbers stand on its
/// label's line (`一、本 12 1 1 14`), but the text keeps no trace of the empty cells, so which
/// applicant columns the parts fill is not known (the form's sums hold for many placements).
/// The last number is the row's 总计 whatever the placement.
#[test]
fn empty_cells_leave_the_parts_in_doubt_but_not_the_totals() {
    let text = include_bytes!("fixtures/pdftotext/empty-cells.layout.txt");
    let p = gongkai::process("r.layout.txt", text);
    // The rows as the text prints them: `一、本 12 1 1 14`, `4.保护 3 1 4`, `1.本机 8 8`,
    // `3.要求 1 1`, `（七） 12 1 13`, `四、结 1 1`.
    for (item, total) in [
        ("new", 14.0),
        ("denied.third_party", 4.0),
        ("unavailable.not_held", 8.0),
        ("not_processed.publication", 1.0),
        ("total", 13.0),
        ("carried_forward", 1.0),
    ] {
        assert_eq!(cell(&p, item, "total").value, Some(total), "{item}");
        assert_eq!(cell(&p, item, "natural_person").value, None, "{item}");
        assert_eq!(
            cell(&p, item, "natural_person").status.as_str(),
            "unparsed",
            "{item}"
        );
    }
    // A row printed with no number at all is blank.
    assert_eq!(cell(&p, "carried_over", "total").status.as_str(), "blank");
    // Section 四 prints `3 2 5 3 3 1 1` for fifteen cells: only 3 + 2 = 5, 3 = 3, 1 = 1 keeps
    // the three group sums, so the groups' totals are 5, 3 and 1; their parts' places are open.
    let s4 = |metric: &str| {
        p.cells
            .iter()
            .find(|c| c.section.as_str() == "s4" && c.metric == metric)
            .unwrap_or_else(|| panic!("s4 {metric}"))
            .value
    };
    assert_eq!(s4("review.total"), Some(5.0));
    assert_eq!(s4("litigation_direct.total"), Some(3.0));
    assert_eq!(s4("litigation_after_review.total"), Some(1.0));
    assert_eq!(s4("review.upheld"), None);
    assert!(p.problems.iter().any(|x| x.code() == "misaligned_row"));
}

/// The same report as PyMuPDF4LLM's markdown: row 一's numbers (`# 12 1 1 14`) come after row
/// 二's label and the group label `三、`, so the reader cannot tell whose they are. Nothing of
/// them may be settled a cell at a time as row 二's (its total is printed empty).
#[test]
fn numbers_that_follow_other_words_settle_no_cell_alone() {
    let text = include_bytes!("fixtures/pdftotext/empty-cells.pymupdf4llm.md");
    let p = gongkai::process("r.md", text);
    assert_eq!(cell(&p, "carried_over", "total").value, None);
    assert_eq!(cell(&p, "new", "total").value, None);
}

/// The same text with a number more under row `3.要求` (`1 1`), as when the head of the next
/// row's number wraps above that row's label, and the totals changed so that every sum holds
/// with it: `1 1 2` adds up (1 + 1 = 2), but numbers from two lines may be two rows', so the
/// row is written only if the sums settle all of it (they do not: its part's column is open).
#[test]
fn a_row_whose_numbers_span_lines_settles_no_cell_alone() {
    let text = std::str::from_utf8(include_bytes!("fixtures/pdftotext/empty-cells.layout.txt"))
        .unwrap()
        .replacen(
            "3.要求   1      1\n",
            "3.要求   1      1\n                    2\n",
            1,
        )
        .replacen(
            " 12    1                          13",
            " 12    1            1             14",
            1,
        )
        .replacen("                          1       1\n", "\n", 1);
    let p = gongkai::process("r.layout.txt", text.as_bytes());
    assert_eq!(cell(&p, "not_processed.publication", "total").value, None);
    assert_eq!(cell(&p, "denied.third_party", "total").value, Some(4.0));
}
