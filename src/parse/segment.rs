//! Layout detection, tokenization into cells, and the location of sections 二, 三, 四.
//!
//! Every layout becomes one stream of [`TCell`]s. Where a layout tells where a table row ends
//! (a row per line with `|`, tab cells with blank lines between rows, HTML), cells carry a real
//! row id (`delimited`); where it does not (a cell per line ending in `|`, bare lines), each
//! cell stands alone and the extractor aligns by labels and counts instead.

use crate::forms::{canonical, SectionHeading, FORMS};
use crate::model::{Section, TCell};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    PipeCells,
    PipeRows,
    Markdown,
    TabCells,
    BareLines,
    Html,
    /// Page text with the tags stripped: a row's cells run together (`parse::glued`).
    Glued,
    /// Text that `pdftotext` made of a PDF (its pages end in a form feed), read as bare lines
    /// whose blank lines separate text blocks.
    PdfText,
}

impl Layout {
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::PipeCells => "pipe_cells",
            Layout::PipeRows => "pipe_rows",
            Layout::Markdown => "markdown",
            Layout::TabCells => "tab_cells",
            Layout::BareLines => "bare_lines",
            Layout::Html => "html",
            Layout::Glued => "glued",
            Layout::PdfText => "pdftotext",
        }
    }
}

/// Pick the layout from the shape of the lines.
pub fn detect_layout(text: &str) -> Layout {
    let (mut pipe, mut multi, mut leading, mut tab, mut md_sep) =
        (0usize, 0usize, 0usize, 0usize, 0usize);
    for line in text.lines() {
        let t = line.trim();
        if line.starts_with('\t') {
            tab += 1;
        }
        if t.contains('|') {
            pipe += 1;
            if t.starts_with('|') {
                leading += 1;
            }
            // A row per line has several `|` on a line of text, even when most of its cells are
            // empty; a cell per line has one, or a line of nothing but `|` (row padding).
            if t.matches('|').count() >= 2 && !t.bytes().all(|b| b == b'|') {
                multi += 1;
            }
            if t.len() >= 3
                && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
                && t.contains("---")
            {
                md_sep += 1;
            }
        }
    }
    if md_sep > 0 && leading * 2 >= pipe {
        Layout::Markdown
    } else if pipe >= 10 && pipe >= tab {
        if multi * 2 >= pipe {
            Layout::PipeRows
        } else {
            Layout::PipeCells
        }
    } else if tab >= 10 {
        Layout::TabCells
    } else {
        Layout::BareLines
    }
}

pub fn tokenize(text: &str, layout: Layout) -> Vec<TCell> {
    match layout {
        Layout::Html => crate::read::html::read(text),
        // Glued text has no cell boundaries to tokenize; `glued` reads it as a whole.
        Layout::Glued => Vec::new(),
        Layout::TabCells => tokenize_tabs(text),
        Layout::PipeCells | Layout::PipeRows | Layout::Markdown => tokenize_pipes(text, layout),
        Layout::BareLines | Layout::PdfText => {
            // pdftotext separates text blocks by blank lines and puts a block's lines one after
            // another: lines of one block share a row id, so that two numbers of one block are
            // never taken for two cells. Elsewhere a line is a row.
            let blocks = layout == Layout::PdfText;
            let mut block = 0;
            let mut out = Vec::new();
            for (i, l) in text.lines().enumerate() {
                if l.trim().is_empty() {
                    block += 1;
                    continue;
                }
                out.push(TCell {
                    text: l.trim().to_string(),
                    line: i as u32 + 1,
                    row: if blocks { block } else { i as u32 + 1 },
                    delimited: false,
                    pad: false,
                });
            }
            out
        }
    }
}

