//! Word reports (`.docx`): `word/document.xml` read into the small HTML that the table reader
//! already knows, so that a Word table's cells come out exactly as the same table's HTML cells:
//! a paragraph becomes `<p>`, a table row `<tr>`, a cell `<td>`; a cell that continues a
//! vertical merge (`w:vMerge` without `restart`) is the cell above it, as a rowspan is in HTML,
//! and is left out; a horizontal span (`w:gridSpan`) is one cell. Each paragraph and each table
//! row is one line of that HTML: `cells.line` counts them.
//!
//! Hostile files are bounded: the archive is read from memory, `document.xml` is inflated up to
//! [`MAX_XML_BYTES`] only (a zip bomb stops there), and the XML parser expands no entity that
//! the document defines.

use crate::model::Problem;
use quick_xml::events::{BytesStart, Event};
use std::io::Read;

/// `document.xml` larger than this is not read (`too_large`); real reports are 50–500 KB.
pub const MAX_XML_BYTES: u64 = 64 << 20;

/// Whether bytes are a zip archive (a .docx) rather than a legacy binary Word file.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Whether bytes are an OLE compound file: the legacy binary `.doc`.
pub fn is_ole(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

/// The document's body as HTML, or the problem that stops it.
pub fn to_html(bytes: &[u8]) -> Result<String, Problem> {
    if is_ole(bytes) {
        return Err(Problem::LegacyDoc);
    }
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| Problem::CorruptDocx)?;
    let entry = archive
        .by_name("word/document.xml")
        .map_err(|_| Problem::CorruptDocx)?;
    let mut xml = Vec::new();
    entry
        .take(MAX_XML_BYTES + 1)
        .read_to_end(&mut xml)
        .map_err(|_| Problem::CorruptDocx)?;
    if xml.len() as u64 > MAX_XML_BYTES {
        return Err(Problem::TooLarge);
    }
    let xml = String::from_utf8(xml).map_err(|_| Problem::CorruptDocx)?;
    body_html(&xml).ok_or(Problem::CorruptDocx)
}

/// The local name of an element (`w:tc` → `tc`).
fn local(e: &BytesStart) -> Vec<u8> {
    e.local_name().as_ref().to_vec()
}

/// The `w:val` attribute of an element.
fn val(e: &BytesStart) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == b"val")
        .and_then(|a| String::from_utf8(a.value.to_vec()).ok())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Joins two pieces of a cell's text (its paragraphs, line breaks): with nothing between
/// Chinese, with a space between anything else, so that two numbers never become one.
fn join(text: &mut String, piece: &str) {
    let is_cjk = |c: char| c > '\u{2e80}';
    if let (Some(a), Some(b)) = (text.chars().last(), piece.chars().next()) {
        if !is_cjk(a) && !is_cjk(b) {
            text.push(' ');
        }
    }
    text.push_str(piece);
}

/// The HTML of `document.xml`'s body; None when the XML is malformed.
fn body_html(xml: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut out = String::from("<html><head><meta charset=\"utf-8\"></head><body>\n");
    // Per open cell (nested tables nest cells): its text so far, and whether it continues a
    // vertical merge (left out).
    let mut cells: Vec<(String, bool)> = Vec::new();
    // The paragraph being read and whether we are inside `w:t`.
    let (mut para, mut in_text) = (String::new(), false);
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => match local(&e).as_slice() {
                b"tbl" => out.push_str("<table>\n"),
                b"tr" => out.push_str("<tr>"),
                b"tc" => cells.push((String::new(), false)),
                b"t" => in_text = true,
                b"vMerge" => {
                    if let Some(c) = cells.last_mut() {
                        c.1 = val(&e).as_deref() != Some("restart");
                    }
                }
                _ => {}
            },
            Event::Empty(e) => match local(&e).as_slice() {
                b"vMerge" => {
                    if let Some(c) = cells.last_mut() {
                        c.1 = val(&e).as_deref() != Some("restart");
                    }
                }
                b"tab" => para.push(' '),
                b"br" | b"cr" => {
                    if cells.is_empty() {
                        out.push_str(&format!("<p>{}</p>\n", escape(&para)));
                    } else if let Some(c) = cells.last_mut() {
                        join(&mut c.0, &para);
                    }
                    para.clear();
                }
                _ => {}
            },
            // `&amp;`, the other predefined entities and character references are resolved; an
            // entity the document defines itself is an error (never expanded).
            Event::Text(t) if in_text => para.push_str(&t.unescape().ok()?),
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"p" => {
                    match cells.last_mut() {
                        Some(c) => join(&mut c.0, &para),
                        None if !para.trim().is_empty() => {
                            out.push_str(&format!("<p>{}</p>\n", escape(para.trim())))
                        }
                        None => {}
                    }
                    para.clear();
                }
                b"tc" => {
                    let (text, continues) = cells.pop()?;
                    if !continues {
                        out.push_str(&format!("<td>{}</td>", escape(text.trim())));
                    }
                }
                b"tr" => out.push_str("</tr>\n"),
                b"tbl" => out.push_str("</table>\n"),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    out.push_str("</body></html>\n");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    #[test]
    fn merges_and_spans_give_logical_cells() {
        let xml = format!(
            r#"<w:document {W}><w:body><w:p><w:r><w:t>二、主动公开</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>三</w:t></w:r></w:p><w:p><w:r><w:t>、本年度</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>1</w:t></w:r><w:r><w:t>2</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>A &amp; B</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc></w:tr></w:tbl></w:body></w:document>"#
        );
        let html = body_html(&xml).unwrap();
        assert!(html.contains("<p>二、主动公开</p>"), "{html}");
        assert!(
            html.contains("<tr><td>三、本年度</td><td>12</td></tr>"),
            "{html}"
        );
        assert!(
            html.contains("<tr><td>A &amp; B</td><td></td></tr>"),
            "{html}"
        );
    }

    #[test]
    fn two_numbers_in_one_cell_stay_two() {
        let xml = format!(
            r#"<w:document {W}><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p><w:p><w:r><w:t>2</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#
        );
        assert!(body_html(&xml).unwrap().contains("<td>1 2</td>"));
    }

    #[test]
    fn hostile_archives_are_problems() {
        assert_eq!(to_html(b"PK\x03\x04garbage"), Err(Problem::CorruptDocx));
        assert_eq!(to_html(b"not a zip"), Err(Problem::CorruptDocx));
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
        assert_eq!(to_html(&ole), Err(Problem::LegacyDoc));
        assert_eq!(body_html("<w:document><w:body></w:document>"), None);
        // An entity the document defines is never expanded (no billion laughs).
        let lol = format!(
            r#"<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><w:document {W}><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>"#
        );
        assert!(!body_html(&lol).unwrap_or_default().contains("aaaa"));
    }
}
