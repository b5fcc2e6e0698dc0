//! Appends, atomic rebuilds, the lock, and crash safety under SIGKILL.

mod common;
use common::*;
use std::path::Path;
use std::time::{Duration, Instant};

fn gk(args: &[&str]) -> std::process::Output {
    gongkai().args(args).output().unwrap()
}

fn build(input: &Path, out: &Path) {
    let o = build_output(input, out, &["-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn append(input: &Path, out: &Path) -> String {
    let o = gk(&[
        "append",
        "--input",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn dumps(tmp: &Path, n: usize) -> (std::path::PathBuf, std::path::PathBuf) {
    let (a, b) = (tmp.join("all/a"), tmp.join("all/b"));
    gongkai::synth::write_dump(&a, n, gongkai::synth::Generator::new(1)).unwrap();
    gongkai::synth::write_dump(&b, n, gongkai::synth::Generator::new(2)).unwrap();
    // Truth files are written beside the dumps; keep them out of the inputs.
    let _ = std::fs::remove_file(tmp.join("all/a.truth.jsonl"));
    let _ = std::fs::remove_file(tmp.join("all/b.truth.jsonl"));
    (a, b)
}

#[test]
fn append_equals_one_build_over_both_dumps_and_twice_equals_once() {
    let tmp = temp_dir("append");
    let (a, b) = dumps(&tmp, 120);
    let (out1, out2) = (tmp.join("out1"), tmp.join("out2"));
    build(&a, &out1);
    let before = snapshot(&out1);
    append(&b, &out1);
    build(&tmp.join("all"), &out2);
    // Same rows, except run ids and the paths (relative to different input roots).
    for sql in [
        "select * exclude (run_id, source_path, duplicate_paths) from documents order by doc_id",
        "select * from cells order by all",
        "select * from checks order by all",
    ] {
        assert_eq!(duckdb(&out1, sql), duckdb(&out2, sql), "{sql}");
    }
    // Existing files are untouched (same bytes), only new ones were added. The panel checks
    // span years: a partition the new reports changed is replaced (tests/analytics.rs).
    let after = snapshot(&out1);
    for (path, bytes) in before
        .iter()
        .filter(|(p, _)| p.ends_with(".parquet") && !p.starts_with("panel_checks/"))
    {
        let now = after
            .iter()
            .find(|(p, _)| p == path)
            .unwrap_or_else(|| panic!("{path} disappeared"));
        assert_eq!(&now.1, bytes, "{path} was rewritten");
    }
    // Twice = once: nothing changes, not even the manifest.
    let msg = append(&b, &out1);
    assert!(msg.contains("nothing new"), "{msg}");
    assert_eq!(snapshot(&out1), after);
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out1.join("_manifest.json")).unwrap()).unwrap();
    assert_eq!(m["runs"].as_array().unwrap().len(), 2);
    assert_eq!(m["runs"][1]["kind"], "append");
    let status = gk(&["status", "--out", out1.to_str().unwrap()]);
    let status = String::from_utf8_lossy(&status.stdout).into_owned();
    assert!(
        status.contains("append") && status.contains("by form: ") && status.contains("by year: "),
        "{status}"
    );
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn a_straggler_lands_in_its_own_year() {
    let tmp = temp_dir("straggler");
    let input = tmp.join("in");
    let (n, bytes) = seed("001");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join(&n), &bytes).unwrap();
    let out = tmp.join("out");
    build(&input, &out);
    let late = tmp.join("late");
    let (n, bytes) = seed("000");
    std::fs::create_dir_all(&late).unwrap();
    std::fs::write(late.join(&n), &bytes).unwrap();
    append(&late, &out);
    let v = duckdb(
        &out,
        "select year, count(*) as n from documents group by year order by year",
    );
    assert_eq!(
        v,
        serde_json::json!([{"year": 2020, "n": 1}, {"year": 2021, "n": 1}])
    );
    assert!(
        std::fs::read_dir(out.join("cells/year=2020"))
            .unwrap()
            .count()
            == 1
    );
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn a_second_run_stops_at_the_lock_and_a_released_lock_is_taken() {
    let tmp = temp_dir("lock");
    let input = tmp.join("in");
    let (n, bytes) = seed("002");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join(&n), &bytes).unwrap();
    let out = tmp.join("out");
    build(&input, &out);
    let before = snapshot(&out);
    let lock = tmp.join(".out.lock");
    // A live holder: this test process holds the OS lock.
    let held = std::fs::OpenOptions::new().write(true).open(&lock).unwrap();
    held.try_lock().unwrap();
    let o = gk(&[
        "build",
        "--input",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("another gongkai run")
            && err.contains(".out.lock")
            && err.lines().count() == 1,
        "{err}"
    );
    assert_eq!(snapshot(&out), before, "the dataset is unharmed");
    // The holder is gone (the kernel releases its lock however it ends).
    drop(held);
    build(&input, &out);
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// Kill a command at many moments; after each kill the dataset is exactly the old one or the new
/// one (never a mix, never an error) and a rerun completes it.
fn crash_test(name: &str, cmd: &str, points: usize) {
    let tmp = temp_dir(name);
    let (a, b) = dumps(&tmp, 400);
    let out = tmp.join("out");
    let pristine = tmp.join("pristine");
    build(&a, &pristine);
    if cmd == "compact" {
        // Something to compact: every partition of both dumps in two files.
        append(&b, &pristine);
    }
    let mut fp = Fingerprinter::new();
    let old = fp.of(&pristine);
    let args = |out: &Path| match cmd {
        "compact" => vec![cmd.to_string(), "--out".into(), out.display().to_string()],
        _ => vec![
            cmd.to_string(),
            "-q".into(),
            "--input".into(),
            b.display().to_string(),
            "--out".into(),
            out.display().to_string(),
        ],
    };
    // The new state and the duration of an uninterrupted run.
    copy_tree(&pristine, &out);
    let t0 = Instant::now();
    assert!(gongkai().args(args(&out)).status().unwrap().success());
    let full = t0.elapsed();
    let new = fp.of(&out);
    let files = |d: &Path| snapshot(d).len();
    if cmd == "compact" {
        // Compaction keeps the rows and changes the files.
        assert_eq!(old, new);
        assert!(files(&out) < files(&pristine));
    } else {
        assert_ne!(old, new);
    }
    let (mut saw_old, mut saw_new) = (0, 0);
    for i in 0..points {
        copy_tree(&pristine, &out);
        // Half the points spread over the whole run, half around the commit at its end.
        let x = (i / 2) as f64 / (points / 2) as f64;
        // Under a loaded machine (the whole suite runs in parallel) a run can take longer than
        // the measured one, so the spread reaches well past its end.
        let delay = if i % 2 == 0 {
            full.mul_f64(x * 2.0)
        } else {
            full.mul_f64(0.8 + x * 0.5)
        };
        let mut child = gongkai().args(args(&out)).spawn().unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let now = fp.of(&out);
        assert!(
            now == old || now == new,
            "kill point {i} ({delay:?}): {now} is neither old {old} nor new {new}"
        );
        // Compaction's two states hold the same rows: tell them apart by their files.
        let now_is_old = if cmd == "compact" {
            files(&out) == files(&pristine)
        } else {
            now == old
        };
        if now_is_old {
            saw_old += 1;
        } else {
            saw_new += 1;
        }
        if i % 6 == 0 {
            assert!(
                gongkai().args(args(&out)).status().unwrap().success(),
                "rerun after kill point {i}"
            );
            assert_eq!(
                fp.of(&out),
                new,
                "rerun after kill point {i} completes the run"
            );
        }
    }
    println!("{name}: {points} kill points over {full:?}: {saw_old} old, {saw_new} new");
    assert!(
        saw_old > 0 && saw_new > 0,
        "the kill points must cover both sides of the commit"
    );
    std::fs::remove_dir_all(&tmp).unwrap();
    let _ = Duration::ZERO;
}

#[test]
fn build_survives_sigkill_at_any_moment() {
    crash_test("crash-build", "build", 60);
}

#[test]
fn append_survives_sigkill_at_any_moment() {
    crash_test("crash-append", "append", 60);
}

#[test]
fn compact_survives_sigkill_at_any_moment() {
    crash_test("crash-compact", "compact", 40);
}
