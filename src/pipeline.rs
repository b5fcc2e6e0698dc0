//! The pure heart: `process(path, bytes) -> Processed`. No I/O here.

use crate::check::{reconcile, validate};
use crate::meta::{self, region};
use crate::model::{FormVersion, Problem, Processed};
use crate::parse::segment::Layout;
use crate::parse::{extract, glued, normalize, pdftext, segment};
use crate::read::{decode, docx, pdf};

/// HTML, Word or text, by extension. Which files are read at all is the run's `include`
/// patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Text,
    Html,
    /// `.docx`, and `.doc` (a legacy binary file, or often a .docx or an HTML page renamed).
    Word,
    /// `.pdf`.
    Pdf,
}

pub fn file_kind(path: &str) -> FileKind {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" | "shtml" | "xhtml" => FileKind::Html,
        "docx" | "doc" => FileKind::Word,
        "pdf" => FileKind::Pdf,
        _ => FileKind::Text,
    }
}

/// Cells (lines, table cells) per document beyond which it is not a report.
pub const MAX_CELLS: usize = 200_000;

/// Share of U+FFFD above which the text is not trusted at all.
const MAX_REPLACED_RATIO: f64 = 0.05;

/// Everything gongkai learns from one input file's bytes.
pub fn process(path: &str, bytes: &[u8]) -> Processed {
    let kind = file_kind(path);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Processed::failed(Problem::EmptyFile);
    }
    // A Word or PDF file is read into HTML; a `.doc` that is a page saved under that name is
    // read as one.
    let (converted, pages) = match as_html(kind, path, bytes) {
        Ok(c) => c,
        Err((problem, pages)) => {
            let mut p = Processed::failed(problem);
            p.info.pages = pages;
            return p;
        }
    };
    let mut from = converted.as_ref().map(|(from, _)| *from);
    let bytes = converted
        .as_ref()
        .map_or(bytes, |(_, html)| html.as_bytes());
    let mut kind = if from.is_some() { FileKind::Html } else { kind };
    if looks_binary(bytes) {
        return Processed::failed(Problem::BinaryContent);
    }
    let mut decoded = decode::decode(bytes, kind == FileKind::Html);
    // Text that `pdftotext -layout` made: its tables are read from where their cells stand.
    if kind == FileKind::Text && pdftext::is_layout(&decoded.text) {
        decoded.text = pdftext::to_html(&decoded.text).into();
        kind = FileKind::Html;
        from = Some("pdftotext_layout");
    }
    let mut p = Processed::default();
    p.info.encoding = Some(decoded.encoding);
    p.info.pages = pages;
    if decoded.replaced > 0
        && decoded.replaced as f64 / decoded.text.chars().count().max(1) as f64 > MAX_REPLACED_RATIO
    {
        p.add(Problem::Undecodable);
        return p;
    }
    if decoded.replaced > 0 {
        p.add(Problem::DecodeReplaced);
    }

    let (text, script) = normalize::normalize(&decoded.text);
    p.info.script = Some(script.as_str());
    let layout = if kind == FileKind::Html || crate::read::html::has_tables(&text) {
        Layout::Html
    } else {
        match segment::detect_layout(&text) {
            // pdftotext ends each page with a form feed (normalization folds it away).
            Layout::BareLines if decoded.text.contains('\x0c') => Layout::PdfText,
            other => other,
        }
    };
    let cells = segment::tokenize(&text, layout);
    // Real reports have a few thousand cells; a bound keeps every later step bounded too.
    if cells.len() > MAX_CELLS {
        p.add(Problem::TooComplex);
        return p;
    }
    let sections = segment::find_sections(&cells);
    let mut extracted = extract::extract(&cells, &sections);
    if layout == Layout::PdfText {
        extract::require_full_rows(&mut extracted);
    }
    // Page text with the tags stripped: the layout readers find labels but no number in them;
    // the glued reader reads the running text as a whole.
    let glued =
        (layout != Layout::Html && glued::nothing_found(&extracted) && glued::looks_glued(&text))
            .then(|| glued::read(&text))
            .flatten();
    let (layout, extracted) = match &glued {
        Some(g) => {
            for prob in &g.problems {
                p.add(*prob);
            }
            (Layout::Glued, g.extracted())
        }
        None => {
            if extract::any_in_doubt(&extracted) {
                p.add(Problem::MisalignedRow);
            }
            (layout, extracted)
        }
    };

    // Who and when, read from the text (tags stripped for HTML).
    let plain: String;
    let meta_text = if layout == Layout::Html {
        plain = cells
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        &plain
    } else {
        &text
    };
    let m = meta::meta(meta_text);
    let (region, region_problem) = region::resolve(m.agency.as_deref(), m.year, meta_text);
    p.info.year = m.year;
    p.info.agency = m.agency;
    p.info.province = region.province;
    p.info.prefecture = region.prefecture;
    p.info.county = region.county;
    p.info.region_code = region.code;
    for prob in m.problems.into_iter().chain(region_problem) {
        p.add(prob);
    }

    let legacy_report = reconcile::is_legacy(&text);
    if legacy_report || !reconcile::found_any(&extracted) {
        let legacy = legacy_report
            || reconcile::has_legacy_markers(&text)
            || (p.info.year.is_some_and(|y| y <= 2018) && text.contains("政府信息公开"));
        p.info.form_version = Some(if legacy {
            FormVersion::Legacy
        } else {
            FormVersion::Unknown
        });
        p.add(if legacy {
            Problem::LegacyReport
        } else {
            Problem::NoReportTables
        });
        return p;
    }
    p.info.layout = Some(from.unwrap_or(layout.as_str()));
    let r = reconcile::reconcile(&extracted, &text);
    p.info.form_version = Some(r.form_version);
    for prob in r.problems {
        p.add(prob);
    }
    p.cells = r.cells;
    p.checks = validate::checks(&p.cells);
    if p.n_checks_failed() > 0 {
        p.add(Problem::ChecksFailed);
    }
    p.problems.sort();
    p
}

