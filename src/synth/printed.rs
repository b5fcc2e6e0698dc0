//! The forms as real reports print them, typed from `../shared/forms.md` §1 and §5 for the
//! generator alone. It is deliberately not `data/forms.toml`: the parser's label tables must be
//! tested against texts they were not derived from, or a wrong or missing label could never
//! show up in the accuracy harness. Codes are the output contract's.
//!
//! Each printed text lists its real variants, the official one first: full-width brackets and
//! punctuation as in the notice, half-width as many sites print them, the curly or straight quotes
//! of 危及“三安全一稳定”, the comma some sources print instead of 、, 规范性文件 under the 2021
//! headers and 行政规范性文件 under the 2019 ones, the notes some forms print inside labels.

use crate::model::FormVersion;

/// One sub-table of section 二: title, column headers, rows.
pub struct S2Table {
    pub version: FormVersion,
    /// 第二十条第（一）项 and its variants.
    pub title: &'static [&'static str],
    /// Per column: the printed header (variants) and the metric code.
    pub columns: &'static [(&'static [&'static str], &'static str)],
    /// Per row: the item code and the printed label (variants).
    pub rows: &'static [(&'static str, &'static [&'static str])],
    /// Metric codes that are money (万元).
    pub money: &'static [&'static str],
}

const V19: FormVersion = FormVersion::V2019;
const V21: FormVersion = FormVersion::V2021;

const TITLE_1: &[&str] = &["第二十条第（一）项", "第二十条第(一)项"];
const TITLE_5: &[&str] = &["第二十条第（五）项", "第二十条第(五)项"];
const TITLE_6: &[&str] = &["第二十条第（六）项", "第二十条第(六)项"];
const TITLE_8: &[&str] = &["第二十条第（八）项", "第二十条第(八)项"];
const TITLE_9: &[&str] = &["第二十条第（九）项", "第二十条第(九)项"];

const PREV_ITEMS: &[&str] = &["上一年项目数量"];
const CHANGE: &[&str] = &["本年增/减", "本年增／减"];
const DECISIONS_2019: &[&str] = &["处理决定数量"];
const DECISIONS_2021: &[&str] = &["本年处理决定数量"];

pub const S2: &[S2Table] = &[
    S2Table {
        version: V19,
        title: TITLE_1,
        columns: &[
            (&["本年新制作数量", "本年新"], "issued"),
            (&["本年新公开数量", "本年新"], "published"),
            (&["对外公开总数量"], "total_public"),
        ],
        rows: &[
            (
                "regulations",
                &["规章", "规章（设区的市、自治州人民政府应提供相关数据）"],
            ),
            ("normative_docs", &["规范性文件", "行政规范性文件"]),
        ],
        money: &[],
    },
    S2Table {
        version: V21,
        title: TITLE_1,
        columns: &[
            (&["本年制发件数"], "issued"),
            (&["本年废止件数"], "repealed"),
            (&["现行有效件数"], "in_force"),
        ],
        rows: &[
            ("regulations", &["规章"]),
            ("normative_docs", &["行政规范性文件", "规范性文件"]),
        ],
        money: &[],
    },
    S2Table {
        version: V19,
        title: TITLE_5,
        columns: &[
            (PREV_ITEMS, "prev_items"),
            (CHANGE, "change"),
            (DECISIONS_2019, "decisions"),
        ],
        rows: &[
            ("licensing", &["行政许可"]),
            (
                "other_services",
                &[
                    "其他对外管理服务事项",
                    // Hubei's template note (forms.md §5): it names 行政处罚 and 行政强制 inside.
                    "其他对外管理服务事项（指行政许可证以外的政务服务事项，含行政确认、行政奖励、行政裁决、行政给付、行政处罚、行政强制、行政检查、行政征收和其他类，以及公共服务事项）",
                ],
            ),
        ],
        money: &[],
    },
    S2Table {
        version: V21,
        title: TITLE_5,
        columns: &[(DECISIONS_2021, "decisions")],
        rows: &[("licensing", &["行政许可"])],
        money: &[],
    },
    S2Table {
        version: V19,
        title: TITLE_6,
        columns: &[
            (PREV_ITEMS, "prev_items"),
            (CHANGE, "change"),
            (DECISIONS_2019, "decisions"),
        ],
        rows: &[("penalty", &["行政处罚"]), ("enforcement", &["行政强制"])],
        money: &[],
    },
    S2Table {
        version: V21,
        title: TITLE_6,
        columns: &[(DECISIONS_2021, "decisions")],
        rows: &[("penalty", &["行政处罚"]), ("enforcement", &["行政强制"])],
        money: &[],
    },
    S2Table {
        version: V19,
        title: TITLE_8,
        columns: &[(PREV_ITEMS, "prev_items"), (CHANGE, "change")],
        rows: &[("fees", &["行政事业性收费"])],
        money: &[],
    },
    S2Table {
        version: V21,
        title: TITLE_8,
        columns: &[(
            &["本年收费金额（单位：万元）", "本年收费金额(单位:万元)", "本年收费金额"],
            "amount",
        )],
        rows: &[("fees", &["行政事业性收费"])],
        money: &["amount"],
    },
    S2Table {
        version: V19,
        title: TITLE_9,
        columns: &[(&["采购项目数量"], "items"), (&["采购总金额"], "amount")],
        rows: &[("procurement", &["政府集中采购"])],
        money: &["amount"],
    },
];

