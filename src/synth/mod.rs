//! A generator of realistic report files with known truth, for tests, the accuracy harness
//! and the benchmark. Deterministic for a seed. The truth is written beside the dump and never
//! read by the pipeline.
//!
//! It covers both forms and legacy reports, every layout, both scripts, the common encodings,
//! CRLF, full-width digits, truncated headers, blanks, units in cells, signed changes,
//! thousands separators, page chrome and numbers in the prose, and injected source errors.
//! The form texts it prints are its own (`printed.rs`), not the parser's label tables.

mod chrome;
mod printed;

use crate::model::FormVersion;
use crate::parse::segment::Layout;
use serde::{Deserialize, Serialize};

/// splitmix64: small, fast, good enough for test data, and stable across platforms.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
    /// Mostly small counts with a long tail, zero often.
    pub fn count(&mut self, scale: u64) -> u64 {
        if self.chance(0.45) {
            0
        } else if self.chance(0.8) {
            self.below(scale.max(1))
        } else {
            self.below(scale.max(1) * 40)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Gb18030,
    Big5,
    Utf16LeBom,
}

/// What the document states for one cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruthCell {
    pub section: String,
    pub item: String,
    pub metric: String,
    /// The number as stated, in the contract's unit; None for a blank cell.
    pub value: Option<f64>,
    /// Whether a pipeline can know this value: false where the layout loses the alignment
    /// (bare lines with blank cells), so NULL is the right answer there.
    pub recoverable: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    pub path: String,
    pub year: i32,
    pub form_version: String,
    /// The rendering: a layout, or for glued text how it was glued (`glued_spaced`, …).
    pub layout: String,
    /// Zeros printed as empty cells.
    #[serde(default)]
    pub blanks: bool,
    pub encoding: Encoding,
    pub traditional: bool,
    /// The OpenCC configuration of a traditional rendering.
    #[serde(default)]
    pub opencc: String,
    pub agency: String,
    pub cells: Vec<TruthCell>,
    /// Checks that must fail because an error was injected into the source.
    pub must_flag: Vec<String>,
    /// Panel checks (`panel_checks.check`) that must fail with this document as year `t`: a
    /// break injected into a panel (see [`Generator::panel`]).
    #[serde(default)]
    pub panel_breaks: Vec<String>,
}

pub struct Generated {
    pub path: String,
    pub bytes: Vec<u8>,
    pub truth: Truth,
}

/// One table cell of the logical document.
#[derive(Clone, Debug)]
struct TCell {
    text: String,
    colspan: usize,
    rowspan: usize,
}

fn c(text: impl Into<String>) -> TCell {
    TCell {
        text: text.into(),
        colspan: 1,
        rowspan: 1,
    }
}

enum Block {
    Para(String),
    Table(Vec<Vec<TCell>>),
}

const AGENCY_SUFFIXES: [&str; 8] = [
    "人民政府办公室",
    "财政局",
    "教育局",
    "自然资源局",
    "市场监督管理局",
    "卫生健康委员会",
    "生态环境局",
    "司法局",
];
const COUNTIES: [&str; 12] = [
    "上高县",
    "岚皋县",
    "城固县",
    "郎溪县",
    "阜新市",
    "宜春市",
    "安康市",
    "汉中市",
    "宣城市",
    "南昌县",
    "武功县",
    "平利县",
];

/// A printed text: the official one mostly, else any of its real variants.
fn printed(r: &mut Rng, variants: &[&str]) -> String {
    if variants.len() > 1 && r.chance(0.3) {
        r.pick(variants).to_string()
    } else {
        variants[0].to_string()
    }
}

/// How a glued page's text was made (`Layout::Glued`): tags stripped with nothing between the
/// cells; with a single space between some cells; or with line breaks between blocks only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Glue {
    Plain,
    Spaced,
    Lines,
}

impl Glue {
    fn name(self) -> &'static str {
        match self {
            Glue::Plain => "glued",
            Glue::Spaced => "glued_spaced",
            Glue::Lines => "glued_lines",
        }
    }
}

pub struct Generator {
    rng: Rng,
    cc: opencc_fmmseg::OpenCC,
    only_glued: bool,
    site_pages: bool,
    panel: Option<Panel>,
}

/// One report of a panel's schedule.
#[derive(Debug, Clone)]
struct PanelDoc {
    agency: String,
    year: i32,
    /// The year before was left out of the schedule.
    after_gap: bool,
    /// A second report for the same agency and year follows or precedes this one.
    duplicate: bool,
    /// Break the carry-over of this applicant column (index into the six).
    break_carry: Option<usize>,
    /// Break `in_force` of this s2 item.
    break_in_force: Option<&'static str>,
}

/// What a report carries from the agency's previous report.
#[derive(Debug, Clone, Default)]
struct Carry {
    /// `s3 carried_forward` of the previous year, per applicant column.
    carried_over: Option<Vec<u64>>,
    /// `s2 in_force` of the previous year (2021 form), per item.
    in_force: std::collections::HashMap<String, u64>,
    break_carry: Option<usize>,
    break_in_force: Option<&'static str>,
}

/// The same agencies reported year after year (2019–2025), with the carry-overs a real series
/// has, and injected breaks: a carry-over that does not match, an `in_force` that does not move
/// by issued − repealed, a year left out, an agency-year reported twice.
struct Panel {
    schedule: Vec<PanelDoc>,
    /// The agency's last report's carry.
    carry: std::collections::HashMap<String, Carry>,
}

impl Panel {
    const YEARS: std::ops::RangeInclusive<i32> = 2019..=2025;

