//! `gongkai report`: one self-contained HTML page (no network, no script: it opens from disk)
//! over a dataset: coverage by province × year, requests and grant rates per year by form,
//! documents by status and by problem, failed checks by rule and by province, panel breaks.
//!
//! polars computes every figure (lazy scans of the listed files, group-bys); plotters draws them
//! to inline SVG. The figures are also embedded as JSON (`<script type="application/json"
//! id="numbers">`), so that tests compare them with DuckDB's answers over the same files.

use crate::dataset::scan;
use crate::dataset::sink::{Manifest, Table};
use anyhow::{anyhow, bail, Result};
use plotters::prelude::*;
use polars::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// The report's figures.
#[derive(Debug, Default, Serialize)]
pub struct Numbers {
    pub documents: u64,
    /// (province or "(unknown)", year) → documents.
    pub coverage: Vec<(String, i32, u64)>,
    /// Per (year, form): requests received (`s3 new total`), requests answered (`s3 total
    /// total`), granted (`s3 granted total`), and granted / answered.
    pub requests: Vec<Requests>,
    pub by_status: Vec<(String, u64)>,
    pub by_problem: Vec<(String, u64)>,
    /// Failed checks by rule (the check id before `:`).
    pub failed_checks_by_rule: Vec<(String, u64)>,
    pub failed_checks_by_province: Vec<(String, u64)>,
    /// Failed panel checks by rule and year.
    pub panel_breaks: Vec<(String, i32, u64)>,
}

#[derive(Debug, Default, Serialize)]
pub struct Requests {
    pub year: i32,
    pub form: String,
    /// None where no report of the year and form states the cell (never a 0 made of NULLs).
    pub received: Option<f64>,
    pub answered: Option<f64>,
    pub granted: Option<f64>,
    pub grant_rate: Option<f64>,
}

const UNKNOWN: &str = "(unknown)";