/// A row of section 三 in form order: a data row with its item code, or a group label that has no
/// cells of its own.
pub struct S3Row {
    /// None for a group label.
    pub item: Option<&'static str>,
    pub label: &'static [&'static str],
    /// The form version the row belongs to; None for both.
    pub only: Option<FormVersion>,
}

const fn row(item: &'static str, label: &'static [&'static str]) -> S3Row {
    S3Row {
        item: Some(item),
        label,
        only: None,
    }
}

const fn group(label: &'static [&'static str]) -> S3Row {
    S3Row {
        item: None,
        label,
        only: None,
    }
}

pub const S3_RESULTS_GROUP: &[&str] = &["三、本年度办理结果", "三.本年度办理结果"];

pub const S3: &[S3Row] = &[
    row(
        "new",
        &[
            "一、本年新收政府信息公开申请数量",
            "一.本年新收政府信息公开申请数量",
        ],
    ),
    row(
        "carried_over",
        &[
            "二、上年结转政府信息公开申请数量",
            "二.上年结转政府信息公开申请数量",
        ],
    ),
    row("granted", &["（一）予以公开", "(一)予以公开"]),
    row(
        "partial",
        &[
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            "(二)部分公开(区分处理的,只计这一情形,不计其他情形)",
        ],
    ),
    group(&["（三）不予公开", "(三)不予公开"]),
    row(
        "denied.state_secret",
        &["1.属于国家秘密", "1．属于国家秘密"],
    ),
    row(
        "denied.law_prohibited",
        &["2.其他法律行政法规禁止公开", "2．其他法律行政法规禁止公开"],
    ),
    row(
        "denied.security_stability",
        &[
            "3.危及“三安全一稳定”",
            "3.危及\"三安全一稳定\"",
            "3.危及三安全一稳定",
        ],
    ),
    row("denied.third_party", &["4.保护第三方合法权益"]),
    row("denied.internal_affairs", &["5.属于三类内部事务信息"]),
    row("denied.process_info", &["6.属于四类过程性信息"]),
    row("denied.enforcement_file", &["7.属于行政执法案卷"]),
    row("denied.query_matter", &["8.属于行政查询事项"]),
    group(&["（四）无法提供", "(四)无法提供"]),
    row("unavailable.not_held", &["1.本机关不掌握相关政府信息"]),
    row(
        "unavailable.needs_creation",
        &["2.没有现成信息需要另行制作"],
    ),
    row("unavailable.unclear", &["3.补正后申请内容仍不明确"]),
    group(&["（五）不予处理", "(五)不予处理"]),
    row("not_processed.petition", &["1.信访举报投诉类申请"]),
    row("not_processed.duplicate", &["2.重复申请"]),
    row("not_processed.publication", &["3.要求提供公开出版物"]),
    row("not_processed.mass_repeat", &["4.无正当理由大量反复申请"]),
    row(
        "not_processed.confirm_reissue",
        &["5.要求行政机关确认或重新出具已获取信息"],
    ),
    // (六): one data row in 2019; in 2021 a group label over three sub-rows.
    S3Row {
        item: Some("other"),
        label: &["（六）其他处理", "(六)其他处理"],
        only: Some(V19),
    },
    S3Row {
        item: None,
        label: &["（六）其他处理", "(六)其他处理", "(六) 其他"],
        only: Some(V21),
    },
    S3Row {
        item: Some("other.no_correction"),
        label: &[
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "1.申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请",
        ],
        only: Some(V21),
    },
    S3Row {
        item: Some("other.no_fee"),
        label: &[
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "2.申请人逾期未按收费通知要求缴纳费用，行政机关不再处理其政府信息公开申请",
        ],
        only: Some(V21),
    },
    S3Row {
        item: Some("other.other"),
        label: &["3.其他"],
        only: Some(V21),
    },
    row("total", &["（七）总计", "(七)总计"]),
    row(
        "carried_forward",
        &["四、结转下年度继续办理", "四.结转下年度继续办理"],
    ),
];

/// The result rows whose sum is （七）总计, and the 2021 sub-rows that make up `other`.
pub const S3_OTHER_PARTS: [&str; 3] = ["other.no_correction", "other.no_fee", "other.other"];

/// Section 三 columns: the printed header and the metric code, in order.
pub const S3_COLUMNS: [(&str, &str); 7] = [
    ("自然人", "natural_person"),
    ("商业企业", "commercial"),
    ("科研机构", "research"),
    ("社会公益组织", "public_interest"),
    ("法律服务机构", "legal_services"),
    ("其他", "other_org"),
    ("总计", "total"),
];

pub const S3_NOTE: &[&str] = &[
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)",
];

/// Section 四: the groups and outcomes as printed, with their codes.
pub const S4_GROUPS: [(&str, &str); 3] = [
    ("行政复议", "review"),
    ("未经复议直接起诉", "litigation_direct"),
    ("复议后起诉", "litigation_after_review"),
];
pub const S4_OUTCOMES: [(&str, &str); 5] = [
    ("结果维持", "upheld"),
    ("结果纠正", "corrected"),
    ("其他结果", "other"),
    ("尚未审结", "pending"),
    ("总计", "total"),
];