    fn new(r: &mut Rng, breaks: bool) -> Panel {
        let mut schedule = Vec::new();
        for suffix in AGENCY_SUFFIXES {
            for county in COUNTIES {
                let agency = format!("{county}{suffix}");
                let (mut after_gap, mut after_duplicate) = (false, false);
                for year in Panel::YEARS {
                    let inner = year != *Panel::YEARS.start() && year != *Panel::YEARS.end();
                    if breaks && inner && !after_gap && r.chance(0.06) {
                        after_gap = true;
                        continue;
                    }
                    let duplicate = breaks && r.chance(0.03);
                    // The year-to-year rules are skipped next to a gap or a duplicate (which
                    // report is the agency's?): a break there could not be seen.
                    let comparable = breaks
                        && year != *Panel::YEARS.start()
                        && !after_gap
                        && !after_duplicate
                        && !duplicate;
                    let doc = PanelDoc {
                        agency: agency.clone(),
                        year,
                        after_gap,
                        duplicate,
                        break_carry: (comparable && r.chance(0.1)).then(|| r.below(6) as usize),
                        break_in_force: (comparable && year > 2021 && r.chance(0.1))
                            .then(|| *r.pick(&["regulations", "normative_docs"])),
                    };
                    (after_gap, after_duplicate) = (false, duplicate);
                    if duplicate {
                        schedule.push(doc.clone());
                    }
                    schedule.push(doc);
                }
            }
        }
        Panel {
            schedule,
            carry: Default::default(),
        }
    }

    /// What the report `d` carries from the agency's previous report. The report after a
    /// duplicated year carries whichever came last; its checks are skipped anyway.
    fn carry(&self, d: &PanelDoc) -> Carry {
        let mut c = if d.after_gap {
            Carry::default()
        } else {
            self.carry.get(&d.agency).cloned().unwrap_or_default()
        };
        c.break_carry = d.break_carry;
        c.break_in_force = d.break_in_force;
        c
    }