/// A document's text as [`process`] reads it before normalization (the benchmark's OpenCC
/// baseline runs over it): decoded, a Word or PDF file as its HTML, `pdftotext -layout` text
/// as the HTML its tables are rebuilt into.
pub fn decoded_text(path: &str, bytes: &[u8]) -> String {
    let kind = file_kind(path);
    let converted = as_html(kind, path, bytes).ok().and_then(|(c, _)| c);
    let bytes = converted.as_ref().map_or(bytes, |(_, h)| h.as_bytes());
    let d = decode::decode(bytes, kind != FileKind::Text);
    if converted.is_none() && pdftext::is_layout(&d.text) {
        pdftext::to_html(&d.text)
    } else {
        d.text.into_owned()
    }
}

/// A Word or PDF file as HTML with the layout it names (`docx`, `pdf`) and its pages; None for
/// a file that is text or HTML already.
#[allow(clippy::type_complexity)]
pub fn as_html(
    kind: FileKind,
    path: &str,
    bytes: &[u8],
) -> Result<(Option<(&'static str, String)>, Option<u32>), (Problem, Option<u32>)> {
    match kind {
        FileKind::Word
            if docx::is_zip(bytes)
                || docx::is_ole(bytes)
                || path.to_ascii_lowercase().ends_with(".docx") =>
        {
            let html = docx::to_html(bytes).map_err(|p| (p, None))?;
            Ok((Some(("docx", html)), None))
        }
        FileKind::Pdf => {
            let read = pdf::to_html(bytes).map_err(|f| (f.problem, f.pages))?;
            Ok((Some(("pdf", read.html)), Some(read.pages)))
        }
        _ => Ok((None, None)),
    }
}

/// NUL bytes where text has none (UTF-16 has them, but then on one parity and decodable).
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    if encoding_rs::Encoding::for_bom(head).is_some() {
        return false;
    }
    let nul = head.iter().filter(|&&b| b == 0).count();
    if nul == 0 {
        return false;
    }
    // BOM-less UTF-16: NULs only on one parity.
    let even = head.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = nul - even;
    even > 0 && odd > 0
}