/// `(key columns as text…, count)` rows of a grouped count, largest first.
fn counts(lf: LazyFrame, keys: &[&str]) -> Result<Vec<(Vec<String>, u64)>> {
    let df = lf
        .group_by(keys.iter().map(|k| col(*k)).collect::<Vec<_>>())
        .agg([len().alias("n")])
        .collect()?;
    let n = df.column("n")?.cast(&DataType::UInt64)?;
    let n = n.u64()?;
    let keys = keys
        .iter()
        .map(|k| Ok(df.column(k)?.cast(&DataType::String)?.str()?.clone()))
        .collect::<Result<Vec<_>>>()?;
    let mut out: Vec<(Vec<String>, u64)> = (0..df.height())
        .map(|i| {
            (
                keys.iter()
                    .map(|k| k.get(i).unwrap_or(UNKNOWN).to_string())
                    .collect(),
                n.get(i).unwrap_or(0),
            )
        })
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

pub fn numbers(root: &Path, manifest: &Manifest) -> Result<Numbers> {
    let files = &manifest.files;
    let mut n = Numbers::default();
    let Some(docs) = scan::table(root, files, Table::Documents)? else {
        return Ok(n);
    };
    let docs = docs.select([
        col("doc_id").cast(DataType::String),
        col("year"),
        col("province"),
        col("status"),
        col("problems"),
    ]);
    n.coverage = counts(docs.clone(), &["province", "year"])?
        .into_iter()
        .map(|(k, c)| (k[0].clone(), k[1].parse().unwrap_or(0), c))
        .collect();
    n.coverage.sort();
    n.documents = n.coverage.iter().map(|c| c.2).sum();
    n.by_status = counts(docs.clone(), &["status"])?
        .into_iter()
        .map(|(k, c)| (k[0].clone(), c))
        .collect();
    n.by_problem = counts(
        docs.clone()
            .select([col("problems")])
            .explode(
                cols(["problems"]),
                ExplodeOptions {
                    empty_as_null: false,
                    keep_nulls: false,
                },
            )
            .filter(col("problems").is_not_null()),
        &["problems"],
    )?
    .into_iter()
    .map(|(k, c)| (k[0].clone(), c))
    .collect();
    if let Some(cells) = scan::table(root, files, Table::Cells)? {
        // Filter first: the predicate goes into the scan (casting every cell's codes first held
        // them all in memory).
        let df = cells
            .filter(
                col("section")
                    .eq(lit("s3"))
                    .and(col("metric").eq(lit("total")))
                    .and(
                        col("item")
                            .eq(lit("new"))
                            .or(col("item").eq(lit("granted")))
                            .or(col("item").eq(lit("total"))),
                    ),
            )
            .select([
                col("year"),
                col("form_version").cast(DataType::String),
                col("item").cast(DataType::String),
                col("value"),
            ])
            .group_by([col("year"), col("form_version"), col("item")])
            .agg([
                col("value").sum().alias("sum"),
                col("value").count().alias("stated"),
            ])
            .collect()?;
        let years = df.column("year")?.cast(&DataType::Int32)?;
        let (years, forms, items) = (
            years.i32()?,
            df.column("form_version")?.str()?,
            df.column("item")?.str()?,
        );
        let sums = df.column("sum")?.cast(&DataType::Float64)?;
        let sums = sums.f64()?;
        let stated = df.column("stated")?.cast(&DataType::UInt64)?;
        let stated = stated.u64()?;
        let mut by: BTreeMap<(i32, String), Requests> = BTreeMap::new();
        for i in 0..df.height() {
            let (Some(y), Some(f), Some(item)) = (years.get(i), forms.get(i), items.get(i)) else {
                continue;
            };
            let r = by.entry((y, f.to_string())).or_insert_with(|| Requests {
                year: y,
                form: f.to_string(),
                ..Default::default()
            });
            let v = sums.get(i).filter(|_| stated.get(i).unwrap_or(0) > 0);
            match item {
                "new" => r.received = v,
                "granted" => r.granted = v,
                _ => r.answered = v,
            }
        }
        n.requests = by
            .into_values()
            .map(|mut r| {
                r.grant_rate = match (r.granted, r.answered) {
                    (Some(g), Some(a)) if a > 0.0 => Some(g / a),
                    _ => None,
                };
                r
            })
            .collect();
    }
    if let Some(checks) = scan::table(root, files, Table::Checks)? {
        let failed = checks.filter(col("outcome").eq(lit("fail"))).select([
            col("doc_id").cast(DataType::String),
            col("check").cast(DataType::String),
        ]);
        let mut by_rule: BTreeMap<String, u64> = BTreeMap::new();
        for (k, c) in counts(failed.clone(), &["check"])? {
            let rule = k[0].split(':').next().unwrap_or_default().to_string();
            *by_rule.entry(rule).or_default() += c;
        }
        n.failed_checks_by_rule = sorted(by_rule);
        n.failed_checks_by_province = counts(
            failed.join(
                docs.clone(),
                [col("doc_id")],
                [col("doc_id")],
                JoinArgs::new(JoinType::Left),
            ),
            &["province"],
        )?
        .into_iter()
        .map(|(k, c)| (k[0].clone(), c))
        .collect();
    }
    if let Some(panel) = scan::table(root, files, Table::PanelChecks)? {
        let failed = panel
            .select([col("check"), col("year"), col("outcome")])
            .filter(col("outcome").eq(lit("fail")));
        let mut by: BTreeMap<(String, i32), u64> = BTreeMap::new();
        for (k, c) in counts(failed, &["check", "year"])? {
            let rule = k[0].split(':').next().unwrap_or_default().to_string();
            *by.entry((rule, k[1].parse().unwrap_or(0))).or_default() += c;
        }
        n.panel_breaks = by.into_iter().map(|((r, y), c)| (r, y, c)).collect();
    }
    Ok(n)
}

fn sorted(m: BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

fn plot_err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("drawing a plot: {e:?}")
}

const FONT: &str = "sans-serif";

/// Horizontal bars, one per label, largest first.
fn bars(title: &str, rows: &[(String, u64)]) -> Result<String> {
    let rows = &rows[..rows.len().min(20)];
    let mut svg = String::new();
    if rows.is_empty() {
        return Ok(String::new());
    }
    let height = 90 + 26 * rows.len() as u32;
    {
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let max = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1) as f64 * 1.1;
        let n = rows.len() as i32;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(230)
            .build_cartesian_2d(0f64..max, (0..n).into_segmented())
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            // Whole numbers only: counts.
            .x_labels((max as usize + 1).min(10))
            // Twice the rows: plotters places segment labels between ticks and drops some
            // when asked for exactly as many as there are segments.
            .y_labels(rows.len() * 2 + 2)
            .label_style((FONT, 13))
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if (*i as usize) < rows.len() => {
                    rows[rows.len() - 1 - *i as usize].0.clone()
                }
                _ => String::new(),
            })
            .draw()
            .map_err(plot_err)?;
        chart
            .draw_series(
                Histogram::horizontal(&chart)
                    .style(RGBColor(70, 110, 170).filled())
                    .margin(3)
                    .data(
                        rows.iter()
                            .rev()
                            .enumerate()
                            .map(|(i, r)| (i as i32, r.1 as f64)),
                    ),
            )
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