    /// Remember what the report states for the next year to carry.
    fn remember(&mut self, d: &PanelDoc, truth: &Truth) {
        let stated = |item: &str, metric: &str| {
            truth
                .cells
                .iter()
                .find(|c| c.item == item && c.metric == metric)
                .map(|c| c.value.unwrap_or(0.0) as u64)
        };
        let applicant = &printed::S3_COLUMNS[..6];
        let carried_over = applicant
            .iter()
            .map(|(_, m)| stated("carried_forward", m))
            .collect::<Option<Vec<u64>>>();
        let in_force = ["regulations", "normative_docs"]
            .iter()
            .filter_map(|item| Some((item.to_string(), stated(item, "in_force")?)))
            .collect();
        self.carry.insert(
            d.agency.clone(),
            Carry {
                carried_over,
                in_force,
                ..Default::default()
            },
        );
    }
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        Generator {
            rng: Rng::new(seed),
            cc: opencc_fmmseg::OpenCC::new(),
            only_glued: false,
            site_pages: false,
            panel: None,
        }
    }

    /// A generator of panels: each of 96 agencies reports every year 2019–2025 (672 reports,
    /// then ordinary random ones), each year's carry-overs those of the year before; with
    /// `breaks`, some series have a break injected (recorded in `Truth::panel_breaks`). Only
    /// renderings that keep every cell's alignment, so that a break is never hidden by a NULL.
    pub fn panel(seed: u64, breaks: bool) -> Generator {
        let mut g = Generator::new(seed);
        g.panel = Some(Panel::new(&mut g.rng, breaks));
        g
    }

    /// How many reports the panel schedule holds (0 for other generators).
    pub fn panel_len(&self) -> usize {
        self.panel.as_ref().map_or(0, |p| p.schedule.len())
    }

    /// A generator of report pages as government sites serve them: each report an HTML page
    /// inside 100–350 KB of site chrome (styles, scripts, navigation menus, footer, share
    /// widgets), the corpus of the benchmark's real-page run.
    pub fn site_pages(seed: u64) -> Generator {
        Generator {
            site_pages: true,
            ..Generator::new(seed)
        }
    }

    /// A generator of glued page text only (both forms, every glue, blanks and errors as usual).
    pub fn glued(seed: u64) -> Generator {
        Generator {
            only_glued: true,
            ..Generator::new(seed)
        }
    }

    /// The `i`-th document. The mix: most reports simplified UTF-8, both forms, some legacy.
    pub fn document(&mut self, i: usize) -> Generated {
        let planned = self.panel.as_ref().and_then(|p| p.schedule.get(i).cloned());
        let carry = match (&self.panel, &planned) {
            (Some(p), Some(d)) => p.carry(d),
            _ => Carry::default(),
        };
        let r = &mut self.rng;
        let kind = r.below(100);
        let (form, year) = if let Some(d) = &planned {
            let form = if d.year < 2021 {
                FormVersion::V2019
            } else {
                FormVersion::V2021
            };
            (form, d.year)
        } else if kind < 8 {
            (FormVersion::Legacy, 2010 + r.below(9) as i32)
        } else if kind < 45 {
            (FormVersion::V2019, 2019 + r.below(2) as i32)
        } else {
            (FormVersion::V2021, 2021 + r.below(5) as i32)
        };
        let layout = if self.only_glued {
            Layout::Glued
        } else if planned.is_some() {
            *r.pick(&[
                Layout::PipeCells,
                Layout::PipeRows,
                Layout::TabCells,
                Layout::Markdown,
                Layout::Html,
            ])
        } else if self.site_pages {
            Layout::Html
        } else {
            *r.pick(&[
                Layout::Glued,
                Layout::Glued,
                Layout::PipeCells,
                Layout::PipeCells,
                Layout::PipeRows,
                Layout::PipeRows,
                Layout::TabCells,
                Layout::BareLines,
                Layout::Markdown,
                Layout::Html,
                Layout::Html,
            ])
        };
        let glue = *r.pick(&[Glue::Plain, Glue::Spaced, Glue::Lines]);
        // Word is where these reports are written: a third of the tables come as .docx.
        let word = layout == Layout::Html && r.chance(0.35) && !self.site_pages;
        let (form, year) = if self.only_glued && form == FormVersion::Legacy {
            (FormVersion::V2021, year + 11)
        } else {
            (form, year)
        };
        let traditional = r.chance(0.1);
        let encoding = if traditional {
            *r.pick(&[
                Encoding::Big5,
                Encoding::Utf8,
                Encoding::Big5,
                Encoding::Utf16LeBom,
            ])
        } else {
            *r.pick(&[
                Encoding::Utf8,
                Encoding::Utf8,
                Encoding::Utf8,
                Encoding::Utf8,
                Encoding::Utf8Bom,
                Encoding::Gb18030,
                Encoding::Gb18030,
                Encoding::Utf16LeBom,
            ])
        };
        let options = Options {
            crlf: r.chance(0.15),
            fullwidth: r.chance(0.1),
            blanks_for_zero: r.chance(0.2),
            truncated_headers: r.chance(0.3),
            inject_error: r.chance(0.1) && layout != Layout::BareLines,
            // Legacy mirrors rewrite 文件 as 檔案.
            // Mirrors convert with OpenCC's configurations: plain, Taiwan and Hong Kong standards,
            // with or without their phrase tables (信息→資訊, 文件→檔案, 项目→專案).
            opencc: if traditional {
                *r.pick(&["s2t", "s2tw", "s2twp", "s2hk", "s2hkp"])
            } else {
                ""
            },
        };
        let agency = match &planned {
            Some(d) => d.agency.clone(),
            None => format!("{}{}", r.pick(&COUNTIES), r.pick(&AGENCY_SUFFIXES)),
        };
        let ext = if word {
            "docx"
        } else if layout == Layout::Html {
            "html"
        } else if layout == Layout::Markdown {
            "md"
        } else {
            "txt"
        };
        let rendering = if word {
            "docx"
        } else if layout == Layout::Glued {
            glue.name()
        } else {
            layout.as_str()
        };
        let path = format!("{year}/{:06}_{rendering}.{ext}", i);
        let mut truth = Truth {
            path: path.clone(),
            year,
            form_version: form.as_str().to_string(),
            layout: rendering.to_string(),
            blanks: options.blanks_for_zero,
            encoding,
            traditional,
            opencc: options.opencc.to_string(),
            agency: agency.clone(),
            cells: Vec::new(),
            must_flag: Vec::new(),
            panel_breaks: Vec::new(),
        };
        let blocks = if form == FormVersion::Legacy {
            truth.layout = String::new();
            self.legacy(year, &agency)
        } else {
            self.report(form, year, &agency, &options, layout, &carry, &mut truth)
        };
        if let (Some(p), Some(d)) = (&mut self.panel, &planned) {
            p.remember(d, &truth);
            if d.after_gap {
                truth.panel_breaks.push("panel.gap".into());
            }
            if d.duplicate {
                truth.panel_breaks.push("panel.duplicate".into());
            }
        }
        let script = |text: &str| -> String {
            let text = if traditional {
                self.cc.convert(text, options.opencc, false)
            } else {
                text.to_string()
            };
            if options.fullwidth {
                fullwidth_digits(&text)
            } else {
                text
            }
        };
        if word {
            truth.encoding = Encoding::Utf8;
            // Word reports are printed with the form's ruled tables, most of them; some
            // agencies' templates draw none. Chosen by the document number, so the generator's
            // random stream (and every other report) stays as it was.
            let bytes = render_docx(&blocks, &script, i % 5 != 3);
            return Generated { path, bytes, truth };
        }
        let mut page = render(&blocks, layout, glue, &mut self.rng);
        if self.site_pages {
            page = chrome::wrap(&page, &truth.agency, year, &mut self.rng);
        }
        let mut text = script(&page);
        if options.crlf {
            text = text.replace('\n', "\r\n");
        }
        let bytes = encode(&text, encoding, layout == Layout::Html);
        // Big5 cannot encode everything: fall back to UTF-8 rather than write lossy bytes.
        let (bytes, encoding) = match bytes {
            Some(b) => (b, encoding),
            None => (text.into_bytes(), Encoding::Utf8),
        };
        truth.encoding = encoding;
        Generated { path, bytes, truth }
    }

    fn legacy(&mut self, year: i32, agency: &str) -> Vec<Block> {
        let r = &mut self.rng;
        let (a, b, cnum) = (r.below(3000), r.below(40), r.below(30));
        vec![
            Block::Para(format!("{agency}{year}年政府信息公开工作年度报告")),
            Block::Para(format!("根据《中华人民共和国政府信息公开条例》(国务院令第492号)要求,现公布{agency}{year}年政府信息公开工作年度报告。")),
            Block::Para("一、概述".into()),
            Block::Para(format!("{year}年,我单位主动公开政府信息{a}条,受理依申请公开{b}件。")),
            Block::Para("二、主动公开政府信息情况".into()),
            Block::Para(format!("全年主动公开政府信息{a}条,其中规范性文件{cnum}条。")),
            Block::Para("三、依申请公开政府信息情况".into()),
            Block::Para(format!("同意公开答复数{b}件,不同意公开答复数0件。")),
            Block::Para("四、政府信息公开的收费及减免情况".into()),
            Block::Para("本年度未收取任何费用。".into()),
            Block::Para("五、因政府信息公开申请行政复议、提起行政诉讼的情况".into()),
            Block::Para("本年度无行政复议和行政诉讼。".into()),
        ]
    }

    fn report(
        &mut self,
        form: FormVersion,
        year: i32,
        agency: &str,
        o: &Options,
        layout: Layout,
        carry: &Carry,
        truth: &mut Truth,
    ) -> Vec<Block> {
        let r = &mut self.rng;
        // Bare lines and glued text lose empty cells: a row with one cannot be aligned.
        let bare = matches!(layout, Layout::BareLines | Layout::Glued);
        let mut blocks = vec![
            Block::Para(format!("日期: {}-01-{:02} 浏览量:{} 来源:{agency}", year + 1, 10 + r.below(18), r.below(2000))),
            Block::Para(format!("{agency}{year}年政府信息公开工作年度报告")),
            Block::Para(format!(
                "本报告由{agency}根据《中华人民共和国政府信息公开条例》编制。报告所列数据的统计期限自{year}年1月1日至{year}年12月31日。"
            )),
            Block::Para("一、总体情况".into()),
            Block::Para(format!("{year}年,我单位主动公开政府信息{}条,组织培训{}次,共{}人参加。", r.below(900), r.below(9), r.below(300))),
            Block::Para("二、主动公开政府信息情况".into()),
        ];
        // Section 二.
        for t in printed::S2.iter().filter(|t| t.version == form) {
            let mut rows = vec![vec![TCell {
                text: printed(r, t.title),
                colspan: 4,
                rowspan: 1,
            }]];
            let mut header = vec![c("信息内容")];
            for (variants, _) in t.columns {
                let text = if o.truncated_headers && variants.contains(&"本年新") {
                    "本年新".to_string()
                } else {
                    variants[0].to_string()
                };
                header.push(c(text));
            }
            rows.push(header);
            for (item, labels) in t.rows {
                let mut row = vec![c(printed(r, labels))];
                let mut counts: std::collections::HashMap<&str, u64> = Default::default();
                for (_, m) in t.columns {
                    let money = t.money.contains(m);
                    let (text, value) = if money {
                        let wan = r.below(90_000) as f64 / 100.0;
                        match r.below(3) {
                            0 => (format!("{wan}万元"), Some(wan)),
                            1 if form == FormVersion::V2019 => (
                                format!("{}元", (wan * 10_000.0).round()),
                                Some((wan * 10_000.0).round() / 10_000.0),
                            ),
                            _ => (format!("{wan}"), Some(wan)),
                        }
                    } else if *m == "change" {
                        let v = r.below(40) as i64 - 20;
                        let text = if v > 0 && r.chance(0.3) {
                            format!("+{v}")
                        } else {
                            v.to_string()
                        };
                        (text, Some(v as f64))
                    } else {
                        let mut v = r.count(30);
                        // A panel's in_force moves by issued − repealed from last year's.
                        if let Some(&last) = carry.in_force.get(*item) {
                            let issued = counts.get("issued").copied().unwrap_or(0);
                            match *m {
                                "repealed" => v = v.min(last + issued),
                                "in_force" => {
                                    v = last + issued
                                        - counts.get("repealed").copied().unwrap_or(0);
                                    if carry.break_in_force == Some(*item) {
                                        v += 1 + r.below(9);
                                        truth.panel_breaks.push(format!("panel.in_force:{item}"));
                                    }
                                }
                                _ => {}
                            }
                        }
                        counts.insert(m, v);
                        let text = if v >= 1000 && r.chance(0.3) {
                            thousands(v)
                        } else {
                            v.to_string()
                        };
                        (text, Some(v as f64))
                    };
                    let (text, value) = if value == Some(0.0) && o.blanks_for_zero {
                        (String::new(), None)
                    } else {
                        (text, value)
                    };
                    row.push(c(text));
                    truth.cells.push(TruthCell {
                        section: "s2".into(),
                        item: item.to_string(),
                        metric: m.to_string(),
                        value,
                        recoverable: true,
                    });
                }
                rows.push(row);
            }
            blocks.push(Block::Table(rows));
        }
        // Section 三: consistent numbers, then maybe an injected error.
        blocks.push(Block::Para("三、收到和处理政府信息公开申请情况".into()));
        let metrics: Vec<&str> = printed::S3_COLUMNS.iter().map(|c| c.1).collect();
        let applicant = &metrics[..6];
        let rows_of_form: Vec<&printed::S3Row> = printed::S3
            .iter()
            .filter(|row| row.only.is_none_or(|v| v == form))
            .collect();
        let items: Vec<&'static str> = rows_of_form.iter().filter_map(|row| row.item).collect();
        let results: Vec<&'static str> = items
            .iter()
            .copied()
            .filter(|i| !matches!(*i, "new" | "carried_over" | "total" | "carried_forward"))
            .collect();
        let mut grid: std::collections::HashMap<(&str, &str), u64> = Default::default();
        for (k, m) in applicant.iter().enumerate() {
            let scale = if k == 0 { 40 } else { 4 };
            let new = r.count(scale);
            let mut over = if r.chance(0.3) { r.below(5) } else { 0 };
            if let Some(last) = &carry.carried_over {
                over = last[k];
                if carry.break_carry == Some(k) {
                    over += 1 + r.below(9);
                    truth.panel_breaks.push(format!("panel.carryover:{m}"));
                    truth.panel_breaks.push("panel.carryover:total".into());
                }
            }
            let forward = r
                .below(new + over + 1)
                .min(if r.chance(0.7) { 0 } else { u64::MAX });
            let mut left = new + over - forward;
            grid.insert(("new", m), new);
            grid.insert(("carried_over", m), over);
            grid.insert(("carried_forward", m), forward);
            grid.insert(("total", m), left);
            for (j, res) in results.iter().enumerate() {
                let v = if j + 1 == results.len() {
                    left
                } else if r.chance(0.25) {
                    r.below(left + 1)
                } else {
                    0
                };
                left -= v;
                grid.insert((res, m), v);
            }
        }
        for it in &items {
            let s: u64 = applicant.iter().map(|m| grid[&(*it, *m)]).sum();
            grid.insert((it, "total"), s);
        }
        let mut stated: std::collections::HashMap<(&str, &str), i64> =
            grid.iter().map(|(k, v)| (*k, *v as i64)).collect();
        if o.inject_error {
            if r.chance(0.5) {
                *stated.get_mut(&("granted", "total")).unwrap() += 1 + r.below(9) as i64;
                truth.must_flag.push("s3.row_sum:granted".into());
            }
        }
        let mut rows = vec![
            vec![
                TCell {
                    text: printed(r, printed::S3_NOTE),
                    colspan: 3,
                    rowspan: 3,
                },
                TCell {
                    text: "申请人情况".into(),
                    colspan: 7,
                    rowspan: 1,
                },
            ],
            vec![
                TCell {
                    text: printed::S3_COLUMNS[0].0.into(),
                    colspan: 1,
                    rowspan: 2,
                },
                TCell {
                    text: "法人或其他组织".into(),
                    colspan: 5,
                    rowspan: 1,
                },
                TCell {
                    text: printed::S3_COLUMNS[6].0.into(),
                    colspan: 1,
                    rowspan: 2,
                },
            ],
            printed::S3_COLUMNS[1..6]
                .iter()
                .map(|col| c(col.0))
                .collect(),
        ];
        // Walk the form's rows in order: group labels (三、/(三)不予公开/…) go into the first row
        // of their group, as in the printed form.
        let mut pending_groups: Vec<String> = Vec::new();
        let mut first_result = true;
        for spec in &rows_of_form {
            let Some(it) = spec.item else {
                pending_groups.push(printed(r, spec.label));
                continue;
            };
            let mut row = Vec::new();
            if results.contains(&it) && first_result {
                row.push(TCell {
                    text: printed(r, printed::S3_RESULTS_GROUP),
                    colspan: 1,
                    rowspan: results.len() + 4,
                });
                first_result = false;
            }
            row.extend(pending_groups.drain(..).map(c));
            row.push(c(printed(r, spec.label)));
            let blank = |v: i64| v == 0 && o.blanks_for_zero;
            let any_blank = metrics.iter().any(|m| blank(stated[&(it, *m)]));
            for m in &metrics {
                let v = stated[&(it, *m)];
                row.push(c(if blank(v) {
                    String::new()
                } else {
                    v.to_string()
                }));
                truth.cells.push(TruthCell {
                    section: "s3".into(),
                    item: it.to_string(),
                    metric: m.to_string(),
                    value: (!blank(v)).then_some(v as f64),
                    recoverable: !(bare && any_blank),
                });
            }
            rows.push(row);
        }
        blocks.push(Block::Table(rows));
        // Section 四.
        blocks.push(Block::Para("四、政府信息公开行政复议、行政诉讼情况".into()));
        let mut values = Vec::new();
        for (_, g) in printed::S4_GROUPS {
            let parts: Vec<u64> = (0..4)
                .map(|_| if r.chance(0.85) { 0 } else { r.below(4) })
                .collect();
            let mut total: i64 = parts.iter().sum::<u64>() as i64;
            if o.inject_error && g == "litigation_direct" && r.chance(0.5) {
                total += 1;
                truth.must_flag.push(format!("s4.group_sum:{g}"));
            }
            values.extend(parts.iter().map(|v| *v as i64));
            values.push(total);
        }
        let outcomes = printed::S4_OUTCOMES.map(|o| o.0);
        let mut s4 = vec![
            vec![
                TCell {
                    text: printed::S4_GROUPS[0].0.into(),
                    colspan: 5,
                    rowspan: 1,
                },
                TCell {
                    text: "行政诉讼".into(),
                    colspan: 10,
                    rowspan: 1,
                },
            ],
            outcomes
                .iter()
                .map(|o| TCell {
                    text: o.to_string(),
                    colspan: 1,
                    rowspan: 2,
                })
                .chain([
                    TCell {
                        text: printed::S4_GROUPS[1].0.into(),
                        colspan: 5,
                        rowspan: 1,
                    },
                    TCell {
                        text: printed::S4_GROUPS[2].0.into(),
                        colspan: 5,
                        rowspan: 1,
                    },
                ])
                .collect(),
            outcomes
                .iter()
                .chain(outcomes.iter())
                .map(|o| c(*o))
                .collect(),
        ];
        let any_blank = o.blanks_for_zero && values.contains(&0);
        s4.push(
            values
                .iter()
                .map(|v| {
                    c(if *v == 0 && o.blanks_for_zero {
                        String::new()
                    } else {
                        v.to_string()
                    })
                })
                .collect(),
        );
        let s4_metrics = printed::S4_GROUPS
            .iter()
            .flat_map(|(_, g)| printed::S4_OUTCOMES.map(|(_, o)| format!("{g}.{o}")));
        for (k, m) in s4_metrics.enumerate() {
            let blank = values[k] == 0 && o.blanks_for_zero;
            truth.cells.push(TruthCell {
                section: "s4".into(),
                item: "all".into(),
                metric: m.to_string(),
                value: (!blank).then_some(values[k] as f64),
                recoverable: !(bare && any_blank),
            });
        }
        blocks.push(Block::Table(s4));
        if form == FormVersion::V2021 {
            derive_truth_other(truth);
        }
        if bare {
            // Bare lines drop blank cells: a row with a blank cannot be aligned.
            mark_bare_rows(truth);
        }
        blocks.push(Block::Para("五、存在的主要问题及改进情况".into()));
        blocks.push(Block::Para(format!(
            "一是公开深度不够;二是培训不足。{}年将加强学习,力争公开信息{}条以上。",
            year + 1,
            r.below(1000)
        )));
        blocks.push(Block::Para("六、其他需要报告的事项".into()));
        blocks.push(Block::Para("本年度无收取信息处理费情况。".into()));
        blocks.push(Block::Para(format!(
            "主办单位:{}人民政府办公室 版权所有 ICP备{}号",
            &agency[..agency
                .char_indices()
                .nth(3)
                .map(|x| x.0)
                .unwrap_or(agency.len())],
            r.below(99_999_999)
        )));
        blocks
    }
}