/// `|` terminates a cell: `a |` is one cell, `||` two empty ones, `a | b |` two cells.
fn tokenize_pipes(text: &str, layout: Layout) -> Vec<TCell> {
    let mut out = Vec::new();
    let delimited = layout != Layout::PipeCells;
    for (i, line) in text.lines().enumerate() {
        let (no, row) = (i as u32 + 1, i as u32 + 1);
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if !t.contains('|') {
            out.push(TCell {
                text: t.to_string(),
                line: no,
                row,
                delimited: true,
                pad: false,
            });
            continue;
        }
        if layout == Layout::Markdown
            && t.contains('-')
            && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
        {
            continue;
        }
        let pad = layout == Layout::PipeCells && t.len() >= 2 && t.bytes().all(|b| b == b'|');
        let mut pieces: Vec<&str> = t.split('|').collect();
        if t.ends_with('|') {
            pieces.pop();
        }
        if layout == Layout::Markdown && t.starts_with('|') && !pieces.is_empty() {
            pieces.remove(0);
        }
        for p in pieces {
            let text = if layout == Layout::Markdown && p.contains("<br") {
                join_line_breaks(p.trim())
            } else {
                p.trim().to_string()
            };
            out.push(TCell {
                text,
                line: no,
                row,
                delimited,
                pad,
            });
        }
    }
    out
}

/// A markdown cell's `<br>` (a line break inside the cell, as PDF→markdown tools write a
/// wrapped label): nothing between Chinese, a space otherwise, so that two numbers never become
/// one.
fn join_line_breaks(cell: &str) -> String {
    let mut out = String::new();
    for (i, piece) in cell
        .split("<br>")
        .flat_map(|p| p.split("<br/>"))
        .flat_map(|p| p.split("<br />"))
        .enumerate()
    {
        let piece = piece.trim();
        let cjk = |c: char| c > '\u{2e80}';
        if i > 0 {
            match (out.chars().last(), piece.chars().next()) {
                (Some(a), Some(b)) if !cjk(a) && !cjk(b) => out.push(' '),
                _ => {}
            }
        }
        out.push_str(piece);
    }
    out
}

/// Word extraction: a line starting with a tab starts a cell, an untabbed line right after it
/// continues that cell (labels split one character per line), a blank line ends the row.
fn tokenize_tabs(text: &str) -> Vec<TCell> {
    let mut out: Vec<TCell> = Vec::new();
    let mut row = 0u32;
    let mut in_row = false;
    for (i, line) in text.lines().enumerate() {
        let no = i as u32 + 1;
        if line.trim().is_empty() && !line.starts_with('\t') {
            in_row = false;
            continue;
        }
        if let Some(cell) = line.strip_prefix('\t') {
            if !in_row {
                row += 1;
                in_row = true;
            }
            out.push(TCell {
                text: cell.trim().to_string(),
                line: no,
                row,
                delimited: true,
                pad: false,
            });
        } else if in_row && !is_heading(&canonical(line)) {
            let last = out.last_mut().expect("in_row implies a cell");
            if last.text.is_empty() {
                last.line = no;
            }
            last.text.push_str(line.trim());
        } else {
            row += 1;
            in_row = false;
            out.push(TCell {
                text: line.trim().to_string(),
                line: no,
                row,
                delimited: true,
                pad: false,
            });
        }
    }
    out
}

fn heading_matches(canon: &str, h: &SectionHeading) -> bool {
    !crate::forms::has_chars(canon, 61)
        && canon
            .strip_prefix(h.numeral.as_str())
            .is_some_and(|r| r.starts_with('.') || r.starts_with(','))
        && h.words.iter().any(|w| canon.contains(w.as_str()))
}

fn is_heading(canon: &str) -> bool {
    let f = &*FORMS;
    [&f.heading_s2, &f.heading_s3, &f.heading_s4, &f.heading_end]
        .iter()
        .any(|h| heading_matches(canon, h))
}

/// Index ranges of the cells of each section, in document order. A missing heading falls back
/// to the section's table markers.
#[derive(Debug, Default, Clone)]
pub struct Sections {
    pub s2: Option<std::ops::Range<usize>>,
    pub s3: Option<std::ops::Range<usize>>,
    pub s4: Option<std::ops::Range<usize>>,
}

impl Sections {
    pub fn get(&self, s: Section) -> Option<std::ops::Range<usize>> {
        match s {
            Section::S2 => self.s2.clone(),
            Section::S3 => self.s3.clone(),
            Section::S4 => self.s4.clone(),
        }
    }
}

