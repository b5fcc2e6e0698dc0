use rayon::prelude::*;
fn main() {
    let n: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    let seed: u64 = std::env::args().nth(2).unwrap().parse().unwrap();
    let mut g = gongkai::synth::Generator::glued(seed);
    let docs: Vec<_> = (0..n).map(|i| g.document(i)).collect();
    docs.par_iter().for_each(|d| {
        let p = gongkai::process(&d.path, &d.bytes);
        if p.info.form_version.map(|v| v.as_str()) != Some(d.truth.form_version.as_str()) {
            println!(
                "FORM {} truth {} got {:?}",
                d.path, d.truth.form_version, p.info.form_version
            );
        }
        for t in &d.truth.cells {
            let got = p.cells.iter().find(|c| {
                c.section.as_str() == t.section && c.item == t.item && c.metric == t.metric
            });
            if let Some(c) = got {
                if let Some(v) = c.value {
                    if t.value.map_or(true, |w| (w - v).abs() > 1e-6) {
                        let text = String::from_utf8_lossy(&d.bytes);
                        println!(
                            "WRONG {} {} {} {} truth {:?} got {:?} raw {:?} blanks {}",
                            d.path, t.section, t.item, t.metric, t.value, v, c.raw, d.truth.blanks
                        );
                        let row: Vec<_> = d
                            .truth
                            .cells
                            .iter()
                            .filter(|x| x.section == t.section && x.item == t.item)
                            .map(|x| x.value)
                            .collect();
                        println!("   truth row {:?}", row);
                        if text.len() < 20000 {
                            let i = text.find("三、收到").unwrap_or(0);
                            println!(
                                "   {}",
                                &text[i..(i + 3000).min(text.len())]
                                    .chars()
                                    .take(900)
                                    .collect::<String>()
                            );
                        }
                    }
                }
            }
        }
    });
}