fn fullwidth_digits(text: &str) -> String {
    text.chars()
        .map(|ch| {
            if ch.is_ascii_digit() {
                char::from_u32(ch as u32 + 0xFEE0).unwrap_or(ch)
            } else {
                ch
            }
        })
        .collect()
}

/// A Word document (`.docx`) of the blocks, as Word writes one: a paragraph per block, tables
/// with `w:gridSpan` for colspans and `w:vMerge` (restart, then continue) for rowspans, a tall
/// label one character per paragraph, text split over runs. `script` converts each text.
fn render_docx(blocks: &[Block], script: &dyn Fn(&str) -> String, borders: bool) -> Vec<u8> {
    use std::io::Write;
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    // Word splits text into runs wherever formatting or proofing marks change.
    let runs = |s: &str| -> String {
        let chars: Vec<char> = s.chars().collect();
        let cut = if chars.len() > 4 {
            chars.len() / 2
        } else {
            chars.len()
        };
        let (a, b): (String, String) =
            (chars[..cut].iter().collect(), chars[cut..].iter().collect());
        [a, b]
            .iter()
            .filter(|t| !t.is_empty())
            .map(|t| format!("<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r>", esc(t)))
            .collect()
    };
    let para = |s: &str| format!("<w:p>{}</w:p>", runs(&script(s)));
    let grid = |span: usize| {
        if span > 1 {
            format!("<w:gridSpan w:val=\"{span}\"/>")
        } else {
            String::new()
        }
    };
    let mut body = String::new();
    for b in blocks {
        match b {
            Block::Para(p) => body.push_str(&para(p)),
            Block::Table(rows) => {
                // A table across the page's width, ruled on every side and between cells (or not).
                let rule = |side: &str| {
                    let val = if borders { "single" } else { "nil" };
                    format!(
                        "<w:{side} w:val=\"{val}\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
                    )
                };
                let sides: String = ["top", "left", "bottom", "right", "insideH", "insideV"]
                    .iter()
                    .map(|s| rule(s))
                    .collect();
                body.push_str(&format!(
                    "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders>{sides}</w:tblBorders></w:tblPr>"
                ));
                let width = rows
                    .iter()
                    .map(|r| r.iter().map(|c| c.colspan).sum::<usize>())
                    .max()
                    .unwrap_or(1);
                // Per grid column: rows still covered by a merge from above, and its span.
                let mut covered = vec![(0usize, 1usize); width];
                for row in rows {
                    body.push_str("<w:tr>");
                    let mut cells = row.iter();
                    let mut col = 0;
                    while col < width {
                        if covered[col].0 > 0 {
                            covered[col].0 -= 1;
                            let span = covered[col].1;
                            body.push_str(&format!(
                                "<w:tc><w:tcPr>{}<w:vMerge/></w:tcPr><w:p/></w:tc>",
                                grid(span)
                            ));
                            col += span;
                            continue;
                        }
                        let Some(c) = cells.next() else { break };
                        let merge = if c.rowspan > 1 {
                            covered[col] = (c.rowspan - 1, c.colspan);
                            "<w:vMerge w:val=\"restart\"/>"
                        } else {
                            ""
                        };
                        let text = if c.text.is_empty() {
                            "<w:p/>".to_string()
                        } else if c.rowspan > 3 {
                            c.text.chars().map(|ch| para(&ch.to_string())).collect()
                        } else {
                            para(&c.text)
                        };
                        body.push_str(&format!(
                            "<w:tc><w:tcPr>{}{merge}</w:tcPr>{text}</w:tc>",
                            grid(c.colspan)
                        ));
                        col += c.colspan;
                    }
                    body.push_str("</w:tr>");
                }
                body.push_str("</w:tbl>");
            }
        }
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:sectPr/></w:body></w:document>"
    );
    let files = [
        ("[Content_Types].xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>".to_string()),
        ("_rels/.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>".to_string()),
        ("word/document.xml", document),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, content) in files {
        zip.start_file(name, options).expect("writing to memory");
        zip.write_all(content.as_bytes())
            .expect("writing to memory");
    }
    zip.finish().expect("writing to memory").into_inner()
}

