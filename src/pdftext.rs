//! Text that poppler's `pdftotext -layout` made of a PDF: columns kept apart by runs of
//! spaces, a page per form feed. Each line is cut into fragments where two or more spaces
//! stand (or one space beside a number: `一、本 25`), each at its character column, and read
//! like a PDF page's text without rules ([`crate::pdf::aligned_blocks`]): tables rebuilt from
//! where their cells stand, into the HTML the table reader knows.

use crate::pdf::{self, Block, TableCell};

/// Whether text is `pdftotext -layout` output: form feeds between pages, and lines whose words
/// stand in columns (two or more spaces apart): one in twenty or more (13–29% in the fixtures;
/// plain pdftotext has none).
pub fn is_layout(text: &str) -> bool {
    if !text.contains('\x0c') {
        return false;
    }
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let columned = lines.iter().filter(|l| l.trim().contains("  ")).count();
    lines.len() >= 10 && columned >= 3 && columned * 20 >= lines.len()
}

/// A line's fragments, at their character columns.
fn fragments(line: &str) -> Vec<TableCell> {
    let chars: Vec<char> = line.chars().collect();
    // Words with their start and end columns.
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        if chars[k].is_whitespace() {
            k += 1;
            continue;
        }
        let start = k;
        while k < chars.len() && !chars[k].is_whitespace() {
            k += 1;
        }
        words.push((start, k));
    }
    let text = |(a, b): (usize, usize)| chars[a..b].iter().collect::<String>();
    // Columns: two spaces apart somewhere, or nothing but numbers (`９ １`, the ends of
    // numbers wrapped in their cells).
    let columned = words.windows(2).any(|w| w[1].0 - w[0].1 >= 2)
        || (words.len() > 1 && words.iter().all(|&w| pdf::is_value(&text(w))));
    let mut out: Vec<TableCell> = Vec::new();
    for &w in &words {
        let t = text(w);
        let joins = match (out.last(), columned) {
            (None, _) => false,
            (Some(_), false) => true,
            (Some(prev), true) => {
                w.0 - prev.x1 as usize == 1 && !pdf::is_value(&prev.text) && !pdf::is_value(&t)
            }
        };
        if joins {
            let prev = out.last_mut().expect("checked");
            prev.text.push(' ');
            prev.text.push_str(&t);
            prev.x1 = w.1 as f32;
        } else {
            out.push(TableCell {
                x0: w.0 as f32,
                x1: w.1 as f32,
                text: t,
            });
        }
    }
    out
}

/// A number as a cell gives it: blank is 0 here (for the sum only), anything else unknown.
fn number(text: &str) -> Option<f64> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        return Some(0.0);
    }
    let folded = crate::normalize::fold_width(&t);
    folded.replace(',', "").parse().ok()
}

/// A row rebuilt from text columns is only as good as the columns: pdftotext now and then
/// prints a cell's number at another cell's place (a line's numbers out of order, a number
/// beside the wrong column). A row of section 三 (seven cells) or 四 (fifteen) whose own sums do
/// not hold is therefore in doubt here (its numbers together in one cell, NULL downstream):
/// from this text a misreading cannot be told from a report's own error. Rows that hold are
/// kept as read.
fn doubt_unless_it_adds_up(row: &mut Vec<TableCell>) {
    let first = row
        .iter()
        .position(|c| pdf::is_value(&c.text) || c.text.trim().is_empty());
    let Some(first) = first else { return };
    let values: Vec<Option<f64>> = row[first..].iter().map(|c| number(&c.text)).collect();
    if values.iter().any(|v| v.is_none()) {
        return;
    }
    let v: Vec<f64> = values.into_iter().flatten().collect();
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
    let holds = match v.len() {
        7 => close(v[..6].iter().sum(), v[6]),
        15 => (0..3).all(|g| close(v[5 * g..5 * g + 4].iter().sum(), v[5 * g + 4])),
        _ => true,
    };
    if !holds {
        let text = row[first..]
            .iter()
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let (x0, x1) = (row[first].x0, row[row.len() - 1].x1);
        row.truncate(first);
        row.push(TableCell { x0, x1, text });
    }
}

/// The text as HTML: tables rebuilt, other lines as paragraphs, page numbers left out.
pub fn to_html(text: &str) -> String {
    // Page by page; a page number is the first or last line of its page.
    let mut lines: Vec<Vec<TableCell>> = Vec::new();
    for page in text.split('\x0c') {
        let page: Vec<&str> = page.split('\n').collect();
        let filled: Vec<usize> = (0..page.len())
            .filter(|&k| !page[k].trim().is_empty())
            .collect();
        let ends = [filled.first().copied(), filled.last().copied()];
        for (k, l) in page.iter().enumerate() {
            let mark = ends.contains(&Some(k)) && pdf::is_page_mark(l);
            lines.push(if mark { Vec::new() } else { fragments(l) });
        }
    }
    let mut blocks: Vec<Block> =
        pdf::aligned_blocks(lines, &pdf::names_label, false, &mut Vec::new())
            .into_iter()
            .map(|(_, b)| b)
            .collect();
    for block in &mut blocks {
        if let Block::Table(rows) = block {
            rows.iter_mut().for_each(doubt_unless_it_adds_up);
        }
    }
    let mut out = String::from("<html><head><meta charset=\"utf-8\"></head><body>\n");
    pdf::write_html(&blocks, &mut out);
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_split_at_column_gaps_and_beside_numbers() {
        let f = fragments("一、本 25   1     68");
        let t: Vec<&str> = f.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(t, ["一、本", "25", "1", "68"]);
        // Running text (no column gap) is one fragment, numbers and all.
        assert_eq!(fragments("2021 年,我单位主动公开政府信息 223 条").len(), 1);
    }

    #[test]
    fn a_row_wrapped_around_its_numbers_is_one_row() {
        let text = "\x0c三、收到和处理政府信息公开申请情况\n\n  3.危及\n  “三安\n       0   0   1   0    0    1   2\n  全一稳\n   定”\n\n  4.保护\n  第三方\n       0   0   3   0    45   0   48\n  合法权\n";
        let html = to_html(text);
        assert!(
            html.contains("<tr><td>3.危及“三安全一稳定”</td><td>0</td><td>0</td><td>1</td>"),
            "{html}"
        );
        assert!(
            html.contains(
                "<td>4.保护第三方合法权</td><td>0</td><td>0</td><td>3</td><td>0</td><td>45</td>"
            ),
            "{html}"
        );
    }
}
