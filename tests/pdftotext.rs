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