struct Options {
    crlf: bool,
    fullwidth: bool,
    blanks_for_zero: bool,
    truncated_headers: bool,
    inject_error: bool,
    /// The OpenCC configuration a traditional rendering was made with ("" for simplified).
    opencc: &'static str,
}

fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The 2021 `other` row the pipeline derives: the sum of the three sub-rows.
fn derive_truth_other(t: &mut Truth) {
    for (_, m) in printed::S3_COLUMNS {
        let parts: Vec<&TruthCell> = t
            .cells
            .iter()
            .filter(|c| {
                c.section == "s3"
                    && c.metric == m
                    && printed::S3_OTHER_PARTS.contains(&c.item.as_str())
            })
            .collect();
        let value = if parts.iter().all(|p| p.value.is_none()) {
            None
        } else {
            Some(parts.iter().filter_map(|p| p.value).sum())
        };
        let recoverable = parts.iter().all(|p| p.recoverable);
        t.cells.push(TruthCell {
            section: "s3".into(),
            item: "other".into(),
            metric: m.to_string(),
            value,
            recoverable,
        });
    }
}

fn mark_bare_rows(t: &mut Truth) {
    let mut rows: std::collections::HashMap<(String, String), bool> = Default::default();
    for c in &t.cells {
        if c.section == "s2" && c.value.is_none() {
            rows.insert((c.section.clone(), c.item.clone()), true);
        }
    }
    for c in &mut t.cells {
        if rows.contains_key(&(c.section.clone(), c.item.clone())) {
            c.recoverable = false;
        }
    }
}

