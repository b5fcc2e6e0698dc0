//! The five seed reports against what they state, read off the seed files by hand — not from the
//! program's output (the golden files) and not from its label tables (`data/forms.toml`).
//!
//! For each seed: its form and year, what an unlisted cell of its tables holds (`0`, blank, or no
//! value at all where the layout lost the numbers), and every cell that differs from that, by
//! section, row and column. The cells a form has come from the output contract
//! (`docs/output-contract.md`), written out here. A wrong golden file, or a parser that agrees
//! with it, fails this test.

mod common;
use common::*;
use gongkai::model::{CellStatus, Processed};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Stated {
    /// A number printed in the cell.
    V(f64),
    /// The cell is there and empty (or a placeholder).
    Blank,
    /// The layout lost which column the number is in, or the number itself: no value.
    NoValue,
}
use Stated::*;

struct SeedTruth {
    prefix: &'static str,
    form: &'static str,
    year: i32,
    /// What every cell not listed in `cells` holds.
    otherwise: Stated,
    cells: &'static [(&'static str, &'static str, &'static str, Stated)],
    /// Checks that fail because the source's own sums do not add up (forms.md §3, §5).
    fails: &'static [&'static str],
}

const S3_METRICS: [&str; 7] = [
    "natural_person",
    "commercial",
    "research",
    "public_interest",
    "legal_services",
    "other_org",
    "total",
];

/// Every (section, item, metric) of a form, from the output contract.
fn contract_cells(form: &str) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut v = Vec::new();
    let s2: &[(&str, &[&str])] = if form == "2019" {
        &[
            ("regulations", &["issued", "published", "total_public"]),
            ("normative_docs", &["issued", "published", "total_public"]),
            ("licensing", &["prev_items", "change", "decisions"]),
            ("other_services", &["prev_items", "change", "decisions"]),
            ("penalty", &["prev_items", "change", "decisions"]),
            ("enforcement", &["prev_items", "change", "decisions"]),
            ("fees", &["prev_items", "change"]),
            ("procurement", &["items", "amount"]),
        ]
    } else {
        &[
            ("regulations", &["issued", "repealed", "in_force"]),
            ("normative_docs", &["issued", "repealed", "in_force"]),
            ("licensing", &["decisions"]),
            ("penalty", &["decisions"]),
            ("enforcement", &["decisions"]),
            ("fees", &["amount"]),
        ]
    };
    for (item, metrics) in s2 {
        for m in *metrics {
            v.push(("s2", *item, *m));
        }
    }
    let mut s3 = vec![
        "new",
        "carried_over",
        "granted",
        "partial",
        "denied.state_secret",
        "denied.law_prohibited",
        "denied.security_stability",
        "denied.third_party",
        "denied.internal_affairs",
        "denied.process_info",
        "denied.enforcement_file",
        "denied.query_matter",
        "unavailable.not_held",
        "unavailable.needs_creation",
        "unavailable.unclear",
        "not_processed.petition",
        "not_processed.duplicate",
        "not_processed.publication",
        "not_processed.mass_repeat",
        "not_processed.confirm_reissue",
        "other",
        "total",
        "carried_forward",
    ];
    if form == "2021" {
        s3.extend(["other.no_correction", "other.no_fee", "other.other"]);
    }
    for item in s3 {
        for m in S3_METRICS {
            v.push(("s3", item, m));
        }
    }
    for g in ["review", "litigation_direct", "litigation_after_review"] {
        for o in ["upheld", "corrected", "other", "pending", "total"] {
            let metric: &'static str = Box::leak(format!("{g}.{o}").into_boxed_str());
            v.push(("s4", "all", metric));
        }
    }
    v
}

