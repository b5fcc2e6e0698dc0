//! A mutation fuzzer for the Word and PDF readers (stable Rust, no sanitizer toolchain needed):
//! starts from real files (the committed PDF fixtures, generated .docx), mutates them (bytes
//! flipped, ranges cut, copied or spliced from another file, numbers made huge, the file cut
//! short) and runs the whole `process` on each, counting panics and slow inputs. A crashing or
//! slow input is written to `target/fuzz/<reader>/` to become a regression test.
//!
//!     cargo run --release --example fuzz_readers -- pdf 600    # 10 minutes of PDFs
//!     cargo run --release --example fuzz_readers -- docx 600
use std::io::Read;
use std::time::{Duration, Instant};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn pdf_seeds() -> Vec<Vec<u8>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = std::fs::File::open(root.join("tests/fixtures/pdf.tar.zst")).expect("fixtures");
    let mut zstd = zstd::stream::read::Decoder::new(file).unwrap();
    zstd.window_log_max(27).unwrap();
    let mut tar = tar::Archive::new(zstd);
    let mut seeds = Vec::new();
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry
            .path()
            .unwrap()
            .extension()
            .is_some_and(|e| e == "pdf")
            && seeds.len() < 40
        {
            let mut b = Vec::new();
            entry.read_to_end(&mut b).unwrap();
            seeds.push(b);
        }
    }
    seeds
}

fn docx_seeds() -> Vec<Vec<u8>> {
    let mut g = gongkai::synth::Generator::new(5);
    (0..2000)
        .map(|i| g.document(i))
        .filter(|d| d.truth.layout == "docx")
        .take(40)
        .map(|d| d.bytes)
        .collect()
}

fn mutate(seed: &[u8], other: &[u8], r: &mut Rng) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..1 + r.below(4) {
        let n = b.len().max(1);
        match r.below(7) {
            0 => {
                for _ in 0..1 + r.below(8) {
                    let i = r.below(n);
                    if i < b.len() {
                        b[i] = r.next() as u8;
                    }
                }
            }
            1 => {
                let (i, len) = (r.below(n), 1 + r.below(4096));
                let end = (i + len).min(b.len());
                b.drain(i.min(end)..end);
            }
            2 => {
                let (i, len) = (r.below(n), 1 + r.below(4096));
                let end = (i + len).min(b.len());
                let piece = b[i.min(end)..end].to_vec();
                let at = r.below(b.len() + 1);
                b.splice(at..at, piece);
            }
            3 => {
                let (i, len) = (r.below(other.len().max(1)), 1 + r.below(8192));
                let end = (i + len).min(other.len());
                let at = r.below(b.len() + 1);
                b.splice(at..at, other[i.min(end)..end].iter().copied());
            }
            4 => {
                // A number made huge or negative (counts, lengths, widths, positions).
                let at = r.below(n);
                if let Some(d) = b[at.min(b.len())..].iter().position(|c| c.is_ascii_digit()) {
                    let i = at + d;
                    let huge: &[u8] = [&b"99999999999"[..], b"-1", b"4294967296", b"0"][r.below(4)];
                    b.splice(i..i + 1, huge.iter().copied());
                }
            }
            5 => b.truncate(r.below(n)),
            _ => {
                let at = r.below(b.len() + 1);
                let junk: Vec<u8> = (0..1 + r.below(64)).map(|_| r.next() as u8).collect();
                b.splice(at..at, junk);
            }
        }
    }
    b
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let reader = args.get(1).map(String::as_str).unwrap_or("pdf");
    let seconds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(60);
    let (seeds, name) = match reader {
        "docx" => (docx_seeds(), "x.docx"),
        _ => (pdf_seeds(), "x.pdf"),
    };
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/fuzz")
        .join(reader);
    std::fs::create_dir_all(&out).unwrap();
    std::panic::set_hook(Box::new(|_| {}));
    let mut r = Rng(0x9E37_79B9_7F4A_7C15 ^ seconds);
    let (start, budget) = (Instant::now(), Duration::from_secs(seconds));
    let (mut runs, mut panics, mut slow, mut slowest) = (0u64, 0u64, 0u64, Duration::ZERO);
    let mut statuses = std::collections::BTreeMap::<String, u64>::new();
    while start.elapsed() < budget {
        let s = &seeds[r.below(seeds.len())];
        let o = &seeds[r.below(seeds.len())];
        let input = mutate(s, o, &mut r);
        let t = Instant::now();
        let result = std::panic::catch_unwind(|| gongkai::process(name, &input));
        let took = t.elapsed();
        slowest = slowest.max(took);
        runs += 1;
        match result {
            Ok(p) => *statuses.entry(p.status().as_str().to_string()).or_default() += 1,
            Err(_) => {
                panics += 1;
                std::fs::write(out.join(format!("panic-{runs}")), &input).unwrap();
            }
        }
        if took > Duration::from_secs(2) {
            slow += 1;
            std::fs::write(out.join(format!("slow-{runs}")), &input).unwrap();
        }
    }
    println!(
        "{reader}: {runs} inputs in {:.0} s, {panics} panics, {slow} slower than 2 s (slowest {:.2} s); statuses {statuses:?}",
        start.elapsed().as_secs_f64(),
        slowest.as_secs_f64()
    );
    if panics > 0 || slow > 0 {
        std::process::exit(1);
    }
}