fn render(blocks: &[Block], layout: Layout, glue: Glue, r: &mut Rng) -> String {
    if layout == Layout::Glued {
        return render_glued(blocks, glue, r);
    }
    let mut out = String::new();
    if layout == Layout::Html {
        out.push_str("<html><head><meta charset=\"utf-8\"><title>政府信息公开工作年度报告</title></head><body>\n<div class=\"nav\"><a href=\"/\">首页</a></div>\n");
    }
    for b in blocks {
        match b {
            Block::Para(p) => {
                if layout == Layout::Html {
                    out.push_str(&format!(
                        "<p>{}</p>\n",
                        p.replace('&', "&amp;").replace('<', "&lt;")
                    ));
                } else {
                    out.push_str(p);
                    out.push('\n');
                }
            }
            Block::Table(rows) => render_table(&mut out, rows, layout),
        }
    }
    if layout == Layout::Html {
        out.push_str("</body></html>\n");
    }
    out
}

/// Page text with the tags stripped: every cell's text in document order, empty cells leaving
/// no trace, joined by nothing, by a single space now and then, or (`Lines`) by nothing within a
/// block and a line break between blocks.
fn render_glued(blocks: &[Block], glue: Glue, r: &mut Rng) -> String {
    let mut out = String::new();
    let sep = |out: &mut String, r: &mut Rng| {
        if glue == Glue::Spaced && r.chance(0.3) {
            out.push(' ');
        }
    };
    for b in blocks {
        match b {
            Block::Para(p) => out.push_str(p),
            Block::Table(rows) => {
                for cell in rows.iter().flatten().filter(|c| !c.text.is_empty()) {
                    sep(&mut out, r);
                    out.push_str(&cell.text);
                }
            }
        }
        if glue == Glue::Lines {
            out.push('\n');
        } else {
            sep(&mut out, r);
        }
    }
    out.push('\n');
    out
}

