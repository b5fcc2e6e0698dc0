//! Text that poppler's `pdftotext -layout` made of a PDF: columns kept apart by runs of
//! spaces, a page per form feed. Each line is cut into fragments where two or more spaces
//! stand (or one space beside a number: `一、本 25`), each at its character column, and read
//! like a PDF page's text without rules ([`crate::read::pdf::aligned_blocks`]): tables rebuilt from
//! where their cells stand, into the HTML the table reader knows.

use crate::forms::FORMS;
use crate::model::FormVersion;
use crate::model::TCell;
use crate::model::IN_DOUBT;
use crate::parse::segment;
use crate::read::pdf::{self, Block, TableCell};

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
    // Columns: two spaces apart somewhere, or numbers after the first word (`９ １`, the ends
    // of numbers wrapped in their cells; `政府集中采购 923 5636000元`, a row printed narrow).
    let columned = words.windows(2).any(|w| w[1].0 - w[0].1 >= 2)
        || (words.len() > 1 && words[1..].iter().all(|&w| pdf::is_value(&text(w))));
    let mut out: Vec<TableCell> = Vec::new();
    for &w in &words {
        let t = text(w);
        // A money unit printed apart from its amount (`2662700 元`) is the amount's.
        let unit = out.last().is_some_and(|prev| {
            pdf::is_value(&prev.text)
                && ["元", "万元", "萬元", "亿元", "億元"].contains(&t.as_str())
        });
        let joins = match (out.last(), columned) {
            (None, _) => false,
            (Some(_), false) => true,
            (Some(prev), true) => {
                w.0 - prev.x1 as usize == 1
                    && (unit || (!pdf::is_value(&prev.text) && !pdf::is_value(&t)))
            }
        };
        if joins {
            let prev = out.last_mut().expect("checked");
            if !unit {
                prev.text.push(' ');
            }
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
    let folded = crate::read::script::fold_width(&t);
    folded.replace(',', "").parse().ok()
}

/// How many of a row's sums fail: section 三's row (seven cells: six applicant columns and
/// the total) has one, section 四's (fifteen: three groups of four and their total) three.
/// The row's values start at its first number or empty cell; 0 for other rows.
fn failed_sums(row: &[TableCell]) -> usize {
    let first = row
        .iter()
        .position(|c| pdf::is_value(&c.text) || c.text.trim().is_empty());
    let Some(first) = first else { return 0 };
    let Some(v) = row[first..]
        .iter()
        .map(|c| number(&c.text))
        .collect::<Option<Vec<f64>>>()
    else {
        return 0;
    };
    let fails =
        |parts: &[f64], total: f64| ((parts.iter().sum::<f64>() - total).abs() > 1e-6) as usize;
    match v.len() {
        7 => fails(&v[..6], v[6]),
        15 => (0..3)
            .map(|g| fails(&v[5 * g..5 * g + 4], v[5 * g + 4]))
            .sum(),
        _ => 0,
    }
}

/// A row rebuilt from text columns is only as good as the columns: pdftotext now and then
/// prints a cell's number at another cell's place (a number beside the wrong column). A row of
/// section 三 (seven cells) or 四 (fifteen) whose own sums do not hold is therefore in doubt
/// here (its numbers together in one cell, NULL downstream): from where the text stands a
/// misreading cannot be told from a report's own error. Rows that hold are kept as read.
fn doubt_unless_it_adds_up(row: &mut Vec<TableCell>) {
    if failed_sums(row) == 0 {
        return;
    }
    let first = row
        .iter()
        .position(|c| pdf::is_value(&c.text) || c.text.trim().is_empty())
        .expect("a row with sums has values");
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

/// The line ranges of sections 三 and 四 (their headings excluded).
fn section_ranges(
    lines: &[Vec<TableCell>],
) -> (
    Option<std::ops::Range<usize>>,
    Option<std::ops::Range<usize>>,
) {
    // Headings are found as in every other layout: one cell per line, script and width
    // normalized (the text is read here before the document is normalized).
    let cells: Vec<TCell> = lines
        .iter()
        .enumerate()
        .map(|(k, l)| {
            let text = l
                .iter()
                .map(|c| c.text.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            TCell {
                text: crate::parse::normalize::normalize(&text).0,
                line: k as u32 + 1,
                row: k as u32,
                delimited: false,
                pad: false,
            }
        })
        .collect();
    let sections = segment::find_sections(&cells);
    (sections.s3, sections.s4)
}

/// A region's lines with the numbers wrapped in narrow cells joined again: a line that starts no
/// label (no enumerator) whose every number starts where a number of the line right above it
/// starts is those numbers' second lines (`８０` over `３` is 803). Rows of their own start with
/// their label's enumerator, and a row's cells stand side by side, so a number right under a
/// number on an unlabelled line continues it; the form's sums check what comes of it.
fn join_wrapped_numbers(lines: &[Vec<TableCell>]) -> Vec<Vec<TableCell>> {
    let mut out: Vec<Vec<TableCell>> = Vec::with_capacity(lines.len());
    for line in lines {
        let values: Vec<&TableCell> = line.iter().filter(|c| pdf::is_value(&c.text)).collect();
        let labelled = line
            .iter()
            .flat_map(|c| c.text.split_whitespace())
            .any(|w| enumerator(w).is_some());
        let above = out
            .last_mut()
            .filter(|a| a.iter().any(|c| pdf::is_value(&c.text)));
        if let (false, false, Some(above)) = (values.is_empty(), labelled, above) {
            let under: Option<Vec<usize>> = values
                .iter()
                .map(|v| {
                    above
                        .iter()
                        .position(|u| pdf::is_value(&u.text) && (u.x0 - v.x0).abs() <= 1.0)
                })
                .collect();
            if let Some(under) = under {
                for (v, k) in values.iter().zip(under) {
                    above[k].text.push_str(&v.text);
                }
                out.push(
                    line.iter()
                        .filter(|c| !pdf::is_value(&c.text))
                        .cloned()
                        .collect(),
                );
                continue;
            }
        }
        out.push(line.clone());
    }
    out
}

/// A region's words, top to bottom and left to right.
fn words(lines: &[Vec<TableCell>]) -> impl Iterator<Item = &str> {
    lines
        .iter()
        .flatten()
        .flat_map(|c| c.text.split_whitespace())
}

/// The numbers of a region, top to bottom and left to right, if every one is a count as the
/// forms print it (digits, no leading zero): anything else (a decimal, `00` where two cells ran
/// together, a number wrapped in its cell) and the region is not read by order.
fn counts_in_order(lines: &[Vec<TableCell>]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for token in words(lines).filter(|t| pdf::is_value(t)) {
        let folded = crate::read::script::fold_width(token);
        let digits = folded.bytes().all(|b| b.is_ascii_digit());
        if !digits || (folded.len() > 1 && folded.starts_with('0')) {
            return None;
        }
        out.push(token.to_string());
    }
    Some(out)
}

/// A row of a rebuilt table: its label, then its values.
fn row(label: &str, values: &[String]) -> Vec<TableCell> {
    std::iter::once(label)
        .chain(values.iter().map(String::as_str))
        .enumerate()
        .map(|(k, t)| TableCell {
            x0: k as f32,
            x1: k as f32 + 1.0,
            text: t.to_string(),
        })
        .collect()
}

/// Section 三 read by the form's order. In `-layout` text a row's seven numbers stand on its
/// label's middle line, or a line above or below it when the label wraps around them, always
/// below the row before and above the row after; labels wrap past recognition. So when the
/// section holds exactly seven numbers for each row of one form version (25 rows in 2021, 23 in
/// 2019: the two counts cannot be confused), the k-th seven are the k-th row's. A cell printed
/// empty leaves no number, so a report with one is never read this way; more than two rows
/// whose own sum fails means the numbers are not where this reading assumes, and nothing is
/// read. On the generated fixtures an exact count always meant the form's order
/// (`tests/pdf.rs`).
fn s3_by_form_order(lines: &[Vec<TableCell>]) -> Option<Vec<Vec<TableCell>>> {
    let f = &*FORMS;
    let numbers = counts_in_order(&join_wrapped_numbers(lines))?;
    let width = f.s3_metrics.len();
    let version = [FormVersion::V2021, FormVersion::V2019]
        .into_iter()
        .find(|&v| f.s3_data_rows(v).len() * width == numbers.len())?;
    let table: Vec<Vec<TableCell>> = f
        .s3_data_rows(version)
        .into_iter()
        .zip(numbers.chunks(width))
        .map(|(label, values)| row(label, values))
        .collect();
    // Every number in the form's order: a row whose sum fails is the report's own error (kept
    // as stated, flagged by the checks), unless so many fail that the order is in doubt.
    let failing: usize = table.iter().map(|r| failed_sums(r)).sum();
    (failing <= 2).then_some(table)
}

/// A fragment's enumerator (`一.`, `(三)`, `3.`) in canonical form, if it starts with one.
fn enumerator(word: &str) -> Option<String> {
    let canon = crate::forms::canonical(&crate::read::script::fold_width(word));
    let rest = crate::forms::strip_enumerator(&canon).len();
    (rest < canon.len()).then(|| canon[..canon.len() - rest].to_string())
}

/// Section 三 with empty cells, read by its labels' enumerators and the form's arithmetic. A
/// row's numbers stand on its label's first line (Word, top-aligned) or a line below it
/// (browsers, centred), above the next row's label: so every number belongs to the data row
/// whose enumerator came last. That holds only when every data row's enumerator is found, in
/// the form's order (a group label's may be cut apart: `三` over `、`); otherwise nothing is
/// read. Which of a row's cells its numbers fill, text columns cannot tell (positions drift
/// by a character or two); the form's sums do: the rows go to the glued reader
/// ([`crate::parse::glued`]), which writes a row only where exactly one placement keeps every row sum
/// and column identity, and leaves the rest in doubt.
fn s3_by_enumerators(
    lines: &[Vec<TableCell>],
    version: FormVersion,
) -> Option<Vec<Vec<TableCell>>> {
    let f = &*FORMS;
    // The form's rows of this version in order: enumerator, and whether it is a data row.
    let rows: Vec<(String, Option<&str>, bool)> = f
        .s3_rows_in(version)
        .filter_map(|(r, data)| {
            let label = r.labels[0].full.as_str();
            Some((enumerator(label)?, data.then_some(label), data))
        })
        .collect();
    let mut at: Option<usize> = None;
    let mut found = vec![false; rows.len()];
    let mut numbers: Vec<Vec<String>> = vec![Vec::new(); rows.len()];
    let lines = join_wrapped_numbers(lines);
    // Per row, whether its numbers stand on more than one line.
    let mut line_of: Vec<Option<usize>> = vec![None; rows.len()];
    let mut spread = vec![false; rows.len()];
    let words = lines.iter().enumerate().flat_map(|(n, l)| {
        l.iter()
            .flat_map(|c| c.text.split_whitespace())
            .map(move |w| (n, w))
    });
    for (n, word) in words {
        if pdf::is_value(word) {
            let k = at.filter(|&k| rows[k].2)?;
            numbers[k].push(crate::read::script::fold_width(word));
            spread[k] |= line_of[k].is_some_and(|m| m != n);
            line_of[k] = Some(n);
        } else if let Some(e) = enumerator(word) {
            // The next row with this enumerator, past group rows only.
            let mut k = at.map_or(0, |k| k + 1);
            while k < rows.len() && rows[k].0 != e && !rows[k].2 {
                k += 1;
            }
            if k < rows.len() && rows[k].0 == e {
                at = Some(k);
                found[k] = true;
            }
        }
    }
    if rows.iter().zip(&found).any(|(r, &f)| r.2 && !f) {
        return None;
    }
    let text: String = rows
        .iter()
        .zip(&numbers)
        .filter_map(|((_, label, _), n)| Some(format!("{}{}\n", (*label)?, n.join(" "))))
        .collect();
    let glued = crate::parse::glued::read(&text)?;
    let table = glued
        .s3_texts()
        .into_iter()
        .map(|(key, texts)| {
            let label = f.s3_rows[key].labels[0].full.as_str();
            let k = rows.iter().position(|r| r.1 == Some(label));
            // A row whose numbers stand on several lines may hold the head of the next row's
            // number wrapped above that row's label: written only when settled whole.
            let whole = |t: &Vec<&str>| !k.is_some_and(|k| spread[k]) || !t.contains(&IN_DOUBT);
            match texts.filter(whole) {
                Some(t) => row(label, &t.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
                // In doubt: the numbers together in one cell, which no reader takes apart.
                None => row(label, &[k.map_or(String::new(), |k| numbers[k].join(" "))]),
            }
        })
        .collect();
    Some(table)
}

/// Section 四 read by the form's order: exactly its fifteen numbers, one row under the
/// headers' last (what the section 四 reader takes as its values).
fn s4_by_form_order(lines: &[Vec<TableCell>]) -> Option<Vec<Vec<TableCell>>> {
    let f = &*FORMS;
    let lines = join_wrapped_numbers(lines);
    let header = row(&f.s4_headers.last()?.full, &[]);
    let values = match counts_in_order(&lines) {
        Some(numbers) if numbers.len() == f.s4_metrics.len() => {
            let mut values = row("", &numbers);
            values.remove(0);
            // As in section 三: one group's sum failing is the report's; more, and the order
            // is in doubt.
            (failed_sums(&values) <= 1).then_some(values)?
        }
        // Cells run together (`１００２３` where a narrow column's five cells touch), or fewer
        // numbers than cells (cells printed empty): placed by the group sums as the glued
        // reader places them, a cell at a time where only empty cells' places are open.
        _ => {
            let run: Vec<String> = words(&lines)
                .filter(|t| pdf::is_value(t))
                .map(crate::read::script::fold_width)
                .collect();
            // Fewer digits than cells: some were printed empty.
            let digits: usize = run
                .iter()
                .map(|t| t.bytes().filter(u8::is_ascii_digit).count())
                .sum();
            let blanks = digits < f.s4_metrics.len();
            if run.is_empty() {
                return None;
            }
            let cells = crate::parse::glued::split_s4(&run.join(" "), blanks)?;
            let mut values = row("", &cells);
            values.remove(0);
            values
        }
    };
    Some(vec![header, values])
}

/// A section's lines to its table rebuilt, if the reader settles it.
type TableReader<'a> = dyn Fn(&[Vec<TableCell>]) -> Option<Vec<Vec<TableCell>>> + 'a;

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
    // Sections 三 and 四 by the form's order where that settles them; the rest (and those,
    // where it does not) by where the text stands.
    let by_position = |part: &[Vec<TableCell>], blocks: &mut Vec<Block>| {
        blocks.extend(
            pdf::aligned_blocks(
                part.to_vec(),
                &pdf::names_label,
                false,
                &mut Default::default(),
            )
            .into_iter()
            .map(|(_, mut b)| {
                if let Block::Table(rows) = &mut b {
                    rows.iter_mut().for_each(doubt_unless_it_adds_up);
                }
                b
            }),
        );
    };
    let version = crate::forms::marker_version(&crate::forms::canonical(
        &crate::parse::normalize::normalize(text).0,
    ));
    let (s3, s4) = section_ranges(&lines);
    let read: [(Option<std::ops::Range<usize>>, &TableReader<'_>); 2] = [
        (s3, &|part| {
            s3_by_form_order(part).or_else(|| version.and_then(|v| s3_by_enumerators(part, v)))
        }),
        (s4, &s4_by_form_order),
    ];
    let mut blocks: Vec<Block> = Vec::new();
    let mut read_to = 0;
    for (range, reader) in read {
        let Some(range) = range.filter(|r| r.start >= read_to) else {
            continue;
        };
        if let Some(table) = reader(&lines[range.clone()]) {
            by_position(&lines[read_to..range.start], &mut blocks);
            blocks.push(Block::Table(table));
            read_to = range.end;
        }
    }
    by_position(&lines[read_to..], &mut blocks);
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
        // Running text (no column gap) is one fragment, numbers and all, still apart.
        let running = fragments("2021 年,我单位主动公开政府信息 223 条");
        assert_eq!(running.len(), 1);
        assert_eq!(running[0].text, "2021 年,我单位主动公开政府信息 223 条");
        // A row printed narrow (one space apart) is still its cells; a unit printed apart
        // from its amount is the amount's (both from Chromium's and LibreOffice's PDFs).
        let texts =
            |line: &str| -> Vec<String> { fragments(line).into_iter().map(|c| c.text).collect() };
        assert_eq!(
            texts("  政府集中采购 923 5636000元"),
            ["政府集中采购", "923", "5636000元"]
        );
        assert_eq!(
            texts("政府集中采购             19              2662700 元"),
            ["政府集中采购", "19", "2662700元"]
        );
        assert_eq!(
            texts("行政事業性收費              468.99萬元"),
            ["行政事業性收費", "468.99萬元"]
        );
    }

    /// Section 三 as `pdftotext -layout` printed it from a LibreOffice PDF of a report in
    /// traditional script: every label wrapped in a narrow column, group labels beside them.
    const WRAPPED: &str =
        include_str!("../../tests/fixtures/pdftotext/section3-wrapped-labels.layout.txt");

    fn lines(text: &str) -> Vec<Vec<TableCell>> {
        text.lines().map(fragments).collect()
    }

    #[test]
    fn section_3_is_read_by_the_form_order_when_every_number_is_there() {
        let html = to_html(&format!("\x0c{WRAPPED}"));
        // The numbers as the excerpt prints them beside 一.本年, 二、上, 1.屬於, (七), 四、結.
        for row in [
            "<tr><td>一.本年新收政府信息公开申请数量</td><td>4</td><td>2</td><td>0</td><td>0</td><td>1</td><td>1</td><td>8</td></tr>",
            "<tr><td>二.上年结转政府信息公开申请数量</td><td>0</td><td>0</td><td>2</td><td>0</td><td>0</td><td>0</td><td>2</td></tr>",
            "<tr><td>1.属于国家秘密</td><td>0</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>",
            "<tr><td>(七)总计</td><td>1</td><td>2</td><td>2</td><td>0</td><td>1</td><td>1</td><td>7</td></tr>",
            "<tr><td>四.结转下年度继续办理</td><td>3</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>3</td></tr>",
        ] {
            assert!(html.contains(row), "{row}\n{html}");
        }
    }

    #[test]
    fn section_3_is_not_read_by_order_when_a_number_is_missing_or_sums_fail() {
        let all = lines(WRAPPED);
        let region = 1..all.len() - 1;
        assert!(s3_by_form_order(&all[region.clone()]).is_some());
        // A cell printed empty: one number fewer, and no row can be told from the next.
        let blank = WRAPPED.replacen(
            "二、上 0          0       2",
            "二、上 0                  2",
            1,
        );
        assert!(s3_by_form_order(&lines(&blank)[region.clone()]).is_none());
        // Three rows whose own sums fail: the numbers are not where the order says.
        let mut shifted = WRAPPED.to_string();
        for (from, to) in [
            ("4         2", "4         3"),
            ("二、上 0", "二、上 1"),
            ("（七） 1", "（七） 2"),
        ] {
            shifted = shifted.replacen(from, to, 1);
        }
        assert!(s3_by_form_order(&lines(&shifted)[region.clone()]).is_none());
        // One row whose sum fails is the report's own error: kept as stated (the checks flag it).
        let one = WRAPPED.replacen("4         2", "4         3", 1);
        let table = s3_by_form_order(&lines(&one)[region]).expect("read by order");
        let texts: Vec<&str> = table[0].iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "一.本年新收政府信息公开申请数量",
                "4",
                "3",
                "0",
                "0",
                "1",
                "1",
                "8"
            ]
        );
    }

    #[test]
    fn numbers_wrapped_in_narrow_cells_are_joined_and_rows_are_not() {
        // Chromium's text of a report in full-width digits: the total 803 wrapped as `８０` over
        // `３`; the next row starts with its enumerator, its numbers under the same columns.
        let text = "一、本年新收申请数量  ７９９  ０ ３ ０ ０ １ ８０\n                           ３\n二、上年结转          ０  ０ ０ ０ １ ２ ３";
        let joined = join_wrapped_numbers(&lines(text));
        let numbers: Vec<Vec<&str>> = joined
            .iter()
            .map(|l| {
                l.iter()
                    .filter(|c| pdf::is_value(&c.text))
                    .map(|c| c.text.as_str())
                    .collect()
            })
            .collect();
        assert_eq!(
            numbers[0],
            ["７９９", "０", "３", "０", "０", "１", "８０３"]
        );
        assert!(numbers[1].is_empty());
        assert_eq!(numbers[2], ["０", "０", "０", "０", "１", "２", "３"]);
    }

    #[test]
    fn section_4_cells_run_together_are_split_by_the_group_sums() {
        // `１００２３`: the last group's five cells touching in a narrow column.
        let text = "  ０ ０ ０ ０ ０   ０  ０  ０ ０ ０ １００２３";
        let table = s4_by_form_order(&lines(text)).expect("one split keeps the sums");
        let cells: Vec<&str> = table[1].iter().map(|c| c.text.as_str()).collect();
        assert_eq!(cells[10..], ["1", "0", "0", "2", "3"]);
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
