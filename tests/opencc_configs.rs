//! Every form label survives every OpenCC simplified→traditional configuration (the ones
//! mirror sites use: plain, Taiwan and Hong Kong standards, with and without their phrase
//! tables, which rewrite words such as 信息→資訊 and 文件→檔案) and comes back to a label that
//! gongkai matches. Real OpenCC dictionaries (opencc-fmmseg's copies of OpenCC's own).

use gongkai::forms::{canonical, label_matches, FORMS};

const CONFIGS: [&str; 5] = ["s2t", "s2tw", "s2twp", "s2hk", "s2hkp"];

fn every_label() -> Vec<&'static gongkai::forms::Label> {
    let f = &*FORMS;
    let mut v: Vec<&gongkai::forms::Label> = Vec::new();
    for t in &f.s2 {
        v.extend(&t.headers);
        for (_, labels) in &t.rows {
            v.extend(labels);
        }
    }
    v.extend(&f.s2_other);
    v.extend(&f.s3_headers);
    for r in &f.s3_rows {
        v.extend(&r.labels);
    }
    v.extend(&f.s4_headers);
    v
}

#[test]
fn every_label_comes_back_from_every_traditional_configuration() {
    let cc = opencc_fmmseg::OpenCC::new();
    let mut broken = Vec::new();
    for label in every_label() {
        for config in CONFIGS {
            let traditional = cc.convert(&label.full, config, false);
            let (back, _) = gongkai::parse::normalize::normalize(&traditional);
            if !label_matches(&canonical(&back), label, 4) {
                broken.push(format!(
                    "{config}: {} -> {traditional} -> {back}",
                    label.full
                ));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "{} labels lost:\n{}",
        broken.len(),
        broken.join("\n")
    );
}