fn render_table(out: &mut String, rows: &[Vec<TCell>], layout: Layout) {
    let width = rows
        .iter()
        .map(|r| r.iter().map(|c| c.colspan).sum::<usize>())
        .max()
        .unwrap_or(1);
    match layout {
        Layout::Html => {
            out.push_str("<table border=\"1\" cellspacing=\"0\">\n<tbody>\n");
            for row in rows {
                out.push_str("<tr>");
                for cell in row {
                    let mut attrs = String::new();
                    if cell.colspan > 1 {
                        attrs.push_str(&format!(" colspan=\"{}\"", cell.colspan));
                    }
                    if cell.rowspan > 1 {
                        attrs.push_str(&format!(" rowspan=\"{}\"", cell.rowspan));
                    }
                    let text = if cell.text.is_empty() {
                        "&nbsp;".to_string()
                    } else {
                        cell.text.replace('(', "（").replace(')', "）")
                    };
                    out.push_str(&format!(
                        "\n<td{attrs}><p style=\"text-align:center\"><span>{text}</span></p></td>"
                    ));
                }
                out.push_str("\n</tr>\n");
            }
            out.push_str("</tbody>\n</table>\n");
        }
        Layout::PipeRows => {
            for row in rows {
                let n: usize = row.len();
                let mut line: Vec<String> = row.iter().map(|c| c.text.clone()).collect();
                line.extend(std::iter::repeat_n(String::new(), width.saturating_sub(n)));
                out.push_str(&line.join(" | "));
                out.push_str(" |\n");
            }
        }
        Layout::Markdown => {
            for (k, row) in rows.iter().enumerate() {
                let mut line: Vec<String> = row.iter().map(|c| c.text.clone()).collect();
                line.extend(std::iter::repeat_n(
                    String::new(),
                    width.saturating_sub(row.len()),
                ));
                out.push_str(&format!("| {} |\n", line.join(" | ")));
                if k == 0 {
                    out.push_str(&format!("|{}\n", "---|".repeat(width)));
                }
            }
            out.push('\n');
        }
        Layout::PipeCells => {
            for row in rows {
                for cell in row {
                    if cell.text.is_empty() {
                        out.push_str("|\n");
                    } else {
                        out.push_str(&format!("{} |\n", cell.text));
                    }
                }
                let pad = width.saturating_sub(row.len());
                if pad > 0 {
                    out.push_str(&"|".repeat(pad));
                    out.push('\n');
                }
            }
        }
        Layout::TabCells => {
            for row in rows {
                for cell in row {
                    let text = if cell.rowspan > 3 {
                        cell.text
                            .chars()
                            .map(String::from)
                            .collect::<Vec<_>>()
                            .join("\n")
                    } else {
                        cell.text.clone()
                    };
                    out.push_str(&format!("\t{text}\n"));
                }
                out.push('\n');
            }
        }
        Layout::Glued | Layout::PdfText => {
            unreachable!("the generator renders neither glued text nor pdftotext here")
        }
        Layout::BareLines => {
            for row in rows {
                for cell in row.iter().filter(|c| !c.text.is_empty()) {
                    out.push_str(&cell.text);
                    out.push('\n');
                }
            }
        }
    }
}

