//! Text that poppler's `pdftotext` made of LibreOffice PDFs of generated reports
//! (`scripts/make-word-fixtures.sh`), with `-layout` and without. gongkai does not read these
//! layouts well yet (labels wrapped over lines, cells out of order, a cell's lines split), but it
//! must never turn them into a wrong number: digits apart are separate cells, never one number
//! (`27 0 0 0 0 0 27` once became 270000027); what cannot be placed is NULL. Who and when come
//! out right (`2020 年` with spaces).

mod common;
use common::*;

#[test]
fn pdftotext_output_gives_no_wrong_number() {
    let mut n = 0;
    for suffix in [".layout.txt", ".plain.txt"] {
        for (t, p, score) in scored_fixtures("pdftotext", suffix) {
            assert_eq!((score.wrong, score.invented), (0, 0), "{}", t.path);
            assert_eq!(p.info.year, Some(t.year), "{}", t.path);
            assert_eq!(
                p.info.agency.as_deref(),
                Some(t.agency.as_str()),
                "{}",
                t.path
            );
            assert_eq!(p.info.layout, Some("pdftotext"), "{}", t.path);
            n += 1;
        }
    }
    assert_eq!(n, 30);
}