/// Lines over years, one per series.
fn lines(title: &str, series: &[(String, Vec<(i32, f64)>)], y_max: Option<f64>) -> Result<String> {
    let points = series.iter().flat_map(|s| s.1.iter());
    let (lo, hi) = points.clone().fold((i32::MAX, i32::MIN), |(lo, hi), p| {
        (lo.min(p.0), hi.max(p.0))
    });
    if lo > hi {
        return Ok(String::new());
    }
    let max = y_max
        .unwrap_or_else(|| points.map(|p| p.1).fold(0.0, f64::max) * 1.1)
        .max(1e-9);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 340)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(70)
            .build_cartesian_2d(lo..hi + 1, 0f64..max)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_labels((hi - lo + 2) as usize)
            .label_style((FONT, 13))
            .x_label_formatter(&|y| y.to_string())
            .y_label_formatter(&|v| {
                if y_max == Some(1.0) {
                    format!("{:.0}%", v * 100.0)
                } else {
                    format!("{v:.0}")
                }
            })
            .draw()
            .map_err(plot_err)?;
        let palette = [
            RGBColor(70, 110, 170),
            RGBColor(200, 90, 40),
            RGBColor(60, 150, 80),
        ];
        for (k, (name, pts)) in series.iter().enumerate() {
            let color = palette[k % palette.len()];
            chart
                .draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(2)))
                .map_err(plot_err)?
                .label(name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
            chart
                .draw_series(pts.iter().map(|p| Circle::new(*p, 3, color.filled())))
                .map_err(plot_err)?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

/// A sum as a table cell: empty where nothing was stated.
fn number(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The page.
pub fn html(dataset: &str, n: &Numbers) -> Result<String> {
    let mut per_year: BTreeMap<i32, u64> = BTreeMap::new();
    let mut provinces: BTreeMap<&str, BTreeMap<i32, u64>> = BTreeMap::new();
    for (p, y, c) in &n.coverage {
        *per_year.entry(*y).or_default() += c;
        *provinces.entry(p).or_default().entry(*y).or_default() += c;
    }
    let years: Vec<i32> = per_year.keys().copied().collect();
    let forms: std::collections::BTreeSet<&str> =
        n.requests.iter().map(|r| r.form.as_str()).collect();
    let series = |f: &dyn Fn(&Requests) -> Option<f64>| -> Vec<(String, Vec<(i32, f64)>)> {
        forms
            .iter()
            .map(|form| {
                let pts = n
                    .requests
                    .iter()
                    .filter(|r| r.form == *form)
                    .filter_map(|r| Some((r.year, f(r)?)))
                    .collect();
                (format!("{form} form"), pts)
            })
            .collect()
    };
    let mut s = String::new();
    write!(
        s,
        "<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>gongkai report: {ds}</title><style>\
body{{font-family:sans-serif;margin:2em auto;max-width:900px;color:#222}}h1{{font-size:1.5em}}h2{{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}}\
table{{border-collapse:collapse;font-size:.85em}}td,th{{border:1px solid #ddd;padding:2px 6px;text-align:right}}th:first-child,td:first-child{{text-align:left}}\
.note{{color:#666;font-size:.85em}}svg{{display:block;margin:1em 0}}</style></head><body>\
<h1>政府信息公开工作年度报告 — dataset {ds}</h1><p>{docs} documents, {years} years, {provs} provinces.</p>",
        ds = esc(dataset),
        docs = n.documents,
        years = years.len(),
        provs = provinces.keys().filter(|p| **p != UNKNOWN).count()
    )?;
    // Coverage.
    write!(
        s,
        "<h2 id=\"coverage\">Coverage: documents by province and year</h2>"
    )?;
    s += &bars(
        "Documents per year",
        &per_year
            .iter()
            .map(|(y, c)| (y.to_string(), *c))
            .collect::<Vec<_>>(),
    )?;
    let max = n.coverage.iter().map(|c| c.2).max().unwrap_or(1).max(1) as f64;
    s += "<table><tr><th>province</th>";
    for y in &years {
        write!(s, "<th>{y}</th>")?;
    }
    s += "</tr>";
    for (p, by) in &provinces {
        write!(s, "<tr><td>{}</td>", esc(p))?;
        for y in &years {
            let c = by.get(y).copied().unwrap_or(0);
            let shade = 255 - (c as f64 / max * 150.0) as u8;
            write!(
                s,
                "<td style=\"background:rgb({shade},{shade},255)\">{c}</td>"
            )?;
        }
        s += "</tr>";
    }
    s += "</table>";
    // Requests.
    write!(s, "<h2 id=\"requests\">Requests and grant rates per year, by form</h2><p class=\"note\">Received: 本年新收 (s3 new, total column). Grant rate: 予以公开 / 总计 (s3 granted ÷ s3 total, total column). Sums over the reports that state the cell.</p>")?;
    s += &lines("Requests received", &series(&|r| r.received), None)?;
    s += &lines(
        "Grant rate (share of answered requests granted)",
        &series(&|r| r.grant_rate),
        Some(1.0),
    )?;
    s += "<table><tr><th>year</th><th>form</th><th>received</th><th>answered</th><th>granted</th><th>grant rate</th></tr>";
    for r in &n.requests {
        write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.year,
            r.form,
            number(r.received),
            number(r.answered),
            number(r.granted),
            r.grant_rate
                .map(|g| format!("{:.1}%", g * 100.0))
                .unwrap_or_default()
        )?;
    }
    s += "</table>";
    // Status and problems.
    write!(s, "<h2 id=\"status\">Documents by status and problem</h2>")?;
    s += &bars("Documents by status", &n.by_status)?;
    s += &bars("Documents by problem", &n.by_problem)?;
    // Checks.
    write!(s, "<h2 id=\"checks\">Failed checks</h2>")?;
    s += &bars("Failed checks by rule", &n.failed_checks_by_rule)?;
    s += &bars("Failed checks by province", &n.failed_checks_by_province)?;
    // Panel.
    write!(
        s,
        "<h2 id=\"panel\">Panel breaks (the same agency across years)</h2>"
    )?;
    let mut by_rule: BTreeMap<String, u64> = BTreeMap::new();
    for (r, _, c) in &n.panel_breaks {
        *by_rule.entry(r.clone()).or_default() += c;
    }
    s += &bars("Failed panel checks by rule", &sorted(by_rule))?;
    s += "<table><tr><th>rule</th><th>year</th><th>failed</th></tr>";
    for (r, y, c) in &n.panel_breaks {
        write!(s, "<tr><td>{}</td><td>{y}</td><td>{c}</td></tr>", esc(r))?;
    }
    s += "</table>";
    let json = serde_json::to_string(n)?.replace("</", "<\\/");
    write!(
        s,
        "<script type=\"application/json\" id=\"numbers\">{json}</script></body></html>"
    )?;
    Ok(s)
}

pub fn report(out: &Path, to: &Path) -> Result<()> {
    let Some(manifest) = Manifest::read(out)? else {
        bail!(
            "{}: no gongkai dataset here (no _manifest.json)",
            out.display()
        );
    };
    let n = numbers(out, &manifest)?;
    let page = html(&out.display().to_string(), &n)?;
    super::write_beside(to, |mut file| {
        use std::io::Write as _;
        file.write_all(page.as_bytes())?;
        Ok(file.sync_all()?)
    })
}