fn encode(text: &str, enc: Encoding, html: bool) -> Option<Vec<u8>> {
    let text = if html
        && !matches!(
            enc,
            Encoding::Utf8 | Encoding::Utf8Bom | Encoding::Utf16LeBom
        ) {
        let label = if enc == Encoding::Big5 {
            "big5"
        } else {
            "gb2312"
        };
        text.replacen("charset=\"utf-8\"", &format!("charset=\"{label}\""), 1)
    } else {
        text.to_string()
    };
    match enc {
        Encoding::Utf8 => Some(text.into_bytes()),
        Encoding::Utf8Bom => Some([&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat()),
        Encoding::Utf16LeBom => Some(
            [0xFF, 0xFE]
                .into_iter()
                .chain(text.encode_utf16().flat_map(|u| u.to_le_bytes()))
                .collect(),
        ),
        Encoding::Gb18030 | Encoding::Big5 => {
            let e = if enc == Encoding::Big5 {
                encoding_rs::BIG5
            } else {
                encoding_rs::GB18030
            };
            let (bytes, _, unmappable) = e.encode(&text);
            (!unmappable).then(|| bytes.into_owned())
        }
    }
}

/// Write `n` documents and `truth.jsonl` under `dir`.
pub fn write_dump(dir: &std::path::Path, n: usize, mut g: Generator) -> std::io::Result<u64> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    let truth_dir = dir.with_file_name(format!(
        "{}.truth.jsonl",
        dir.file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    let mut truth = std::io::BufWriter::new(std::fs::File::create(truth_dir)?);
    let mut bytes = 0;
    for i in 0..n {
        let doc = g.document(i);
        let path = dir.join(&doc.path);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::write(&path, &doc.bytes)?;
        bytes += doc.bytes.len() as u64;
        serde_json::to_writer(&mut truth, &doc.truth)?;
        truth.write_all(b"\n")?;
    }
    truth.flush()?;
    Ok(bytes)
}

/// How the pipeline's output compares with the truth.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct Score {
    pub documents: u64,
    pub truth_cells: u64,
    /// Value equal to the truth, or blank where the truth is blank.
    pub exact: u64,
    /// A number different from the stated one.
    pub wrong: u64,
    /// A number where the document states none (blank) or has no such cell. Must be 0.
    pub invented: u64,
    /// NULL where the document states a number the layout keeps recoverable.
    pub missed: u64,
    /// NULL where the layout loses the alignment (the right answer).
    pub unrecoverable_null: u64,
    pub must_flag: u64,
    pub flagged: u64,
    /// Injected errors in glued rows left NULL, so that their check is skipped.
    pub flag_unrecoverable: u64,
    /// Checks failed on documents without an injected error.
    pub false_flags: u64,
    pub form_version_right: u64,
    pub year_right: u64,
    pub agency_right: u64,
}

impl Score {
    pub fn add(&mut self, truth: &Truth, p: &crate::model::Processed) {
        use crate::model::{CellStatus, Outcome};
        self.documents += 1;
        if p.info.form_version.map(|v| v.as_str()) == Some(truth.form_version.as_str()) {
            self.form_version_right += 1;
        }
        if p.info.year == Some(truth.year) {
            self.year_right += 1;
        }
        if p.info.agency.as_deref() == Some(truth.agency.as_str()) {
            self.agency_right += 1;
        }
        let out: std::collections::HashMap<(&str, &str, &str), &crate::model::Cell> = p
            .cells
            .iter()
            .map(|c| ((c.section.as_str(), c.item, c.metric), c))
            .collect();
        for t in &truth.cells {
            self.truth_cells += 1;
            let got = out.get(&(t.section.as_str(), t.item.as_str(), t.metric.as_str()));
            let value = got.and_then(|c| c.value);
            match (t.value, value) {
                // Exact means the same double: the truth is the nearest one to the document's
                // decimal text, and so must the value read from it be (`7219100元` is 721.91,
                // not 721.9100000000001, or a query for 721.91 misses it).
                (Some(w), Some(v)) if w == v => self.exact += 1,
                (Some(_), Some(_)) => self.wrong += 1,
                (None, Some(_)) => self.invented += 1,
                (None, None)
                    if got.is_some_and(|c| {
                        matches!(c.status, CellStatus::Blank | CellStatus::Derived)
                    }) =>
                {
                    self.exact += 1
                }
                (None, None) | (Some(_), None) if !t.recoverable => self.unrecoverable_null += 1,
                (None, None) => self.missed += 1,
                (Some(_), None) => self.missed += 1,
            }
        }
        let known: std::collections::HashSet<(&str, &str, &str)> = truth
            .cells
            .iter()
            .map(|t| (t.section.as_str(), t.item.as_str(), t.metric.as_str()))
            .collect();
        self.invented += p
            .cells
            .iter()
            .filter(|c| {
                c.value.is_some() && !known.contains(&(c.section.as_str(), c.item, c.metric))
            })
            .count() as u64;
        let failed = p.failed_checks();
        // In glued text the row with the error may stay NULL (its sum no longer settles the
        // split): its check is skipped, and the error cannot be flagged.
        let glued = truth.layout.starts_with("glued");
        for m in &truth.must_flag {
            let evaluated = p
                .checks
                .iter()
                .any(|c| c.check == m.as_str() && c.outcome != Outcome::Skipped);
            if glued && !evaluated {
                self.flag_unrecoverable += 1;
            } else {
                self.must_flag += 1;
                self.flagged += failed.contains(&m.as_str()) as u64;
            }
        }
        if truth.must_flag.is_empty() {
            self.false_flags += failed.len() as u64;
        }
    }

    /// Whether a document's output differs from its truth in any way the harness counts.
    pub fn differs(&self) -> bool {
        self.wrong + self.invented + self.missed > 0
            || self.flagged < self.must_flag
            || self.false_flags > 0
    }

    /// Add another score's counts to this one.
    pub fn merge(&mut self, o: &Score) {
        let Score {
            documents,
            truth_cells,
            exact,
            wrong,
            invented,
            missed,
            unrecoverable_null,
            must_flag,
            flagged,
            flag_unrecoverable,
            false_flags,
            form_version_right,
            year_right,
            agency_right,
        } = o;
        self.documents += documents;
        self.truth_cells += truth_cells;
        self.exact += exact;
        self.wrong += wrong;
        self.invented += invented;
        self.missed += missed;
        self.unrecoverable_null += unrecoverable_null;
        self.must_flag += must_flag;
        self.flagged += flagged;
        self.flag_unrecoverable += flag_unrecoverable;
        self.false_flags += false_flags;
        self.form_version_right += form_version_right;
        self.year_right += year_right;
        self.agency_right += agency_right;
    }

    pub fn report(&self) -> String {
        let pct = |a: u64, b: u64| {
            if b == 0 {
                100.0
            } else {
                100.0 * a as f64 / b as f64
            }
        };
        format!(
            "documents {}: form version right {:.2}%, year right {:.2}%, agency right {:.2}%\n\
             cells {}: exact {} ({:.3}%), wrong {}, invented {}, missed {}, NULL where the layout loses alignment {}\n\
             injected errors flagged {}/{}, checks failed on clean documents {}",
            self.documents,
            pct(self.form_version_right, self.documents),
            pct(self.year_right, self.documents),
            pct(self.agency_right, self.documents),
            self.truth_cells,
            self.exact,
            pct(self.exact, self.truth_cells),
            self.wrong,
            self.invented,
            self.missed,
            self.unrecoverable_null,
            self.flagged,
            self.must_flag,
            self.false_flags
        )
    }
}

/// A score over all documents and one per rendering (layout, or how glued text was glued; with
/// zeros printed as empty cells apart).
#[derive(Debug, Default, Clone, Serialize)]
pub struct Scores {
    pub all: Score,
    pub by_rendering: std::collections::BTreeMap<String, Score>,
}

impl Scores {
    pub fn report(&self) -> String {
        let mut s = self.all.report();
        s.push_str("\nby rendering:");
        for (name, sc) in &self.by_rendering {
            s.push_str(&format!(
                "\n  {name:<40} documents {:>6}  cells {:>8}  exact {:>7.3}%  wrong {}  invented {}  missed {}  NULL unrecoverable {}  flagged {}/{} (+{} in NULL rows)",
                sc.documents,
                sc.truth_cells,
                if sc.truth_cells == 0 { 100.0 } else { 100.0 * sc.exact as f64 / sc.truth_cells as f64 },
                sc.wrong,
                sc.invented,
                sc.missed,
                sc.unrecoverable_null,
                sc.flagged,
                sc.must_flag,
                sc.flag_unrecoverable
            ));
        }
        s
    }
}

/// Documents generated and processed at a time by [`accuracy`]: memory stays bounded whatever
/// the number of documents.
const ACCURACY_CHUNK: usize = 1024;

/// Generate `n` documents in memory, process them, score them against their truth. Streams:
/// only the first `keep` documents whose cells differ from the truth (or whose flags do) are
/// kept, with their results. `progress` is called with the number of documents done.
pub fn accuracy(
    mut g: Generator,
    n: usize,
    keep: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> (Scores, Vec<(Truth, crate::model::Processed)>) {
    use rayon::prelude::*;
    let mut score = Scores::default();
    let mut kept = Vec::new();
    let mut done = 0;
    while done < n {
        let end = (done + ACCURACY_CHUNK).min(n);
        let docs: Vec<Generated> = (done..end).map(|i| g.document(i)).collect();
        let results: Vec<(Truth, crate::model::Processed)> = docs
            .into_par_iter()
            .map(|d| {
                let p = crate::process(&d.path, &d.bytes);
                (d.truth, p)
            })
            .collect();
        for (t, p) in results {
            let mut one = Score::default();
            one.add(&t, &p);
            if kept.len() < keep && one.differs() {
                kept.push((t.clone(), p.clone()));
            }
            score.all.merge(&one);
            let rendering = if t.form_version == "legacy" {
                "legacy".to_string()
            } else if t.blanks {
                format!("{} (zeros printed empty)", t.layout)
            } else {
                t.layout.clone()
            };
            score.by_rendering.entry(rendering).or_default().merge(&one);
            if t.traditional && !t.layout.starts_with("glued") && t.layout != "bare_lines" {
                let key = format!("traditional via OpenCC {}", t.opencc);
                score.by_rendering.entry(key).or_default().merge(&one);
            }
        }
        done = end;
        progress(done);
    }
    (score, kept)
}