const SEEDS: [SeedTruth; 5] = [
    // 上高县工业和信息化局 2020, pipe cells: every cell of every table printed as 0.
    SeedTruth {
        prefix: "000",
        form: "2019",
        year: 2020,
        otherwise: V(0.0),
        cells: &[],
        fails: &[],
    },
    // 阜新市煤炭工业转型发展局 2021, pipe rows: all 0 but 行政处罚 | 2.
    SeedTruth {
        prefix: "001",
        form: "2021",
        year: 2021,
        otherwise: V(0.0),
        cells: &[("s2", "penalty", "decisions", V(2.0))],
        fails: &[],
    },
    // 岚皋县 2020, Word tab cells: empty cells (nbsp) everywhere but these.
    SeedTruth {
        prefix: "002",
        form: "2019",
        year: 2020,
        otherwise: Blank,
        cells: &[
            // 规范性文件 | 12 | 12 | 24
            ("s2", "normative_docs", "issued", V(12.0)),
            ("s2", "normative_docs", "published", V(12.0)),
            ("s2", "normative_docs", "total_public", V(24.0)),
            // 行政许可 | 244 | -1 | 22446
            ("s2", "licensing", "prev_items", V(244.0)),
            ("s2", "licensing", "change", V(-1.0)),
            ("s2", "licensing", "decisions", V(22446.0)),
            // 其他对外管理服务事项 | 17 | |
            ("s2", "other_services", "prev_items", V(17.0)),
            // 行政处罚 | 1673 | -11 | 1349
            ("s2", "penalty", "prev_items", V(1673.0)),
            ("s2", "penalty", "change", V(-11.0)),
            ("s2", "penalty", "decisions", V(1349.0)),
            // 行政强制 | 39 | | 47
            ("s2", "enforcement", "prev_items", V(39.0)),
            ("s2", "enforcement", "decisions", V(47.0)),
            // 行政事业性收费 | 45 | -2
            ("s2", "fees", "prev_items", V(45.0)),
            ("s2", "fees", "change", V(-2.0)),
            // 政府集中采购 | 31 | 6181万元
            ("s2", "procurement", "items", V(31.0)),
            ("s2", "procurement", "amount", V(6181.0)),
            // 一、本年新收 | 4 | … | 4
            ("s3", "new", "natural_person", V(4.0)),
            ("s3", "new", "total", V(4.0)),
            // （一）予以公开 | 4 | … | 4
            ("s3", "granted", "natural_person", V(4.0)),
            ("s3", "granted", "total", V(4.0)),
            // （七）总计 | 4 | … | 4
            ("s3", "total", "natural_person", V(4.0)),
            ("s3", "total", "total", V(4.0)),
        ],
        fails: &[],
    },
    // 郎溪县科技工信局 2024, traditional script, bare lines: the numbers were lost with the
    // empty cells (规章 keeps one 0 for three columns), so no cell has a value.
    SeedTruth {
        prefix: "003",
        form: "2021",
        year: 2024,
        otherwise: NoValue,
        cells: &[],
        fails: &[],
    },
    // 城固县信息化工作办公室 2020, pipe cells, with the source's own errors (forms.md §5).
    SeedTruth {
        prefix: "004",
        form: "2019",
        year: 2020,
        otherwise: V(0.0),
        cells: &[
            // 规范性文件 | 6 | 6 | 6
            ("s2", "normative_docs", "issued", V(6.0)),
            ("s2", "normative_docs", "published", V(6.0)),
            ("s2", "normative_docs", "total_public", V(6.0)),
            // 行政许可 | 81 | 56 | 6556
            ("s2", "licensing", "prev_items", V(81.0)),
            ("s2", "licensing", "change", V(56.0)),
            ("s2", "licensing", "decisions", V(6556.0)),
            // 其他对外管理服务事项 | 27 | 11 | 313
            ("s2", "other_services", "prev_items", V(27.0)),
            ("s2", "other_services", "change", V(11.0)),
            ("s2", "other_services", "decisions", V(313.0)),
            // 行政处罚 | 319 | -1 | 108
            ("s2", "penalty", "prev_items", V(319.0)),
            ("s2", "penalty", "change", V(-1.0)),
            ("s2", "penalty", "decisions", V(108.0)),
            // 行政强制 | 4 | 0 | 0
            ("s2", "enforcement", "prev_items", V(4.0)),
            // 行政事业性收费 | 19 | -3
            ("s2", "fees", "prev_items", V(19.0)),
            ("s2", "fees", "change", V(-3.0)),
            // 政府集中采购 | 121 | 8827.8344 (万元 by its precision, forms.md §1A)
            ("s2", "procurement", "items", V(121.0)),
            ("s2", "procurement", "amount", V(8827.8344)),
            // 一、本年新收 | 15 | 0 … | 15
            ("s3", "new", "natural_person", V(15.0)),
            ("s3", "new", "total", V(15.0)),
            // （一）予以公开 | 0 | 0 | 0 | 0 | 0 | | 15
            ("s3", "granted", "other_org", Blank),
            ("s3", "granted", "total", V(15.0)),
            // （六）其他处理 | | 0 | 0 | 0 | 0 | 0 | 0
            ("s3", "other", "natural_person", Blank),
            // （七）总计 | 15 | 0 … | 15
            ("s3", "total", "natural_person", V(15.0)),
            ("s3", "total", "total", V(15.0)),
            // 四: 0 0 0 0 0 | 2 0 0 0 0 | 0 0 0 0 0
            ("s4", "all", "litigation_direct.upheld", V(2.0)),
        ],
        // 予以公开: 0+0+0+0+0+blank ≠ 15; 总计 自然人 15 ≠ the result rows' 0; 未经复议直接起诉:
        // 2+0+0+0 ≠ 0.
        fails: &[
            "s3.result_sum:natural_person",
            "s3.row_sum:granted",
            "s4.group_sum:litigation_direct",
        ],
    },
];

fn processed(prefix: &str) -> Processed {
    let (name, bytes) = seed(prefix);
    gongkai::process(&name, &bytes)
}

#[test]
fn every_seed_cell_is_what_the_seed_states() {
    for truth in &SEEDS {
        let p = processed(truth.prefix);
        let seed = truth.prefix;
        assert_eq!(
            p.info.form_version.map(|f| f.as_str()),
            Some(truth.form),
            "{seed} form"
        );
        assert_eq!(p.info.year, Some(truth.year), "{seed} year");
        let out: BTreeMap<(&str, &str, &str), &gongkai::model::Cell> = p
            .cells
            .iter()
            .map(|c| ((c.section.as_str(), c.item, c.metric), c))
            .collect();
        let expected = contract_cells(truth.form);
        assert_eq!(
            out.len(),
            expected.len(),
            "{seed}: one row per cell of the form, no other"
        );
        for key in &expected {
            let (section, item, metric) = *key;
            let stated = truth
                .cells
                .iter()
                .find(|c| (c.0, c.1, c.2) == *key)
                .map(|c| c.3)
                .unwrap_or(truth.otherwise);
            let cell = out
                .get(key)
                .unwrap_or_else(|| panic!("{seed}: no row for {key:?}"));
            match stated {
                V(v) => assert_eq!(cell.value, Some(v), "{seed} {section} {item} {metric}"),
                Blank => assert!(
                    cell.status == CellStatus::Blank
                        || (cell.status == CellStatus::Derived && cell.value.is_none()),
                    "{seed} {section} {item} {metric}: {cell:?} should be blank"
                ),
                NoValue => assert_eq!(cell.value, None, "{seed} {section} {item} {metric}"),
            }
        }
        let mut failed = p.failed_checks();
        failed.sort();
        assert_eq!(failed, truth.fails, "{seed} failed checks");
    }
}