pub fn find_sections(cells: &[TCell]) -> Sections {
    let f = &*FORMS;
    // Only cells that start with a section numeral can be headings; canonicalise just those,
    // and the rest only if a heading is missing and its table markers are searched.
    let numerals: Vec<char> = [&f.heading_s2, &f.heading_s3, &f.heading_s4, &f.heading_end]
        .iter()
        .filter_map(|h| h.numeral.chars().next())
        .collect();
    let canon: Vec<String> = cells
        .iter()
        .map(|c| {
            if c.text.trim_start().starts_with(&numerals[..]) {
                canonical(&c.text)
            } else {
                String::new()
            }
        })
        .collect();
    let full = std::cell::OnceCell::new();
    let full_canon = || {
        full.get_or_init(|| {
            cells
                .iter()
                .map(|c| canonical(&c.text))
                .collect::<Vec<String>>()
        })
    };
    let find = |h: &SectionHeading, from: usize| -> Option<usize> {
        (from..cells.len())
            .find(|&i| heading_matches(&canon[i], h))
            .or_else(|| {
                (from..cells.len())
                    .find(|&i| {
                        h.markers
                            .iter()
                            .any(|m| full_canon()[i].contains(m.as_str()))
                    })
                    .map(|i| i.saturating_sub(1).max(from))
            })
    };
    let h2 = find(&f.heading_s2, 0);
    let h3 = find(&f.heading_s3, h2.map_or(0, |i| i + 1));
    let h4 = find(&f.heading_s4, h3.or(h2).map_or(0, |i| i + 1));
    let end = find(&f.heading_end, h4.or(h3).or(h2).map_or(0, |i| i + 1)).unwrap_or(cells.len());
    let starts = [h2, h3, h4];
    let range = |k: usize| -> Option<std::ops::Range<usize>> {
        let start = starts[k]? + 1;
        let stop = starts[k + 1..]
            .iter()
            .flatten()
            .next()
            .copied()
            .unwrap_or(end)
            .max(start);
        Some(start..stop.min(cells.len()).max(start))
    };
    Sections {
        s2: range(0),
        s3: range(1),
        s4: range(2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_layouts() {
        let cells = "规章 |\n0 |\n0 |\n0 |\n|\n".repeat(5);
        assert_eq!(detect_layout(&cells), Layout::PipeCells);
        let rows = "规章 | 0 | 0 | 0 |\n".repeat(12);
        assert_eq!(detect_layout(&rows), Layout::PipeRows);
        // Zeros printed as empty cells: most lines have one non-empty cell, still rows.
        let sparse = format!("{}{}", "规章 |  |  |  |\n".repeat(10), " |  | 2 |  | 2 |\n");
        assert_eq!(detect_layout(&sparse), Layout::PipeRows);
        let md = format!("| a | b |\n|---|---|\n{}", "| 规章 | 0 |\n".repeat(12));
        assert_eq!(detect_layout(&md), Layout::Markdown);
        assert_eq!(
            join_line_breaks("1.申请人无正当理由逾期不补<br>正、行政机关"),
            "1.申请人无正当理由逾期不补正、行政机关"
        );
        assert_eq!(join_line_breaks("12<br>3"), "12 3");
        let tabs = "\t规章\n\t1\n\n".repeat(6);
        assert_eq!(detect_layout(&tabs), Layout::TabCells);
        assert_eq!(detect_layout("规章\n0\n"), Layout::BareLines);
    }

    #[test]
    fn pipe_cells_count_empty_cells() {
        let t: Vec<String> = tokenize_pipes("规章 |\n0 |\n||\n", Layout::PipeCells)
            .into_iter()
            .map(|c| c.text)
            .collect();
        assert_eq!(t, vec!["规章", "0", "", ""]);
    }

    #[test]
    fn tab_cells_join_vertical_labels() {
        let toks = tokenize_tabs("\t三\n、\n本\n\t（一）予以公开\n\t 4\n\n\t规章\n");
        let t: Vec<(&str, u32)> = toks.iter().map(|c| (c.text.as_str(), c.row)).collect();
        assert_eq!(
            t,
            vec![("三、本", 1), ("（一）予以公开", 1), ("4", 1), ("规章", 2)]
        );
    }
}
